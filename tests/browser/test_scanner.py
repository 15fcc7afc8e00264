"""The warehouse terminal in a real browser: the code field has the cursor, Enter records,
the result is big and coloured, the quantity goes back to 1."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from shared.extensions import db
from shared.products import services as product_services
from tests.browser.conftest import sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_scan_receipts_then_a_refused_delivery(app, live_server: str, page: Page) -> None:
    with app.app_context():
        product_services.create_product({"sku": "LAMP", "name": "Desk lamp 台灯"})
        db.session.remove()
    _, email = make_user(app, "warehouse", name="Wang Wei")
    sign_in(page, live_server, email)

    page.goto(f"{live_server}/inventory/scan")
    code = page.get_by_test_id("scan-code")
    quantity = page.get_by_test_id("scan-quantity")
    expect(code).to_be_focused()
    expect(quantity).to_have_value("1")
    expect(page.locator("#to-location")).to_be_hidden()  # receipts have no "to"

    page.keyboard.type("LAMP")
    page.keyboard.press("Enter")
    success = page.get_by_test_id("scan-success")
    expect(success).to_contain_text("Desk lamp 台灯")
    expect(page.get_by_test_id("scan-on-hand")).to_have_text("1")
    expect(page.locator("#scan-form")).to_have_attribute("data-last-beep", "success")
    expect(code).to_have_value("")
    expect(code).to_be_focused()

    quantity.fill("3")
    code.fill("LAMP")
    code.press("Enter")
    expect(page.get_by_test_id("scan-on-hand")).to_have_text("4")
    expect(quantity).to_have_value("1")
    expect(code).to_be_focused()
    expect(page.locator("#recent-moves [data-testid=move-row]")).to_have_count(2)

    # A scanner types fast: three codes before the first answer are three moves, in order.
    page.keyboard.type("LAMP\nLAMP\nLAMP\n", delay=5)
    expect(page.locator("#recent-moves [data-testid=move-row]")).to_have_count(5)
    expect(page.get_by_test_id("scan-on-hand")).to_have_text("7")
    expect(code).to_have_value("")

    page.get_by_test_id("move-type").select_option("transfer")
    expect(page.locator("#to-location")).to_be_visible()
    page.get_by_test_id("move-type").select_option("delivery")
    expect(page.locator("#to-location")).to_be_hidden()
    expect(code).to_be_focused()

    quantity.fill("10")
    code.fill("LAMP")
    code.press("Enter")
    error = page.get_by_test_id("scan-error")
    expect(error).to_contain_text("Only 7 of LAMP available at WH/Stock")
    expect(error).to_have_class(re.compile("alert-danger"))
    expect(page.locator("#scan-form")).to_have_attribute("data-last-beep", "error")
    expect(code).to_have_value("")
    expect(code).to_be_focused()
    expect(page.locator("#recent-moves [data-testid=move-row]")).to_have_count(5)

    code.fill("LAMP")  # quantity is back to 1
    code.press("Enter")
    expect(page.get_by_test_id("scan-on-hand")).to_have_text("6")

    page.reload()  # the move type is remembered for this user
    expect(page.get_by_test_id("move-type")).to_have_value("delivery")
