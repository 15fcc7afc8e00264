"""Purchasing fixtures: a buyer (finance), a warehouse clerk, a supplier with prices, products
with some stock, and helpers that read stock and cost figures as Decimals."""
from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def finance(api_as):
    return api_as("finance")


@pytest.fixture
def warehouse(api_as):
    return api_as("warehouse")


@pytest.fixture
def sales(api_as):
    return api_as("sales")


@pytest.fixture
def buy(admin_api):
    """A supplier, a customer, two stockable products (one with stock) and a service."""

    class Buy:
        api = admin_api

        def __init__(self):
            self.loc = {loc["code"]: loc["id"]
                        for loc in admin_api.get("/locations").json["items"]}
            self.supplier = self.partner("苏州精工五金有限公司", is_supplier=True,
                                         is_customer=False, payment_term_days=30)
            self.customer = self.partner("杭州西湖贸易有限公司")
            self.chair = self.product("CHAIR", "Office Chair 办公椅", cost="400.0000",
                                      stock=4, reorder_point="5", reorder_qty="10",
                                      default_supplier_id=self.supplier)
            self.lamp = self.product("LAMP", "LED 台灯 Desk Lamp", cost="90.0000")
            self.setup = self.product("SETUP", "Installation 安装服务", type="service",
                                      cost="0", tax_rate="6.00")

        def partner(self, name, **extra):
            r = admin_api.post("/partners", json={"name": name, **extra})
            assert r.status_code == 201, r.json
            return r.json["id"]

        def product(self, sku, name, cost="0", stock=0, type="stockable", tax_rate="13.00",
                    **extra):
            r = admin_api.post("/products", json={
                "sku": sku, "name": name, "type": type, "list_price": "500.00",
                "cost_price": cost, "tax_rate": tax_rate, **extra})
            assert r.status_code == 201, r.json
            if stock:
                self.move_in(r.json["id"], stock)
            return r.json["id"]

        def move_in(self, product_id, qty):
            r = admin_api.post("/stock/moves", json={
                "product_id": product_id, "quantity": str(qty),
                "from_location_id": self.loc["Suppliers"],
                "to_location_id": self.loc["WH/Stock"]})
            assert r.status_code == 201, r.json
            return r.json

        def level(self, product_id):
            """(on_hand, reserved, available) in WH/Stock as Decimals."""
            items = admin_api.get(f"/stock/levels?product_id={product_id}"
                                  f"&location_id={self.loc['WH/Stock']}").json["items"]
            if not items:
                return Decimal("0"), Decimal("0"), Decimal("0")
            return tuple(Decimal(items[0][k]) for k in ("on_hand", "reserved", "available"))

        def cost(self, product_id) -> Decimal:
            return Decimal(admin_api.get(f"/products/{product_id}").json["cost_price"])

        def order(self, api, *lines, supplier_id=None, **extra):
            """A purchase order through `api`; lines are (product_id, quantity[, price])."""
            body = {"supplier_id": supplier_id or self.supplier, **extra,
                    "lines": [{"product_id": p, "quantity": str(q),
                               **({"unit_price": u[0]} if u else {})} for p, q, *u in lines]}
            r = api.post("/purchase-orders", json=body)
            assert r.status_code == 201, r.json
            return r.json

        def confirmed(self, api, *lines, **extra):
            order = self.order(api, *lines, **extra)
            r = api.post(f"/purchase-orders/{order['id']}/confirm")
            assert r.status_code == 200, r.json
            return r.json

    return Buy()


def line_of(order: dict, product_id: int) -> dict:
    return next(line for line in order["lines"] if line["product_id"] == product_id)
