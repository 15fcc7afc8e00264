"""Fixtures for the inventory pages: stock set up through the API, then the pages as a user
of the role under test."""
from __future__ import annotations

import pytest


@pytest.fixture
def stock(admin_api):
    class Stock:
        api = admin_api

        def __init__(self):
            self.loc = {loc["code"]: loc["id"]
                        for loc in admin_api.get("/locations").json["items"]}

        def product(self, sku="LAMP", **extra):
            response = admin_api.post("/products", json={"sku": sku, "name": f"Product {sku}",
                                                         **extra})
            assert response.status_code == 201, response.json
            return response.json["id"]

        def location(self, code, kind="internal"):
            response = admin_api.post("/locations", json={"code": code, "name": code,
                                                          "kind": kind})
            assert response.status_code == 201, response.json
            self.loc[code] = response.json["id"]
            return response.json["id"]

        def move(self, product_id, qty, source="Suppliers", target="WH/Stock", **extra):
            response = admin_api.post("/stock/moves", json={
                "product_id": product_id, "quantity": str(qty),
                "from_location_id": self.loc[source], "to_location_id": self.loc[target],
                **extra})
            assert response.status_code == 201, response.json
            return response.json

        def level(self, product_id, where="WH/Stock"):
            items = admin_api.get(f"/stock/levels?product_id={product_id}"
                                  f"&location_id={self.loc[where]}").json["items"]
            return items[0]["on_hand"] if items else "0"

        def moves(self, **params):
            query = "&".join(f"{k}={v}" for k, v in params.items())
            return admin_api.get(f"/stock/moves?{query}").json["items"]

    return Stock()
