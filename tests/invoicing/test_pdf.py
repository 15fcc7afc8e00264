"""The invoice PDF: opens, right pages and figures, CJK glyphs embedded, stored bytes."""
from __future__ import annotations

import io
import subprocess
import time

import pytest

from erp.invoicing.models import InvoicePdf
from erp.invoicing.pdf import invoice_html
from erp.invoicing.services import get_invoice
from tests.conftest import row_count


def pdf_text(tmp_path, content: bytes) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_fonts(tmp_path, content: bytes) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                          check=True).stdout


def page_count(tmp_path, content: bytes) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_chinese_customer_pdf_embeds_a_cjk_font(tmp_path, fin, make_invoice):
    inv = make_invoice(post=True)
    r = fin.get(f"/invoices/{inv['id']}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert page_count(tmp_path, r.data) == 1
    text = pdf_text(tmp_path, r.data)
    assert inv["number"] in text and "279.00" in text
    assert "发票" in text and "办公椅" in text and "第 1 页" in text
    assert "上海明辉电子有限公司" in text
    fonts = pdf_fonts(tmp_path, r.data)
    assert "WenQuanYi" in fonts and " yes " in fonts  # embedded (subset) CJK font


def test_english_customer_pdf_in_english_with_payment_reference(tmp_path, fin, make_invoice,
                                                                  english_customer):
    inv = make_invoice(post=True, partner_id=english_customer["id"])
    text = pdf_text(tmp_path, fin.get(f"/invoices/{inv['id']}/pdf").data)
    assert "Invoice" in text and "Page 1 of 1" in text and "Payment reference" in text
    assert inv["number"] in text and "Harbor Lights Retail Ltd" in text and "279.00" in text
    assert "DRAFT" not in text


def test_draft_pdf_is_marked_and_not_stored(app, tmp_path, fin, make_invoice, english_customer):
    inv = make_invoice(partner_id=english_customer["id"])
    text = pdf_text(tmp_path, fin.get(f"/invoices/{inv['id']}/pdf").data)
    assert "Invoice (Draft)" in text  # the title; the diagonal DRAFT watermark is drawn too
    with app.test_request_context():
        assert '<div class="draft">DRAFT</div>' in invoice_html(get_invoice(inv["id"]))
    assert row_count(app, InvoicePdf) == 0
    posted = make_invoice(post=True, partner_id=english_customer["id"])
    with app.test_request_context():
        assert 'class="draft"' not in invoice_html(get_invoice(posted["id"]))


def test_long_invoice_numbers_its_pages(tmp_path, fin, english_customer):
    lines = [{"description": f"Item {n} 物品", "quantity": 1, "unit_price": "1.00"}
             for n in range(90)]
    inv = fin.post("/invoices", json={"partner_id": english_customer["id"], "lines": lines}).json
    fin.post(f"/invoices/{inv['id']}/post")
    content = fin.get(f"/invoices/{inv['id']}/pdf").data
    pages = page_count(tmp_path, content)
    assert pages >= 2
    assert f"Page {pages} of {pages}" in pdf_text(tmp_path, content)


def test_posted_pdf_is_stored_and_byte_identical_later(app, fin, make_invoice, admin_api):
    inv = make_invoice(post=True)
    first = fin.get(f"/invoices/{inv['id']}/pdf").data
    assert row_count(app, InvoicePdf) == 1
    # company settings change afterwards: the document already sent must not change
    admin_api.patch("/company", json={"name": "Renamed Company 新名字"})
    time.sleep(1.1)  # a re-render would carry a new creation date
    started = time.perf_counter()
    second = api_second = fin.get(f"/invoices/{inv['id']}/pdf").data
    elapsed = time.perf_counter() - started
    assert second == first and api_second == first
    assert elapsed < 0.5


def test_a_payment_renders_the_stored_pdf_again_with_the_new_amount_due(
        tmp_path, app, fin, make_invoice, english_customer):
    """Issue 16 item 4: a PDF re-sent as a reminder never shows a stale amount due; what was
    invoiced reads the same, and downloads between payments stay byte-identical."""
    inv = make_invoice(post=True, partner_id=english_customer["id"])  # total 279.00
    first = fin.get(f"/invoices/{inv['id']}/pdf").data
    assert "279.00" in pdf_text(tmp_path, first).split("Amount due")[1].splitlines()[0]

    pay = {"partner_id": english_customer["id"], "amount": "100.00", "method": "bank",
           "allocations": [{"invoice_id": inv["id"], "amount": "100.00"}]}
    payment = fin.post("/payments", json=pay).json
    after_payment = fin.get(f"/invoices/{inv['id']}/pdf").data
    text = pdf_text(tmp_path, after_payment)
    assert "179.00" in text.split("Amount due")[1].splitlines()[0]
    assert "100.00" in text.split("Amount paid")[1].splitlines()[0]
    assert fin.get(f"/invoices/{inv['id']}/pdf").data == after_payment  # stored again
    assert row_count(app, InvoicePdf) == 1

    # The invoiced part is the same document: number, lines and totals.
    invoiced = pdf_text(tmp_path, first).split("Amount paid")[0]
    assert pdf_text(tmp_path, after_payment).split("Amount paid")[0] == invoiced

    fin.post(f"/payments/{payment['id']}/reverse")
    reversed_text = pdf_text(tmp_path, fin.get(f"/invoices/{inv['id']}/pdf").data)
    assert "279.00" in reversed_text.split("Amount due")[1].splitlines()[0]


@pytest.mark.parametrize("role,status", [("sales", 200), ("support", 200), ("warehouse", 403)])
def test_pdf_roles(api_as, make_invoice, role, status):
    inv = make_invoice()
    assert api_as(role).get(f"/invoices/{inv['id']}/pdf").status_code == status


@pytest.mark.slow
def test_batch_download_is_one_zip_of_every_selected_pdf(app, client, login_as, make_invoice,
                                                        english_customer):
    import io
    import zipfile

    from tests.conftest import csrf_token

    posted = make_invoice(post=True)
    draft = make_invoice(partner_id=english_customer["id"])
    login_as("sales")  # read access is enough to download
    r = client.post("/invoices/batch-pdf", data={
        "csrf_token": csrf_token(client, "/invoices/"),
        "invoice_id": [str(posted["id"]), str(draft["id"])]})
    assert r.status_code == 200 and r.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    names = archive.namelist()
    assert names == [posted["number"].replace("/", "-") + ".pdf", f"draft-{draft['id']}.pdf"]
    assert all(archive.read(name).startswith(b"%PDF") for name in names)
    assert row_count(app, InvoicePdf) == 1  # the posted one is stored, the draft is not
    # the page's download gives the very bytes the ZIP holds
    assert client.get(f"/invoices/{posted['id']}/pdf").data == archive.read(names[0])


@pytest.mark.slow
def test_batch_job_reports_progress_then_offers_the_zip(client, login_as, make_invoice):
    import re
    import zipfile

    from tests.conftest import csrf_token

    ids = [make_invoice(post=True)["id"] for _ in range(3)]
    login_as("finance")
    r = client.post("/invoices/batch-pdf", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf_token(client, "/invoices/"), "invoice_id": [str(i) for i in ids]})
    assert r.status_code == 200 and 'data-testid="batch-status"' in r.get_data(as_text=True)
    job_url = re.search(r'hx-get="([^"]+)"', r.get_data(as_text=True)).group(1)
    deadline = time.monotonic() + 90
    html = ""
    while time.monotonic() < deadline:
        html = client.get(job_url).get_data(as_text=True)
        if "batch-download" in html:
            break
        assert re.search(r"\d / 3", html)
        time.sleep(0.3)
    download = re.search(r'href="([^"]+/zip)"', html).group(1)
    archive = zipfile.ZipFile(io.BytesIO(client.get(download).data))
    assert len(archive.namelist()) == 3
    # another user cannot follow or fetch someone else's job
    other = client.application.test_client()
    from tests.conftest import make_user, sign_in

    _, email = make_user(client.application, "finance")
    sign_in(other, email)
    assert other.get(download).status_code == 404


def test_letterhead_has_the_company_logo_and_bank_details(app, tmp_path, fin, make_invoice,
                                                          admin_api):
    import base64

    from shared.company.services import set_logo

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8Dw"
                           "HwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
    with app.app_context():
        set_logo(png)
    admin_api.patch("/company", json={"bank_details": "ICBC 1202 0212 0900 1234 567",
                                      "tax_id": "91330106MA2B1C2D3E"})
    inv = make_invoice(post=True)
    content = fin.get(f"/invoices/{inv['id']}/pdf").data
    text = pdf_text(tmp_path, content)
    assert "ICBC 1202 0212 0900 1234 567" in text and "91330106MA2B1C2D3E" in text
    assert "付款附言" in text and inv["number"] in text
    path = tmp_path / "logo.pdf"
    path.write_bytes(content)
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                            check=True).stdout
    assert len(images.strip().splitlines()) >= 3  # header lines + the logo


def test_cancelled_invoice_pdf_says_so(tmp_path, fin, make_invoice, english_customer):
    inv = make_invoice(partner_id=english_customer["id"])
    fin.post(f"/invoices/{inv['id']}/cancel")
    assert "Invoice (Cancelled)" in pdf_text(tmp_path, fin.get(f"/invoices/{inv['id']}/pdf").data)


def test_invoice_and_quotation_pdfs_are_tagged_for_screen_readers(tmp_path, fin, make_invoice,
                                                                 shop, sales):
    """Issue 16 item 11: PDF/UA-1: tagged structure, a title and the document's language."""
    def info(content: bytes) -> str:
        path = tmp_path / "doc.pdf"
        path.write_bytes(content)
        return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                              check=True).stdout

    inv = make_invoice(post=True)
    invoice = info(fin.get(f"/invoices/{inv['id']}/pdf").data)
    assert "Tagged:          yes" in invoice and inv["number"] in invoice
    order = shop.order(sales, (shop.lamp, 1))
    quotation = info(sales.get(f"/sales-orders/{order['id']}/pdf").data)
    assert "Tagged:          yes" in quotation and order["number"] in quotation
