"""Invoice PDFs, made by WeasyPrint from templates/pdf/invoice.html.

A draft is rendered on every request (with a DRAFT mark). A posted invoice is rendered at its
first download and the bytes are stored, so later downloads are a single-row read. What was
invoiced (number, dates, lines, taxes, totals) is frozen at posting and reads the same in every
rendering; the payments block (amount paid, amount due, the payments and credit notes) is
what changes. The stored PDF remembers the settlement it shows (`settlement_key`), and a
download after a payment, a reversal or a credit note lays it out again and stores that, so
a PDF re-sent as a reminder never shows a stale amount due.

One FontConfiguration is shared by every render (building it scans the system fonts);
`warm_up` builds it ahead of the first request. Batches render in a process pool, one
process per core, each with its own FontConfiguration.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from flask import render_template
from flask_babel import force_locale, format_currency
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from erp.invoicing.models import CANCELLED, DRAFT, Invoice, InvoicePdf, Payment, PaymentAllocation
from erp.invoicing.services import credit_notes_of, get_invoice, invoice_tax_summary
from shared.company.services import get_company
from shared.dates import company_today
from shared.db import transactional, utcnow
from shared.extensions import db
from shared.upsert import insert_ignore

_font_config = None
_font_lock = threading.Lock()


def font_config():
    """The process's one FontConfiguration (created on first use)."""
    global _font_config
    if _font_config is None:
        with _font_lock:
            if _font_config is None:
                from weasyprint.text.fonts import FontConfiguration

                _font_config = FontConfiguration()
    return _font_config


STYLESHEET_PATH = Path(__file__).resolve().parents[2] / "templates" / "pdf" / "invoice.css"
_stylesheet = None


def stylesheet():
    """templates/pdf/invoice.css, parsed once per process (with the shared fonts)."""
    global _stylesheet
    if _stylesheet is None:
        from weasyprint import CSS

        _stylesheet = CSS(string=STYLESHEET_PATH.read_text(encoding="utf-8"),
                          font_config=font_config())
    return _stylesheet


_render_lock = threading.Lock()
# Tagged PDF/UA (structure, reading order, language, title), so screen readers can read the
# documents a customer receives.
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str) -> bytes:
    """Lay out and write one PDF. One render at a time per process: Pango's font map, which
    the shared FontConfiguration holds, is not safe to use from several threads at once."""
    from weasyprint import HTML

    with _render_lock:
        return HTML(string=html).write_pdf(stylesheets=[stylesheet()], pdf_variant=PDF_VARIANT,
                                           font_config=font_config())


def warm_up() -> None:
    """Import WeasyPrint, load the fonts and lay out a line of mixed text once, so the first
    real invoice does not pay for it."""
    html_to_pdf('<p style="font-family: \'WenQuanYi Zen Hei\'">Warm 预热 1.00</p>')


def warm_up_in_background() -> None:
    threading.Thread(target=warm_up, name="pdf-warm-up", daemon=True).start()


# --------------------------------------------------------------------------- the document

def document_locale(document) -> str:
    """The customer's language if set, else the company's (any document with a partner)."""
    return document.partner.locale or get_company().locale or "en"


def filename(invoice: Invoice) -> str:
    name = invoice.number.replace("/", "-") if invoice.number else f"draft-{invoice.id}"
    return f"{name}.pdf"


def logo_uri(company) -> str | None:
    if not company.logo:
        return None
    return f"data:{company.logo_mimetype};base64,{base64.b64encode(company.logo).decode()}"


def invoice_html(invoice: Invoice) -> str:
    """The invoice as the HTML WeasyPrint lays out, in the document's language."""
    company = get_company()
    payments = db.session.scalars(
        select(PaymentAllocation).join(Payment)
        .where(PaymentAllocation.invoice_id == invoice.id, Payment.state == "posted")
        .options(selectinload(PaymentAllocation.payment)).order_by(Payment.date)).all()
    with force_locale(document_locale(invoice)):
        def money(value):
            return format_currency(value, invoice.currency)

        return render_template(
            "pdf/invoice.html", invoice=invoice, company=company, logo=logo_uri(company),
            partner=invoice.partner, money=money, tax_rows=invoice_tax_summary(invoice),
            payments=payments, credit_notes=credit_notes_of(invoice.id),
            draft=not is_stored(invoice), today=company_today())


# --------------------------------------------------------------------------- stored PDFs

def settlement_key(invoice: Invoice) -> str:
    """What the payments block of a posted invoice's PDF shows: its state, amount paid and
    due, and the posted payments allocated to it (a reversed and re-recorded payment of the
    same amount changes it too)."""
    allocations = db.session.scalars(
        select(PaymentAllocation.id).join(Payment)
        .where(PaymentAllocation.invoice_id == invoice.id, Payment.state == "posted")
        .order_by(PaymentAllocation.id)).all()
    shown = f"{invoice.state}|{invoice.amount_paid}|{invoice.amount_due}|{allocations}"
    return hashlib.sha256(shown.encode()).hexdigest()


def stored_pdf(invoice: Invoice) -> bytes | None:
    """The stored PDF of a posted invoice if it shows the invoice's current settlement."""
    row = db.session.execute(select(InvoicePdf.content, InvoicePdf.settlement)
                             .where(InvoicePdf.invoice_id == invoice.id)).first()
    if row is None or row.settlement != settlement_key(invoice):
        return None
    return row.content


@transactional
def store_pdf(invoice_id: int, content: bytes, settlement: str) -> bytes:
    """Keep this rendering of a posted invoice, replacing one that showed an older
    settlement. A concurrent download of the same settlement that stored first wins, so
    every download of one settlement is the same document."""
    db.session.execute(insert_ignore(InvoicePdf, {
        "invoice_id": invoice_id, "content": content, "settlement": settlement,
        "sha256": hashlib.sha256(content).hexdigest()}, ["invoice_id"]))
    row = db.session.scalar(select(InvoicePdf).where(InvoicePdf.invoice_id == invoice_id)
                            .with_for_update())
    if row.settlement != settlement:
        row.content, row.settlement = content, settlement
        row.sha256 = hashlib.sha256(content).hexdigest()
        row.created_at = utcnow()
    db.session.flush()
    return db.session.scalar(select(InvoicePdf.content)
                             .where(InvoicePdf.invoice_id == invoice_id))


def is_stored(invoice: Invoice) -> bool:
    """Posted, paid and credited invoices keep their PDF; drafts and cancelled ones don't."""
    return invoice.state not in (DRAFT, CANCELLED)


def invoice_pdf(invoice_id: int) -> tuple[bytes, str]:
    """(PDF bytes, file name): the stored bytes while they show the current settlement, else
    a fresh rendering (stored for a posted invoice)."""
    invoice = get_invoice(invoice_id)
    if is_stored(invoice):
        stored = stored_pdf(invoice)
        if stored is not None:
            return stored, filename(invoice)
    content = html_to_pdf(invoice_html(invoice))
    if is_stored(invoice):
        content = store_pdf(invoice.id, content, settlement_key(invoice))
    return content, filename(invoice)


# --------------------------------------------------------------------------- batches

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _pool_warm_up() -> None:
    font_config()


def render_pool() -> ProcessPoolExecutor:
    """One worker process per core (spawned: no database connection is inherited)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 1,
                                        mp_context=get_context("spawn"),
                                        initializer=_pool_warm_up)
    return _pool


def batch_zip(invoice_ids: Iterable[int],
              progress: Callable[[int, int], None] | None = None) -> bytes:
    """One ZIP of the invoices' PDFs. Stored PDFs are reused; the others are laid out in
    parallel on every core (the HTML is made here, where the database is), and posted ones
    are stored as they arrive."""
    ids = list(dict.fromkeys(invoice_ids))
    results: dict[int, tuple[bytes, str]] = {}
    to_render: dict[int, tuple[str, str, bool]] = {}
    for invoice_id in ids:
        invoice = get_invoice(invoice_id)
        stored = stored_pdf(invoice) if is_stored(invoice) else None
        if stored is not None:
            results[invoice_id] = (stored, filename(invoice))
            continue
        to_render[invoice_id] = (invoice_html(invoice), filename(invoice),
                                 settlement_key(invoice) if is_stored(invoice) else None)
    done = len(results)
    if progress:
        progress(done, len(ids))
    futures = {invoice_id: render_pool().submit(html_to_pdf, html)
               for invoice_id, (html, _name, _keep) in to_render.items()}
    for invoice_id, future in futures.items():
        _html, name, settlement = to_render[invoice_id]
        content = future.result()
        if settlement is not None:
            content = store_pdf(invoice_id, content, settlement)
        results[invoice_id] = (content, name)
        done += 1
        if progress:
            progress(done, len(ids))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for invoice_id in ids:
            content, name = results[invoice_id]
            archive.writestr(name, content)
    return buffer.getvalue()


def batch_filename() -> str:
    return _("invoices") + f"-{company_today().isoformat()}.zip"
