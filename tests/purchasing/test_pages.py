"""Purchasing pages: list with filters, order form (picker with stock, incoming, reorder point
and the supplier's price; live totals; field errors), order page with the buttons each role
may use, the to-receive queue and the receipt page, replenishment from the low-stock page,
the supplier page, the product page's supplier prices, AP aging, and every form submitted."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from erp.purchasing.models import PurchaseOrder, SupplierPrice
from tests.conftest import csrf_token, row_count, sql_statements, today
from tests.purchasing.conftest import line_of


def switch_to(client, login_as, role, **extra):
    """Sign out whoever is signed in, then sign in as a new user with `role`."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return login_as(role, **extra)


def _form(token, supplier_id, *lines, **extra):
    """The order form's post: lines are (product_id, quantity, unit_price)."""
    data = {"csrf_token": token, "supplier_id": str(supplier_id),
            "order_date": today().isoformat(), "expected_date": "",
            "supplier_reference": "Q-77", "notes": "", **extra}
    for name, index in (("product_id", 0), ("quantity", 1), ("unit_price", 2)):
        data[f"line-{name}"] = [str(line[index]) for line in lines] + [""]
    data["line-product_search"] = ["x" for _ in lines] + [""]
    for name in ("description", "discount_pct", "tax_rate"):
        data[f"line-{name}"] = ["" for _ in lines] + [""]
    return data


def test_form_creates_an_order_with_the_supplier_price(app, client, login_as, buy, admin_api):
    admin_api.post(f"/products/{buy.chair}/supplier-prices",
                   json={"supplier_id": buy.supplier, "price": "380", "lead_time_days": 5})
    login_as("finance")
    token = csrf_token(client, "/purchasing/orders/new")
    r = client.post("/purchasing/orders/new",
                    data=_form(token, buy.supplier, (buy.chair, 2, ""), (buy.setup, 1, "50")))
    assert r.status_code == 302, r.get_data(as_text=True)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "PO00001" in html and "Request for quotation" in html
    # 2 x 380 at 13 % = 858.80, installation 50 at 6 % = 53.00
    assert "911.80" in html
    with app.app_context():
        from shared.extensions import db
        order = db.session.query(PurchaseOrder).one()
        assert order.supplier_reference == "Q-77" and len(order.lines) == 2
        assert order.lines[0].unit_price == Decimal("380.00")
        assert order.expected_date == today() + timedelta(days=5)
        assert not order.expected_date_set


def test_field_errors_beside_the_fields_and_nothing_written(app, client, login_as, buy):
    login_as("finance")
    token = csrf_token(client, "/purchasing/orders/new")
    r = client.post("/purchasing/orders/new",
                    data=_form(token, buy.supplier, (buy.chair, "-1", ""), ("", "2", "5")))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert html.count('data-testid="line-error"') == 2
    assert "Pick a product from the list." in html
    assert row_count(app, PurchaseOrder) == 0
    r = client.post("/purchasing/orders/new", data=_form(token, buy.customer,
                                                          (buy.chair, 1, "")))
    assert r.status_code == 422 and "is not a supplier" in r.get_data(as_text=True)
    r = client.post("/purchasing/orders/new", data=_form(token, buy.supplier,
                                                          (buy.chair, 1, "1.23456")))
    assert r.status_code == 422 and "At most 2 decimal places" in r.get_data(as_text=True)
    assert row_count(app, PurchaseOrder) == 0


def test_edit_form_changes_a_draft_and_refuses_a_confirmed_order(client, login_as, buy,
                                                                 finance):
    order = buy.order(finance, (buy.chair, 2))
    login_as("finance")
    page = f"/purchasing/orders/{order['id']}/edit"
    html = client.get(page).get_data(as_text=True)
    assert "Edit purchase order PO00001" in html and "CHAIR · Office Chair" in html
    token = csrf_token(client, page)
    r = client.post(page, data=_form(token, buy.supplier, (buy.lamp, 3, "91.00"),
                                     expected_date="2030-03-04"))
    assert r.status_code == 302
    after = finance.get(f"/purchase-orders/{order['id']}").json
    assert after["expected_date"] == "2030-03-04"
    assert [(line["product_id"], line["quantity"]) for line in after["lines"]] == \
        [(buy.lamp, "3.000")]
    finance.post(f"/purchase-orders/{order['id']}/confirm")
    r = client.get(page)
    assert r.status_code == 302


def test_picker_shows_stock_incoming_reorder_point_and_supplier_price(client, login_as, buy,
                                                                      admin_api, finance):
    admin_api.post(f"/products/{buy.chair}/supplier-prices",
                   json={"supplier_id": buy.supplier, "price": "380.5"})
    admin_api.post(f"/products/{buy.chair}/supplier-prices",
                   json={"supplier_id": buy.supplier, "price": "360", "min_qty": "10"})
    buy.confirmed(finance, (buy.chair, 7))
    login_as("finance")
    html = client.get(f"/purchasing/products/picker?line-product_search=chair"
                      f"&supplier_id={buy.supplier}").get_data(as_text=True)
    assert "CHAIR" in html and "LAMP" not in html
    assert "On hand 4" in html and 'data-testid="picker-available">4<' in html
    assert 'data-testid="picker-incoming">7<' in html and "Reorder point 5" in html
    assert 'data-price="380.50"' in html
    assert "from 1: " in html and "from 10: " in html
    html = client.get("/purchasing/products/picker?q=chair").get_data(as_text=True)
    assert 'data-price="400.00"' in html  # no supplier chosen: the cost price
    token = csrf_token(client, "/purchasing/orders/new")
    r = client.post("/purchasing/orders/totals", data=_form(token, buy.supplier,
                                                            (buy.chair, 10, "")))
    assert "4,068.00" in r.get_data(as_text=True)  # 10 x 360 + 13 %


def test_the_sales_picker_shows_what_is_incoming_and_when(client, login_as, buy, finance):
    order = buy.confirmed(finance, (buy.chair, 6), expected_date="2030-05-06")
    assert order["state"] == "confirmed"
    login_as("sales")
    html = client.get("/sales/products/picker?q=chair").get_data(as_text=True)
    assert "incoming 6, expected" in html and "2030" in html


def test_order_page_buttons_follow_the_role_and_state(client, login_as, buy, finance,
                                                      warehouse):
    order = buy.confirmed(finance, (buy.chair, 3))
    path = f"/purchasing/orders/{order['id']}"
    login_as("warehouse")
    html = client.get(path).get_data(as_text=True)
    assert 'data-testid="receive"' in html
    assert 'data-testid="bill"' not in html and 'data-testid="cancel"' not in html
    switch_to(client, login_as, "finance")
    html = client.get(path).get_data(as_text=True)
    assert 'data-testid="receive"' not in html and 'data-testid="cancel"' in html
    assert 'data-testid="bill"' not in html  # nothing received yet
    warehouse.post(f"/purchase-orders/{order['id']}/receive")
    html = client.get(path).get_data(as_text=True)
    assert 'data-testid="bill"' in html and 'data-testid="cancel"' not in html
    assert "WH/IN/00001" in html and "Received" in html


def test_confirm_cancel_and_bill_forms(client, login_as, buy, finance, warehouse):
    login_as("finance")
    draft = buy.order(finance, (buy.chair, 3))
    path = f"/purchasing/orders/{draft['id']}"
    token = csrf_token(client, path)
    r = client.post(f"{path}/confirm", data={"csrf_token": token})
    assert r.status_code == 302
    assert finance.get(f"/purchase-orders/{draft['id']}").json["state"] == "confirmed"
    warehouse.post(f"/purchase-orders/{draft['id']}/receive")
    r = client.post(f"{path}/bill", data={"csrf_token": token})
    assert r.status_code == 302 and "/invoices/" in r.headers["Location"]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "PO00001" in html or "Vendor bill" in html
    other = buy.confirmed(finance, (buy.lamp, 1))
    r = client.post(f"/purchasing/orders/{other['id']}/cancel", data={"csrf_token": token})
    assert r.status_code == 302
    assert finance.get(f"/purchase-orders/{other['id']}").json["state"] == "cancelled"
    # a stale form changes nothing
    third = buy.order(finance, (buy.lamp, 1))
    client.post(f"/purchasing/orders/{third['id']}/confirm", data={"csrf_token": "bad"})
    assert finance.get(f"/purchase-orders/{third['id']}").json["state"] == "draft"


def test_receipt_page_scans_and_receives_part(client, login_as, buy, finance, admin_api):
    order = buy.confirmed(finance, (buy.chair, 5), (buy.lamp, 2))
    chair = line_of(order, buy.chair)
    path = f"/purchasing/orders/{order['id']}/receive"
    login_as("warehouse")
    html = client.get(path).get_data(as_text=True)
    assert 'data-testid="scan-code"' in html and "js/line-scanner.js" in html
    token = csrf_token(client, path)
    # the page without JavaScript: a scan adds one unit and nothing is written
    r = client.post(path, data={"csrf_token": token, "code": "CHAIR", "scan_quantity": "2",
                                "action": "scan", f"qty-{chair['id']}": "1"})
    html = r.get_data(as_text=True)
    assert 'data-testid="scan-success"' in html and "CHAIR: 3 of 5" in html
    r = client.post(path, data={"csrf_token": token, "code": "NOPE", "action": "scan"})
    assert 'data-testid="scan-error"' in r.get_data(as_text=True)
    # more than outstanding: the message beside the line, nothing moved
    r = client.post(path, data={"csrf_token": token, "action": "receive",
                                f"qty-{chair['id']}": "6"})
    assert r.status_code == 422
    assert "Only 5 of CHAIR are outstanding" in r.get_data(as_text=True)
    assert buy.level(buy.chair)[0] == Decimal("4")
    r = client.post(path, data={"csrf_token": token, "action": "receive"})
    assert r.status_code == 422
    r = client.post(path, data={"csrf_token": token, "action": "receive",
                                f"qty-{chair['id']}": "3"})
    assert r.status_code == 302
    assert buy.level(buy.chair)[0] == Decimal("7")
    after = finance.get(f"/purchase-orders/{order['id']}").json
    assert after["state"] == "partially_received"
    r = client.post(path, data={"csrf_token": token, "action": "receive_all"})
    assert r.status_code == 302
    assert finance.get(f"/purchase-orders/{order['id']}").json["state"] == "received"
    assert buy.level(buy.lamp)[0] == Decimal("2")


def test_to_receive_queue_marks_late_orders(client, login_as, buy, finance):
    late = buy.confirmed(finance, (buy.chair, 1),
                         order_date=(today() - timedelta(days=9)).isoformat(),
                         expected_date=(today() - timedelta(days=2)).isoformat())
    later = buy.confirmed(finance, (buy.lamp, 1), expected_date="2030-01-01")
    login_as("warehouse")
    html = client.get("/purchasing/to-receive").get_data(as_text=True)
    assert html.index(late["number"]) < html.index(later["number"])
    assert html.count('data-testid="to-receive-row"') == 2 and "table-danger" in html


def test_list_filters(client, login_as, buy, finance):
    late = buy.confirmed(finance, (buy.chair, 1),
                         order_date=(today() - timedelta(days=9)).isoformat(),
                         expected_date=(today() - timedelta(days=2)).isoformat())
    draft = buy.order(finance, (buy.lamp, 1))
    login_as("finance")
    html = client.get("/purchasing/orders").get_data(as_text=True)
    assert late["number"] in html and draft["number"] in html
    html = client.get("/purchasing/orders?late=1").get_data(as_text=True)
    assert late["number"] in html and draft["number"] not in html
    html = client.get("/purchasing/orders?state=draft").get_data(as_text=True)
    assert late["number"] not in html and draft["number"] in html
    html = client.get(f"/purchasing/orders?supplier_id={buy.supplier}&q=PO0000",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html and draft["number"] in html


def test_list_pages_read_a_fixed_number_of_queries(app, client, login_as, buy, finance):
    login_as("finance")
    buy.confirmed(finance, (buy.chair, 1))
    _, few = sql_statements(app, lambda: client.get("/purchasing/orders"))
    for _ in range(5):
        buy.confirmed(finance, (buy.chair, 1), (buy.lamp, 2))
    _, many = sql_statements(app, lambda: client.get("/purchasing/orders"))
    assert len(many) == len(few)
    _, few = sql_statements(app, lambda: client.get("/purchasing/to-receive"))
    buy.confirmed(finance, (buy.chair, 1))
    _, more = sql_statements(app, lambda: client.get("/purchasing/to-receive"))
    assert len(more) == len(few)


def test_low_stock_page_creates_purchase_orders_and_names_orphans(client, login_as, buy,
                                                                  finance):
    orphan = buy.product("ORPHAN", "No supplier", cost="1", reorder_point="1")
    assert orphan
    login_as("warehouse")
    html = client.get("/inventory/low-stock").get_data(as_text=True)
    assert 'data-testid="create-purchase-orders"' in html
    assert 'data-testid="no-supplier-list"' in html and "ORPHAN" in html
    token = csrf_token(client, "/inventory/low-stock")
    r = client.post("/purchasing/from-suggestions", data={"csrf_token": token})
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Draft purchase orders created: PO00001" in html
    assert "Left out, without a supplier: ORPHAN" in html
    orders = finance.get("/purchase-orders").json["items"]
    assert [(o["state"], o["lines"][0]["product_id"], o["lines"][0]["quantity"])
            for o in orders] == [("draft", buy.chair, "10.000")]
    switch_to(client, login_as, "sales")
    html = client.get("/inventory/low-stock").get_data(as_text=True)
    assert 'data-testid="create-purchase-orders"' not in html
    token = csrf_token(client, "/inventory/low-stock")
    assert client.post("/purchasing/from-suggestions",
                       data={"csrf_token": token}).status_code == 403


def test_supplier_page_shows_the_whole_picture(client, login_as, buy, finance, warehouse):
    order = buy.confirmed(finance, (buy.chair, 2, "100.00"),
                          order_date=(today() - timedelta(days=10)).isoformat(),
                          expected_date=(today() - timedelta(days=3)).isoformat())
    warehouse.post(f"/purchase-orders/{order['id']}/receive")
    bill = finance.post(f"/purchase-orders/{order['id']}/bill").json["invoice_id"]
    finance.post(f"/invoices/{bill}/post")
    finance.post("/payments", json={"partner_id": buy.supplier, "amount": "100.00",
                                    "date": today().isoformat(), "method": "bank",
                                    "allocations": [{"invoice_id": bill, "amount": "100.00"}]})
    open_order = buy.confirmed(finance, (buy.lamp, 1))
    login_as("finance")
    html = client.get(f"/purchasing/suppliers/{buy.supplier}").get_data(as_text=True)
    assert "苏州精工五金有限公司" in html
    assert open_order["number"] in html and order["number"] not in html  # billed: done
    assert 'data-testid="payable">¥126.00' in html or "126.00" in html  # 226 - 100
    assert "BILL/" in html and "100.00" in html
    assert 'data-testid="lead-promised">7.0 days' in html
    assert 'data-testid="lead-actual">10.0 days' in html
    switch_to(client, login_as, "warehouse")
    html = client.get(f"/purchasing/suppliers/{buy.supplier}").get_data(as_text=True)
    assert open_order["number"] in html and 'data-testid="payable"' not in html
    assert client.get("/purchasing/suppliers").status_code == 200
    assert client.get("/purchasing/suppliers/999999").status_code == 404


def test_product_page_supplier_prices_form(app, client, login_as, buy):
    login_as("warehouse")
    path = f"/products/{buy.chair}"
    html = client.get(path).get_data(as_text=True)
    assert 'data-testid="supplier-price-form"' in html
    token = csrf_token(client, path)
    r = client.post(f"/purchasing/products/{buy.chair}/supplier-prices", data={
        "csrf_token": token, "supplier_id": str(buy.supplier), "supplier_sku": "JG-1",
        "price": "12.3456", "min_qty": "5", "lead_time_days": "4"})
    assert r.status_code == 302
    html = client.get(path).get_data(as_text=True)
    assert "JG-1" in html and "12.3456" in html and "4 days" in html
    r = client.post(f"/purchasing/products/{buy.chair}/supplier-prices", data={
        "csrf_token": token, "supplier_id": str(buy.customer), "price": "1.234567",
        "min_qty": "1", "lead_time_days": "0"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "The supplier price was not saved" in html and "not a supplier" in html
    assert row_count(app, SupplierPrice) == 1
    with app.app_context():
        from shared.extensions import db
        price_id = db.session.query(SupplierPrice).one().id
    r = client.post(f"/purchasing/supplier-prices/{price_id}/delete",
                    data={"csrf_token": token})
    assert r.status_code == 302 and row_count(app, SupplierPrice) == 0
    switch_to(client, login_as, "sales")
    html = client.get(path).get_data(as_text=True)
    assert 'data-testid="supplier-prices"' in html
    assert 'data-testid="supplier-price-form"' not in html


def test_ap_aging_page_beside_ar_aging(client, login_as, buy, finance, warehouse):
    order = buy.confirmed(finance, (buy.chair, 1, "100.00"))
    warehouse.post(f"/purchase-orders/{order['id']}/receive")
    bill = finance.post(f"/purchase-orders/{order['id']}/bill").json["invoice_id"]
    finance.patch(f"/invoices/{bill}", json={
        "invoice_date": (today() - timedelta(days=70)).isoformat()})
    finance.post(f"/invoices/{bill}/post")
    login_as("finance")
    html = client.get("/reports/ap-aging").get_data(as_text=True)
    assert "Accounts payable aging" in html and "苏州精工五金有限公司" in html
    assert "113.00" in html and 'data-testid="aging-chart"' in html
    assert "kind=vendor_bill" in html
    switch_to(client, login_as, "sales")
    assert client.get("/reports/ap-aging").status_code == 403


@pytest.mark.parametrize("role, path, status", [
    ("sales", "/purchasing/orders", 403),
    ("support", "/purchasing/orders", 403),
    ("warehouse", "/purchasing/orders/new", 403),
    ("finance", "/purchasing/to-receive", 200),
    ("sales", "/purchasing/suppliers", 403),
])
def test_page_roles(client, login_as, role, path, status):
    login_as(role)
    assert client.get(path).status_code == status


def test_menu_entries_only_for_those_who_may_read_purchase_orders(client, login_as):
    login_as("warehouse")
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="purchasing-nav"' in html and "/purchasing/to-receive" in html
    switch_to(client, login_as, "sales")
    assert 'data-testid="purchasing-nav"' not in client.get("/").get_data(as_text=True)


def test_pages_in_chinese(client, login_as, buy, finance, app):
    order = buy.confirmed(finance, (buy.chair, 2))
    login_as("finance")
    client.post("/language", data={"locale": "zh", "csrf_token": csrf_token(client, "/")})
    html = client.get(f"/purchasing/orders/{order['id']}").get_data(as_text=True)
    assert "采购订单" in html and "收货单" in html
    html = client.get("/purchasing/orders").get_data(as_text=True)
    assert "逾期" in html or "所有供应商" in html
