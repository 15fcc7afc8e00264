"""In a real browser, a finance user posts an invoice, records a partial payment and
downloads the PDF."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from erp.invoicing import services
from shared.partners.services import create_partner
from tests.browser.conftest import sign_in
from tests.conftest import make_user, today

pytestmark = pytest.mark.browser


def test_finance_posts_records_a_partial_payment_and_downloads_the_pdf(app, live_server: str,
                                                                       page: Page, tmp_path):
    _, email = make_user(app, "finance", name="Chen Jing")
    with app.app_context():
        partner = create_partner({"name": "上海明辉电子有限公司", "locale": "zh"})
        invoice_id = services.create_invoice({"partner_id": partner.id, "lines": [
            {"description": "办公椅 Chair", "quantity": 2, "unit_price": "100.00",
             "tax_rate": "13"}]}).id

    sign_in(page, live_server, email)

    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.get_by_role("button", name="Post", exact=True).click()
    number = f"INV/{today().year}/00001"
    expect(page.get_by_test_id("invoice-number")).to_have_text(number)

    page.get_by_role("link", name="Record payment").click()
    page.get_by_label("Amount", exact=True).fill("100.00")
    page.get_by_label("Reference").fill("TT-2026-001")
    page.get_by_label(f"Allocate to {number}").fill("100.00")
    page.get_by_role("button", name="Record payment").click()

    expect(page).to_have_url(re.compile(rf"/invoices/{invoice_id}$"))
    expect(page.get_by_test_id("amount-due")).to_contain_text("126.00")
    expect(page.get_by_test_id("payments")).to_contain_text("TT-2026-001")

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"INV-{today().year}-00001.pdf"
    path = tmp_path / "invoice.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")


def test_finance_downloads_selected_pdfs_after_the_progress_bar(app, live_server: str,
                                                               page: Page, tmp_path):
    """The batch form: the page follows the job (a database row any worker answers) and
    offers the ZIP."""
    import zipfile

    _, email = make_user(app, "finance")
    with app.app_context():
        partner = create_partner({"name": "Harbor Lights Retail Ltd", "locale": "en"})
        for _ in range(2):
            services.create_invoice({"partner_id": partner.id, "lines": [
                {"description": "Desk", "quantity": 1, "unit_price": "80.00",
                 "tax_rate": "13"}]})
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/invoices/")
    page.get_by_label("Select all").check()
    page.get_by_role("button", name="Download selected PDFs (ZIP)").click()
    link = page.get_by_test_id("batch-download")
    expect(link).to_be_visible(timeout=90_000)
    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / "batch.zip"
    download_info.value.save_as(path)
    archive = zipfile.ZipFile(path)
    assert len(archive.namelist()) == 2
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
