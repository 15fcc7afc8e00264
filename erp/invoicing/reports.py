"""Accounts receivable and payable aging: what customers owe and what we owe suppliers, by
how late it is."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric, case, func, select

from erp.invoicing.models import CUSTOMER_INVOICE, VENDOR_BILL, Invoice
from erp.invoicing.services import AGING_BUCKETS, bucket_condition
from shared.dates import company_today
from shared.extensions import db
from shared.money import ZERO, round_money
from shared.partners.models import Partner


@dataclass
class AgingRow:
    partner_id: int | None
    name: str
    buckets: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    def as_json(self) -> dict:
        return {"partner_id": self.partner_id, "name": self.name, **self.buckets,
                "total": self.total}


def ar_aging(as_of: date | None = None) -> tuple[list[AgingRow], AgingRow]:
    """Accounts receivable: what customers owe, from posted customer invoices."""
    return aging(CUSTOMER_INVOICE, as_of)


def ap_aging(as_of: date | None = None) -> tuple[list[AgingRow], AgingRow]:
    """Accounts payable: what we owe suppliers, from posted vendor bills."""
    return aging(VENDOR_BILL, as_of)


def aging(kind: str, as_of: date | None = None) -> tuple[list[AgingRow], AgingRow]:
    """One row per partner with a balance (by name), and the totals row; one query.

    Each posted invoice of `kind` dated on or before `as_of` counts its current amount due
    (net of payments and credit notes) in the bucket of its days past due on `as_of`."""
    as_of = as_of or company_today()
    sums = [func.coalesce(func.sum(case((bucket_condition(bucket, as_of, kind),
                                         Invoice.amount_due),
                                        else_=0)), 0).cast(Numeric(18, 2)).label(bucket)
            for bucket in AGING_BUCKETS]
    stmt = (select(Invoice.partner_id, Partner.name, *sums)
            .join(Partner, Partner.id == Invoice.partner_id)
            .where(Invoice.kind == kind, Invoice.state == "posted",
                   Invoice.amount_due > 0, Invoice.invoice_date <= as_of)
            .group_by(Invoice.partner_id, Partner.name)
            .order_by(Partner.name, Invoice.partner_id))
    rows = []
    totals = AgingRow(None, "", {bucket: ZERO for bucket in AGING_BUCKETS})
    for record in db.session.execute(stmt):
        row = AgingRow(record.partner_id, record.name,
                       {bucket: round_money(getattr(record, bucket)) for bucket in AGING_BUCKETS})
        for bucket in AGING_BUCKETS:
            totals.buckets[bucket] += row.buckets[bucket]
        rows.append(row)
    return rows, totals


def partner_balance(partner_id: int | None, today: date | None = None) -> dict[str, Decimal]:
    """What a customer owes us and we owe a supplier, and how much of it is overdue; with
    partner_id None, the same over every partner (the home page's figures)."""
    today = today or company_today()
    open_ = (Invoice.state == "posted") & (Invoice.amount_due > 0)
    if partner_id is not None:
        open_ = open_ & (Invoice.partner_id == partner_id)
    overdue = open_ & (Invoice.due_date < today)

    def total(condition, kind):
        return func.coalesce(func.sum(case((condition & (Invoice.kind == kind),
                                            Invoice.amount_due), else_=0)), 0)

    row = db.session.execute(select(
        total(open_, "customer_invoice"), total(overdue, "customer_invoice"),
        total(open_, "vendor_bill"), total(overdue, "vendor_bill"))).one()
    keys = ("receivable", "receivable_overdue", "payable", "payable_overdue")
    return {key: round_money(value) for key, value in zip(keys, row, strict=True)}


def customer_totals(partner_id: int, today: date | None = None) -> dict[str, Decimal]:
    """The invoicing figures of API.md's partner summary, in one query: what the customer
    owes (`open_amount_due`), how much of it is overdue, and `lifetime_revenue` (posted and
    paid customer invoices minus customer credit notes, untaxed)."""
    today = today or company_today()
    posted = Invoice.state.in_(("posted", "paid"))
    invoice = Invoice.kind == CUSTOMER_INVOICE
    open_ = posted & invoice & (Invoice.amount_due > 0)
    signed = case((Invoice.kind == "customer_credit_note", -Invoice.untaxed_amount),
                  else_=Invoice.untaxed_amount)
    row = db.session.execute(
        select(func.coalesce(func.sum(case((open_, Invoice.amount_due), else_=0)), 0),
               func.coalesce(func.sum(case((open_ & (Invoice.due_date < today),
                                            Invoice.amount_due), else_=0)), 0),
               func.coalesce(func.sum(case((posted, signed), else_=0)), 0))
        .where(Invoice.partner_id == partner_id,
               Invoice.kind.in_((CUSTOMER_INVOICE, "customer_credit_note")))).one()
    keys = ("open_amount_due", "overdue_amount", "lifetime_revenue")
    return {key: round_money(value) for key, value in zip(keys, row, strict=True)}
