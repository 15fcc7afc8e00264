"""Fixtures for the invoicing tests: a finance API client, a customer, a supplier, a product."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import today


@pytest.fixture
def fin(api_as):
    return api_as("finance")


@pytest.fixture
def customer(fin):
    r = fin.post("/partners", json={"name": "上海明辉电子有限公司", "payment_term_days": 30,
                                    "street": "浦东新区张江路 188 号", "city": "上海",
                                    "country": "中国", "locale": "zh"})
    assert r.status_code == 201, r.json
    return r.json


@pytest.fixture
def english_customer(fin):
    r = fin.post("/partners", json={"name": "Harbor Lights Retail Ltd", "city": "London",
                                    "street": "12 Wharf Road", "locale": "en",
                                    "payment_term_days": 45})
    return r.json


@pytest.fixture
def supplier(fin):
    r = fin.post("/partners", json={"name": "Nordic Paper AB", "is_supplier": True,
                                    "is_customer": False, "payment_term_days": 60})
    return r.json


@pytest.fixture
def product(admin_api):
    r = admin_api.post("/products", json={"sku": "LAMP", "name": "LED 台灯 Desk Lamp",
                                          "list_price": "199.00", "cost_price": "92.50",
                                          "tax_rate": "13.00"})
    assert r.status_code == 201, r.json
    return r.json


def lines(*specs):
    return [{"description": d, "quantity": q, "unit_price": p, "tax_rate": t}
            for d, q, p, t in specs]


@pytest.fixture
def make_invoice(fin, customer):
    """make_invoice(post=True, **fields): an invoice through the API (default: 2 lines)."""

    def make(post: bool = False, **fields):
        body = {"partner_id": customer["id"], "invoice_date": today().isoformat(),
                "lines": lines(("Chair 办公椅", "2", "100.00", "13"),
                               ("Installation", "1", "50.00", "6")), **fields}
        r = fin.post("/invoices", json=body)
        assert r.status_code == 201, r.json
        if post:
            r = fin.post(f"/invoices/{r.json['id']}/post")
            assert r.status_code == 200, r.json
        return r.json

    return make


def days_ago(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()

from tests.sales.conftest import sales, shop  # noqa: E402, F401  (a quotation PDF)
