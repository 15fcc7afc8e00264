"""Ticket fixtures: the sales fixtures (a customer with products and stock) plus a support
agent's API client and a helper that opens tickets."""
from __future__ import annotations

import pytest

from tests.sales.conftest import finance, sales, shop, warehouse  # noqa: F401


@pytest.fixture
def support(api_as):
    return api_as("support", name="Agent One")


@pytest.fixture
def desk(shop, support):  # noqa: F811
    """Opens tickets for the shop's customer (or another) through the API."""

    class Desk:
        customer = shop.customer

        def open(self, api=None, **fields):
            body = {"partner_id": shop.customer, "subject": "Lamp broken 台灯坏了",
                    **fields}
            r = (api or support).post("/tickets", json=body)
            assert r.status_code == 201, r.json
            return r.json

    return Desk()
