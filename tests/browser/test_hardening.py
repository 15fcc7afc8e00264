"""Hardening (issue 15) in a real browser: the company settings with a logo, and a user's
own API tokens."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8Dw"
                       "HwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


def test_company_settings_with_a_logo(app, live_server: str, page: Page,
                                      tmp_path: Path) -> None:
    _, email = make_user(app, "admin")
    sign_in(page, live_server, email)
    good, fake = tmp_path / "logo.png", tmp_path / "fake.png"
    good.write_bytes(PNG)
    fake.write_bytes(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>")

    page.goto(f"{live_server}/admin/company")
    page.get_by_label("Logo (PNG or JPEG, at most 1 MB)").set_input_files(str(good))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Company settings saved.")).to_be_visible()
    expect(page.get_by_alt_text("Logo")).to_be_visible()

    # Saved again without a new file: the logo stays.
    page.get_by_label("Company name").fill("Westlake Trading")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Company settings saved.")).to_be_visible()
    expect(page.get_by_label("Company name")).to_have_value("Westlake Trading")
    expect(page.get_by_alt_text("Logo")).to_be_visible()

    # A PNG signature followed by HTML: refused beside the field, nothing saved.
    page.get_by_label("Company name").fill("Not saved")
    page.get_by_label("Logo (PNG or JPEG, at most 1 MB)").set_input_files(str(fake))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#logo + .invalid-feedback")).to_contain_text("damaged")
    page.goto(f"{live_server}/admin/company")
    expect(page.get_by_label("Company name")).to_have_value("Westlake Trading")

    page.get_by_label("Remove the logo").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Company settings saved.")).to_be_visible()
    expect(page.get_by_alt_text("Logo")).to_have_count(0)


def test_a_user_manages_their_own_api_tokens(app, live_server: str, page: Page) -> None:
    _, email = make_user(app, "sales")
    sign_in(page, live_server, email)
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("api-tokens-link").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()

    page.get_by_label("Expires after (days)").fill("0")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#expires_in_days + .invalid-feedback")).to_contain_text("at least 1")

    page.get_by_label("Access").select_option("read")
    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("new-token-value").input_value()
    assert len(secret) >= 32
    rows = page.get_by_test_id("token-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Read only")

    me = page.request.get(f"{live_server}/api/v1/me",
                          headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200
    refused = page.request.post(f"{live_server}/api/v1/partners", data={"name": "x"},
                                headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 403

    page.goto(f"{live_server}/account/tokens")
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # the secret is shown once
    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The token is revoked")).to_be_visible()
    expect(page.get_by_test_id("token-row")).to_have_count(0)
    gone = page.request.get(f"{live_server}/api/v1/me",
                            headers={"Authorization": f"Bearer {secret}"})
    assert gone.status == 401
