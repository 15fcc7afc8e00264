"""/api/v1/invoices, /api/v1/payments, /api/v1/reports/ar-aging and ap-aging"""
from __future__ import annotations

from datetime import date

from flask import request
from flask_login import current_user

from erp.invoicing import payments as payment_services
from erp.invoicing import pdf, rules, services
from erp.invoicing.models import Invoice, Payment
from erp.invoicing.reports import ap_aging, ar_aging
from shared.api import api_blueprint, bool_arg, int_arg, json_body, page_json, paginate, query_arg
from shared.dates import company_today
from shared.permissions import require
from shared.ui import pdf_response
from shared.validation import IsoDate, Number

bp = api_blueprint("invoicing_api", __name__)

INVOICE_FIELDS = ("id", "number", "kind", "partner_id", "invoice_date", "due_date", "currency",
                  "state", "untaxed_amount", "tax_amount", "total", "amount_paid",
                  "amount_credited", "amount_due", "sales_order_id", "purchase_order_id",
                  "reversed_invoice_id", "notes", "created_at", "posted_at")
LINE_FIELDS = ("id", "product_id", "description", "quantity", "unit_price", "discount_pct",
               "tax_rate", "subtotal", "tax", "total", "credited_qty", "origin_line_id",
               "sales_order_line_id", "unit_cost")


def invoice_json(invoice: Invoice, today: date | None = None) -> dict:
    data = {field: getattr(invoice, field) for field in INVOICE_FIELDS}
    data["partner_name"] = invoice.partner.name
    data["overdue"] = invoice.is_overdue(today)
    data["lines"] = [{field: getattr(line, field) for field in LINE_FIELDS}
                     for line in invoice.lines]
    data["allowed_actions"] = sorted(rules.allowed_actions(invoice, current_user))
    return data


def payment_json(payment: Payment) -> dict:
    return {"id": payment.id, "partner_id": payment.partner_id, "date": payment.date,
            "amount": payment.amount, "currency": payment.currency, "method": payment.method,
            "reference": payment.reference, "state": payment.state,
            "allocations": [{"id": a.id, "invoice_id": a.invoice_id, "amount": a.amount}
                            for a in payment.allocations],
            "unallocated": payment.unallocated, "created_at": payment.created_at,
            "reversed_at": payment.reversed_at}


def list_filters() -> dict:
    """The invoice list's query filters, cleaned by the shared field rules (422 when bad)."""
    return {"q": request.args.get("q") or None, "kind": request.args.get("kind") or None,
            "state": request.args.get("state") or None, "partner_id": int_arg("partner_id"),
            "date_from": query_arg("date_from", IsoDate()),
            "date_to": query_arg("date_to", IsoDate()), "overdue": bool_arg("overdue"),
            "bucket": request.args.get("bucket") or None,
            "as_of": query_arg("as_of", IsoDate()),
            "sales_order_id": int_arg("sales_order_id"), "product_id": int_arg("product_id"),
            "paid_from": query_arg("paid_from", IsoDate()),
            "paid_to": query_arg("paid_to", IsoDate())}


@bp.get("/invoices")
@require("invoices", "read")
def list_invoices():
    stmt = services.invoice_query(**list_filters())
    page = paginate(stmt)
    services.with_lines(page.items)
    today = company_today()
    return page_json(page, [invoice_json(invoice, today) for invoice in page.items])


@bp.post("/invoices")
@require("invoices", "write")
def create_invoice():
    invoice = services.create_invoice(json_body(), user_id=current_user.id)
    return invoice_json(invoice), 201


@bp.get("/invoices/<int:invoice_id>")
@require("invoices", "read")
def get_invoice(invoice_id: int):
    return invoice_json(services.get_invoice(invoice_id))


@bp.patch("/invoices/<int:invoice_id>")
@require("invoices", "write")
def patch_invoice(invoice_id: int):
    return invoice_json(services.update_invoice(invoice_id, json_body()))


@bp.post("/invoices/<int:invoice_id>/post")
@require("invoices", "write")
def post_invoice(invoice_id: int):
    return invoice_json(services.post_invoice(invoice_id, user_id=current_user.id))


@bp.post("/invoices/<int:invoice_id>/cancel")
@require("invoices", "write")
def cancel_invoice(invoice_id: int):
    return invoice_json(services.cancel_invoice(invoice_id))


@bp.post("/invoices/<int:invoice_id>/credit-note")
@require("invoices", "write")
def credit_note(invoice_id: int):
    data = request.get_json(silent=True) if request.get_data() else {}
    note = services.create_credit_note(invoice_id, data if isinstance(data, dict) else
                                       json_body(), user_id=current_user.id)
    return {"invoice_id": note.id, "invoice": invoice_json(note)}, 201


@bp.get("/invoices/<int:invoice_id>/pdf")
@require("invoices", "read")
def invoice_pdf(invoice_id: int):
    content, filename = pdf.invoice_pdf(invoice_id)
    return pdf_response(content, filename)


@bp.get("/payments")
@require("invoices", "read")
def list_payments():
    page = paginate(payment_services.payment_query(int_arg("partner_id"),
                                                   int_arg("invoice_id")))
    return page_json(page, [payment_json(payment) for payment in page.items])


@bp.post("/payments")
@require("invoices", "write")
def create_payment():
    payment = payment_services.record_payment(json_body(), user_id=current_user.id)
    return payment_json(payment), 201


@bp.get("/payments/<int:payment_id>")
@require("invoices", "read")
def get_payment(payment_id: int):
    return payment_json(payment_services.get_payment(payment_id))


@bp.post("/payments/<int:payment_id>/reverse")
@require("invoices", "write")
def reverse_payment(payment_id: int):
    return payment_json(payment_services.reverse_payment(payment_id,
                                                         user_id=current_user.id))


@bp.get("/payments/suggestions")
@require("invoices", "read")
def suggest_allocations():
    """Oldest first: {"items": [{"invoice_id", "number", "due_date", "amount_due", "amount"}]}"""
    partner_id = int_arg("partner_id")
    amount = query_arg("amount", Number(places=2, positive=True))
    suggestions = payment_services.suggest_allocations(partner_id, amount) if partner_id else []
    return {"items": [{"invoice_id": invoice.id, "number": invoice.number,
                       "due_date": invoice.due_date, "amount_due": invoice.amount_due,
                       "amount": share} for invoice, share in suggestions]}


@bp.get("/reports/ar-aging")
@require("invoices", "read")
def aging_report():
    return _aging_json(ar_aging)


@bp.get("/reports/ap-aging")
@require("payables", "read")
def ap_aging_report():
    """As AR aging, per supplier, from posted vendor bills (admin and finance)."""
    return _aging_json(ap_aging)


def _aging_json(report) -> dict:
    as_of = query_arg("as_of", IsoDate()) or company_today()
    rows, totals = report(as_of)
    total = totals.as_json()
    total.pop("partner_id")
    total.pop("name")
    return {"as_of": as_of, "items": [row.as_json() for row in rows], "totals": total}
