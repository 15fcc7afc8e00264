"""The helpdesk pages: queue (filters kept by the htmx refresh), the ticket page with the
customer panel, every form submitted, the dashboard, settings, and 403s for roles."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token


def post(client, path, data, page):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_queue_views_and_htmx_refresh_keep_filters(client, login_as, desk, support):
    desk.open(priority="urgent", subject="Urgent lamp")
    desk.open(priority="low", subject="Slow chair")
    login_as("support")
    html = client.get("/tickets/?view=active&priority=urgent").get_data(as_text=True)
    assert "Urgent lamp" in html and "Slow chair" not in html
    assert 'hx-trigger="every 30s"' in html
    assert "hx-get=\"/tickets/?view=active&amp;priority=urgent\"" in html
    partial = client.get("/tickets/?view=active&priority=urgent",
                         headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Urgent lamp" in partial and "Slow chair" not in partial
    assert "<html" not in partial
    for view in ("mine", "unassigned", "breached", "all"):
        assert client.get(f"/tickets/?view={view}").status_code == 200


def test_new_ticket_form_from_an_order(client, login_as, shop, sales):
    order = shop.order(sales, (shop.lamp, 1))
    login_as("sales")
    page = f"/tickets/new?partner_id={shop.customer}&sales_order_id={order['id']}"
    html = client.get(page).get_data(as_text=True)
    assert order["number"] in html and f'selected value="{order["id"]}"' in html, html[html.find("ticket-links"):][:1500]
    links = client.get(f"/tickets/new/links?partner_id={shop.customer}").get_data(as_text=True)
    assert order["number"] in links
    r = post(client, "/tickets/new", {"partner_id": shop.customer, "subject": "",
                                      "priority": "normal"}, page)
    assert r.status_code == 422
    r = post(client, "/tickets/new", {"partner_id": shop.customer, "subject": "Lamp flickers",
                                      "priority": "high", "sales_order_id": order["id"]}, page)
    assert r.status_code == 302, r.get_data(as_text=True)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "TCK-00001" in html and order["number"] in html


def test_ticket_page_forms(client, login_as, desk, shop, sales):
    order = shop.order(sales, (shop.lamp, 2))
    ticket = desk.open()
    login_as("support")
    page = f"/tickets/{ticket['id']}"
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="customer-panel"' in html and 'data-testid="move-resolve"' in html
    r = post(client, f"{page}/comments", {"body": ""}, page)
    assert r.status_code == 422
    assert post(client, f"{page}/comments", {"body": "Replacement sent"}, page).status_code == 302
    assert post(client, f"{page}/comments", {"body": "internal", "internal": "y"},
                page).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert html.count('data-testid="reply"') == 1 and html.count('data-testid="internal-note"') == 1
    r = post(client, f"{page}/edit", {"priority": "urgent", "assignee_id": "",
                                      "sales_order_id": order["id"], "invoice_id": "",
                                      "product_id": ""}, page)
    assert r.status_code == 302, r.get_data(as_text=True)
    assert order["number"] in client.get(page).get_data(as_text=True)
    assert post(client, f"{page}/move", {"action": "resolve"}, page).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "move-resolve" not in html and "move-start" in html  # Reopen


def test_dashboard_settings_and_home(client, login_as, desk, admin_api):
    desk.open()
    login_as("admin")
    html = client.get("/tickets/dashboard").get_data(as_text=True)
    assert "tickets-chart" in html and "chart.umd.js" in html
    home = client.get("/").get_data(as_text=True)
    assert "Open tickets" in home and "Breached tickets" in home
    assert 'data-testid="tickets-weekly"' in home and "chart.umd.js" in home
    page = "/tickets/settings"
    assert client.get(page).status_code == 200
    r = post(client, "/tickets/settings/policies/urgent",
             {"first_response_hours": "0", "resolution_hours": "4"}, page)
    assert r.status_code == 422
    r = post(client, "/tickets/settings/policies/urgent",
             {"first_response_hours": "2", "resolution_hours": "6"}, page)
    assert r.status_code == 302
    assert admin_api.get("/sla-policies").json["items"][0]["first_response_hours"] == 2
    r = post(client, "/tickets/settings/calendar",
             {"use_working_hours": "y", "work_days": ["1", "2"], "day_start": "08:00",
              "day_end": "17:00"}, page)
    assert r.status_code == 302
    assert admin_api.get("/sla-calendar").json["work_days"] == [1, 2]
    r = post(client, "/tickets/settings/holidays", {"day": "2026-12-25", "name": "Xmas"}, page)
    assert r.status_code == 302
    holiday = admin_api.get("/sla-calendar").json["holidays"][0]
    r = post(client, f"/tickets/settings/holidays/{holiday['id']}/delete", {}, page)
    assert r.status_code == 302 and admin_api.get("/sla-calendar").json["holidays"] == []


def test_open_ticket_links_on_erp_pages(client, login_as, shop, sales):
    order = shop.order(sales, (shop.lamp, 1))
    login_as("support")
    html = client.get(f"/sales/orders/{order['id']}").get_data(as_text=True)
    assert f"/tickets/new?partner_id={shop.customer}&amp;sales_order_id={order['id']}" in html
    assert "/tickets/new?partner_id=" in client.get(f"/customers/{shop.customer}").get_data(
        as_text=True)


@pytest.mark.parametrize(("role", "queue", "new", "settings"), [
    ("warehouse", 403, 403, 403), ("finance", 200, 403, 403), ("sales", 200, 200, 403),
    ("support", 200, 200, 403)])
def test_page_roles(client, login_as, desk, role, queue, new, settings):
    ticket = desk.open()
    login_as(role)
    assert client.get("/tickets/").status_code == queue
    assert client.get(f"/tickets/{ticket['id']}").status_code == queue
    assert client.get("/tickets/new").status_code == new
    assert client.get("/tickets/settings").status_code == settings
    nav = client.get("/").get_data(as_text=True)
    assert ('data-testid="nav-tickets"' in nav) == (queue == 200)
