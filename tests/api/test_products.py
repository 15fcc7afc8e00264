"""API.md, Shared master data: products."""
from __future__ import annotations

from decimal import Decimal

from tests.conftest import replaced


def test_create_with_defaults(api_as):
    api = api_as("warehouse")
    response = api.post("/products", json={"sku": "LAMP-01", "name": "LED 台灯"})
    assert response.status_code == 201
    body = response.json
    assert body["type"] == "stockable" and body["uom"] == "unit" and body["active"] is True
    assert body["list_price"] == "0.00" and body["tax_rate"] == "13.00"
    assert body["reorder_point"] is None
    assert (body["on_hand"], body["reserved"], body["available"]) == ("0.000", "0.000", "0.000")


def test_default_tax_rate_comes_from_the_company(admin_api):
    admin_api.patch("/company", json={"default_tax_rate": "9.00"})
    assert admin_api.post("/products", json={"sku": "A", "name": "A"}).json["tax_rate"] == "9.00"


def test_duplicate_sku_and_barcode_are_409_with_existing_id(api_as):
    api = api_as("warehouse")
    first = api.post("/products", json={"sku": "A-1", "name": "A", "barcode": "6901234567892"}).json
    sku = api.post("/products", json={"sku": "A-1", "name": "B"})
    assert sku.status_code == 409 and sku.json["error"]["existing_id"] == first["id"]
    barcode = api.post("/products", json={"sku": "B-1", "name": "B", "barcode": "6901234567892"})
    assert barcode.status_code == 409 and barcode.json["error"]["code"] == "duplicate"
    other = api.post("/products", json={"sku": "C-1", "name": "C"}).json
    assert api.patch(f"/products/{other['id']}", json={"sku": "A-1"}).status_code == 409


def test_products_without_barcode_do_not_clash(api_as):
    api = api_as("warehouse")
    assert api.post("/products", json={"sku": "A", "name": "A"}).status_code == 201
    assert api.post("/products", json={"sku": "B", "name": "B", "barcode": ""}).status_code == 201


def test_validation(api_as):
    api = api_as("admin")
    response = api.post("/products", json={"name": "", "type": "magic", "list_price": "-1",
                                           "tax_rate": "101", "cost_price": "1.23456",
                                           "reorder_qty": "abc", "active": "sometimes"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"sku", "name", "type", "list_price",
                                                     "tax_rate", "cost_price", "reorder_qty",
                                                     "active"}
    assert api.get("/products").json["total"] == 0


def test_default_supplier_must_be_a_supplier(admin_api):
    customer = admin_api.post("/partners", json={"name": "Cust"}).json
    supplier = admin_api.post("/partners", json={"name": "Sup", "is_supplier": True,
                                                 "is_customer": False}).json
    bad = admin_api.post("/products", json={"sku": "A", "name": "A",
                                            "default_supplier_id": customer["id"]})
    assert bad.status_code == 422 and "default_supplier_id" in bad.json["error"]["fields"]
    ok = admin_api.post("/products", json={"sku": "A", "name": "A",
                                           "default_supplier_id": supplier["id"]})
    assert ok.status_code == 201 and ok.json["default_supplier_id"] == supplier["id"]


def test_patch_get_and_filters(api_as):
    api = api_as("warehouse")
    a = api.post("/products", json={"sku": "A", "name": "Alpha", "list_price": "10"}).json
    api.post("/products", json={"sku": "SVC", "name": "Install", "type": "service"})
    patched = api.patch(f"/products/{a['id']}", json={"list_price": 12.5, "active": False})
    assert patched.json["list_price"] == "12.50" and patched.json["active"] is False
    assert api.get(f"/products/{a['id']}").json == patched.json
    assert api.get("/products?type=service").json["items"][0]["sku"] == "SVC"
    assert api.get("/products?active=true").json["total"] == 1
    assert api.get("/products?sku=A").json["items"][0]["id"] == a["id"]
    assert api.get("/products?q=alp").json["total"] == 1
    assert api.patch(f"/products/{a['id']}", json={"tax_rate": None}).status_code == 422


def test_sales_may_read_but_not_write_products(api_as):
    sales = api_as("sales")
    assert sales.get("/products").status_code == 200
    assert sales.post("/products", json={"sku": "X", "name": "X"}).status_code == 403


def test_stock_figures_come_from_the_registered_provider(app, api_as):
    api = api_as("warehouse")
    product = api.post("/products", json={"sku": "A", "name": "A"}).json
    with replaced(app, "stock_provider",
                  lambda ids: {i: (Decimal("10.000"), Decimal("3.000")) for i in ids}):
        body = api.get(f"/products/{product['id']}").json
    assert (body["on_hand"], body["reserved"], body["available"]) == ("10.000", "3.000", "7.000")
