"""The home page shows each module's figures to the roles that may read them."""
from __future__ import annotations

import re

import pytest


def home_cards(client) -> dict[str, tuple[str, bool]]:
    html = client.get("/").get_data(as_text=True)
    found = re.findall(r'stat-card text-decoration-none h-100( border-danger)?" href="[^"]*" '
                       r'data-testid="home-card">\s*<div class="card-body"><div class='
                       r'"text-body-secondary">([^<]+)</div><div class="[^"]*">'
                       r'([^<]+)<', html)
    return {label: (value, bool(red)) for red, label, value in found}


TICKETS = {"Open tickets", "Breached tickets", "Tickets due today", "My ticket queue"}


@pytest.mark.parametrize("role, labels", [
    ("warehouse", {"Products to reorder", "Orders to deliver", "Purchases to receive"}),
    ("support", {"Products to reorder", "Receivables", "Overdue receivables", *TICKETS}),
    ("sales", {"Products to reorder", "Receivables", "Overdue receivables",
               "Weighted pipeline", "My overdue activities", "Quotations open", *TICKETS}),
    ("finance", {"Products to reorder", "Receivables", "Overdue receivables",
                 "Weighted pipeline", "My overdue activities", "Orders to invoice",
                 "Late purchase orders", *TICKETS}),
])
def test_each_role_sees_the_figures_it_may_read(client, login_as, role, labels):
    login_as(role)
    assert set(home_cards(client)) == labels


def test_figures_follow_the_data(client, login_as, admin_api):
    admin_api.post("/products", json={"sku": "LAMP", "name": "Lamp", "reorder_point": "5"})
    customer = admin_api.post("/partners", json={"name": "Buyer", "payment_term_days": 0})
    invoice = admin_api.post("/invoices", json={
        "kind": "customer_invoice", "partner_id": customer.json["id"],
        "invoice_date": "2026-01-05", "lines": [{"description": "Work", "quantity": "1",
                                                  "unit_price": "100.00",
                                                  "tax_rate": "0"}]}).json
    assert admin_api.post(f"/invoices/{invoice['id']}/post").status_code == 200
    admin_api.post("/opportunities", json={"title": "Deal", "expected_revenue": "1000.00"})
    login_as("admin")
    cards = home_cards(client)
    assert cards["Products to reorder"] == ("1", True)
    assert cards["Overdue receivables"][1] is True and "100.00" in cards["Overdue receivables"][0]
    assert "100.00" in cards["Weighted pipeline"][0]  # 1000.00 at the first stage's 10 %
