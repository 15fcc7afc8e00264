"""Report fixtures: the invoicing and sales factories, and helpers to build a history whose
figures the tests work out by hand."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from erp.inventory.drift import rebuild_days
from erp.inventory.models import StockMove
from shared.dates import day_start
from shared.extensions import db
from tests.conftest import today
from tests.inventory.conftest import stock  # noqa: F401
from tests.invoicing.conftest import customer, fin, product  # noqa: F401
from tests.sales.conftest import finance, sales, shop, warehouse  # noqa: F401


@pytest.fixture
def books(admin_api, fin):  # noqa: F811
    """Customers, products and posted invoices through the API, dated as told."""

    class Books:
        def customer(self, name: str) -> int:
            r = fin.post("/partners", json={"name": name, "payment_term_days": 30})
            assert r.status_code == 201, r.json
            return r.json["id"]

        def product(self, sku: str, cost: str, type: str = "stockable") -> int:
            r = admin_api.post("/products", json={"sku": sku, "name": f"{sku} item",
                                                  "type": type, "list_price": "10.00",
                                                  "cost_price": cost, "tax_rate": "13.00"})
            assert r.status_code == 201, r.json
            return r.json["id"]

        def set_cost(self, product_id: int, cost: str) -> None:
            r = admin_api.patch(f"/products/{product_id}", json={"cost_price": cost})
            assert r.status_code == 200, r.json

        def invoice(self, partner_id: int, day: date, *lines, api=None, post=True,
                    kind="customer_invoice", **extra) -> dict:
            """lines: (product_id or None, quantity, unit_price)."""
            body = {"kind": kind, "partner_id": partner_id, "invoice_date": day.isoformat(),
                    **extra,
                    "lines": [{"product_id": p, "description": "Line", "quantity": str(q),
                               "unit_price": str(u), "tax_rate": "13"} for p, q, u in lines]}
            r = (api or fin).post("/invoices", json=body)
            assert r.status_code == 201, r.json
            if post:
                r = (api or fin).post(f"/invoices/{r.json['id']}/post")
                assert r.status_code == 200, r.json
            return r.json

        def credit(self, invoice: dict, *quantities) -> dict:
            """A credit note for (line index, quantity) pairs of `invoice`."""
            body = {"lines": [{"invoice_line_id": invoice["lines"][i]["id"],
                               "quantity": str(q)} for i, q in quantities]}
            r = fin.post(f"/invoices/{invoice['id']}/credit-note", json=body)
            assert r.status_code == 201, r.json
            return r.json["invoice"]

    return Books()


def backdate_move(app, move_id: int, day: date, hour: int = 12) -> None:
    """Give a move the time it would have had on `day` (company time zone): the tests build
    a ledger with a history the API can only write today."""
    with app.app_context():
        moment = day_start(day) + timedelta(hours=hour)
        db.session.execute(update(StockMove).where(StockMove.id == move_id)
                           .values(created_at=moment))
        db.session.commit()
        rebuild_days()  # the move now counts on that day (stock-check --repair)


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def xlsx_rows(content: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


__all__ = ["backdate_move", "datetime", "days_ago", "xlsx_rows"]
