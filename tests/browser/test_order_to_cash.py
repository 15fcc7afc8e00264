"""Order to cash in a real browser, three people one after another (each in a browser
context of their own): sales quotes from an opportunity with the live-stock product picker
and confirms (the chairs are short); the warehouse scans part of the order out; finance
invoices what went out and posts the invoice. Then the API and the stock ledger agree."""
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
from tests.sales.conftest import line_of

pytestmark = pytest.mark.browser


@contextmanager
def signed_in(browser: Browser, context_args: dict, live_server: str,
              email: str) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies of the previous user), signed in."""
    context = browser.new_context(**context_args)
    try:
        page = context.new_page()
        sign_in(page, live_server, email)
        yield page
    finally:
        context.close()


def flash(page: Page, text: str) -> Locator:
    return page.get_by_role("alert").filter(has_text=text)


def pick_product(page: Page, row_index: int, typed: str, label: str, stock: str) -> Locator:
    """Type in a line's product field, check the stock the live list shows, pick the
    product: the list closes and the cursor is on the quantity (1), which is returned."""
    row = page.get_by_test_id("line-row").nth(row_index)
    search = row.get_by_role("searchbox", name="Product")
    search.press_sequentially(typed, delay=20)
    option = row.get_by_test_id("product-picker").get_by_role("option", name=label)
    expect(option.get_by_test_id("picker-stock")).to_have_text(stock)
    option.click()
    expect(search).to_have_value(label)
    # The list closes (it once replaced its container, inheriting the form's outerHTML swap,
    # and then stayed open over the lines with the cursor lost).
    expect(row.get_by_test_id("product-picker")).to_have_count(0)
    quantity_field = row.get_by_label("Quantity")
    expect(quantity_field).to_be_focused()
    expect(quantity_field).to_have_value("1")
    return quantity_field


def test_order_to_cash_across_sales_warehouse_and_finance(
        app, shop, live_server: str, browser: Browser, browser_context_args: dict) -> None:
    sales_id, sales_email = make_user(app, "sales", name="Li Na")
    _, warehouse_email = make_user(app, "warehouse", name="Wang Wei")
    _, finance_email = make_user(app, "finance", name="Chen Jing")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": sales_email,
                                                    "password": PASSWORD}).json["token"]
    sales_api = ApiClient(client, token, sales_id)
    r = sales_api.post("/opportunities", json={"title": "Reading room fit-out",
                                               "partner_id": shop.customer,
                                               "expected_revenue": "5000.00"})
    assert r.status_code == 201, r.json
    opportunity_id = r.json["id"]
    with app.app_context():
        year = company_today().year  # the company's day, as the invoice number uses

    # 1. Sales: quotation from the opportunity, lines from the picker, confirm.
    with signed_in(browser, browser_context_args, live_server, sales_email) as page:
        page.goto(f"{live_server}/opportunities/{opportunity_id}")
        expect(page.get_by_test_id("status")).to_have_text("Open")
        page.get_by_role("link", name="Create quotation").click()
        # The form, filled from the opportunity and not saved until the salesperson saves.
        expect(page).to_have_url(re.compile(r"/sales/orders/new\?"))
        expect(page.get_by_label("Customer", exact=True)).to_have_value(str(shop.customer))
        assert sales_api.get("/sales-orders").json["total"] == 0
        number = "SO00001"

        total = page.get_by_test_id("live-total")
        expect(total).to_have_text("CN¥0.00")
        quantity = pick_product(page, 0, "LAMP", "LAMP · LED 台灯 Desk Lamp",
                                "On hand 10 · Reserved 0 · Available 10")
        expect(total).to_have_text("CN¥224.87")  # 1 × 199.00 + 13 %
        quantity.fill("4")
        expect(total).to_have_text("CN¥899.48")
        quantity = pick_product(page, 1, "CHA", "CHAIR · Office Chair 办公椅",
                                "On hand 5 · Reserved 0 · Available 5")
        expect(total).to_have_text("CN¥1,407.98")
        quantity.fill("8")  # more than is available: allowed, the rest will wait
        expect(total).to_have_text("CN¥4,967.48")
        totals = page.get_by_test_id("live-totals")
        expect(totals).to_contain_text("Untaxed amount: CN¥4,396.00")
        expect(totals).to_contain_text("Tax: CN¥571.48")

        page.get_by_role("button", name="Save quotation").click()
        expect(flash(page, f"Quotation {number} saved.")).to_be_visible()
        order_id = int(re.search(r"/sales/orders/(\d+)$", page.url).group(1))
        expect(page.get_by_test_id("page-link").filter(has_text="Opportunity")).to_have_text(
            "Opportunity: Reading room fit-out")  # the quotation links back
        expect(page.get_by_test_id("order-total")).to_have_text("CN¥4,967.48")

        page.get_by_test_id("confirm").click()
        expect(flash(page, f"Order {number} confirmed.")).to_be_visible()
        expect(flash(page, "Not everything is in stock yet: CHAIR: 5 of 8 reserved, "
                           "3 waiting")).to_be_visible()
        expect(page.get_by_test_id("shortfall")).to_have_text(
            "Waiting for stock: CHAIR: 5 of 8 reserved, 3 waiting")
        expect(page.get_by_test_id("order-state")).to_have_text("Confirmed")

        page.goto(f"{live_server}/opportunities/{opportunity_id}")
        expect(page.get_by_test_id("status")).to_have_text("Won")
        expect(page.get_by_test_id("stage")).to_have_count(0)  # "Won" once, not "Won · Won"

    # 2. Warehouse: from the queue to the delivery page; scan 4 lamps and 3 chairs.
    with signed_in(browser, browser_context_args, live_server, warehouse_email) as page:
        page.get_by_test_id("sales-nav").get_by_role("button", name="Sales").click()
        page.get_by_test_id("sales-nav").get_by_role("link", name="To deliver").click()
        expect(page).to_have_url(f"{live_server}/sales/to-deliver")
        queued = page.get_by_test_id("to-deliver").get_by_role("row").filter(has_text=number)
        expect(queued).to_contain_text("LAMP × 4, CHAIR × 5")
        queued.get_by_role("link", name="Deliver").click()
        expect(page).to_have_url(f"{live_server}/sales/orders/{order_id}/deliver")

        code = page.get_by_test_id("scan-code")
        expect(code).to_be_focused()
        lamps, chairs = page.get_by_test_id("qty-LAMP"), page.get_by_test_id("qty-CHAIR")
        expect(lamps).to_have_value("4")  # the quantities start at what is reserved
        expect(chairs).to_have_value("5")
        page.get_by_role("button", name="Clear quantities").click()
        expect(lamps).to_have_value("")
        expect(chairs).to_have_value("")
        expect(code).to_be_focused()

        page.keyboard.type("LAMP\nLAMP\nLAMP\nLAMP\n", delay=5)  # a scanner, one per unit
        expect(lamps).to_have_value("4")
        expect(page.get_by_test_id("scan-success")).to_have_text("✔ LAMP: 4 / 4")
        page.keyboard.type("SETUP\n")  # the service is not delivered from here
        expect(page.get_by_test_id("scan-error")).to_have_text(
            "✖ Not on this order: SETUP")
        page.keyboard.type("CHAIR\nCHAIR\nCHAIR\n", delay=5)
        expect(chairs).to_have_value("3")
        expect(page.get_by_test_id("scan-success")).to_have_text("✔ CHAIR: 3 / 8")
        expect(code).to_have_value("")
        expect(code).to_be_focused()

        page.get_by_test_id("deliver-button").click()
        expect(page).to_have_url(f"{live_server}/sales/orders/{order_id}")
        expect(flash(page, "Delivered: LAMP × 4, CHAIR × 3.")).to_be_visible()
        expect(page.get_by_test_id("order-state")).to_have_text("Partially delivered")
        expect(page.get_by_test_id("deliveries")).to_contain_text("WH/OUT/00001")
        expect(page.get_by_test_id("deliveries")).to_contain_text(
            re.compile(r"LAMP × 4 \(move \d+\), CHAIR × 3 \(move \d+\)"))
        expect(page.get_by_test_id("shortfall")).to_have_text(
            "Waiting for stock: CHAIR: 2 of 5 reserved, 3 waiting")

    # 3. Finance: invoice what was delivered and post it. The invoice page previews its PDF
    # in a frame; each preview is waited for, so no rendering outlives the test.
    def pdf_preview(response) -> bool:
        return re.search(r"/invoices/\d+/pdf$", response.url) is not None

    with signed_in(browser, browser_context_args, live_server, finance_email) as page:
        page.goto(f"{live_server}/sales/orders/{order_id}")
        with page.expect_response(pdf_preview) as preview:
            page.get_by_role("button", name="Create invoice").click()
        expect(page).to_have_url(re.compile(r"/invoices/\d+$"))
        expect(flash(page, "Draft invoice created from the order.")).to_be_visible()
        expect(page.get_by_test_id("invoice-number")).to_have_text("Draft")
        expect(page.get_by_test_id("sales-order-link")).to_have_text(number)
        lines = page.locator("table tbody").first.get_by_role("row")
        expect(lines).to_have_count(2)  # what was delivered, not what was ordered
        expect(lines.nth(0)).to_contain_text("LED 台灯 Desk Lamp")
        expect(lines.nth(0).get_by_role("cell").nth(1)).to_have_text("4")
        expect(lines.nth(1)).to_contain_text("Office Chair 办公椅")
        expect(lines.nth(1).get_by_role("cell").nth(1)).to_have_text("3")
        expect(page.get_by_test_id("invoice-total")).to_have_text("CN¥2,424.98")
        assert preview.value.ok

        with page.expect_response(pdf_preview) as preview:
            page.get_by_role("button", name="Post", exact=True).click()
        expect(page.get_by_test_id("invoice-number")).to_have_text(f"INV/{year}/00001")
        expect(page.get_by_test_id("invoice-state")).to_have_attribute("data-state", "posted")
        expect(page.get_by_test_id("amount-due")).to_have_text("CN¥2,424.98")
        assert preview.value.ok

    # Outside the browser: the order, the stock and the ledger agree.
    order = sales_api.get(f"/sales-orders/{order_id}").json
    assert (order["state"], order["invoice_status"]) == \
        ("partially_delivered", "partially_invoiced")
    lamp, chair = line_of(order, shop.lamp), line_of(order, shop.chair)
    assert (lamp["quantity"], lamp["delivered_qty"], lamp["reserved_qty"],
            lamp["invoiced_qty"]) == ("4.000", "4.000", "0.000", "4.000")
    assert (chair["quantity"], chair["delivered_qty"], chair["reserved_qty"],
            chair["invoiced_qty"]) == ("8.000", "3.000", "2.000", "3.000")
    assert shop.level(shop.lamp) == (D(6), D(0), D(6))
    assert shop.level(shop.chair) == (D(2), D(2), D(0))
    assert sales_api.get(f"/opportunities/{opportunity_id}").json["status"] == "won"
    result = app.test_cli_runner().invoke(args=["stock-check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output
