"""A salesperson's day in a real browser: create a lead, convert it, drag the opportunity
from New to Proposal on the board (the column totals follow), then mark it lost."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_sales_user_lead_to_lost_opportunity(app, live_server: str, page: Page) -> None:
    _, email = make_user(app, "sales", name="Li Na")
    sign_in(page, live_server, email)

    page.get_by_test_id("crm-nav").get_by_role("button", name="CRM").click()
    page.get_by_test_id("crm-nav").get_by_role("link", name="Leads").click()
    page.get_by_role("link", name="New lead").click()
    page.get_by_label("Title").fill("Lobby chairs")
    page.get_by_label("Company name").fill("Lotus Retail")
    page.get_by_label("Email").fill("buyer@lotus.example.com")
    page.get_by_label("Expected revenue").fill("1000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Lobby chairs")).to_be_visible()

    page.get_by_test_id("convert-form").get_by_role("button",
                                                     name="Convert to opportunity").click()
    expect(page.get_by_test_id("stage")).to_have_text("New")

    page.goto(f"{live_server}/pipeline/")
    new, proposal = page.get_by_test_id("column-New"), page.get_by_test_id("column-Proposal")
    expect(new.get_by_test_id("count")).to_have_text("1")
    expect(new.get_by_test_id("weighted")).to_contain_text("100.00")
    expect(proposal.get_by_test_id("count")).to_have_text("0")

    # A real drag (Playwright drives Chromium's native drag and drop, which SortableJS uses).
    new.get_by_test_id("card").first.drag_to(proposal.locator(".board-cards"))

    expect(proposal.get_by_test_id("count")).to_have_text("1")
    expect(proposal.get_by_test_id("expected")).to_contain_text("1,000.00")
    expect(proposal.get_by_test_id("weighted")).to_contain_text("600.00")
    expect(new.get_by_test_id("count")).to_have_text("0")
    expect(new.get_by_test_id("weighted")).to_contain_text("0.00")

    page.get_by_test_id("column-Proposal").get_by_role("link", name="Lobby chairs").click()
    expect(page.get_by_test_id("stage")).to_have_text("Proposal")
    page.get_by_test_id("lose-form").get_by_role("button", name="Mark lost").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Lost reason").fill("Chose a competitor")
    page.get_by_test_id("lose-form").get_by_role("button", name="Mark lost").click()
    expect(page.get_by_test_id("lost-reason")).to_have_text("Chose a competitor")
    expect(page.get_by_test_id("status")).to_have_text(re.compile("Lost"))


def test_keyboard_move_control_updates_totals(app, live_server: str, page: Page) -> None:
    from tests.conftest import ApiClient

    _, email = make_user(app, "sales", name="Kb User")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}
                        ).json["token"]
    ApiClient(client, token, 0).post("/opportunities", json={"title": "Kettles",
                                                             "expected_revenue": "200"})
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/pipeline/")
    page.get_by_test_id("card").get_by_text("Move…").click()
    page.get_by_label("Move Kettles to").select_option(label="Negotiation")
    page.get_by_test_id("card").get_by_role("button", name="Move").press("Enter")
    negotiation = page.get_by_test_id("column-Negotiation")
    expect(negotiation.get_by_test_id("count")).to_have_text("1")
    expect(negotiation.get_by_test_id("weighted")).to_contain_text("160.00")
