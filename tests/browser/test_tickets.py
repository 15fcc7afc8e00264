"""The helpdesk in a real browser: a support agent opens the breached queue (its countdown is
red), opens the ticket, sees the customer's open order and invoice in the panel beside it,
links the order, replies, and resolves it; then the page is checked at phone width."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import Browser, expect

from shared.db import utcnow
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, ApiClient, make_user

pytestmark = pytest.mark.browser


def api(app, *roles) -> tuple[ApiClient, str]:
    user_id, email = make_user(app, *roles, name=f"{roles[0].title()} 用户")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    return ApiClient(client, token.json["token"], user_id), email


def test_support_agent_answers_a_breached_ticket(app, shop, live_server: str,
                                                 browser: Browser,
                                                 browser_context_args: dict) -> None:
    sales, _ = api(app, "sales")
    warehouse, _ = api(app, "warehouse")
    finance, _ = api(app, "finance")
    support, email = api(app, "support")
    # An order confirmed and partly delivered (still open), another invoiced and posted.
    open_order = shop.order(sales, (shop.lamp, 3))
    assert sales.post(f"/sales-orders/{open_order['id']}/confirm").status_code == 200
    billed = shop.order(sales, (shop.chair, 1))
    sales.post(f"/sales-orders/{billed['id']}/confirm")
    assert warehouse.post(f"/sales-orders/{billed['id']}/deliver").status_code == 200
    invoice = finance.post(f"/sales-orders/{billed['id']}/invoice").json
    posted = finance.post(f"/invoices/{invoice['invoice_id']}/post")
    assert posted.status_code == 200, posted.json
    # An urgent ticket opened three hours ago: its first response was due two hours ago.
    with time_machine.travel(utcnow() - timedelta(hours=3)):
        ticket = support.post("/tickets", json={
            "partner_id": shop.customer, "subject": "台灯闪烁 Lamps flicker",
            "priority": "urgent"}).json
    calm = support.post("/tickets", json={"partner_id": shop.customer,
                                          "subject": "Question about chairs"}).json

    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    try:
        sign_in(page, live_server, email)
        page.get_by_test_id("nav-tickets").click()
        page.get_by_test_id("view-breached").click()
        queue = page.get_by_test_id("ticket-queue")
        row = queue.get_by_test_id("breached-row")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(ticket["number"])
        expect(queue).not_to_contain_text(calm["number"])
        expect(row.get_by_test_id("countdown")).to_have_class(re.compile(r"text-danger"))
        row.get_by_role("link", name=ticket["number"]).click()

        expect(page.get_by_test_id("ticket-number")).to_have_text(ticket["number"])
        panel = page.get_by_test_id("customer-panel")
        expect(panel.get_by_test_id("panel-orders")).to_contain_text(open_order["number"])
        expect(panel.get_by_test_id("panel-invoices")).to_contain_text(posted.json["number"])
        expect(panel.get_by_test_id("panel-tickets")).to_contain_text(calm["number"])

        edit = page.get_by_test_id("ticket-edit-form")
        edit.get_by_label("Sales order").select_option(label=open_order["number"])
        edit.get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("linked-order")).to_have_text(open_order["number"])

        reply = page.get_by_test_id("comment-form")
        reply.get_by_label("Reply").fill("您好，我们会寄出新的台灯。A replacement ships today.")
        reply.get_by_role("button", name="Send").click()
        expect(page.get_by_test_id("reply")).to_contain_text("A replacement ships today.")

        page.get_by_test_id("move-resolve").click()
        expect(page.get_by_test_id("ticket-status").first).to_have_text("Resolved")
        expect(page.get_by_test_id("move-start")).to_have_text("Reopen")

        after = support.get(f"/tickets/{ticket['id']}").json
        assert after["status"] == "resolved" and after["sales_order_id"] == open_order["id"]
        assert after["first_response_at"] is not None and after["sla_breached"] is True

        # A phone: nothing wider than the screen on the ticket page and the queue.
        page.set_viewport_size({"width": 390, "height": 844})
        for path in (f"/tickets/{ticket['id']}", "/tickets/?view=all", "/tickets/new",
                     "/tickets/dashboard"):
            page.goto(live_server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
    finally:
        context.close()


def test_new_ticket_form_and_the_dashboard_chart(app, shop, live_server: str,
                                                 browser: Browser,
                                                 browser_context_args: dict) -> None:
    """The new-ticket form: choosing the customer loads their orders (htmx); the ticket is
    opened; the dashboard draws its chart with Chinese labels."""
    sales, email = api(app, "sales")
    order = shop.order(sales, (shop.lamp, 1))
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    try:
        sign_in(page, live_server, email)
        page.goto(f"{live_server}/tickets/new")
        form = page.get_by_test_id("ticket-form")
        form.get_by_label("Customer").select_option(value=str(shop.customer))
        expect(form.get_by_label("Sales order").locator("option")).to_contain_text(
            [order["number"]])
        form.get_by_label("Sales order").select_option(label=order["number"])
        form.get_by_label("Subject").fill("Wrong colour 颜色不对")
        form.get_by_label("Priority").select_option("high")
        form.get_by_role("button", name="Open ticket").click()
        expect(page.get_by_test_id("ticket-number")).to_have_text("TCK-00001")
        expect(page.get_by_test_id("linked-order")).to_have_text(order["number"])

        page.get_by_test_id("language-switch").get_by_role("button", name="中文").click()
        page.goto(f"{live_server}/tickets/dashboard")
        expect(page.get_by_role("heading", name="客服概览")).to_be_visible()
        drawn = page.evaluate("""() => {
            const chart = Chart.getChart(document.getElementById('tickets-chart'));
            return chart ? chart.data.datasets.map(d => d.label) : null; }""")
        assert drawn == ["新建", "已解决"]
    finally:
        context.close()


def test_admin_sets_slas_working_hours_holidays_and_assignment(app, shop, live_server: str,
                                                               browser: Browser,
                                                               browser_context_args: dict
                                                               ) -> None:
    admin, email = api(app, "admin")
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    try:
        sign_in(page, live_server, email)
        page.goto(f"{live_server}/tickets/")
        page.get_by_role("link", name="SLA settings").click()
        urgent = page.get_by_test_id("policy-urgent")
        urgent.get_by_label("Resolution (hours)").fill("0")
        urgent.get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("policy-urgent").get_by_test_id("form-error")).to_be_visible()
        urgent = page.get_by_test_id("policy-urgent")
        urgent.get_by_label("Resolution (hours)").fill("6")
        urgent.get_by_role("button", name="Save").click()
        expect(page.get_by_role("alert").filter(has_text="SLA policy saved.")).to_be_visible()

        calendar = page.get_by_test_id("calendar-form")
        calendar.get_by_label("Count SLA hours in working hours only").check()
        calendar.get_by_label("Saturday").check()
        calendar.get_by_role("button", name="Save").click()
        expect(page.get_by_role("alert").filter(has_text="Working hours saved.")).to_be_visible()

        holiday = page.get_by_test_id("holiday-form")
        holiday.get_by_label("Day").fill("2026-10-01")
        holiday.get_by_label("Name").fill("国庆节 National Day")
        holiday.get_by_role("button", name="Add holiday").click()
        expect(page.get_by_test_id("holidays")).to_contain_text("国庆节 National Day")
        page.get_by_test_id("holidays").get_by_role("button", name="Remove").click()
        expect(page.get_by_test_id("holidays")).to_contain_text("No holidays yet.")

        page.goto(f"{live_server}/admin/company")
        page.get_by_label("New tickets go to").select_option("round_robin")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("alert").first).to_be_visible()

        page.set_viewport_size({"width": 390, "height": 844})
        for path in ("/tickets/settings", "/"):
            page.goto(live_server + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path

        policies = {p["priority"]: p for p in admin.get("/sla-policies").json["items"]}
        assert policies["urgent"]["resolution_hours"] == 6
        calendar_json = admin.get("/sla-calendar").json
        assert calendar_json["use_working_hours"] is True
        assert calendar_json["work_days"] == [1, 2, 3, 4, 5, 6]
        assert admin.get("/company").json["ticket_assignment"] == "round_robin"
    finally:
        context.close()


def test_sales_schedules_an_activity_on_a_ticket(app, shop, live_server: str,
                                                browser: Browser,
                                                browser_context_args: dict) -> None:
    """An activity on a ticket, overdue, counts in the menu's activity badge."""
    support, _ = api(app, "support")
    _sales, email = api(app, "sales")
    ticket = support.post("/tickets", json={"partner_id": shop.customer,
                                            "subject": "Call me back"}).json
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    try:
        sign_in(page, live_server, email)
        page.goto(f"{live_server}/tickets/{ticket['id']}")
        form = page.get_by_test_id("activity-form")
        form.get_by_label("Subject").fill("回访 Call back")
        form.get_by_label("Due").fill((utcnow() - timedelta(days=2)).date().isoformat())
        form.get_by_role("button", name="Schedule").click()
        expect(page.get_by_test_id("activity-timeline")).to_contain_text("回访 Call back")
        expect(page.get_by_test_id("overdue-count")).to_contain_text("1")
    finally:
        context.close()
