"""Smoke test in a real browser: sign in, switch to Chinese, stay Chinese, sign out."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_sign_in_switch_language_and_sign_out(app, live_server: str, page: Page) -> None:
    _, email = make_user(app, "admin", name="Test Admin")

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    nav = page.locator("[data-testid=main-nav]")
    expect(nav).to_contain_text("Customers")
    expect(page.get_by_test_id("current-user")).to_have_text("Test Admin")

    page.get_by_test_id("language-switch").get_by_role("button", name="中文").click()
    expect(nav).to_contain_text("客户")
    expect(nav).to_contain_text("首页")
    expect(nav).not_to_contain_text("Customers")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    page.reload()
    expect(nav).to_contain_text("客户")
    expect(nav).not_to_contain_text("Customers")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_label("Password")).to_be_visible()
