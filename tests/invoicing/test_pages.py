"""Invoicing pages: list with filters and totals, form with live totals, invoice page,
payments, partner balance, aging report; overdue highlighted."""
from __future__ import annotations

from tests.conftest import csrf_token, today
from tests.invoicing.conftest import days_ago


def test_list_show_and_aging_pages(client, login_as, make_invoice):
    late = make_invoice(post=True, invoice_date=days_ago(60), due_date=days_ago(20))
    make_invoice()
    login_as("finance")
    html = client.get("/invoices/").get_data(as_text=True)
    assert late["number"] in html and 'data-testid="overdue"' in html and "table-danger" in html
    html = client.get("/invoices/?overdue=true").get_data(as_text=True)
    assert "Total of 1 invoices" in html
    html = client.get(f"/invoices/{late['id']}").get_data(as_text=True)
    assert "279.00" in html and "Record payment" in html and "iframe" in html
    html = client.get("/reports/ar-aging").get_data(as_text=True)
    assert 'data-testid="aging-chart"' in html and "bucket=d1_30" in html
    html = client.get(f"/partners/{late['partner_id']}").get_data(as_text=True)
    assert 'data-testid="partner-balance"' in html


def test_form_creates_a_draft_and_live_totals(client, login_as, customer):
    login_as("finance")
    token = csrf_token(client, "/invoices/new")
    data = {"csrf_token": token, "kind": "customer_invoice", "partner_id": str(customer["id"]),
            "invoice_date": today().isoformat(), "due_date": "",
            "line-description": ["Chair", ""], "line-quantity": ["2", ""],
            "line-unit_price": ["100.00", ""], "line-tax_rate": ["13", ""],
            "line-discount_pct": ["", ""], "line-product_id": ["", ""]}
    r = client.post("/invoices/totals", data=data)
    assert r.status_code == 200 and "226.00" in r.get_data(as_text=True)
    r = client.post("/invoices/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "226.00" in html and "Post" in html
    bad = {**data, "line-quantity": ["-1", ""]}
    r = client.post("/invoices/new", data=bad)
    assert r.status_code == 200 and 'data-testid="line-error"' in r.get_data(as_text=True)


def test_post_pay_and_reverse_through_pages(client, login_as, make_invoice):
    inv = make_invoice(post=True)
    login_as("finance")
    token = csrf_token(client, "/invoices/")
    r = client.get(f"/payments/new?partner_id={inv['partner_id']}")
    assert inv["number"] in r.get_data(as_text=True)
    r = client.post("/payments/new", data={
        "csrf_token": token, "partner_id": inv["partner_id"], "amount": "100.00",
        "date": today().isoformat(), "method": "bank", "reference": "X1",
        "alloc-invoice_id": [inv["id"]], "alloc-amount": ["100.00"]})
    assert r.status_code == 302
    html = client.get(f"/invoices/{inv['id']}").get_data(as_text=True)
    assert "179.00" in html and "Reverse" in html


def test_sales_sees_no_action_buttons_and_warehouse_no_menu(client, login_as, make_invoice):
    inv = make_invoice()
    login_as("sales")
    html = client.get(f"/invoices/{inv['id']}").get_data(as_text=True)
    assert ">Post<" not in html and "Download PDF" in html
    assert ">Invoices<" in client.get("/").get_data(as_text=True)


def test_warehouse_has_no_invoice_menu(client, login_as):
    login_as("warehouse")
    assert ">Invoices<" not in client.get("/").get_data(as_text=True)
    assert client.get("/invoices/").status_code == 403


def test_payment_form_says_what_is_wrong_with_an_allocation(client, login_as, make_invoice):
    inv = make_invoice(post=True)
    login_as("finance")
    r = client.post("/payments/new", data={
        "csrf_token": csrf_token(client, "/invoices/"), "partner_id": inv["partner_id"],
        "amount": "500.00", "date": today().isoformat(), "method": "bank",
        "alloc-invoice_id": [inv["id"]], "alloc-amount": ["300.00"]})
    assert r.status_code == 200
    assert "More than the amount due" in r.get_data(as_text=True)
