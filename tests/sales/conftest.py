"""Sales fixtures: a sales, warehouse and finance user, a customer, products with stock."""
from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def sales(api_as):
    return api_as("sales")


@pytest.fixture
def warehouse(api_as):
    return api_as("warehouse")


@pytest.fixture
def finance(api_as):
    return api_as("finance")


@pytest.fixture
def shop(admin_api):
    """A customer, two stockable products with stock in WH/Stock and a service."""

    class Shop:
        api = admin_api

        def __init__(self):
            self.loc = {loc["code"]: loc["id"]
                        for loc in admin_api.get("/locations").json["items"]}
            self.customer = self.partner("杭州西湖贸易有限公司")
            self.lamp = self.product("LAMP", "LED 台灯 Desk Lamp", "199.00", stock=10)
            self.chair = self.product("CHAIR", "Office Chair 办公椅", "450.00", stock=5)
            self.setup = self.product("SETUP", "Installation 安装服务", "300.00",
                                      type="service", tax_rate="6.00")

        def partner(self, name, **extra):
            r = admin_api.post("/partners", json={"name": name, **extra})
            assert r.status_code == 201, r.json
            return r.json["id"]

        def product(self, sku, name, price, stock=0, type="stockable", tax_rate="13.00"):
            r = admin_api.post("/products", json={"sku": sku, "name": name, "type": type,
                                                  "list_price": price, "tax_rate": tax_rate})
            assert r.status_code == 201, r.json
            if stock:
                self.receive(r.json["id"], stock)
            return r.json["id"]

        def receive(self, product_id, qty):
            r = admin_api.post("/stock/moves", json={
                "product_id": product_id, "quantity": str(qty),
                "from_location_id": self.loc["Suppliers"],
                "to_location_id": self.loc["WH/Stock"]})
            assert r.status_code == 201, r.json

        def level(self, product_id):
            """(on_hand, reserved, available) in WH/Stock as Decimals."""
            items = admin_api.get(f"/stock/levels?product_id={product_id}"
                                  f"&location_id={self.loc['WH/Stock']}").json["items"]
            if not items:
                return Decimal("0"), Decimal("0"), Decimal("0")
            return tuple(Decimal(items[0][k]) for k in ("on_hand", "reserved", "available"))

        def order(self, api, *lines, partner_id=None, **extra):
            """An order through `api`; lines are (product_id, quantity[, unit_price])."""
            body = {"partner_id": partner_id or self.customer, **extra,
                    "lines": [{"product_id": p, "quantity": str(q),
                               **({"unit_price": u[0]} if u else {})} for p, q, *u in lines]}
            r = api.post("/sales-orders", json=body)
            assert r.status_code == 201, r.json
            return r.json

    return Shop()


def line_of(order: dict, product_id: int) -> dict:
    return next(line for line in order["lines"] if line["product_id"] == product_id)
