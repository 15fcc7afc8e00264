"""Inventory fixtures: products, locations and moves through the API, by name."""
from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def stock(admin_api):
    """Helpers over the API: products, locations, moves."""

    class Stock:
        api = admin_api

        def __init__(self):
            locations = admin_api.get("/locations").json["items"]
            self.loc = {loc["code"]: loc["id"] for loc in locations}

        def product(self, sku="LAMP", **extra):
            body = {"sku": sku, "name": f"Product {sku}", **extra}
            response = admin_api.post("/products", json=body)
            assert response.status_code == 201, response.json
            return response.json["id"]

        def location(self, code, kind="internal"):
            response = admin_api.post("/locations", json={"code": code, "name": code,
                                                          "kind": kind})
            assert response.status_code == 201, response.json
            self.loc[code] = response.json["id"]
            return response.json["id"]

        def move(self, product_id, qty, source, target, api=None, **extra):
            return (api or admin_api).post("/stock/moves", json={
                "product_id": product_id, "quantity": str(qty),
                "from_location_id": self.loc[source], "to_location_id": self.loc[target],
                **extra})

        def receive(self, product_id, qty, where="WH/Stock", **extra):
            response = self.move(product_id, qty, "Suppliers", where, **extra)
            assert response.status_code == 201, response.json
            return response.json

        def transfer(self, product_id, qty, source, target, **extra):
            response = self.move(product_id, qty, source, target, **extra)
            assert response.status_code == 201, response.json
            return response.json

        def level(self, product_id, where="WH/Stock"):
            items = admin_api.get(f"/stock/levels?product_id={product_id}"
                                  f"&location_id={self.loc[where]}").json["items"]
            if not items:
                return Decimal("0"), Decimal("0"), Decimal("0")
            item = items[0]
            return (Decimal(item["on_hand"]), Decimal(item["reserved"]),
                    Decimal(item["available"]))

        def on_hand(self, product_id, where="WH/Stock") -> str:
            """On hand as the API writes it ("0" when there is no balance row)."""
            items = admin_api.get(f"/stock/levels?product_id={product_id}"
                                  f"&location_id={self.loc[where]}").json["items"]
            return items[0]["on_hand"] if items else "0"

        def moves(self, **params):
            query = "&".join(f"{k}={v}" for k, v in params.items())
            return admin_api.get(f"/stock/moves?{query}").json["items"]

    return Stock()
