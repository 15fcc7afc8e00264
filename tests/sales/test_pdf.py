"""The quotation / sales order PDF: opens, the right title, real Chinese text, never stored."""
from __future__ import annotations

import pytest

from erp.invoicing.models import InvoicePdf
from tests.conftest import row_count
from tests.invoicing.test_pdf import page_count, pdf_fonts, pdf_text


def test_chinese_quotation_pdf_has_real_chinese_text(tmp_path, client, login_as, shop):
    customer = shop.partner("上海明辉电子有限公司", locale="zh", street="浦东新区张江路 88 号",
                            city="上海", postal_code="201203", country="中国")
    order = shop.order(shop.api, (shop.chair, 2), (shop.setup, 1), partner_id=customer,
                       customer_reference="采购单 PO-88")
    login_as("sales")
    r = client.get(f"/sales/orders/{order['id']}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF") and page_count(tmp_path, r.data) == 1
    text = pdf_text(tmp_path, r.data)
    assert "报价单" in text and order["number"] in text
    assert "上海明辉电子有限公司" in text and "浦东新区张江路 88 号" in text
    assert "办公椅" in text and "安装服务" in text and "采购单 PO-88" in text
    assert order["total"] in text.replace(",", "")
    fonts = pdf_fonts(tmp_path, r.data)
    assert "WenQuanYi" in fonts and " yes " in fonts  # an embedded CJK font: glyphs, not boxes
    assert row_count(client.application, InvoicePdf) == 0  # nothing stored


def test_title_follows_the_state_and_the_api_serves_it(tmp_path, api_as, shop):
    customer = shop.partner("Harbor Lights Retail Ltd", locale="en", city="London",
                            country="United Kingdom")
    order = shop.order(shop.api, (shop.lamp, 3), partner_id=customer)
    support = api_as("support")
    r = support.get(f"/sales-orders/{order['id']}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(tmp_path, r.data)
    assert "Quotation" in text and "Sales order" not in text
    assert "Harbor Lights Retail Ltd" in text and "LED 台灯 Desk Lamp" in text
    assert "674.61" in text and "Page 1 of 1" in text
    shop.api.post(f"/sales-orders/{order['id']}/confirm")
    text = pdf_text(tmp_path, support.get(f"/sales-orders/{order['id']}/pdf").data)
    assert "Sales order" in text and "Quotation" not in text


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance", "support"])
def test_every_role_may_read_the_pdf(api_as, shop, role):
    order = shop.order(shop.api, (shop.lamp, 1))
    assert api_as(role).get(f"/sales-orders/{order['id']}/pdf").status_code == 200


def test_unknown_order_pdf_is_404(admin_api):
    assert admin_api.get("/sales-orders/999/pdf").status_code == 404
