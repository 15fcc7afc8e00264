"""The invoice contract of API.md: drafts, totals, posting, numbers, cancel, credit notes."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from erp.invoicing.models import Invoice, InvoiceLine
from tests.conftest import row_count, today
from tests.invoicing.conftest import days_ago, lines


def test_create_draft_with_totals_rounded_per_line(fin, customer):
    r = fin.post("/invoices", json={"partner_id": customer["id"], "lines": [
        {"description": "A", "quantity": "3", "unit_price": "0.335", "tax_rate": "13"}]})
    assert r.status_code == 422 and "lines.0.unit_price" in r.json["error"]["fields"]
    r = fin.post("/invoices", json={"partner_id": customer["id"], "lines": [
        {"description": "A", "quantity": "3", "unit_price": "0.35", "discount_pct": "10",
         "tax_rate": "13"},
        {"description": "B", "quantity": 1.5, "unit_price": 9.99, "tax_rate": "6"}]})
    assert r.status_code == 201, r.json
    inv = r.json
    assert inv["state"] == "draft" and inv["number"] is None
    assert inv["kind"] == "customer_invoice" and inv["currency"] == "CNY"
    # 3 x 0.35 x 0.9 = 0.945 -> 0.95; tax 0.1235 -> 0.12. 1.5 x 9.99 = 14.985 -> 14.99; tax 0.8994 -> 0.90
    assert [(ln["subtotal"], ln["tax"], ln["total"]) for ln in inv["lines"]] == [
        ("0.95", "0.12", "1.07"), ("14.99", "0.90", "15.89")]
    assert (inv["untaxed_amount"], inv["tax_amount"], inv["total"]) == ("15.94", "1.02", "16.96")
    assert inv["amount_due"] == "16.96" and inv["amount_paid"] == "0.00"
    assert inv["invoice_date"] == today().isoformat()
    assert inv["due_date"] == (today() + timedelta(days=30)).isoformat()


def test_product_gives_description_price_and_tax(fin, customer, supplier, product):
    r = fin.post("/invoices", json={"partner_id": customer["id"],
                                    "lines": [{"product_id": product["id"], "quantity": 2}]})
    line = r.json["lines"][0]
    assert (line["description"], line["unit_price"], line["tax_rate"]) == (
        "LED 台灯 Desk Lamp", "199.00", "13.00")
    assert r.json["total"] == "449.74"
    bill = fin.post("/invoices", json={"kind": "vendor_bill", "partner_id": supplier["id"],
                                       "lines": [{"product_id": product["id"], "quantity": 1}]})
    assert bill.json["lines"][0]["unit_price"] == "92.50"
    assert bill.json["due_date"] == (today() + timedelta(days=60)).isoformat()


@pytest.mark.parametrize("field,value", [
    ("quantity", "0"), ("quantity", "-1"), ("quantity", "NaN"), ("quantity", "Infinity"),
    ("quantity", "abc"), ("unit_price", "1.001"), ("unit_price", "-5"), ("tax_rate", "101"),
    ("tax_rate", "-1"), ("discount_pct", "150")])
def test_bad_lines_are_422_and_write_nothing(app, fin, customer, field, value):
    line = {"description": "X", "quantity": "1", "unit_price": "10", "tax_rate": "13",
            field: value}
    r = fin.post("/invoices", json={"partner_id": customer["id"], "lines": [line]})
    assert r.status_code == 422, r.json
    assert f"lines.0.{field}" in r.json["error"]["fields"]
    assert row_count(app, Invoice) == 0 and row_count(app, InvoiceLine) == 0


def test_json_nan_and_bad_dates_are_422(fin, customer):
    r = fin.client.post("/api/v1/invoices", headers={**fin.headers,
                                                      "Content-Type": "application/json"},
                        data='{"partner_id": ' + str(customer["id"]) + ', "lines": [{"description":'
                             ' "x", "quantity": NaN, "unit_price": 1}]}')
    assert r.status_code == 422 and "lines.0.quantity" in r.json["error"]["fields"]
    r = fin.post("/invoices", json={"partner_id": customer["id"], "invoice_date": "22/11/2026"})
    assert r.status_code == 422 and "invoice_date" in r.json["error"]["fields"]
    r = fin.post("/invoices", json={"partner_id": 999999})
    assert r.status_code == 422 and "partner_id" in r.json["error"]["fields"]
    r = fin.post("/invoices", json={"partner_id": customer["id"], "kind": "receipt"})
    assert r.status_code == 422 and "kind" in r.json["error"]["fields"]


def test_patch_a_draft_then_posting_makes_it_immutable(fin, make_invoice):
    inv = make_invoice()
    r = fin.patch(f"/invoices/{inv['id']}", json={"lines": lines(("Only", "1", "10.00", "0"))})
    assert r.status_code == 200 and r.json["total"] == "10.00" and len(r.json["lines"]) == 1
    r = fin.post(f"/invoices/{inv['id']}/post")
    assert r.status_code == 200
    posted = r.json
    assert posted["state"] == "posted"
    assert posted["number"] == f"INV/{today().year}/00001"
    r = fin.patch(f"/invoices/{inv['id']}", json={"notes": "late change"})
    assert r.status_code == 409 and r.json["error"]["code"] == "immutable"
    assert fin.post(f"/invoices/{inv['id']}/cancel").json["error"]["code"] == "immutable"
    r = fin.post(f"/invoices/{inv['id']}/post")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"
    assert fin.get(f"/invoices/{inv['id']}").json == posted


def test_numbers_per_kind_and_invoice_date_year(fin, make_invoice, supplier):
    last_year = date(today().year - 1, 12, 31).isoformat()
    a = make_invoice(post=True)
    b = make_invoice(post=True, invoice_date=last_year)
    c = make_invoice(post=True)
    bill = fin.post("/invoices", json={"kind": "vendor_bill", "partner_id": supplier["id"],
                                       "lines": lines(("Paper", "10", "18.20", "13"))}).json
    bill = fin.post(f"/invoices/{bill['id']}/post").json
    year = today().year
    assert [a["number"], b["number"], c["number"], bill["number"]] == [
        f"INV/{year}/00001", f"INV/{year - 1}/00001", f"INV/{year}/00002", f"BILL/{year}/00001"]


def test_drafts_cancel_and_cancelled_cannot_post(fin, make_invoice):
    inv = make_invoice()
    r = fin.post(f"/invoices/{inv['id']}/cancel")
    assert r.status_code == 200 and r.json["state"] == "cancelled" and r.json["number"] is None
    assert fin.post(f"/invoices/{inv['id']}/post").json["error"]["code"] == "invalid_state"
    assert fin.post(f"/invoices/{inv['id']}/cancel").status_code == 409


def test_posting_an_empty_draft_is_refused(fin, customer):
    inv = fin.post("/invoices", json={"partner_id": customer["id"]}).json
    r = fin.post(f"/invoices/{inv['id']}/post")
    assert r.status_code == 422 and "lines" in r.json["error"]["fields"]


def test_whole_credit_note_pays_off_the_original(fin, make_invoice):
    inv = make_invoice(post=True)
    r = fin.post(f"/invoices/{inv['id']}/credit-note")
    assert r.status_code == 201, r.json
    note = fin.get(f"/invoices/{r.json['invoice_id']}").json
    assert note["kind"] == "customer_credit_note" and note["state"] == "posted"
    assert note["number"] == f"RINV/{today().year}/00001"
    assert note["reversed_invoice_id"] == inv["id"] and note["total"] == inv["total"]
    original = fin.get(f"/invoices/{inv['id']}").json
    assert original["amount_due"] == "0.00" and original["state"] == "paid"
    r = fin.post(f"/invoices/{inv['id']}/credit-note")
    assert r.status_code == 409


def test_credit_note_by_line_lowers_amount_due(fin, make_invoice):
    inv = make_invoice(post=True)  # 2 x 100 @13% = 226.00, 50 @6% = 53.00 -> 279.00
    chair = inv["lines"][0]
    r = fin.post(f"/invoices/{inv['id']}/credit-note",
                 json={"lines": [{"invoice_line_id": chair["id"], "quantity": "1"}]})
    assert r.status_code == 201
    note = fin.get(f"/invoices/{r.json['invoice_id']}").json
    assert note["total"] == "113.00" and note["lines"][0]["origin_line_id"] == chair["id"]
    original = fin.get(f"/invoices/{inv['id']}").json
    assert original["amount_due"] == "166.00" and original["state"] == "posted"
    assert original["lines"][0]["credited_qty"] == "1.000"
    r = fin.post(f"/invoices/{inv['id']}/credit-note",
                 json={"lines": [{"invoice_line_id": chair["id"], "quantity": "2"}]})
    assert r.status_code == 422 and "lines.0.quantity" in r.json["error"]["fields"]


def test_crediting_more_than_is_due_is_422(app, fin, make_invoice):
    inv = make_invoice(post=True)
    pay = fin.post("/payments", json={"partner_id": inv["partner_id"], "amount": "200.00",
                                      "method": "bank", "allocations": [
                                          {"invoice_id": inv["id"], "amount": "200.00"}]})
    assert pay.status_code == 201
    before = row_count(app, Invoice)
    r = fin.post(f"/invoices/{inv['id']}/credit-note")  # 279.00 > 79.00 due
    assert r.status_code == 422
    assert row_count(app, Invoice) == before
    assert fin.get(f"/invoices/{inv['id']}").json["lines"][0]["credited_qty"] == "0.000"


def test_credit_note_of_a_draft_is_invalid_state(fin, make_invoice):
    inv = make_invoice()
    assert fin.post(f"/invoices/{inv['id']}/credit-note").status_code == 409


def test_list_filters_and_overdue(fin, make_invoice, english_customer):
    old = make_invoice(post=True, invoice_date=days_ago(60), due_date=days_ago(30))
    fresh = make_invoice(post=True)
    draft = make_invoice()
    other = make_invoice(partner_id=english_customer["id"])
    r = fin.get("/invoices")
    assert r.json["total"] == 4 and next(i["id"] for i in r.json["items"]) in (
        fresh["id"], draft["id"], other["id"])
    assert {i["id"] for i in fin.get("/invoices?overdue=true").json["items"]} == {old["id"]}
    assert fin.get(f"/invoices/{old['id']}").json["overdue"] is True
    assert {i["id"] for i in fin.get("/invoices?state=draft").json["items"]} == {
        draft["id"], other["id"]}
    assert {i["id"] for i in fin.get(
        f"/invoices?partner_id={english_customer['id']}").json["items"]} == {other["id"]}
    assert {i["id"] for i in fin.get(
        f"/invoices?date_to={days_ago(1)}").json["items"]} == {old["id"]}
    assert fin.get("/invoices?kind=vendor_bill").json["total"] == 0
    assert fin.get("/invoices?q=Harbor").json["total"] == 1
    assert fin.get("/invoices?date_from=yesterday").status_code == 422


@pytest.mark.parametrize("role,read,write", [
    ("admin", 200, 201), ("finance", 200, 201), ("sales", 200, 403), ("support", 200, 403),
    ("warehouse", 403, 403)])
def test_roles(api_as, customer, role, read, write):
    client = api_as(role)
    assert client.get("/invoices").status_code == read
    assert client.get("/reports/ar-aging").status_code == read
    assert client.get("/payments").status_code == read
    r = client.post("/invoices", json={"partner_id": customer["id"]})
    assert r.status_code == write
    r = client.post("/payments", json={"partner_id": customer["id"], "amount": "1"})
    assert r.status_code == write


def test_read_roles_cannot_act_on_invoices(api_as, make_invoice):
    inv = make_invoice()
    sales = api_as("sales")
    for path in ("post", "cancel", "credit-note"):
        assert sales.post(f"/invoices/{inv['id']}/{path}").status_code == 403
    assert sales.patch(f"/invoices/{inv['id']}", json={}).status_code == 403
    assert sales.get(f"/invoices/{inv['id']}").status_code == 200


def test_unknown_invoice_is_404(fin):
    assert fin.get("/invoices/999").status_code == 404
    assert fin.post("/invoices/999/post").status_code == 404
