"""The role dashboards in a browser: each role's home draws its charts (no CSP complaint),
in English and Chinese, fits a phone, and a click on a bar or slice opens the list filtered
to that figure."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import make_user, today

pytestmark = pytest.mark.browser

CHARTS = {
    "admin": {"revenue_by_month", "gross_margin", "cash_against_due", "top_customers",
              "top_products", "pipeline_by_stage"},
    "sales": {"my_pipeline"},
    "warehouse": {"moves_per_day"},
    "finance": {"ar_aging", "ap_aging", "cash_in_weekly"},
    "support": {"queue_by_priority", "response_times"},
}


@pytest.fixture
def company(admin_api):
    """A customer with a posted invoice of a product this month, an opportunity, two
    tickets (urgent and low) and a stock move today."""
    customer = admin_api.post("/partners", json={"name": "西湖贸易 Customer",
                                                 "payment_term_days": 0}).json
    lamp = admin_api.post("/products", json={"sku": "LAMP", "name": "Lamp 台灯",
                                             "list_price": "100", "cost_price": "40"}).json
    invoice = admin_api.post("/invoices", json={
        "kind": "customer_invoice", "partner_id": customer["id"],
        "invoice_date": today().isoformat(), "lines": [{
            "product_id": lamp["id"], "description": "Lamp", "quantity": "3",
            "unit_price": "100", "tax_rate": "13"}]}).json
    posted = admin_api.post(f"/invoices/{invoice['id']}/post").json
    admin_api.post("/opportunities", json={"title": "Big deal", "expected_revenue": "5000"})
    for priority in ("urgent", "low"):
        admin_api.post("/tickets", json={"partner_id": customer["id"], "priority": priority,
                                         "subject": f"Help {priority}"})
    locations = {loc["code"]: loc["id"] for loc in admin_api.get("/locations").json["items"]}
    admin_api.post("/stock/moves", json={
        "product_id": lamp["id"], "quantity": "5", "from_location_id": locations["Suppliers"],
        "to_location_id": locations["WH/Stock"]})
    return {"invoice": posted["number"], "customer": customer["id"]}


def drawn_charts(page: Page) -> dict[str, dict]:
    """{widget key: {labels, datasets' labels, canvas width}} of the charts Chart.js drew,
    once the page has loaded and drawn them."""
    page.wait_for_load_state("load")
    page.wait_for_function("""() => typeof Chart !== 'undefined' && Array.from(
        document.querySelectorAll('canvas.dashboard-chart')).every(c => Chart.getChart(c))""")
    return page.evaluate("""() => {
        const found = {};
        document.querySelectorAll('canvas.dashboard-chart').forEach(canvas => {
            const chart = Chart.getChart(canvas);
            const key = canvas.closest('[data-widget]').dataset.widget;
            found[key] = chart ? {labels: chart.data.labels,
                                  sets: chart.data.datasets.map(d => d.label),
                                  width: canvas.getBoundingClientRect().width} : null;
        });
        return found; }""")


def click_figure(page: Page, key: str, index: int, dataset: int = 0) -> None:
    """Click on the canvas where Chart.js drew figure `index` of `dataset`."""
    canvas = page.locator(f'[data-widget="{key}"] canvas')
    canvas.scroll_into_view_if_needed()
    page.wait_for_function("""key => typeof Chart !== 'undefined' && Chart.getChart(
        document.querySelector(`[data-widget="${key}"] canvas`))""", arg=key)
    point = page.evaluate("""([key, index, dataset]) => {
        const canvas = document.querySelector(`[data-widget="${key}"] canvas`);
        const chart = Chart.getChart(canvas);
        const element = chart.getDatasetMeta(dataset).data[index];
        if (element.base !== undefined && element.horizontal) {
            return {x: (element.x + element.base) / 2, y: element.y}; }
        if (element.base !== undefined) {
            return {x: element.x, y: (element.y + element.base) / 2}; }
        return element.tooltipPosition(); }""", [key, index, dataset])
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


@pytest.mark.parametrize("role", list(CHARTS))
def test_each_role_home_draws_its_charts_in_both_languages(app, company, live_server: str,
                                                           browser: Browser,
                                                           browser_context_args: dict,
                                                           role: str) -> None:
    _user_id, email = make_user(app, role)
    context = browser.new_context(**browser_context_args, reduced_motion="reduce")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        sign_in(page, live_server, email)
        expect(page.get_by_test_id(f"dashboard-{role}")).to_be_visible()
        drawn = drawn_charts(page)
        assert CHARTS[role] <= {key for key, chart in drawn.items() if chart}, drawn
        page.get_by_test_id("language-switch").get_by_role("button", name="中文").click()
        page.wait_for_selector("html[lang=zh-CN]", state="attached")
        expect(page.get_by_test_id(f"dashboard-{role}")).to_be_visible()
        drawn = drawn_charts(page)
        assert CHARTS[role] <= {key for key, chart in drawn.items() if chart}, drawn
        text = " ".join(" ".join(c["labels"] + c["sets"]) for c in drawn.values() if c)
        assert re.search(r"[\u4e00-\u9fff]", text), text  # Chinese labels in the charts
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)  # Chart.js resizes on the next frame
        drawn = drawn_charts(page)
        assert all(chart["width"] <= 360 for chart in drawn.values() if chart), drawn
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not problems, problems  # no CSP violation, no script error
    finally:
        context.close()


def test_clicking_a_figure_opens_the_list_behind_it(app, company, live_server: str,
                                                    browser: Browser,
                                                    browser_context_args: dict) -> None:
    _user_id, email = make_user(app, "admin", "support", "warehouse")
    context = browser.new_context(**browser_context_args, reduced_motion="reduce")
    page = context.new_page()
    try:
        sign_in(page, live_server, email)
        month = today().month - 1
        click_figure(page, "revenue_by_month", month)
        page.wait_for_url(re.compile(r"/invoices/\?kind=customer_invoice&date_from="))
        first = today().replace(day=1).isoformat()
        assert f"date_from={first}" in page.url
        expect(page.get_by_role("link", name=company["invoice"])).to_be_visible()

        page.go_back()
        click_figure(page, "top_products", 0)
        page.wait_for_url(re.compile(r"product_id="))
        expect(page.get_by_role("link", name=company["invoice"])).to_be_visible()

        page.go_back()
        click_figure(page, "queue_by_priority", 3)  # urgent
        page.wait_for_url(re.compile(r"/tickets/\?view=active&priority=urgent"))
        expect(page.get_by_text("Help urgent")).to_be_visible()
        expect(page.get_by_text("Help low")).to_have_count(0)

        page.go_back()
        click_figure(page, "moves_per_day", 29)  # today
        day = today().isoformat()
        page.wait_for_url(re.compile(rf"/inventory/moves\?date_from={day}&date_to={day}"))
        expect(page.locator("table tbody tr")).to_have_count(1)

        page.go_back()
        click_figure(page, "pipeline_by_stage", 0)
        page.wait_for_url(re.compile(r"/opportunities/\?status=open&stage_id=\d+"))
        expect(page.get_by_text("Big deal")).to_be_visible()
    finally:
        context.close()
