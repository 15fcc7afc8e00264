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


# --------------------------------------------------------------------------- item 2


def test_the_scanner_refuses_a_huge_quantity_and_an_empty_scan_says_so(app, live_server: str,
                                                                        page: Page) -> None:
    from shared.extensions import db
    from shared.products import services as product_services

    with app.app_context():
        product_services.create_product({"sku": "LAMP", "name": "Desk lamp 台灯"})
        db.session.remove()
    _, email = make_user(app, "warehouse")
    sign_in(page, live_server, email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/inventory/scan")
    page.get_by_test_id("scan-code").fill("LAMP")
    page.get_by_test_id("scan-code").press("Enter")
    expect(page.get_by_test_id("scan-success")).to_contain_text("Desk lamp")

    page.get_by_test_id("scan-code").press("Enter")  # nothing scanned
    expect(page.get_by_test_id("scan-error")).to_contain_text("Nothing recorded")
    expect(page.get_by_test_id("scan-success")).to_have_count(0)  # the green banner went

    page.get_by_test_id("scan-quantity").fill("99999999999999")
    page.get_by_test_id("scan-code").fill("LAMP")
    page.get_by_test_id("scan-code").press("Enter")
    expect(page.get_by_test_id("scan-error")).to_contain_text("1,000,000")
    with app.app_context():
        from erp.inventory.services import totals_by_product
        from shared.products.models import Product

        lamp = db.session.scalar(db.select(Product.id))
        assert totals_by_product([lamp])[lamp][0] == 1  # only the first scan was booked
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# --------------------------------------------------------------------------- item 3


def test_a_partly_delivered_order_is_delivered_on_a_phone_without_over_scanning(
        app, live_server: str, page: Page, shop, api_as) -> None:
    sales, warehouse = api_as("sales"), api_as("warehouse")
    order = shop.order(sales, (shop.lamp, 5), (shop.chair, 2))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    lamp_line = next(line["id"] for line in order["lines"] if line["product_id"] == shop.lamp)
    warehouse.post(f"/sales-orders/{order['id']}/deliver",
                   json={"lines": [{"line_id": lamp_line, "quantity": "5"}]})  # lamps done
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _, email = make_user(app, "warehouse")
    sign_in(page, live_server, email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/sales/orders/{order['id']}/deliver")
    chair = page.get_by_test_id("qty-CHAIR")
    expect(chair).to_be_visible()
    box = chair.bounding_box()
    assert box["x"] + box["width"] <= 390  # the "Deliver now" column is on screen
    chair.fill("")
    code = page.get_by_test_id("scan-code")
    for _ in range(2):
        code.fill("CHAIR")
        code.press("Enter")
    expect(chair).to_have_value("2")
    code.fill("CHAIR")
    code.press("Enter")  # a third chair: refused, the line keeps 2
    expect(page.get_by_test_id("scan-error")).to_contain_text("only 2 left to deliver")
    expect(chair).to_have_value("2")
    page.get_by_test_id("deliver-button").click()
    expect(page.locator(".alert-success")).to_contain_text("CHAIR × 2")
    assert errors == []  # the page once failed on the delivered line ("Cannot read ... null")


# --------------------------------------------------------------------------- items 4 and 8


def test_the_invoice_page_on_a_phone_and_its_pdf_after_a_payment(app, live_server: str,
                                                                  page: Page, api_as) -> None:
    finance = api_as("finance")
    customer = finance.post("/partners", json={"name": "Harbor Lights Retail Ltd",
                                               "locale": "en"}).json
    invoice = finance.post("/invoices", json={
        "partner_id": customer["id"], "lines": [
            {"description": "Ergonomic office chair with a long description", "quantity": "3",
             "unit_price": "1299.00", "tax_rate": "13"}]}).json
    invoice = finance.post(f"/invoices/{invoice['id']}/post").json  # total 4,403.61
    _, email = make_user(app, "finance")
    sign_in(page, live_server, email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/invoices/{invoice['id']}")
    assert page.request.get(f"{live_server}/invoices/{invoice['id']}/pdf").ok  # stored once
    for testid in ("invoice-total", "amount-due"):
        box = page.get_by_test_id(testid).bounding_box()
        assert box["x"] + box["width"] <= 390, testid  # amounts are on screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    finance.post("/payments", json={
        "partner_id": customer["id"], "amount": "1000.00", "method": "bank",
        "allocations": [{"invoice_id": invoice["id"], "amount": "1000.00"}]})
    page.reload()
    expect(page.get_by_test_id("amount-due")).to_contain_text("3,403.61")
    expect(page.locator(".badge").filter(has_text="Partially paid")).to_be_visible()
    pdf = page.request.get(f"{live_server}/invoices/{invoice['id']}/pdf?download=1").body()
    path = app.instance_path + "/first-hour-test.pdf"
    with open(path, "wb") as handle:
        handle.write(pdf)
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "3,403.61" in text.split("Amount due")[1].splitlines()[0]


# --------------------------------------------------------------------------- item 5


def test_an_order_shows_its_history_in_chinese(app, live_server: str, page: Page, shop,
                                               api_as) -> None:
    sales = api_as("sales")
    order = shop.order(sales, (shop.lamp, 2))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    _, email = make_user(app, "sales")
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/sales/orders/{order['id']}")
    page.get_by_test_id("language-switch").get_by_role("button", name="中文").click()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("状态")  # the field's label
    expect(history).to_contain_text("报价单")  # "draft" as the pages call it
    expect(history).to_contain_text("已确认")
    expect(history).not_to_contain_text("sales_orders")
    expect(history).not_to_contain_text("reserved_qty")


# --------------------------------------------------------------------------- items 6 and 7


def test_the_menu_is_one_row_at_1366_and_dates_read_the_same_everywhere(
        app, live_server: str, page: Page, shop, api_as) -> None:
    sales = api_as("sales")
    order = shop.order(sales, (shop.lamp, 1))
    page.set_viewport_size({"width": 1366, "height": 900})
    _, email = make_user(app, "admin", name="Admin")
    sign_in(page, live_server, email)
    assert page.locator("nav.navbar").bounding_box()["height"] <= 64
    zh = page.get_by_test_id("language-switch").get_by_role("button", name="中文")
    assert zh.bounding_box()["height"] <= 40  # 中文 on one line
    medium = today().strftime("%b ") + str(today().day) + today().strftime(", %Y")
    page.goto(f"{live_server}/sales/orders")
    expect(page.get_by_test_id("order-table")).to_contain_text(medium)
    page.goto(f"{live_server}/sales/orders/{order['id']}")
    expect(page.locator("main")).to_contain_text(medium)
    expect(page.locator("main")).not_to_contain_text(today().isoformat())


# --------------------------------------------------------------------------- item 9


def test_a_lead_file_with_the_source_as_the_page_shows_it_imports(app, live_server: str,
                                                                   page: Page,
                                                                   tmp_path) -> None:
    _, email = make_user(app, "sales")
    sign_in(page, live_server, email)
    bad = tmp_path / "bad.csv"
    bad.write_text("title,email,source\n,not-an-email,tv\n", encoding="utf-8")
    page.goto(f"{live_server}/leads/import")
    page.set_input_files("input[type=file]", str(bad))
    page.locator("form[enctype='multipart/form-data'] [type=submit]").click()
    page.get_by_test_id("import-confirm").click()
    problems = page.get_by_test_id("import-errors").locator("li")
    expect(problems).to_have_count(3)  # one sentence per bad field, not run together
    good = tmp_path / "good.csv"
    good.write_text("title,source\nLobby chairs,Website\n", encoding="utf-8")
    page.goto(f"{live_server}/leads/import")
    page.set_input_files("input[type=file]", str(good))
    page.locator("form[enctype='multipart/form-data'] [type=submit]").click()
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".alert-success")).to_be_visible()


# --------------------------------------------------------------------------- item 10


def test_a_card_dropped_on_won_and_on_lost_closes_its_opportunity(app, live_server: str,
                                                                   page: Page, api_as) -> None:
    sales = api_as("sales")
    first = sales.post("/opportunities", json={"title": "Hotel lamps"}).json
    second = sales.post("/opportunities", json={"title": "Lobby chairs"}).json
    _, email = make_user(app, "sales")
    sign_in(page, live_server, email)
    page.on("dialog", lambda dialog: dialog.accept("Chose a competitor"))
    page.goto(f"{live_server}/pipeline/")
    page.get_by_test_id("card").filter(has_text="Hotel lamps").drag_to(
        page.get_by_test_id("drop-Won").locator(".board-cards"))
    expect(page.get_by_test_id("card").filter(has_text="Hotel lamps")).to_have_count(0)
    # The board htmx swapped in takes drags too (it once took none after the first).
    expect(page.locator("#board[data-sortable=on]")).to_have_count(1)
    page.goto(f"{live_server}/pipeline/")
    page.get_by_test_id("card").filter(has_text="Lobby chairs").drag_to(
        page.get_by_test_id("drop-Lost").locator(".board-cards"))
    expect(page.get_by_test_id("card")).to_have_count(0)
    assert sales.get(f"/opportunities/{first['id']}").json["status"] == "won"
    lost = sales.get(f"/opportunities/{second['id']}").json
    assert (lost["status"], lost["lost_reason"]) == ("lost", "Chose a competitor")
