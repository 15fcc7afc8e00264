"""The purchase order PDF, as the supplier receives it: rendered on every request, never
stored (a draft is a request for quotation until it is confirmed).

The layout, fonts and letterhead are the invoice's: the same stylesheet, FontConfiguration
and render lock (erp/invoicing/pdf.py) and the same template pieces (templates/pdf/_macros.html),
in the supplier's language.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale, format_currency

from erp.invoicing.pdf import document_locale, html_to_pdf, logo_uri
from erp.invoicing.services import invoice_tax_summary
from erp.purchasing.models import PurchaseOrder
from erp.purchasing.services import get_order
from shared.company.services import get_company


def filename(order: PurchaseOrder) -> str:
    return f"{order.number.replace('/', '-')}.pdf"


def order_html(order: PurchaseOrder) -> str:
    """The order as the HTML WeasyPrint lays out, in the supplier's language."""
    company = get_company()
    with force_locale(document_locale(order)):
        def money(value):
            return format_currency(value, order.currency)

        return render_template(
            "pdf/purchase_order.html", order=order, company=company, logo=logo_uri(company),
            partner=order.supplier, money=money, tax_rows=invoice_tax_summary(order),
            request_for_quotation=order.is_draft, cancelled=order.is_cancelled)


def order_pdf(order_id: int) -> tuple[bytes, str]:
    """(PDF bytes, file name), freshly rendered."""
    order = get_order(order_id)
    return html_to_pdf(order_html(order)), filename(order)
