"""The customer 360 page (/customers/<id>), the "Create quotation" button, the expected
products on the opportunity form, and the links to the customer page."""
from __future__ import annotations

import re

from crm.pipeline.models import OpportunityLine
from tests.conftest import csrf_token, make_user, row_count, sign_in
from tests.crm.test_quote_and_summary import opportunity, order_to_cash


def test_customer_page_for_sales_shows_everything_with_overdue_in_red(
        client, login_as, shop, sales, warehouse, finance):
    ids = order_to_cash(shop, sales, warehouse, finance)
    login_as("sales")
    response = client.get(f"/customers/{shop.customer}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "杭州西湖贸易有限公司" in html
    order = sales.get(f"/sales-orders/{ids['order']}").json
    invoice = finance.get(f"/invoices/{ids['invoice']}").json
    assert f'href="/sales/orders/{ids["order"]}"' in html and order["number"] in html
    assert f'href="/invoices/{ids["invoice"]}"' in html and invoice["number"] in html
    assert "Delivered" in html and "Fully invoiced" in html  # state and invoice badges
    assert re.search(r'text-danger[^"]*" data-testid="overdue-amount">[^<]*349\.74', html)
    assert 'class="table-danger"' in html  # the overdue invoice's row
    assert "WH/OUT/00001" in html  # the delivery
    assert "BANK-1" in html  # the payment
    timeline = html[html.index('data-testid="timeline"'):]
    for label in ("Payment received", "Invoice posted", "Delivery made", "Order confirmed",
                  "Quotation created", "Opportunity won", "Opportunity created",
                  "Lead created"):
        assert label in timeline, label
    # newest first: the payment before the invoice, the invoice before the order
    assert timeline.index("Payment received") < timeline.index("Invoice posted") \
        < timeline.index("Order confirmed") < timeline.index("Lead created")
    assert "Not shown for your role" not in html


def test_customer_page_for_finance_and_warehouse(app, client, login_as, shop, sales, warehouse,
                                                 finance):
    order_to_cash(shop, sales, warehouse, finance)
    login_as("finance")
    html = client.get(f"/customers/{shop.customer}").get_data(as_text=True)
    assert "杭州西湖贸易有限公司" in html and 'data-testid="invoices"' in html
    assert 'data-testid="open-leads"' in html and "349.74" in html
    other = app.test_client()
    sign_in(other, make_user(app, "warehouse")[1])
    html = other.get(f"/customers/{shop.customer}").get_data(as_text=True)
    assert "杭州西湖贸易有限公司" in html
    assert 'data-testid="hidden-sections"' in html
    assert 'data-testid="invoices"' not in html and 'data-testid="totals"' not in html
    assert 'data-testid="open-leads"' not in html and "349.74" not in html
    assert 'data-testid="orders"' in html and "Invoice posted" not in html


def test_customer_page_unknown_partner_and_sign_in(client, login_as, shop):
    assert client.get(f"/customers/{shop.customer}").status_code == 302  # to sign in
    login_as("support")
    assert client.get("/customers/99999").status_code == 404


def test_customer_page_in_chinese(client, login_as, shop, sales, warehouse, finance):
    order_to_cash(shop, sales, warehouse, finance)
    login_as("sales")
    client.post("/language", data={"locale": "zh", "next": "/",
                                   "csrf_token": csrf_token(client, "/")})
    html = client.get(f"/customers/{shop.customer}").get_data(as_text=True)
    assert "逾期" in html and "Payment received" not in html and "Timeline" not in html


def test_create_quotation_opens_the_filled_form_and_saves_nothing_until_saved(
        client, login_as, shop, sales):
    """Issue 16 item 10: "Create quotation" saved an empty draft at once; like Odoo's "New
    Quotation" it now opens the quotation form filled from the opportunity, and the saved
    quotation links back to its opportunity."""
    opp = opportunity(sales, shop.customer, lines=[{"product_id": shop.lamp, "quantity": 3}])
    login_as("sales")
    page = client.get(f"/opportunities/{opp['id']}").get_data(as_text=True)
    assert 'data-testid="create-quotation"' in page and "LAMP" in page
    assert f'href="/customers/{shop.customer}"' in page
    response = client.get(f"/opportunities/{opp['id']}/quote")
    assert response.status_code == 302 and "/sales/orders/new?" in response.location
    form = client.get(response.location).get_data(as_text=True)
    assert sales.get("/sales-orders").json["total"] == 0  # nothing saved yet
    assert f'name="opportunity_id" type="hidden" value="{opp["id"]}"' in form
    assert re.search(rf'<option selected value="{shop.customer}"|'
                     rf'<option value="{shop.customer}" selected', form)
    assert 'name="line-quantity"' in form and 'value="3"' in form

    saved = client.post("/sales/orders/new", data={
        "csrf_token": csrf_token(client, "/sales/orders/new"), "partner_id": shop.customer,
        "opportunity_id": opp["id"], "line-product_id": shop.lamp, "line-quantity": "3"})
    assert saved.status_code == 302
    order = sales.get(f"/sales-orders?opportunity_id={opp['id']}").json["items"][0]
    assert [(line["product_id"], line["quantity"]) for line in order["lines"]] == [
        (shop.lamp, "3.000")]
    show = client.get(f"/sales/orders/{order['id']}").get_data(as_text=True)
    assert f'href="/opportunities/{opp["id"]}" data-testid="page-link"' in show


def test_create_quotation_refused_in_the_page(client, login_as, shop, sales):
    bare = opportunity(sales)
    login_as("sales")
    page = client.get(f"/opportunities/{bare['id']}").get_data(as_text=True)
    assert 'data-testid="create-quotation"' not in page  # no customer to quote
    response = client.get(f"/opportunities/{bare['id']}/quote",
                          headers={"Referer": f"/opportunities/{bare['id']}"})
    assert response.status_code == 302 and "/sales/orders" not in response.location
    flashed = client.get(response.location).get_data(as_text=True)
    assert "Choose the opportunity&#39;s customer" in flashed
    assert sales.get("/sales-orders").json["total"] == 0


def test_finance_sees_no_quotation_button_and_may_not_open_it(client, login_as, shop, sales):
    opp = opportunity(sales, shop.customer)
    login_as("finance")
    page = client.get(f"/opportunities/{opp['id']}").get_data(as_text=True)
    assert 'data-testid="create-quotation"' not in page
    assert client.get(f"/opportunities/{opp['id']}/quote").status_code == 403


def test_expected_products_are_edited_on_the_opportunity_form(app, client, login_as, shop,
                                                              sales):
    opp = opportunity(sales, shop.customer, lines=[{"product_id": shop.lamp, "quantity": 2}])
    login_as("sales")
    form = client.get(f"/opportunities/{opp['id']}/edit").get_data(as_text=True)
    assert form.count('name="line_product_id"') == 3  # the line and two blank rows
    token = csrf_token(client, f"/opportunities/{opp['id']}/edit")
    data = {"csrf_token": token, "title": "Chairs and setup", "partner_id": shop.customer,
            "expected_revenue": "1000",
            "line_product_id": [str(shop.chair), str(shop.setup), ""],
            "line_quantity": ["4", "0", ""], "line_unit_price": ["", "", ""]}
    bad = client.post(f"/opportunities/{opp['id']}/edit", data=data)
    assert bad.status_code == 200 and "Product row 2" in bad.get_data(as_text=True)
    data["line_quantity"] = ["4", "1", ""]
    data["line_unit_price"] = ["", "280", ""]
    saved = client.post(f"/opportunities/{opp['id']}/edit", data=data)
    assert saved.status_code == 302
    lines = sales.get(f"/opportunities/{opp['id']}").json["lines"]
    assert [(line["product_id"], line["quantity"], line["unit_price"]) for line in lines] == [
        (shop.chair, "4.000", None), (shop.setup, "1.000", "280.00")]
    assert row_count(app, OpportunityLine) == 2


def test_customer_names_link_to_the_customer_page(client, login_as, shop, sales, warehouse,
                                                  finance):
    ids = order_to_cash(shop, sales, warehouse, finance)
    link = f'href="/customers/{shop.customer}"'
    login_as("admin")
    open_opp = opportunity(sales, shop.customer)
    assert link in client.get("/pipeline/").get_data(as_text=True)
    assert link in client.get("/opportunities/").get_data(as_text=True)
    assert link in client.get(f"/opportunities/{open_opp['id']}").get_data(as_text=True)
    assert link in client.get("/leads/").get_data(as_text=True)
    assert link in client.get(f"/leads/{ids['lead']}").get_data(as_text=True)
    partner_page = client.get(f"/partners/{shop.customer}").get_data(as_text=True)
    assert 'data-testid="customer-overview"' in partner_page and link in partner_page
    assert link in client.get("/invoices/").get_data(as_text=True)
    assert link in client.get(f"/invoices/{ids['invoice']}").get_data(as_text=True)
    assert link in client.get("/reports/ar-aging").get_data(as_text=True)


def test_activities_on_the_customer_and_its_leads_show_on_its_page_and_timeline(
        client, shop, sales):
    """Issue 16 item 10: an activity scheduled on a partner was on neither; the activity
    list's "About" column names the record, not just its kind."""
    zhou_id, email = make_user(client.application, "sales", name="Zhou")
    lead = sales.post("/leads", json={"title": "Lobby chairs"}).json
    sales.post(f"/leads/{lead['id']}/convert", json={"partner_id": shop.customer})
    for body in ({"partner_id": shop.customer, "subject": "Call about the invoice"},
                 {"lead_id": lead["id"], "subject": "Send the chair catalogue"}):
        r = sales.post("/activities", json={"kind": "call", "due_date": "2026-12-01",
                                            "owner_id": zhou_id, **body})
        assert r.status_code == 201, r.json
    summary = sales.get(f"/partners/{shop.customer}/summary").json
    assert {a["subject"] for a in summary["activities"]} == {
        "Call about the invoice", "Send the chair catalogue"}
    assert summary["counts"]["activities"] == 2

    sign_in(client, email)
    html = client.get(f"/customers/{shop.customer}").get_data(as_text=True)
    panel = html[html.index('data-testid="customer-activities"'):]
    assert "Call about the invoice" in panel and "Send the chair catalogue" in panel
    timeline = html[html.index('data-testid="timeline"'):]
    assert "Activity scheduled" in timeline and "Call about the invoice" in timeline

    mine = client.get("/activities/").get_data(as_text=True)
    about = [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r'data-testid="about">(.*?)</td>', mine, re.S)]
    assert sorted(about) == ["Customer 杭州西湖贸易有限公司", "Lead Lobby chairs"]
