"""The CRM's reports in a real browser: a support agent opens Reports from the menu, picks
Tickets SLA, submits the date filter and reads the figures, downloads the CSV; a salesperson
limited to own records reads the pipeline conversion; both pages fit a phone."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Browser, expect

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, ApiClient, make_user

pytestmark = pytest.mark.browser

T0 = datetime.fromisoformat("2026-12-01T09:00:00+08:00")


def api(app, *roles) -> tuple[ApiClient, str]:
    user_id, email = make_user(app, *roles, name=f"{roles[0].title()} 用户")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    return ApiClient(client, token.json["token"], user_id), email


def test_reports_filter_download_and_phone(app, live_server: str, browser: Browser,
                                           browser_context_args: dict) -> None:
    admin, _ = api(app, "admin")
    support, support_email = api(app, "support")
    seller, seller_email = api(app, "sales")
    partner = admin.post("/partners", json={"name": "灯具买家"}).json["id"]
    # Two urgent tickets on 12-01: one answered in 30 minutes (met), one in 2 hours (late).
    for minutes in (30, 120):
        with time_machine.travel(T0, tick=False):
            ticket = support.post("/tickets", json={"partner_id": partner, "subject": "Lamp",
                                                    "priority": "urgent"}).json
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            support.post(f"/tickets/{ticket['id']}/comments", json={"body": "On it"})
    # Leads on 12-01: the seller's own web lead, converted and won, and another's.
    with time_machine.travel(T0, tick=False):
        for owner in (seller.user_id, admin.user_id):
            lead = admin.post("/leads", json={"title": "Lamps", "source": "web",
                                              "owner_id": owner}).json
            opp = admin.post(f"/leads/{lead['id']}/convert", json={}).json["opportunity_id"]
            admin.post(f"/opportunities/{opp}/win")
    admin.patch("/company", json={"sales_see_own_only": True})

    context = browser.new_context(**browser_context_args, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, support_email)
        page.get_by_role("link", name="Reports").click()
        page.locator("[data-report=tickets-sla]").click()
        expect(page.get_by_test_id("report-explain")).to_contain_text("internal notes")
        page.get_by_label("From").fill("2026-12-01")
        page.get_by_label("To").fill("2026-12-02")
        page.get_by_test_id("report-submit").click()
        expect(page).to_have_url(f"{live_server}/reports/tickets-sla?from=2026-12-01"
                                 "&to=2026-12-02")
        urgent = page.get_by_test_id("report-table").locator("tbody tr").first
        expect(urgent).to_contain_text("Urgent")
        expect(urgent).to_contain_text("50.0 %")
        expect(urgent).to_contain_text("1.25")
        with page.expect_download() as download:
            page.get_by_test_id("download-csv").click()
        assert download.value.suggested_filename == "tickets-sla-2026-12-01_2026-12-02.csv"
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.context.clear_cookies()

        page.set_viewport_size({"width": 1280, "height": 800})
        sign_in(page, live_server, seller_email)
        page.goto(f"{live_server}/reports/")
        expect(page.locator("[data-report=tickets-sla]")).to_have_count(0)
        page.locator("[data-report=pipeline-conversion]").click()
        page.get_by_label("From").fill("2026-12-01")
        page.get_by_label("To").fill("2026-12-01")
        page.get_by_test_id("report-submit").click()
        expect(page.get_by_text("Only your own records")).to_be_visible()
        web = page.get_by_test_id("report-table").locator("tbody tr").first
        expect(web).to_contain_text("Website")
        expect(web).to_contain_text("100.0 %")
        expect(page.get_by_test_id("report-totals")).to_contain_text("Leads")
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
