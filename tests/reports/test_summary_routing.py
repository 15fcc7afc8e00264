"""The sales report reads the whole months of its range from the sales summaries and the
days around them from the invoice lines: for every grouping, filter, row-level limit and
range (whole months, parts of months, one day, across a year), it answers exactly what the
lines alone answer. The at-risk report reads each customer's rhythm from customer_rhythm:
it answers what the invoices' dates answer."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from erp.invoicing import reports
from shared.reports import ReportQuery
from tests.conftest import today


@pytest.fixture
def spread(api_as, books, admin_api):
    """Two salespeople's orders invoiced to two customers over five months, a customer
    invoiced by finance without an order, a product whose cost changes half way, lines
    without a product and credit notes in later months."""
    alice, bob = api_as("sales"), api_as("sales")
    lamp, desk = books.product("LAMP", "10.0000"), books.product("DESK", "55.5000")
    acme, bolt, cash = books.customer("Acme"), books.customer("Bolt"), books.customer("Cash")
    orders = {}
    for api, partner in ((alice, acme), (bob, bolt)):
        r = api.post("/sales-orders", json={"partner_id": partner, "lines": [
            {"product_id": lamp, "quantity": "1"}]})
        assert r.status_code == 201, r.json
        orders[partner] = r.json["id"]
    invoices = []
    for n, days in enumerate((150, 121, 95, 64, 40, 33, 12, 1, 0)):
        day = today() - timedelta(days=days)
        if n == 4:
            books.set_cost(lamp, "12.2500")
        for partner in (acme, bolt):
            invoices.append(books.invoice(
                partner, day, (lamp, n + 1, "25.00"), (desk, 1, "99.90"),
                (None, 1, f"{10 + n}.00"), sales_order_id=orders[partner]))
        books.invoice(cash, day, (desk, 2, "120.00"))
    books.credit(invoices[3], (0, 1), (2, 1))
    books.credit(invoices[10], (1, 1))
    return {"alice": alice.user_id, "bob": bob.user_id, "acme": acme, "lamp": lamp,
            "desk": desk}


def _ranges() -> list[tuple[date, date]]:
    t = today()
    first = t.replace(day=1)
    earlier = (first - timedelta(days=70)).replace(day=1)
    return [(earlier, t), (earlier + timedelta(days=9), t - timedelta(days=3)),
            (first, t), (first - timedelta(days=1), first - timedelta(days=1)),
            (earlier, first - timedelta(days=1)), (t - timedelta(days=400), t),
            (earlier + timedelta(days=3), earlier + timedelta(days=20))]


def _from_lines(query: ReportQuery, monkeypatch) -> reports.ReportResult:
    with monkeypatch.context() as patch:
        patch.setattr(reports, "_summary_for", lambda *_args: None)
        return reports.sales_report(query)


def test_summary_and_lines_answer_alike(ctx, spread, monkeypatch):
    filters = [{}, {"partner_id": spread["acme"]}, {"product_id": spread["lamp"]},
               {"salesperson_id": spread["alice"]}, {"limit_user_id": spread["bob"]},
               {"partner_id": spread["acme"], "product_id": spread["desk"]}]
    checked = 0
    for date_from, date_to in _ranges():
        for group in reports.SALES_GROUPS:
            for extra in filters:
                query = ReportQuery(date_from=date_from, date_to=date_to, group_by=group,
                                    **extra)
                expected = _from_lines(query, monkeypatch)
                got = reports.sales_report(query)
                assert got.items == expected.items, (query, got.items, expected.items)
                assert got.totals == expected.totals, query
                checked += bool(expected.items)
    assert checked > 60  # most combinations have figures to compare


def test_whole_months_of_a_range():
    whole = reports._whole_months
    assert whole(date(2026, 1, 1), date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 1))
    assert whole(date(2026, 1, 2), date(2026, 3, 30)) == (date(2026, 2, 1), date(2026, 2, 1))
    assert whole(date(2026, 1, 2), date(2026, 2, 27)) is None
    assert whole(date(2025, 12, 1), date(2026, 2, 28)) == (date(2025, 12, 1), date(2026, 2, 1))
    assert whole(date(2024, 2, 1), date(2024, 2, 29)) == (date(2024, 2, 1), date(2024, 2, 1))


def _at_risk_from_dates(query: ReportQuery, monkeypatch) -> reports.ReportResult:
    with monkeypatch.context() as patch:  # as if an invoice were dated after as_of
        patch.setattr(reports, "_latest_invoice_date", lambda: date.max)
        return reports.at_risk_customers(query)


def test_at_risk_from_the_rhythms_answers_what_the_dates_answer(ctx, spread, books,
                                                                monkeypatch):
    late = books.customer("Late")  # invoiced every 10 days, then nothing for 45
    for days in (85, 75, 65, 55, 45):
        books.invoice(late, today() - timedelta(days=days), (None, 1, "10.00"))
        books.invoice(late, today() - timedelta(days=days), (None, 2, "10.00"))  # same day
    names = set()
    for extra in ({}, {"partner_id": late}, {"limit_user_id": spread["alice"]},
                  {"limit_user_id": spread["bob"]}):
        query = ReportQuery(as_of=today(), **extra)
        got = reports.at_risk_customers(query)
        assert got.items == _at_risk_from_dates(query, monkeypatch).items, extra
        names |= {item["name"] for item in got.items}
    assert "Late" in names
    item = reports.at_risk_customers(ReportQuery(partner_id=late)).items[0]
    assert (item["median_gap_days"], item["days_since_last"]) == (Decimal("10.0"), 45)
