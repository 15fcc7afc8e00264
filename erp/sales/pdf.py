"""The quotation / sales order PDF: rendered on every request, never stored (a quotation
changes until it is confirmed, and the order's quantities keep moving afterwards).

The layout, fonts and letterhead are the invoice's: the same stylesheet, the same shared
FontConfiguration and render lock (erp/invoicing/pdf.py), the same template pieces
(templates/pdf/_macros.html).
"""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale, format_currency

from erp.invoicing.pdf import document_locale, html_to_pdf, logo_uri
from erp.invoicing.services import invoice_tax_summary
from erp.sales.models import CANCELLED, DRAFT, SalesOrder
from erp.sales.services import get_order
from shared.company.services import get_company
from shared.dates import company_today


def filename(order: SalesOrder) -> str:
    return f"{order.number.replace('/', '-')}.pdf"


def order_html(order: SalesOrder) -> str:
    """The order as the HTML WeasyPrint lays out, in the customer's language."""
    company = get_company()
    with force_locale(document_locale(order)):
        def money(value):
            return format_currency(value, order.currency)

        return render_template(
            "pdf/sales_order.html", order=order, company=company, logo=logo_uri(company),
            partner=order.partner, money=money, tax_rows=invoice_tax_summary(order),
            quotation=order.state == DRAFT, cancelled=order.state == CANCELLED,
            today=company_today())


def order_pdf(order_id: int) -> tuple[bytes, str]:
    """(PDF bytes, file name), freshly rendered."""
    order = get_order(order_id)
    return html_to_pdf(order_html(order)), filename(order)
