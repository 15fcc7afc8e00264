"""What a new user hit in the first hour (issue 16), each item submitted in a real browser so
its return is caught: forms that render but cannot be sent, the scanner's and the delivery
page's feedback, stale invoice PDFs, the audit trail, the menu, dates and phone layouts."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import make_user, today

pytestmark = pytest.mark.browser


# --------------------------------------------------------------------------- item 1


def schedule(page: Page, subject: str) -> None:
    form = page.get_by_test_id("activity-form")
    form.get_by_label("Kind").select_option("call")
    form.get_by_label("Subject").fill(subject)
    form.get_by_label("Due").fill(today().isoformat())
    form.get_by_role("button", name="Schedule").click()
    expect(page.locator(".alert-success")).to_contain_text("Activity scheduled")
    expect(page.get_by_test_id("activity-timeline")).to_contain_text(subject)


def test_activities_are_scheduled_from_a_lead_and_an_opportunity(app, live_server: str,
                                                                  page: Page, api_as) -> None:
    sales = api_as("sales")
    lead = sales.post("/leads", json={"title": "Lobby chairs", "email": "a@lotus.example"}).json
    opportunity = sales.post("/opportunities", json={"title": "Hotel lamps"}).json
    _, email = make_user(app, "sales", name="Li Na")
    sign_in(page, live_server, email)

    page.goto(f"{live_server}/leads/{lead['id']}")
    schedule(page, "Call the buyer")
    expect(page).to_have_url(re.compile(rf"/leads/{lead['id']}$"))

    page.goto(f"{live_server}/opportunities/{opportunity['id']}")
    schedule(page, "Send the price list")
    expect(page).to_have_url(re.compile(rf"/opportunities/{opportunity['id']}$"))
    activities = sales.get("/activities").json["items"]
    assert {(a["subject"], a["lead_id"], a["opportunity_id"]) for a in activities} == {
        ("Call the buyer", lead["id"], None), ("Send the price list", None, opportunity["id"])}
