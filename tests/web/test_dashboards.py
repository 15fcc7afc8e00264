"""The role dashboards of the home page: each role's widgets, their figures on a small
history worked out by hand, the links under each figure, the row-level limit, and the list
filters those links use."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape

import pytest

from tests.conftest import csrf_token, make_user, sign_in, today

ROLE_WIDGETS = {
    "admin": {"revenue_by_month", "gross_margin", "cash_against_due", "pipeline_by_stage",
              "stock_value", "support_overview"},
    "sales": {"my_pipeline", "my_activities", "my_quotations", "my_overdue_customers",
              "my_at_risk"},
    "warehouse": {"to_deliver", "to_receive", "low_stock", "moves_per_day"},
    "finance": {"finance_figures", "ar_aging", "ap_aging", "cash_in_weekly"},
    "support": {"queue_by_priority", "response_times"},
}
ALL_WIDGETS = set().union(*ROLE_WIDGETS.values()) | {"top_customers", "top_products"}


def widgets(html: str) -> set[str]:
    return set(re.findall(r'data-widget="([a-z_]+)"', html))


def sections(html: str) -> list[str]:
    return re.findall(r'data-testid="dashboard-([a-z]+)"', html)


def spec(html: str, key: str) -> dict:
    match = re.search(rf'<canvas class="dashboard-chart" id="chart-{key}" data-chart="([^"]*)"',
                      html)
    assert match, f"no chart {key}"
    return json.loads(unescape(match.group(1)))


def figure_links(html: str, key: str) -> dict[str, tuple[str, str]]:
    """{label: (value, url)} of a figures widget."""
    start = html.index(f'data-widget="{key}"')
    block = html[start:html.index("</div></div>", start)]
    found = re.findall(r'<a class="d-block[^"]*" href="([^"]+)">\s*<div class="small '
                       r'text-body-secondary">([^<]+)</div>\s*<div class="[^"]*" '
                       r'data-testid="figure">([^<]+)</div>', block)
    return {label: (value, url.replace("&amp;", "&")) for url, label, value in found}


@pytest.mark.parametrize("role", list(ROLE_WIDGETS))
def test_each_role_sees_its_own_widgets_and_no_others(client, login_as, role):
    login_as(role)
    html = client.get("/").get_data(as_text=True)
    assert sections(html) == [role]
    shown = widgets(html)
    assert ROLE_WIDGETS[role] <= shown
    assert not shown & (ALL_WIDGETS - ROLE_WIDGETS[role] -
                        ({"top_customers", "top_products"} if role == "admin" else set()))


def test_a_user_with_several_roles_sees_each_section(client, login_as):
    login_as("sales", "support")
    html = client.get("/").get_data(as_text=True)
    assert sections(html) == ["sales", "support"]
    assert ROLE_WIDGETS["sales"] | ROLE_WIDGETS["support"] <= widgets(html)
    assert "chart.umd.js" in html and "js/charts.js" in html
    assert "<script>" not in html  # no inline script: the specs are JSON blocks


def test_sections_and_labels_in_chinese(client, login_as):
    login_as("admin")
    client.post("/language", data={"locale": "zh", "csrf_token": csrf_token(client, "/")})
    html = client.get("/").get_data(as_text=True)
    assert "管理" in html
    revenue = spec(html, "revenue_by_month")
    assert revenue["labels"][0] == "1月" and "每月收入（不含税）" in html


def _invoice(api, partner_id, day, amount, kind="customer_invoice", post=True,
             product_id=None, due=None):
    line = {"description": "Work", "quantity": "1", "unit_price": amount, "tax_rate": "13"}
    if product_id:
        line["product_id"] = product_id
    body = {"kind": kind, "partner_id": partner_id, "invoice_date": day.isoformat(),
            "lines": [line]}
    if due:
        body["due_date"] = due.isoformat()
    response = api.post("/invoices", json=body)
    assert response.status_code == 201, response.json
    invoice = response.json
    if post:
        assert api.post(f"/invoices/{invoice['id']}/post").status_code == 200
    return invoice


@pytest.fixture
def history(admin_api):
    """This year: A buys 1,000 in January and 300 of the lamp in March, B 500 in January;
    A gets 100 back by credit note in March; last year A bought 700 in March; a draft of
    9,999 and a vendor bill never count as revenue. A pays 400 of its January invoice."""
    year = today().year
    a = admin_api.post("/partners", json={"name": "Alpha 甲", "payment_term_days": 0}).json
    b = admin_api.post("/partners", json={"name": "Beta 乙", "payment_term_days": 0}).json
    s = admin_api.post("/partners", json={"name": "Supplier", "is_supplier": True}).json
    lamp = admin_api.post("/products", json={"sku": "LAMP", "name": "Lamp 台灯",
                                             "list_price": "300"}).json
    jan = _invoice(admin_api, a["id"], date(year, 1, 10), "1000.00")
    _invoice(admin_api, b["id"], date(year, 1, 20), "500.00")
    _invoice(admin_api, a["id"], date(year, 3, 5), "300.00", product_id=lamp["id"])
    _invoice(admin_api, a["id"], date(year, 3, 6), "100.00", kind="customer_credit_note")
    _invoice(admin_api, a["id"], date(year - 1, 3, 5), "700.00")
    _invoice(admin_api, a["id"], date(year, 2, 1), "9999.00", post=False)
    _invoice(admin_api, s["id"], date(year, 2, 1), "50.00", kind="vendor_bill")
    payment = admin_api.post("/payments", json={
        "partner_id": a["id"], "amount": "400.00", "method": "bank", "date":
        today().isoformat(), "allocations": [{"invoice_id": jan["id"], "amount": "400.00"}]})
    assert payment.status_code == 201, payment.json
    return {"a": a["id"], "b": b["id"], "lamp": lamp["id"], "jan": jan["id"], "year": year}


def test_management_figures_on_a_small_history(client, login_as, history):
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    year = history["year"]
    revenue = spec(html, "revenue_by_month")
    this, last = revenue["datasets"]
    assert this["label"] == str(year) and last["label"] == str(year - 1)
    assert this["data"][:3] == [1500.0, 0, 200.0]  # March: 300 less the 100 credit note
    assert last["data"][2] == 700.0 and sum(last["data"]) == 700.0
    assert this["urls"][2] == (f"/invoices/?kind=customer_invoice&date_from={year}-03-01"
                               f"&date_to={year}-03-31")

    customers = spec(html, "top_customers")
    assert customers["labels"] == ["Alpha 甲", "Beta 乙"]
    assert customers["datasets"][0]["data"] == [1200.0, 500.0]
    assert f"partner_id={history['a']}" in customers["datasets"][0]["urls"][0]

    products = spec(html, "top_products")
    assert products["labels"] == ["Lamp 台灯"] and products["datasets"][0]["data"] == [300.0]
    assert f"product_id={history['lamp']}" in products["datasets"][0]["urls"][0]

    cash = spec(html, "cash_against_due")
    # received 400; still owed, all overdue (due on the invoice date): A's January
    # 1130 - 400, March 339 and last year's 791, B's 565 (the credit note is not allocated)
    received, not_due, overdue = cash["datasets"][0]["data"]
    assert received == 400.0 and overdue == pytest.approx(730 + 339 + 791 + 565)
    assert not_due == 0


def test_each_figure_opens_a_list_filtered_to_it(client, login_as, history):
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    year = history["year"]
    march = spec(html, "revenue_by_month")["datasets"][0]["urls"][2]
    listed = client.get(march).get_data(as_text=True)
    assert listed.count('href="/invoices/') >= 1
    assert f"INV/{year}/00003" in listed and f"INV/{year}/00001" not in listed
    product_list = client.get(spec(html, "top_products")["datasets"][0]["urls"][0])
    text = product_list.get_data(as_text=True)
    assert f"INV/{year}/00003" in text and f"INV/{year}/00002" not in text
    paid = client.get(spec(html, "cash_against_due")["datasets"][0]["urls"][0])
    text = paid.get_data(as_text=True)
    assert f"INV/{year}/00001" in text and f"INV/{year}/00002" not in text


def test_finance_aging_cash_in_and_drafts(client, login_as, history):
    login_as("finance")
    html = client.get("/").get_data(as_text=True)
    ar = spec(html, "ar_aging")
    assert sum(ar["datasets"][0]["data"]) == pytest.approx(730 + 339 + 791 + 565)
    assert all("kind=customer_invoice&bucket=" in url for url in ar["datasets"][0]["urls"])
    ap = spec(html, "ap_aging")
    assert sum(ap["datasets"][0]["data"]) == pytest.approx(56.5)
    weekly = spec(html, "cash_in_weekly")
    assert len(weekly["labels"]) == 12 and weekly["datasets"][0]["data"][-1] == 400.0
    assert sum(weekly["datasets"][0]["data"]) == 400.0
    figures = figure_links(html, "finance_figures")
    value, url = figures["Drafts to post"]
    assert value == "1" and url == "/invoices/?state=draft"


def test_stock_value_comes_from_the_balances(client, login_as, admin_api):
    locations = {loc["code"]: loc["id"] for loc in admin_api.get("/locations").json["items"]}
    lamp = admin_api.post("/products", json={"sku": "LAMP", "name": "Lamp",
                                             "cost_price": "12.50"}).json
    chair = admin_api.post("/products", json={"sku": "CHAIR", "name": "Chair",
                                              "cost_price": "40"}).json
    for product, qty in ((lamp, 4), (chair, 3)):
        assert admin_api.post("/stock/moves", json={
            "product_id": product["id"], "quantity": str(qty),
            "from_location_id": locations["Suppliers"],
            "to_location_id": locations["WH/Stock"]}).status_code == 201
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    figures = figure_links(html, "stock_value")
    assert "170.00" in figures["Stock value at cost"][0]  # 4 × 12.50 + 3 × 40
    assert figures["Products in stock"][0] == "2"


def test_low_stock_lists_products_below_their_reorder_point(client, login_as, admin_api):
    locations = {loc["code"]: loc["id"] for loc in admin_api.get("/locations").json["items"]}
    low = admin_api.post("/products", json={"sku": "LOW", "name": "Scarce",
                                            "reorder_point": "5"}).json
    admin_api.post("/products", json={"sku": "OK", "name": "Plenty", "reorder_point": "1"})
    admin_api.post("/stock/moves", json={
        "product_id": low["id"], "quantity": "2", "from_location_id": locations["Suppliers"],
        "to_location_id": locations["WH/Stock"]})
    login_as("warehouse")
    html = client.get("/").get_data(as_text=True)
    start = html.index('data-widget="low_stock"')
    block = html[start:html.index("</div></div>", start)]
    assert "Low stock (2)" in block  # OK has nothing at all, so it is low too
    assert "LOW · Scarce" in block and "2 / 5 · no recent demand" in block
    assert f'href="/products/{low["id"]}"' in block


def test_warehouse_moves_per_day_link_to_that_days_ledger(client, login_as, admin_api):
    locations = {loc["code"]: loc["id"] for loc in admin_api.get("/locations").json["items"]}
    lamp = admin_api.post("/products", json={"sku": "LAMP", "name": "Lamp"}).json
    for _ in range(3):
        admin_api.post("/stock/moves", json={
            "product_id": lamp["id"], "quantity": "1",
            "from_location_id": locations["Suppliers"], "to_location_id": locations["WH/Stock"]})
    login_as("warehouse")
    html = client.get("/").get_data(as_text=True)
    moves = spec(html, "moves_per_day")
    assert len(moves["labels"]) == 30 and moves["datasets"][0]["data"][-1] == 3
    assert sum(moves["datasets"][0]["data"]) == 3
    day = today().isoformat()
    assert moves["datasets"][0]["urls"][-1] == \
        f"/inventory/moves?date_from={day}&date_to={day}"
    yesterday = moves["datasets"][0]["urls"][-2]
    assert client.get(yesterday).status_code == 200


@pytest.fixture
def own_only(admin_api):
    assert admin_api.patch("/company", json={"sales_see_own_only": True}).status_code == 200


def test_a_limited_salesperson_counts_only_own_pipeline(app, client, admin_api, own_only):
    me, email = make_user(app, "sales")
    other, _ = make_user(app, "sales")
    for owner, amount in ((me, "1000.00"), (other, "5000.00"), (me, "200.00")):
        response = admin_api.post("/opportunities", json={
            "title": f"Deal {amount}", "expected_revenue": amount, "owner_id": owner})
        assert response.status_code == 201, response.json
    sign_in(client, email)
    html = client.get("/").get_data(as_text=True)
    pipeline = spec(html, "my_pipeline")
    _weighted, expected = pipeline["datasets"]
    assert sum(expected["data"]) == 1200.0
    assert f"owner_id={me}" in expected["urls"][0] and "stage_id=" in expected["urls"][0]
    listed = client.get(expected["urls"][0]).get_data(as_text=True)
    assert "Deal 1000.00" in listed and "Deal 5000.00" not in listed


def test_management_pipeline_counts_everyone(client, login_as, admin_api):
    for amount in ("1000.00", "5000.00"):
        admin_api.post("/opportunities", json={"title": f"Deal {amount}",
                                               "expected_revenue": amount})
    login_as("admin")
    pipeline = spec(client.get("/").get_data(as_text=True), "pipeline_by_stage")
    weighted, expected = pipeline["datasets"]
    assert sum(expected["data"]) == 6000.0 and sum(weighted["data"]) == 600.0  # 10 %


def test_sales_quotations_and_overdue_customers_are_mine(app, client, admin_api):
    me, email = make_user(app, "sales")
    customer = admin_api.post("/partners", json={"name": "Late Payer",
                                                 "payment_term_days": 0}).json
    stranger = admin_api.post("/partners", json={"name": "Other Customer",
                                                 "payment_term_days": 0}).json
    lamp = admin_api.post("/products", json={"sku": "SVC", "name": "Service",
                                             "type": "service", "list_price": "10"}).json
    for partner, salesperson in ((customer, me), (stranger, None)):
        order = admin_api.post("/sales-orders", json={
            "partner_id": partner["id"], "salesperson_id": salesperson,
            "lines": [{"product_id": lamp["id"], "quantity": "2", "unit_price": "10"}]})
        assert order.status_code == 201, order.json
    for partner in (customer, stranger):
        _invoice(admin_api, partner["id"], today() - timedelta(days=10), "80.00")
    sign_in(client, email)
    html = client.get("/").get_data(as_text=True)
    quotes = figure_links(html, "my_quotations")
    value, url = quotes["Quotations"]
    assert value == "1" and url == f"/sales/orders?state=draft&salesperson_id={me}"
    assert client.get(url).get_data(as_text=True).count("Late Payer") >= 1
    assert "Other Customer" not in client.get(url).get_data(as_text=True)
    start = html.index('data-widget="my_overdue_customers"')
    block = html[start:html.index("</div></div>", start)]
    assert "Late Payer" in block and "Other Customer" not in block and "90.40" in block


def test_support_queue_by_priority_links_to_that_priority(client, login_as, admin_api):
    partner = admin_api.post("/partners", json={"name": "Client"}).json
    for priority in ("urgent", "urgent", "low"):
        assert admin_api.post("/tickets", json={"partner_id": partner["id"], "subject":
                                                f"Help {priority}", "priority": priority}
                              ).status_code == 201
    login_as("support")
    html = client.get("/").get_data(as_text=True)
    queue = spec(html, "queue_by_priority")
    assert queue["labels"] == ["Low", "Normal", "High", "Urgent"]
    assert queue["datasets"][0]["data"] == [1, 0, 0, 2]
    listed = client.get(queue["datasets"][0]["urls"][3]).get_data(as_text=True)
    assert "Help urgent" in listed and "Help low" not in listed
    times = spec(html, "response_times")
    assert len(times["labels"]) == 12
    week = client.get(times["datasets"][0]["urls"][-1]).get_data(as_text=True)
    assert "Help low" in week
    earlier = client.get(times["datasets"][0]["urls"][0]).get_data(as_text=True)
    assert "Help low" not in earlier


def test_response_time_per_week_on_a_known_ticket(ctx, admin_api):
    from crm.tickets.dashboard import weekly_response_hours
    from crm.tickets.models import Ticket
    from shared.dates import day_start
    from shared.extensions import db

    partner = admin_api.post("/partners", json={"name": "Client"}).json
    made = admin_api.post("/tickets", json={"partner_id": partner["id"], "subject": "Q"}).json
    ticket = db.session.get(Ticket, made["id"])
    monday = today() - timedelta(days=today().weekday())
    ticket.created_at = day_start(monday) + timedelta(hours=1)
    ticket.first_response_at = ticket.created_at + timedelta(hours=3, minutes=30)
    db.session.commit()
    weeks = weekly_response_hours(12)
    assert weeks[-1] == (monday, 3.5) and all(v is None for _m, v in weeks[:-1])


def test_gross_margin_per_month_uses_the_cost_kept_at_posting(client, login_as, admin_api):
    year = today().year
    customer = admin_api.post("/partners", json={"name": "Buyer"}).json
    lamp = admin_api.post("/products", json={"sku": "LAMP", "name": "Lamp",
                                             "cost_price": "120", "list_price": "300"}).json
    line = {"product_id": lamp["id"], "description": "Lamp", "quantity": "3",
            "unit_price": "300", "tax_rate": "13"}
    invoice = admin_api.post("/invoices", json={
        "kind": "customer_invoice", "partner_id": customer["id"],
        "invoice_date": date(year, 2, 10).isoformat(), "lines": [line]}).json
    assert admin_api.post(f"/invoices/{invoice['id']}/post").status_code == 200
    # a later cost change does not move the margin of what was posted
    admin_api.patch(f"/products/{lamp['id']}", json={"cost_price": "200"})
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    margin = spec(html, "gross_margin")
    revenue, gross = margin["datasets"]
    assert revenue["data"][1] == 900.0 and gross["data"][1] == 540.0  # 900 - 3 × 120
    assert sum(gross["data"]) == 540.0 and "60" in gross["texts"][1]  # 60 %
    url = gross["urls"][1]
    assert url.startswith("/reports/sales?") and "group_by=product" in url
    last = 29 if year % 4 == 0 else 28
    assert f"date_from={year}-02-01" in url and f"date_to={year}-02-{last}" in url
    assert "Lamp" in client.get(url).get_data(as_text=True)


def _at_risk_block(app, user_id: int) -> str:
    from shared.extensions import db
    from shared.users.models import User

    with app.app_context():
        email = db.session.get(User, user_id).email
    client = app.test_client()
    sign_in(client, email)
    html = client.get("/").get_data(as_text=True)
    start = html.index('data-widget="my_at_risk"')
    return html[start:html.index("</div></div>", start)]


def test_my_customers_at_risk(app, api_as, admin_api):
    """Invoiced on three days ten days apart, the last 60 days ago: more than twice the
    usual gap, so at risk, for the salesperson the invoices count for (their creator here)
    and not for another."""
    seller = api_as("sales", "finance")
    customer = admin_api.post("/partners", json={"name": "Quiet Customer"}).json
    for days in (80, 70, 60):
        _invoice(seller, customer["id"], today() - timedelta(days=days), "100.00")
    block = _at_risk_block(app, seller.user_id)
    assert "Quiet Customer" in block and "60 days since the last invoice" in block
    assert f'href="/partners/{customer["id"]}"' in block
    assert "Quiet Customer" not in _at_risk_block(app, api_as("sales").user_id)


# --------------------------------------------------------------------------- list filters


def test_invoice_list_filters_by_product_and_payment_dates(client, login_as, history):
    login_as("finance")
    year = history["year"]
    text = client.get(f"/invoices/?product_id={history['lamp']}").get_data(as_text=True)
    assert f"INV/{year}/00003" in text and f"INV/{year}/00001" not in text
    day = today().isoformat()
    text = client.get(f"/invoices/?paid_from={day}&paid_to={day}").get_data(as_text=True)
    assert f"INV/{year}/00001" in text and f"INV/{year}/00003" not in text
    earlier = (today() - timedelta(days=1)).isoformat()
    text = client.get(f"/invoices/?paid_to={earlier}").get_data(as_text=True)
    assert f"INV/{year}/00001" not in text
    for bad in ("product_id=abc", "paid_from=2026-13-01", "paid_to=yesterday"):
        assert client.get(f"/invoices/?{bad}").status_code < 500


def test_invoice_api_takes_the_same_filters(admin_api, history):
    found = admin_api.get(f"/invoices?product_id={history['lamp']}").json["items"]
    assert [i["number"] for i in found] == [f"INV/{history['year']}/00003"]
    assert admin_api.get("/invoices?paid_from=nope").status_code == 422


def test_sales_order_list_filters_by_salesperson(app, client, login_as, admin_api):
    me, _ = make_user(app, "sales")
    customer = admin_api.post("/partners", json={"name": "Customer"}).json
    svc = admin_api.post("/products", json={"sku": "SVC", "name": "Service", "type": "service",
                                            "list_price": "10"}).json
    numbers = {}
    for salesperson in (me, None):
        order = admin_api.post("/sales-orders", json={
            "partner_id": customer["id"], "salesperson_id": salesperson,
            "lines": [{"product_id": svc["id"], "quantity": "1"}]}).json
        numbers[salesperson] = order["number"]
    login_as("admin")
    text = client.get(f"/sales/orders?salesperson_id={me}").get_data(as_text=True)
    assert numbers[me] in text and numbers[None] not in text
    assert 'data-testid="salesperson-filter"' in text
    for bad in ("abc", "-1", "0", "99999999999999999999"):
        response = client.get(f"/sales/orders?salesperson_id={bad}")
        assert response.status_code == 200
        assert numbers[None] in response.get_data(as_text=True)


def test_purchase_list_filters_orders_due_by_a_day(client, login_as, admin_api):
    supplier = admin_api.post("/partners", json={"name": "Supplier", "is_supplier": True}).json
    item = admin_api.post("/products", json={"sku": "BOX", "name": "Box"}).json
    numbers = {}
    for days in (0, 5):
        order = admin_api.post("/purchase-orders", json={
            "supplier_id": supplier["id"],
            "expected_date": (today() + timedelta(days=days)).isoformat(),
            "lines": [{"product_id": item["id"], "quantity": "1", "unit_price": "1"}]})
        assert order.status_code == 201, order.json
        assert admin_api.post(f"/purchase-orders/{order.json['id']}/confirm").status_code == 200
        numbers[days] = order.json["number"]
    login_as("warehouse")
    html = client.get("/").get_data(as_text=True)
    due = figure_links(html, "to_receive")["Receipts due today"]
    assert due[0] == "1"
    text = client.get(due[1]).get_data(as_text=True)
    assert numbers[0] in text and numbers[5] not in text
    for bad in ("tomorrow", "2026-02-30", ""):
        response = client.get(f"/purchasing/orders?due_by={bad}")
        assert response.status_code == 200 and numbers[5] in response.get_data(as_text=True)


def test_activity_list_filters_by_due(app, client, admin_api):
    me, email = make_user(app, "sales")
    partner = admin_api.post("/partners", json={"name": "Client"}).json
    for days, subject in ((-2, "Late call"), (0, "Today call"), (3, "Soon call"),
                          (20, "Later call")):
        response = admin_api.post("/activities", json={
            "kind": "call", "subject": subject, "owner_id": me, "partner_id": partner["id"],
            "due_date": (today() + timedelta(days=days)).isoformat()})
        assert response.status_code == 201, response.json
    sign_in(client, email)
    html = client.get("/").get_data(as_text=True)
    figures = figure_links(html, "my_activities")
    assert [figures[k][0] for k in ("Overdue", "Due today", "Next 7 days")] == ["1", "1", "1"]
    expected = {"Overdue": "Late call", "Due today": "Today call", "Next 7 days": "Soon call"}
    for label, subject in expected.items():
        text = client.get(figures[label][1]).get_data(as_text=True)
        shown = set(re.findall(r"(\w+ call)", text))
        assert shown == {subject}, (label, shown)
    response = client.get("/activities/?due=someday")
    assert response.status_code == 200 and "Later call" in response.get_data(as_text=True)


def test_ticket_queue_filters_by_creation_dates(client, login_as, admin_api):
    partner = admin_api.post("/partners", json={"name": "Client"}).json
    admin_api.post("/tickets", json={"partner_id": partner["id"], "subject": "Fresh one"})
    login_as("support")
    day = today().isoformat()
    text = client.get(f"/tickets/?view=all&created_from={day}&created_to={day}"
                      ).get_data(as_text=True)
    assert "Fresh one" in text
    before = (today() - timedelta(days=1)).isoformat()
    text = client.get(f"/tickets/?view=all&created_to={before}").get_data(as_text=True)
    assert "Fresh one" not in text
    assert client.get("/tickets/?created_from=garbage").status_code < 500


def test_widget_registry_refuses_a_key_twice(app):
    from shared.registry import registry_of

    registry = registry_of(app)
    with pytest.raises(KeyError):
        registry.add_widget("revenue_by_month", ("admin",), lambda: None)


def test_company_wide_widgets_are_reused_for_the_cache_time(app, client, login_as,
                                                            admin_api):
    from shared import dashboards

    login_as("finance")
    app.config["DASHBOARD_CACHE_SECONDS"] = 60
    try:
        dashboards.clear_cache()
        first = figure_links(client.get("/").get_data(as_text=True), "finance_figures")
        partner = admin_api.post("/partners", json={"name": "P"}).json
        _invoice(admin_api, partner["id"], today(), "10.00", post=False)
        cached = figure_links(client.get("/").get_data(as_text=True), "finance_figures")
        assert cached["Drafts to post"] == first["Drafts to post"]
        dashboards.clear_cache()
        fresh = figure_links(client.get("/").get_data(as_text=True), "finance_figures")
        assert fresh["Drafts to post"][0] == str(int(first["Drafts to post"][0]) + 1)
    finally:
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        dashboards.clear_cache()
