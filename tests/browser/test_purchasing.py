"""Purchasing in a real browser. A warehouse clerk turns the low-stock alert into a purchase
order, finance confirms it, the clerk receives part of it by scanner, and finance bills what
arrived and pays the bill. A second test fills the purchase order form with the product
picker (stock, incoming and the supplier's price) and the product page's supplier price
form; a third receives on a phone-sized screen."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from shared.dates import company_today
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, ApiClient, make_user
from tests.purchasing.conftest import buy, line_of  # noqa: F401

pytestmark = pytest.mark.browser


@contextmanager
def signed_in(browser: Browser, context_args: dict, live_server: str,
              email: str) -> Iterator[Page]:
    context = browser.new_context(**context_args)
    try:
        page = context.new_page()
        sign_in(page, live_server, email)
        yield page
    finally:
        context.close()


def flash(page: Page, text: str) -> Locator:
    return page.get_by_role("alert").filter(has_text=text)


def _api(app, email: str, user_id: int) -> ApiClient:
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": email,
                                                    "password": PASSWORD}).json["token"]
    return ApiClient(client, token, user_id)


def pdf_preview(response) -> bool:
    return re.search(r"/invoices/\d+/pdf$", response.url) is not None


def test_low_stock_to_a_paid_bill(app, buy, live_server: str, browser: Browser,  # noqa: F811
                                  browser_context_args: dict) -> None:
    _, warehouse_email = make_user(app, "warehouse", name="Wang Wei")
    finance_id, finance_email = make_user(app, "finance", name="Chen Jing")
    finance_api = _api(app, finance_email, finance_id)
    buy.api.post(f"/products/{buy.chair}/supplier-prices", json={
        "supplier_id": buy.supplier, "price": "365.00", "min_qty": "10",
        "lead_time_days": 14})
    with app.app_context():
        year = company_today().year

    # 1. The clerk: the low-stock alert becomes a draft purchase order.
    with signed_in(browser, browser_context_args, live_server, warehouse_email) as page:
        expect(page.get_by_test_id("low-stock-badge")).to_have_text("1")
        page.get_by_test_id("inventory-nav").get_by_role("button", name="Inventory").click()
        page.get_by_test_id("inventory-nav").get_by_role("link", name=re.compile(
            "Low stock")).click()
        row = page.get_by_test_id("low-stock-row").filter(has_text="CHAIR")
        expect(row.locator("td").nth(5)).to_have_text("10")  # the suggested quantity
        page.get_by_test_id("create-purchase-orders").click()
        expect(page).to_have_url(re.compile(r"/purchasing/orders/\d+$"))
        expect(flash(page, "Draft purchase orders created: PO00001.")).to_be_visible()
        expect(page.get_by_test_id("po-state")).to_have_text("Draft")
        expect(page.get_by_test_id("order-total")).to_have_text("CN¥4,124.50")
        expect(page.get_by_test_id("confirm")).to_have_count(0)  # finance confirms
        order_id = int(re.search(r"/purchasing/orders/(\d+)$", page.url).group(1))

    # 2. Finance confirms it.
    with signed_in(browser, browser_context_args, live_server, finance_email) as page:
        page.goto(f"{live_server}/purchasing/orders/{order_id}")
        page.get_by_test_id("confirm").click()
        expect(flash(page, "Purchase order PO00001 confirmed")).to_be_visible()
        expect(page.get_by_test_id("po-state")).to_have_text("Confirmed")

    # 3. The clerk receives 6 of the 10 chairs by scanner.
    with signed_in(browser, browser_context_args, live_server, warehouse_email) as page:
        nav = page.get_by_test_id("purchasing-nav")
        nav.get_by_role("button", name="Purchasing").click()
        nav.get_by_role("link", name="To receive").click()
        expect(page).to_have_url(f"{live_server}/purchasing/to-receive")
        page.get_by_test_id("receive-PO00001").click()
        expect(page).to_have_url(f"{live_server}/purchasing/orders/{order_id}/receive")
        code, chairs = page.get_by_test_id("scan-code"), page.get_by_test_id("qty-CHAIR")
        expect(code).to_be_focused()
        expect(chairs).to_have_value("")
        page.keyboard.type("CHAIR\n" * 6, delay=5)  # a scanner, one per unit
        expect(chairs).to_have_value("6")
        expect(page.get_by_test_id("scan-success")).to_have_text("✔ CHAIR: 6 / 10")
        page.keyboard.type("LAMP\n")
        expect(page.get_by_test_id("scan-error")).to_have_text("✖ Not on this order: LAMP")
        expect(code).to_be_focused()
        page.get_by_test_id("receive-button").click()
        expect(page).to_have_url(f"{live_server}/purchasing/orders/{order_id}")
        expect(flash(page, "Received WH/IN/00001: CHAIR × 6.")).to_be_visible()
        expect(page.get_by_test_id("po-state")).to_have_text("Partially received")
        expect(page.get_by_test_id("receipts")).to_contain_text("WH/IN/00001")
        expect(page.get_by_test_id("po-line-CHAIR").get_by_test_id("received")).to_have_text(
            "6")

    # 4. Finance bills what arrived, posts the bill and pays it.
    with signed_in(browser, browser_context_args, live_server, finance_email) as page:
        page.goto(f"{live_server}/purchasing/orders/{order_id}")
        with page.expect_response(pdf_preview) as preview:
            page.get_by_test_id("bill").click()
        expect(page).to_have_url(re.compile(r"/invoices/\d+$"))
        expect(flash(page, "Draft vendor bill created from what was received.")).to_be_visible()
        expect(page.get_by_test_id("invoice-total")).to_have_text("CN¥2,474.70")  # 6 x 365
        assert preview.value.ok
        with page.expect_response(pdf_preview) as preview:
            page.get_by_role("button", name="Post", exact=True).click()
        expect(page.get_by_test_id("invoice-number")).to_have_text(f"BILL/{year}/00001")
        assert preview.value.ok
        page.get_by_role("link", name="Record payment").click()
        page.get_by_label("Amount", exact=True).fill("2474.70")
        page.get_by_label("Reference").fill("TT-PO00001")
        page.get_by_label(f"Allocate to BILL/{year}/00001").fill("2474.70")
        with page.expect_response(pdf_preview):
            page.get_by_role("button", name="Record payment").click()
        expect(page.get_by_test_id("amount-due")).to_contain_text("0.00")
        expect(page.get_by_test_id("payments")).to_contain_text("TT-PO00001")

        page.goto(f"{live_server}/purchasing/suppliers/{buy.supplier}")
        expect(page.get_by_test_id("payable")).to_have_text("CN¥0.00")
        expect(page.get_by_test_id("supplier-orders")).to_contain_text("PO00001")

    # Outside the browser: the order, the stock, the cost and the bill agree.
    order = finance_api.get(f"/purchase-orders/{order_id}").json
    chair = line_of(order, buy.chair)
    assert (order["state"], chair["received_qty"], chair["billed_qty"]) == \
        ("partially_received", "6.000", "6.000")
    assert buy.level(buy.chair) == (D(10), D(0), D(10))
    assert buy.cost(buy.chair) == D("379.0000")  # (4 x 400 + 6 x 365) / 10


def test_order_form_with_the_picker_and_the_supplier_price_form(
        app, buy, live_server: str, browser: Browser,  # noqa: F811
        browser_context_args: dict) -> None:
    _, warehouse_email = make_user(app, "warehouse")
    _, finance_email = make_user(app, "finance")

    # The product page's supplier price form.
    with signed_in(browser, browser_context_args, live_server, warehouse_email) as page:
        page.goto(f"{live_server}/products/{buy.lamp}")
        form = page.get_by_test_id("supplier-price-form")
        form.get_by_label("Supplier", exact=True).select_option(label="苏州精工五金有限公司")
        form.get_by_label("Supplier SKU").fill("JG-LAMP")
        form.get_by_label("Price").fill("85.5")
        form.get_by_label("Lead time (days)").fill("6")
        form.get_by_test_id("add-supplier-price").click()
        expect(flash(page, "Supplier price added.")).to_be_visible()
        expect(page.get_by_test_id("supplier-price-row")).to_contain_text("JG-LAMP")
        form = page.get_by_test_id("supplier-price-form")
        form.get_by_label("Supplier", exact=True).select_option(label="苏州精工五金有限公司")
        form.get_by_label("Price").fill("1.23456")
        form.get_by_test_id("add-supplier-price").click()
        expect(flash(page, "The supplier price was not saved")).to_be_visible()
        expect(page.get_by_test_id("supplier-price-row")).to_have_count(1)
        form = page.get_by_test_id("supplier-price-form")
        form.get_by_label("Supplier", exact=True).select_option(label="苏州精工五金有限公司")
        form.get_by_label("Price").fill("99")
        form.get_by_test_id("add-supplier-price").click()
        expect(page.get_by_test_id("supplier-price-row")).to_have_count(2)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("remove-supplier-price").nth(1).click()
        expect(flash(page, "Supplier price removed.")).to_be_visible()
        expect(page.get_by_test_id("supplier-price-row")).to_have_count(1)

    # The order form: supplier, picker with the supplier's price, live totals, save.
    with signed_in(browser, browser_context_args, live_server, finance_email) as page:
        page.goto(f"{live_server}/purchasing/orders/new")
        page.get_by_label("Supplier", exact=True).select_option(label="苏州精工五金有限公司")
        row = page.get_by_test_id("line-row").nth(0)
        row.get_by_role("searchbox", name="Product").press_sequentially("LAMP", delay=20)
        option = row.get_by_test_id("product-picker").get_by_role(
            "option", name=re.compile("LAMP · LED"))
        expect(option.get_by_test_id("picker-price")).to_have_text("CN¥85.50")
        expect(option.get_by_test_id("picker-stock")).to_contain_text("Incoming 0")
        option.click()
        quantity = row.get_by_label("Quantity")
        expect(quantity).to_be_focused()
        expect(row.get_by_label("Unit price")).to_have_value("85.50")
        quantity.fill("10")
        expect(page.get_by_test_id("live-total")).to_have_text("CN¥966.15")  # 855 + 13 %
        page.get_by_role("button", name="Save purchase order").click()
        expect(flash(page, "Purchase order PO00001 saved.")).to_be_visible()
        expect(page.get_by_test_id("order-total")).to_have_text("CN¥966.15")
        expect(page.get_by_test_id("expected-date")).not_to_be_empty()
        page.get_by_test_id("edit").click()
        page.get_by_test_id("line-row").nth(0).get_by_label("Quantity").fill("12")
        page.get_by_role("button", name="Save purchase order").click()
        expect(page.get_by_test_id("order-total")).to_have_text("CN¥1,159.38")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("cancel").click()
        expect(page.get_by_test_id("po-state")).to_have_text("Cancelled")

        # The list's filters: by state, and late only.
        page.goto(f"{live_server}/purchasing/orders")
        table = page.get_by_test_id("po-table")
        expect(table).to_contain_text("PO00001")
        page.get_by_label("State").select_option(label="Draft")
        expect(table).not_to_contain_text("PO00001")
        expect(page).to_have_url(re.compile(r"state=draft"))
        page.get_by_label("State").select_option(label="Cancelled")
        expect(table).to_contain_text("PO00001")
        page.get_by_test_id("late-filter").check()
        expect(table).to_contain_text("No purchase orders found.")


def test_receiving_on_a_phone(app, buy, live_server: str, browser: Browser,  # noqa: F811
                              browser_context_args: dict) -> None:
    _, warehouse_email = make_user(app, "warehouse")
    finance_id, finance_email = make_user(app, "finance")
    order = buy.confirmed(_api(app, finance_email, finance_id), (buy.chair, 3), (buy.lamp, 2))
    with signed_in(browser, browser_context_args, live_server, warehouse_email) as page:
        page.set_viewport_size({"width": 390, "height": 844})  # a phone, once signed in
        page.goto(f"{live_server}/purchasing/orders/{order['id']}/receive")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        expect(page.get_by_test_id("qty-CHAIR")).to_be_in_viewport(ratio=1)
        expect(page.get_by_test_id("qty-LAMP")).to_be_in_viewport(ratio=1)
        page.get_by_test_id("qty-CHAIR").fill("4")  # more than outstanding
        page.get_by_test_id("receive-button").click()
        expect(page.get_by_test_id("line-error")).to_contain_text(
            "Only 3 of CHAIR are outstanding")
        page.get_by_test_id("receive-all").click()
        expect(page.get_by_test_id("po-state")).to_have_text("Received")
        for path in ("/purchasing/orders", "/purchasing/to-receive",
                     f"/purchasing/orders/{order['id']}",
                     f"/purchasing/suppliers/{buy.supplier}", "/inventory/low-stock"):
            page.goto(f"{live_server}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
