"""In a real browser, finance opens the reports area, filters the sales report by customer
and downloads it as XLSX, in English and in Chinese."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from erp.invoicing import services
from shared.partners.services import create_partner
from tests.browser.conftest import sign_in
from tests.conftest import make_user, today

pytestmark = pytest.mark.browser

TEXTS = {"en": {"reports": "Reports", "sales": "Sales and margins", "group": "Group by",
                "customer": "Customer", "show": "Show", "xlsx": "Download XLSX"},
         "zh": {"reports": "报表", "sales": "销售与毛利", "group": "分组方式",
                "customer": "客户", "show": "显示", "xlsx": "下载 XLSX"}}


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_finance_filters_the_sales_report_and_downloads_xlsx(app, live_server: str,
                                                             page: Page, tmp_path, locale):
    _, email = make_user(app, "finance", name="Chen Jing")
    with app.app_context():
        for name, price in (("上海明辉电子有限公司", "300.00"), ("Harbor Lights Retail", "80.00")):
            partner = create_partner({"name": name, "locale": "zh"})
            invoice = services.create_invoice({"partner_id": partner.id, "lines": [
                {"description": "Desk lamp", "quantity": 1, "unit_price": price,
                 "tax_rate": "13"}]})
            services.post_invoice(invoice.id)
    text = TEXTS[locale]
    sign_in(page, live_server, email)
    if locale == "zh":
        page.locator("[data-testid=language-switch] button[value=zh]").click()
        page.wait_for_selector("html[lang=zh-CN]", state="attached")

    page.locator("nav").get_by_role("link", name=text["reports"], exact=True).click()
    page.get_by_role("link", name=re.compile(text["sales"])).click()
    expect(page.get_by_role("heading", name=text["sales"])).to_be_visible()
    filters = page.get_by_test_id("report-filters")
    filters.get_by_label(text["group"]).select_option("customer")
    filters.get_by_label(text["customer"], exact=True).select_option(label="上海明辉电子有限公司")
    filters.get_by_role("button", name=text["show"]).click()

    expect(page).to_have_url(re.compile(r"group_by=customer"))
    table = page.get_by_test_id("report-table")
    expect(table).to_contain_text("上海明辉电子有限公司")
    expect(table).not_to_contain_text("Harbor Lights Retail")
    expect(page.get_by_test_id("report-totals")).to_contain_text("300.00")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=text["xlsx"]).click()
    download = download_info.value
    assert download.suggested_filename == \
        f"sales-customer-{today().year}-01-01_{today().isoformat()}.xlsx"
    path = tmp_path / "sales.xlsx"
    download.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:-1]] == ["上海明辉电子有限公司"]
    assert rows[-1][3] == 300
