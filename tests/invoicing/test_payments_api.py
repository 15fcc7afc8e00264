"""Payments and AR aging (API.md): allocations, partial payments, paid, reversal, buckets."""
from __future__ import annotations

from decimal import Decimal

from erp.invoicing.models import Payment, PaymentAllocation
from tests.conftest import row_count, today
from tests.invoicing.conftest import days_ago


def pay(fin, partner_id, amount, *allocs, **extra):
    return fin.post("/payments", json={
        "partner_id": partner_id, "amount": amount, "date": today().isoformat(),
        "method": "bank", "reference": "TT-1",
        "allocations": [{"invoice_id": i, "amount": a} for i, a in allocs], **extra})


def test_partial_then_full_payment_marks_paid(fin, make_invoice):
    inv = make_invoice(post=True)  # 279.00
    r = pay(fin, inv["partner_id"], "100.00", (inv["id"], "100.00"))
    assert r.status_code == 201, r.json
    assert r.json["allocations"][0]["amount"] == "100.00" and r.json["unallocated"] == "0.00"
    after = fin.get(f"/invoices/{inv['id']}").json
    assert (after["state"], after["amount_paid"], after["amount_due"]) == (
        "posted", "100.00", "179.00")
    pay(fin, inv["partner_id"], "179.00", (inv["id"], "179.00"))
    after = fin.get(f"/invoices/{inv['id']}").json
    assert (after["state"], after["amount_due"]) == ("paid", "0.00")


def test_one_payment_over_several_invoices_with_money_left(fin, make_invoice):
    a, b = make_invoice(post=True), make_invoice(post=True)
    r = pay(fin, a["partner_id"], "600.00", (a["id"], "279.00"), (b["id"], "279.00"))
    assert r.status_code == 201 and r.json["unallocated"] == "42.00"
    assert {fin.get(f"/invoices/{i}").json["state"] for i in (a["id"], b["id"])} == {"paid"}
    listed = fin.get(f"/payments?partner_id={a['partner_id']}").json
    assert listed["total"] == 1 and listed["items"][0]["id"] == r.json["id"]


def test_allocations_above_due_or_payment_are_422_and_write_nothing(app, fin, make_invoice):
    a, b = make_invoice(post=True), make_invoice(post=True)
    r = pay(fin, a["partner_id"], "500.00", (a["id"], "279.01"))
    assert r.status_code == 422 and "allocations.0.amount" in r.json["error"]["fields"]
    r = pay(fin, a["partner_id"], "300.00", (a["id"], "200.00"), (b["id"], "200.00"))
    assert r.status_code == 422 and "allocations" in r.json["error"]["fields"]
    for bad in ("0", "-5", "1.001", "NaN", "Infinity", "ten"):
        r = pay(fin, a["partner_id"], bad)
        assert r.status_code == 422 and "amount" in r.json["error"]["fields"], bad
    r = pay(fin, a["partner_id"], "10", date="2026/01/01")
    assert r.status_code == 422 and "date" in r.json["error"]["fields"]
    r = pay(fin, a["partner_id"], "10", method="bitcoin")
    assert r.status_code == 422 and "method" in r.json["error"]["fields"]
    assert row_count(app, Payment) == 0 and row_count(app, PaymentAllocation) == 0
    assert fin.get(f"/invoices/{a['id']}").json["amount_due"] == "279.00"


def test_drafts_and_other_partners_invoices_cannot_be_paid(fin, make_invoice, english_customer):
    draft = make_invoice()
    r = pay(fin, draft["partner_id"], "10.00", (draft["id"], "10.00"))
    assert r.status_code == 422 and "allocations.0.invoice_id" in r.json["error"]["fields"]
    posted = make_invoice(post=True)
    r = pay(fin, english_customer["id"], "10.00", (posted["id"], "10.00"))
    assert r.status_code == 422


def test_reversal_reopens_the_invoices_and_keeps_the_payment(app, fin, make_invoice):
    inv = make_invoice(post=True)
    payment = pay(fin, inv["partner_id"], "279.00", (inv["id"], "279.00")).json
    assert fin.get(f"/invoices/{inv['id']}").json["state"] == "paid"
    r = fin.post(f"/payments/{payment['id']}/reverse")
    assert r.status_code == 200 and r.json["state"] == "reversed"
    after = fin.get(f"/invoices/{inv['id']}").json
    assert (after["state"], after["amount_due"], after["amount_paid"]) == (
        "posted", "279.00", "0.00")
    assert fin.post(f"/payments/{payment['id']}/reverse").json["error"]["code"] == \
        "invalid_state"
    assert row_count(app, Payment) == 1


def test_suggestions_are_oldest_first(fin, make_invoice):
    new = make_invoice(post=True)
    old = make_invoice(post=True, invoice_date=days_ago(40), due_date=days_ago(10))
    r = fin.get(f"/payments/suggestions?partner_id={new['partner_id']}&amount=300.00")
    assert [(s["invoice_id"], s["amount"]) for s in r.json["items"]] == [
        (old["id"], "279.00"), (new["id"], "21.00")]


def test_payment_roles(api_as, make_invoice):
    inv = make_invoice(post=True)
    payment = pay(api_as("finance"), inv["partner_id"], "1.00", (inv["id"], "1.00")).json
    for role in ("sales", "support", "warehouse"):
        client = api_as(role)
        assert client.post(f"/payments/{payment['id']}/reverse").status_code == 403
    assert api_as("admin").post(f"/payments/{payment['id']}/reverse").status_code == 200


def test_ar_aging_buckets_net_of_payments_and_credit_notes(fin, make_invoice,
                                                            english_customer, supplier):
    c = make_invoice(post=True)  # due in 30 days: current
    d15 = make_invoice(post=True, invoice_date=days_ago(45), due_date=days_ago(15))
    d45 = make_invoice(post=True, invoice_date=days_ago(90), due_date=days_ago(45))
    make_invoice(post=True, invoice_date=days_ago(100), due_date=days_ago(75))
    make_invoice(post=True, invoice_date=days_ago(200), due_date=days_ago(91))
    make_invoice()  # drafts never count
    pay(fin, c["partner_id"], "79.00", (d15["id"], "79.00"))
    fin.post(f"/invoices/{d45['id']}/credit-note",
             json={"lines": [{"invoice_line_id": d45["lines"][1]["id"], "quantity": "1"}]})
    make_invoice(post=True, partner_id=english_customer["id"], invoice_date=days_ago(31),
                 due_date=days_ago(30))
    bill = fin.post("/invoices", json={"kind": "vendor_bill", "partner_id": supplier["id"],
                                       "lines": [{"description": "x", "quantity": 1,
                                                  "unit_price": 5}]}).json
    fin.post(f"/invoices/{bill['id']}/post")  # payables are not receivables
    r = fin.get("/reports/ar-aging")
    assert r.status_code == 200
    rows = {row["name"]: row for row in r.json["items"]}
    assert set(rows) == {"上海明辉电子有限公司", "Harbor Lights Retail Ltd"}
    zh = rows["上海明辉电子有限公司"]
    assert zh["partner_id"] == c["partner_id"]
    assert (zh["current"], zh["d1_30"], zh["d31_60"], zh["d61_90"], zh["d90_plus"],
            zh["total"]) == ("279.00", "200.00", "226.00", "279.00", "279.00", "1263.00")
    assert rows["Harbor Lights Retail Ltd"]["d1_30"] == "279.00"
    assert r.json["totals"]["total"] == "1542.00"
    # As of 20 days ago the 15-days-late invoice was not yet due; today's invoice did not exist.
    past = fin.get(f"/reports/ar-aging?as_of={days_ago(20)}").json
    zh_past = next(row for row in past["items"] if row["partner_id"] == c["partner_id"])
    assert zh_past["current"] == "200.00" and zh_past["d1_30"] == "226.00"
    assert fin.get("/reports/ar-aging?as_of=2026-13-01").status_code == 422


def test_bucket_filter_lists_the_bucket_invoices(fin, make_invoice):
    make_invoice(post=True)
    late = make_invoice(post=True, invoice_date=days_ago(45), due_date=days_ago(15))
    r = fin.get("/invoices?bucket=d1_30")
    assert [i["id"] for i in r.json["items"]] == [late["id"]]


def test_customer_totals_for_the_partner_summary(app, fin, make_invoice):
    from erp.invoicing.reports import customer_totals

    late = make_invoice(post=True, invoice_date=days_ago(40), due_date=days_ago(10))
    make_invoice(post=True)
    make_invoice()  # drafts do not count
    fin.post(f"/invoices/{late['id']}/credit-note",
             json={"lines": [{"invoice_line_id": late["lines"][1]["id"], "quantity": "1"}]})
    pay(fin, late["partner_id"], "26.00", (late["id"], "26.00"))
    with app.app_context():
        totals = customer_totals(late["partner_id"])
    # 2 x 250.00 untaxed, minus the 50.00 credited; due 279 + (279 - 53 - 26)
    assert totals == {"open_amount_due": Decimal("479.00"), "overdue_amount": Decimal("200.00"),
                      "lifetime_revenue": Decimal("450.00")}
