"""GET /api/v1/reports/at-risk-customers?as_of= (API.md): customers invoiced on at least 3
distinct dates whose days since the last exceed twice the median gap between consecutive
dates, with revenue_12m (untaxed, invoices minus credit notes of the 365 days up to as_of),
highest revenue_12m first. The medians are worked out here by hand."""
from __future__ import annotations

import pytest

from tests.conftest import today
from tests.reports.conftest import days_ago


@pytest.fixture
def customers(books):
    """C1 at risk: dates -400, -100, -90, -70, -60 (and a second invoice on -60); gaps 300,
    10, 20, 10 -> median 15; 60 days since > 30. Its revenue_12m: the four invoices of the
    last 365 days (100 + 200 + 300 + 400 + 50 untaxed) less a 40.00 credit note today.
    C2 at risk too but smaller: -120, -110, -100 (median 10, 100 days since).
    C3 on time: -30, -20, -10. C4 exactly on the edge: -60, -50, -40, -20 (gaps 10, 10,
    20 -> median 10; 20 days since is not more than 20). C5 has 2 dates only. A draft and
    a vendor bill do not count."""
    c = {name: books.customer(name) for name in ("C1", "C2", "C3", "C4", "C5")}
    for days, amount in ((400, 999), (100, 100), (90, 200), (70, 300), (60, 400)):
        books.invoice(c["C1"], days_ago(days), (None, 1, amount))
    last = books.invoice(c["C1"], days_ago(60), (None, 2, 25))
    books.credit(last, (0, "1.6"))  # 1.6 x 25.00 = 40.00 untaxed
    for days in (120, 110, 100):
        books.invoice(c["C2"], days_ago(days), (None, 1, 10))
    for days in (30, 20, 10):
        books.invoice(c["C3"], days_ago(days), (None, 1, 10))
    for days in (60, 50, 40, 20):
        books.invoice(c["C4"], days_ago(days), (None, 1, 10))
    for days in (300, 200):
        books.invoice(c["C5"], days_ago(days), (None, 1, 10))
    books.invoice(c["C3"], days_ago(400), (None, 1, 10), post=False)
    books.invoice(c["C3"], days_ago(500), (None, 1, 10), kind="vendor_bill")
    return c


def test_at_risk_customers_with_exact_medians(customers, fin):
    r = fin.get("/reports/at-risk-customers")
    assert r.status_code == 200, r.json
    assert r.json == {"items": [
        {"partner_id": customers["C1"], "name": "C1", "last_invoice_date": days_ago(60)
         .isoformat(), "median_gap_days": "15.0", "days_since_last": 60,
         "revenue_12m": "1010.00"},
        {"partner_id": customers["C2"], "name": "C2", "last_invoice_date": days_ago(100)
         .isoformat(), "median_gap_days": "10.0", "days_since_last": 100,
         "revenue_12m": "30.00"}]}


def test_as_of_in_the_past_sees_only_what_was_invoiced_by_then(customers, fin):
    # as of 55 days ago, C1's last invoice was 5 days before: not at risk; C2 was at risk
    # (45 days since, median 10) and its revenue of the 365 days before was 30.00
    r = fin.get(f"/reports/at-risk-customers?as_of={days_ago(55).isoformat()}")
    assert [(i["name"], i["days_since_last"], i["revenue_12m"]) for i in r.json["items"]] \
        == [("C2", 45, "30.00")]


def test_the_customer_page_shows_the_risk(customers, app, client, login_as):
    login_as("sales")
    html = client.get(f"/customers/{customers['C1']}").get_data(as_text=True)
    assert 'data-testid="at-risk"' in html and "1,010.00" in html
    html = client.get(f"/customers/{customers['C3']}").get_data(as_text=True)
    assert 'data-testid="at-risk"' not in html


def test_roles(customers, api_as):
    for role in ("sales", "finance", "admin"):
        assert api_as(role).get("/reports/at-risk-customers").status_code == 200, role
    for role in ("warehouse", "support"):
        assert api_as(role).get("/reports/at-risk-customers").status_code == 403, role
    assert today()  # the fixture's dates are relative to the company's today
