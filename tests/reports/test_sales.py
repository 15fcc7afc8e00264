"""GET /api/v1/reports/sales (API.md "Reports and forecasts"): posted customer invoices minus
posted credit notes dated in the range, grouped; the figures are worked out by hand here."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import today
from tests.reports.conftest import xlsx_rows


@pytest.fixture
def history(books):
    """Customer A is invoiced 40 days ago (4 lamps at 25.00 while their cost is 10, and a
    line without a product at 100.00); then the lamp's cost becomes 12; customer B is
    invoiced today (2 lamps at 25.00) and A gets a credit note today for 1 lamp. A draft,
    a vendor bill and an invoice the day before the range change nothing."""
    a, b = books.customer("Alpha Trading"), books.customer("Beta Retail")
    lamp = books.product("LAMP", "10.0000")
    early = today() - timedelta(days=40)
    first = books.invoice(a, early, (lamp, 4, "25.00"), (None, 1, "100.00"))
    books.set_cost(lamp, "12.00")
    books.invoice(b, today(), (lamp, 2, "25.00"))
    books.credit(first, (0, 1))
    books.invoice(b, today(), (lamp, 50, "25.00"), post=False)
    supplier = books.customer("Gamma Supplies")
    books.invoice(supplier, today(), (lamp, 9, "5.00"), kind="vendor_bill")
    books.invoice(a, early - timedelta(days=1), (lamp, 7, "25.00"))
    return {"a": a, "b": b, "lamp": lamp, "early": early, "first": first}


def sales(api, **params):
    r = api.get("/reports/sales", query_string=params)
    assert r.status_code == 200, r.json
    return r.json


def test_invoice_lines_keep_the_cost_at_posting(history, fin):
    line = fin.get(f"/invoices/{history['first']['id']}").json["lines"]
    assert [item["unit_cost"] for item in line] == ["10.0000", "0.0000"]


def test_by_month_credit_notes_count_and_a_later_cost_change_moves_no_margin(history, fin):
    early = history["early"]
    report = sales(fin, **{"from": early.isoformat(), "to": today().isoformat()})
    # early month: 4 x 25 + 100 = 200.00 revenue, 4 x 10 = 40.00 cost (the cost when posted)
    # this month: 2 x 25 - 1 x 25 = 25.00 revenue; 2 x 12 - 1 x 12 = 12.00 cost (the credit
    # note takes the cost price at its own posting, as API.md says)
    assert report["items"] == [
        {"key": early.strftime("%Y-%m"), "label": report["items"][0]["label"],
         "quantity": "5.000", "revenue": "200.00", "cost": "40.00", "margin": "160.00",
         "margin_pct": "80.0"},
        {"key": today().strftime("%Y-%m"), "label": report["items"][1]["label"],
         "quantity": "1.000", "revenue": "25.00", "cost": "12.00", "margin": "13.00",
         "margin_pct": "52.0"}]
    assert str(early.year) in report["items"][0]["label"]
    assert (report["revenue"], report["cost"], report["margin"]) == ("225.00", "52.00",
                                                                     "173.00")


def test_by_customer_product_and_salesperson(history, fin):
    rng = {"from": history["early"].isoformat(), "to": today().isoformat()}
    by_customer = sales(fin, group_by="customer", **rng)["items"]
    assert [(i["key"], i["label"], i["quantity"], i["revenue"], i["cost"], i["margin"],
             i["margin_pct"]) for i in by_customer] == [
        (history["a"], "Alpha Trading", "4.000", "175.00", "28.00", "147.00", "84.0"),
        (history["b"], "Beta Retail", "2.000", "50.00", "24.00", "26.00", "52.0")]
    by_product = sales(fin, group_by="product", **rng)["items"]
    assert [(i["key"], i["quantity"], i["revenue"], i["cost"], i["margin_pct"])
            for i in by_product] == [(history["lamp"], "5.000", "125.00", "52.00", "58.4"),
                                     (None, "1.000", "100.00", "0.00", "100.0")]
    assert by_product[0]["label"] == "LAMP · LAMP item"
    by_person = sales(fin, group_by="salesperson", **rng)
    assert [(i["key"], i["revenue"]) for i in by_person["items"]] == [(fin.user_id, "225.00")]
    only_b = sales(fin, group_by="customer", partner_id=history["b"], **rng)["items"]
    assert [i["key"] for i in only_b] == [history["b"]]
    only_lamp = sales(fin, product_id=history["lamp"], **rng)
    assert only_lamp["revenue"] == "125.00"


def test_margin_pct_is_null_without_revenue(books, fin):
    partner = books.customer("Free Samples Ltd")
    books.invoice(partner, today(), (None, 1, "0.00"))
    item, = sales(fin, group_by="customer")["items"]
    assert (item["revenue"], item["margin"], item["margin_pct"]) == ("0.00", "0.00", None)


def test_the_default_range_is_this_year_up_to_today(books, fin):
    partner = books.customer("Old Friend")
    books.invoice(partner, today(), (None, 1, "10.00"))
    books.invoice(partner, today().replace(month=1, day=1) - timedelta(days=1),
                  (None, 1, "99.00"))
    assert sales(fin)["revenue"] == "10.00"


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"),
    ({"from": "2026-05-02", "to": "2026-05-01"}, "to"), ({"group_by": "colour"}, "group_by"),
    ({"format": "pdf"}, "format"), ({"partner_id": "abc"}, "partner_id"),
    ({"salesperson_id": "0"}, "salesperson_id")])
def test_bad_filters_are_422_naming_the_field(fin, params, field):
    r = fin.get("/reports/sales", query_string=params)
    assert r.status_code == 422, r.json
    assert field in r.json["error"]["fields"]


def test_as_of_is_checked_too(fin):
    r = fin.get("/reports/stock-valuation?as_of=31-12-2026")
    assert r.status_code == 422 and "as_of" in r.json["error"]["fields"]


def test_csv_and_xlsx_hold_the_json_rows(history, fin):
    rng = {"from": history["early"].isoformat(), "to": today().isoformat(),
           "group_by": "customer"}
    items = sales(fin, **rng)["items"]
    r = fin.get("/reports/sales", query_string={**rng, "format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "sales-customer-" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["key", "label", "quantity", "revenue", "cost", "margin", "margin_pct"]
    assert rows[1:] == [[str(i[k]) for k in rows[0]] for i in items]
    r = fin.get("/reports/sales", query_string={**rng, "format": "xlsx"})
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = xlsx_rows(r.data)
    assert sheet[0] == ("key", "label", "quantity", "revenue", "cost", "margin", "margin_pct")
    body = sheet[1:-1]
    assert [row[1] for row in body] == [i["label"] for i in items]
    assert [Decimal(str(row[3])) for row in body] == [Decimal(i["revenue"]) for i in items]
    assert all(isinstance(row[3], int | float) for row in body)  # numbers, not text
    assert sheet[-1][0] == "Total" and Decimal(str(sheet[-1][3])) == Decimal("225.00")


def test_a_formula_looking_customer_name_is_text_in_csv_and_xlsx(books, fin):
    partner = books.customer("=HYPERLINK(\"http://evil\",\"x\")")
    books.invoice(partner, today(), (None, 1, "10.00"))
    r = fin.get("/reports/sales?group_by=customer&format=csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\",\"x\")"
    from openpyxl import load_workbook

    r = fin.get("/reports/sales?group_by=customer&format=xlsx")
    cell = load_workbook(io.BytesIO(r.data)).active.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://evil\",\"x\")"


def test_a_to_in_an_earlier_year_alone_starts_that_year(books, fin):
    partner = books.customer("Last Year Ltd")
    last_year = today().replace(month=6, day=15, year=today().year - 1)
    books.invoice(partner, last_year, (None, 1, "30.00"))
    report = sales(fin, to=last_year.replace(month=12, day=31).isoformat())
    assert report["revenue"] == "30.00"
    assert [i["key"] for i in report["items"]] == [last_year.strftime("%Y-%m")]
