"""Payments: record one for a partner, allocate it to open invoices, reverse it.

An allocation never exceeds the payment nor an invoice's amount due; an invoice whose amount
due reaches zero is paid, and reversing the payment reopens it. Payments are never deleted.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from erp.invoicing.models import (
    CUSTOMER_INVOICE,
    PAID,
    PAYMENT_METHODS,
    POSTED,
    VENDOR_BILL,
    Invoice,
    Payment,
    PaymentAllocation,
)
from erp.invoicing.rules import PAYMENT_TRANSITIONS
from erp.invoicing.summaries import book_cash_in
from shared.company.services import get_company
from shared.dates import company_today
from shared.db import transactional, utcnow
from shared.errors import InvalidState, NotFound, ValidationError
from shared.events import PaymentRecorded, publish
from shared.extensions import db
from shared.money import ZERO
from shared.partners.models import Partner
from shared.validation import Choice, Integer, IsoDate, Number, Text, clean

PAYABLE_KINDS = (CUSTOMER_INVOICE, VENDOR_BILL)

PAYMENT_SPEC = {
    "partner_id": Integer(min_value=1, required=True),
    "amount": Number(places=2, positive=True, required=True),
    "date": IsoDate(),
    "method": Choice(PAYMENT_METHODS, default="bank"),
    "reference": Text(max_length=100),
}
ALLOCATION_SPEC = {
    "invoice_id": Integer(min_value=1, required=True),
    "amount": Number(places=2, positive=True, required=True),
}


def get_payment(payment_id: int) -> Payment:
    payment = db.session.scalar(select(Payment).where(Payment.id == payment_id)
                                .options(selectinload(Payment.allocations)))
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment


def payment_query(partner_id: int | None = None, invoice_id: int | None = None) -> Select:
    stmt = select(Payment).options(selectinload(Payment.allocations)) \
        .order_by(Payment.date.desc(), Payment.id.desc())
    if partner_id:
        stmt = stmt.where(Payment.partner_id == partner_id)
    if invoice_id:
        stmt = stmt.where(Payment.id.in_(select(PaymentAllocation.payment_id)
                                         .where(PaymentAllocation.invoice_id == invoice_id)))
    return stmt


def open_invoices(partner_id: int) -> list[Invoice]:
    """The partner's invoices and bills with an amount due, oldest due first."""
    return list(db.session.scalars(
        select(Invoice).where(Invoice.partner_id == partner_id, Invoice.state == POSTED,
                              Invoice.kind.in_(PAYABLE_KINDS), Invoice.amount_due > 0)
        .order_by(Invoice.due_date, Invoice.id)))


def suggest_allocations(partner_id: int, amount: Decimal | None) -> list[tuple[Invoice, Decimal]]:
    """Oldest first: each open invoice gets what is due until the amount runs out."""
    suggestions = []
    left = amount
    for invoice in open_invoices(partner_id):
        share = invoice.amount_due if left is None else min(left, invoice.amount_due)
        suggestions.append((invoice, share))
        if left is not None:
            left -= share
            if left <= 0:
                break
    return suggestions


def _clean_allocations(raw) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError(fields={"allocations": _("Must be a list.")})
    errors: dict[str, str] = {}
    cleaned = []
    for index, item in enumerate(raw):
        try:
            cleaned.append(clean(ALLOCATION_SPEC, item if isinstance(item, dict) else {}))
        except ValidationError as exc:
            errors.update({f"allocations.{index}.{k}": v for k, v in exc.fields.items()})
    seen = set()
    for index, alloc in enumerate(cleaned):
        if alloc["invoice_id"] in seen:
            errors[f"allocations.{index}.invoice_id"] = _("This invoice is listed twice.")
        seen.add(alloc["invoice_id"])
    if errors:
        raise ValidationError(fields=errors)
    return cleaned


def _locked_invoices(ids: list[int]) -> dict[int, Invoice]:
    """Lock the invoices in id order (no deadlock between two payments) and reload them."""
    rows = db.session.scalars(select(Invoice).where(Invoice.id.in_(ids)).order_by(Invoice.id)
                              .with_for_update(of=Invoice)
                              .execution_options(populate_existing=True))
    return {invoice.id: invoice for invoice in rows}


def _check_allocations(payment_values: dict, allocations: list[dict],
                       invoices: dict[int, Invoice]) -> None:
    errors: dict[str, str] = {}
    for index, alloc in enumerate(allocations):
        invoice = invoices.get(alloc["invoice_id"])
        key = f"allocations.{index}"
        if invoice is None or invoice.partner_id != payment_values["partner_id"]:
            errors[f"{key}.invoice_id"] = _("Not an invoice of this partner.")
        elif invoice.kind not in PAYABLE_KINDS or invoice.state not in (POSTED, PAID):
            errors[f"{key}.invoice_id"] = _("Only posted invoices and bills can be paid.")
        elif alloc["amount"] > invoice.amount_due:
            errors[f"{key}.amount"] = _("More than the amount due (%(due)s).",
                                        due=invoice.amount_due)
    allocated = sum((a["amount"] for a in allocations), ZERO)
    if allocated > payment_values["amount"]:
        errors["allocations"] = _("The allocations (%(sum)s) exceed the payment (%(amount)s).",
                                  sum=allocated, amount=payment_values["amount"])
    if errors:
        raise ValidationError(fields=errors)


@transactional
def record_payment(data: dict, *, user_id: int | None = None) -> Payment:
    errors: dict[str, str] = {}
    try:
        values = clean(PAYMENT_SPEC, data)
    except ValidationError as exc:
        values, errors = {}, dict(exc.fields)
    try:
        allocations = _clean_allocations(data.get("allocations"))
    except ValidationError as exc:
        allocations, errors = [], {**errors, **exc.fields}
    if errors:
        raise ValidationError(fields=errors)
    if db.session.get(Partner, values["partner_id"]) is None:
        raise ValidationError(fields={"partner_id": _("No such partner.")})
    invoices = _locked_invoices([a["invoice_id"] for a in allocations])
    _check_allocations(values, allocations, invoices)
    payment = Payment(partner_id=values["partner_id"], amount=values["amount"],
                      date=values.get("date") or company_today(), method=values["method"],
                      reference=values.get("reference"), currency=get_company().currency,
                      state="posted", created_by_id=user_id)
    db.session.add(payment)
    for alloc in allocations:
        invoice = invoices[alloc["invoice_id"]]
        payment.allocations.append(PaymentAllocation(invoice=invoice, amount=alloc["amount"]))
        invoice.amount_paid += alloc["amount"]
        invoice.amount_due -= alloc["amount"]
        if invoice.amount_due == 0:
            invoice.state = PAID
    book_cash_in(payment)
    db.session.flush()
    publish(PaymentRecorded(payment_id=payment.id, partner_id=payment.partner_id,
                            amount=payment.amount,
                            invoice_ids=tuple(a["invoice_id"] for a in allocations),
                            user_id=user_id))
    return payment


@transactional
def reverse_payment(payment_id: int, *, user_id: int | None = None) -> Payment:
    """Undo a payment: its invoices get their amounts due back (and reopen if paid)."""
    payment = db.session.scalar(select(Payment).where(Payment.id == payment_id)
                                .with_for_update(of=Payment)
                                .execution_options(populate_existing=True))
    if payment is None:
        raise NotFound(_("No such payment."))
    if payment.state not in PAYMENT_TRANSITIONS["reverse"]:
        raise InvalidState(_("This payment is already reversed."))
    invoices = _locked_invoices([a.invoice_id for a in payment.allocations])
    for alloc in payment.allocations:
        invoice = invoices[alloc.invoice_id]
        invoice.amount_paid -= alloc.amount
        invoice.amount_due += alloc.amount
        if invoice.state == PAID:
            invoice.state = POSTED
    book_cash_in(payment, sign=-1)
    payment.state = "reversed"
    payment.reversed_at = utcnow()
    payment.reversed_by_id = user_id
    db.session.flush()
    return payment
