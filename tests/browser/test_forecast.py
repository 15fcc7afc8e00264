"""The forecast where the warehouse acts, on a phone: the low-stock page's days of cover and
expected stock-out, and the product page's forecast panel, fit 390 px."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import format_date
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import make_user, today


def test_days_of_cover_on_a_phone(app, live_server: str, page: Page, admin_api) -> None:
    locations = {loc["code"]: loc["id"] for loc in admin_api.get("/locations").json["items"]}
    product = admin_api.post("/products", json={
        "sku": "LAMP", "name": "LED 台灯 Desk Lamp with a rather long name for a phone",
        "reorder_point": "20", "reorder_qty": "50"}).json["id"]
    for qty, source, target in (("40", "Suppliers", "WH/Stock"), ("30", "WH/Stock", "Customers")):
        response = admin_api.post("/stock/moves", json={
            "product_id": product, "quantity": qty, "from_location_id": locations[source],
            "to_location_id": locations[target]})
        assert response.status_code == 201, response.json
    # 10 available, 30 delivered today: 1.000 a day, 10.0 days, out of stock in 10 days
    with app.test_request_context():
        stockout = format_date(today() + timedelta(days=10), "medium")
    _, email = make_user(app, "warehouse")
    sign_in(page, live_server, email)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server}/inventory/low-stock")
    cell = page.get_by_test_id("low-stock-row").filter(has_text="LAMP") \
        .get_by_test_id("days-of-cover")
    expect(cell).to_have_text("10")  # the date column shows from 576 px up
    expect(cell).to_be_in_viewport(ratio=1)
    table = page.locator("table.list-table")  # the whole table fits, no sideways scroll
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="LAMP").click()
    panel = page.get_by_test_id("forecast-panel")
    expect(panel.get_by_test_id("days-of-cover")).to_have_text("10")
    expect(panel.get_by_test_id("stockout-date")).to_have_text(stockout)
    panel.get_by_test_id("stockout-date").scroll_into_view_if_needed()
    expect(panel.get_by_test_id("stockout-date")).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
