"""The sales and cash summaries the dashboards and the sales report read, kept like the stock
balances.

Posting a customer invoice adds its lines to `sales_by_partner` (per month, customer and the
salesperson it counts for) and `sales_by_product` (per month and product), and rewrites the
customer's `customer_rhythm` (its invoice dates: how many, the last, the median gap, for the
at-risk report); posting a customer credit note subtracts its lines. Recording a payment
adds what it allocates to customer invoices to `cash_in_by_day` (on the payment's date);
reversing it subtracts the same. Each is written in the transaction that posts or pays, the
sums with an atomic increment (`insert_or_add`), so a summary never disagrees with the
documents it sums. Posted invoices never change afterwards (a cancel is only from draft, a
correction is a credit note), so these are the only writes.

The invoices and payments stay the truth: `flask stock-check` compares each summary with
them and `--repair` rebuilds it (after a bulk load such as seed-scale, or a restore of an
older backup).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from statistics import median
from typing import Any

from sqlalchemy import Select, case, column, delete, func, insert, select, table, update
from sqlalchemy.orm import aliased

from erp.invoicing.models import (
    CUSTOMER_CREDIT_NOTE,
    CUSTOMER_INVOICE,
    CashInByDay,
    CustomerRhythm,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    SalesByPartner,
    SalesByProduct,
)
from shared.db import transactional
from shared.extensions import db
from shared.money import ZERO, round_money
from shared.upsert import insert_ignore, insert_or_add

SALES_KINDS = (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE)
BOOKED_STATES = ("posted", "paid")
QTY_PLACES = Decimal("0.001")


def month_of(day: date) -> date:
    return day.replace(day=1)


# --------------------------------------------------------------------------- who a sale counts for

# The sales orders' salesperson, read by table name (sales builds on invoicing, not back).
SALES_ORDERS = table("sales_orders", column("id"), column("salesperson_id"))


def salesperson_of(original: Any) -> Any:
    """Who an invoice counts for (API.md): the order's salesperson, else the invoice's
    creator. A credit note counts for the salesperson of the invoice it credits (its order
    is the invoice's), so a return lowers the same person's figures; without an order, the
    credited invoice's creator, else the credit note's own. `original` is an alias of
    Invoice joined by `attributed`."""
    return func.coalesce(SALES_ORDERS.c.salesperson_id, original.created_by_id,
                         Invoice.created_by_id)


def attributed(stmt: Select, original: Any) -> Select:
    """`stmt` joined to what `salesperson_of` reads: the order and the credited invoice."""
    return (stmt.outerjoin(SALES_ORDERS, SALES_ORDERS.c.id == Invoice.sales_order_id)
            .outerjoin(original, original.id == Invoice.reversed_invoice_id))


def _salesperson_key(invoice: Invoice) -> int:
    """`salesperson_of` the invoice being posted (flushed first, so SQL can read it); 0 for
    nobody."""
    db.session.flush()
    original = aliased(Invoice)
    stmt = attributed(select(salesperson_of(original)).select_from(Invoice), original) \
        .where(Invoice.id == invoice.id)
    return db.session.scalar(stmt) or 0


def median_gap(dates: list[date]) -> Decimal | None:
    """The median gap in days between consecutive distinct dates (sorted), 1 place; None
    with fewer than 2 dates (the at-risk rule of API.md)."""
    gaps = [(later - earlier).days for earlier, later in pairwise(dates)]
    return Decimal(str(median(gaps))).quantize(Decimal("0.1")) if gaps else None


def rhythm_of(dates: list[date]) -> dict[str, Any]:
    """The customer_rhythm figures of a customer's sorted distinct invoice dates."""
    return {"invoice_days": len(dates), "last_invoice_date": dates[-1],
            "median_gap_days": median_gap(dates)}


# --------------------------------------------------------------------------- kept in step


def book_sale(invoice: Invoice) -> None:
    """Add a customer invoice being posted to the sales summaries (a credit note counts
    negative); other kinds are not sales. The product rows are written in id order, so two
    postings that share products lock them in the same order."""
    if invoice.kind not in SALES_KINDS:
        return
    book_rhythm(invoice)
    sign = -1 if invoice.kind == CUSTOMER_CREDIT_NOTE else 1
    month = month_of(invoice.invoice_date)
    quantity = revenue = cost = ZERO
    products: dict[int, list[Decimal]] = {}
    for line in invoice.lines:
        line_cost = line.quantity * line.unit_cost
        quantity += line.quantity
        revenue += line.subtotal
        cost += line_cost
        sums = products.setdefault(line.product_id or 0, [ZERO, ZERO, ZERO])
        sums[0] += line.quantity
        sums[1] += line.subtotal
        sums[2] += line_cost
    db.session.execute(
        insert_or_add(SalesByPartner, ("month", "partner_id", "salesperson_id"),
                      ("quantity", "revenue", "cost")),
        {"month": month, "partner_id": invoice.partner_id,
         "salesperson_id": _salesperson_key(invoice), "quantity": sign * quantity,
         "revenue": sign * revenue, "cost": sign * cost})
    db.session.execute(
        insert_or_add(SalesByProduct, ("month", "product_id"),
                      ("quantity", "revenue", "cost")),
        [{"month": month, "product_id": pid, "quantity": sign * qty,
          "revenue": sign * amount, "cost": sign * line_cost}
         for pid, (qty, amount, line_cost) in sorted(products.items())])


def book_rhythm(invoice: Invoice) -> None:
    """Rewrite the customer's invoicing rhythm for a customer invoice being posted. The
    customer's row is locked first (made if missing), so two postings for one customer take
    turns and the second reads the first's date (each statement of PostgreSQL's READ
    COMMITTED sees what committed before it); then its dates are read from an index."""
    if invoice.kind != CUSTOMER_INVOICE:
        return
    partner_id = invoice.partner_id
    db.session.execute(insert_ignore(CustomerRhythm, {
        "partner_id": partner_id, "invoice_days": 0,
        "last_invoice_date": invoice.invoice_date}, ["partner_id"]))
    db.session.execute(select(CustomerRhythm.partner_id)
                       .where(CustomerRhythm.partner_id == partner_id).with_for_update())
    others = db.session.scalars(
        select(Invoice.invoice_date).distinct()
        .where(Invoice.kind == CUSTOMER_INVOICE, Invoice.partner_id == partner_id,
               Invoice.state.in_(BOOKED_STATES), Invoice.id != invoice.id))
    dates = sorted(set(others) | {invoice.invoice_date})
    db.session.execute(update(CustomerRhythm).where(CustomerRhythm.partner_id == partner_id)
                       .values(**rhythm_of(dates)))


def book_cash_in(payment: Payment, sign: int = 1) -> None:
    """Add (sign 1, recording) or take back (sign -1, reversing) what `payment` allocates to
    customer invoices, on its date. The allocated invoices are already loaded (locked) by
    the caller, so `alloc.invoice` reads no row."""
    amount = sum((alloc.amount for alloc in payment.allocations
                  if alloc.invoice.kind == CUSTOMER_INVOICE), ZERO)
    if amount:
        db.session.execute(insert_or_add(CashInByDay, ("day",), ("amount",)),
                           {"day": payment.date, "amount": sign * amount})


# --------------------------------------------------------------------------- rebuilt from the truth


def sales_sign():
    """1 for a customer invoice's lines, -1 for a customer credit note's (in SQL)."""
    return case((Invoice.kind == CUSTOMER_CREDIT_NOTE, -1), else_=1)


def _sales_lines() -> list[Any]:
    """Σ per (invoice date, customer, salesperson, product) over the booked customer
    invoices' lines, less the credit notes': what every sales summary row is folded from."""
    sign = sales_sign()
    original = aliased(Invoice)
    person = func.coalesce(salesperson_of(original), 0).label("salesperson_id")
    stmt = (select(Invoice.invoice_date, Invoice.partner_id, person, InvoiceLine.product_id,
                   func.sum(InvoiceLine.quantity * sign).label("quantity"),
                   func.sum(InvoiceLine.subtotal * sign).label("revenue"),
                   func.sum(InvoiceLine.quantity * InvoiceLine.unit_cost * sign).label("cost"))
            .select_from(InvoiceLine).join(Invoice, Invoice.id == InvoiceLine.invoice_id))
    stmt = (attributed(stmt, original)
            .where(Invoice.kind.in_(SALES_KINDS), Invoice.state.in_(BOOKED_STATES))
            .group_by(Invoice.invoice_date, Invoice.partner_id, person, InvoiceLine.product_id))
    return db.session.execute(stmt).all()


Key = tuple
Sums = dict[str, Decimal]


def _fold(rows: Iterable[Any], key_of, names: tuple[str, ...]) -> dict[Key, Sums]:
    folded: dict[Key, Sums] = {}
    for row in rows:
        key = key_of(row)
        sums = folded.setdefault(key, dict.fromkeys(names, ZERO))
        for name in names:
            sums[name] += Decimal(getattr(row, name) or 0)
    return folded


def _cash_in_ledger() -> dict[Key, Sums]:
    stmt = (select(Payment.date, func.sum(PaymentAllocation.amount).label("amount"))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
            .where(Payment.state == "posted", Invoice.kind == CUSTOMER_INVOICE)
            .group_by(Payment.date))
    return _fold(db.session.execute(stmt), lambda row: (row.date,), ("amount",))


def _rhythm_ledger() -> dict[Key, dict[str, Any]]:
    stmt = (select(Invoice.partner_id, Invoice.invoice_date).distinct()
            .where(Invoice.kind == CUSTOMER_INVOICE, Invoice.state.in_(BOOKED_STATES)))
    dates: dict[int, set[date]] = {}
    for partner_id, day in db.session.execute(stmt):
        dates.setdefault(partner_id, set()).add(day)
    return {(partner_id,): rhythm_of(sorted(days)) for partner_id, days in dates.items()}


@dataclass(frozen=True)
class Summary:
    """One summary table: its key columns, the sums it keeps, and how to rebuild its rows
    from the documents."""

    model: type
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    ledger: Any  # fn(sales lines) -> {key: {sum: value}}; the lines are read once per check

    @property
    def name(self) -> str:
        return self.model.__tablename__

    def stored(self) -> dict[Key, Sums]:
        columns = [getattr(self.model, name) for name in (*self.keys, *self.sums)]
        return {tuple(row[:len(self.keys)]): dict(zip(self.sums, row[len(self.keys):],
                                                      strict=True))
                for row in db.session.execute(select(*columns))}


SUMMARIES = (
    Summary(SalesByPartner, ("month", "partner_id", "salesperson_id"),
            ("quantity", "revenue", "cost"),
            lambda lines: _fold(lines, lambda r: (month_of(r.invoice_date), r.partner_id,
                                                  r.salesperson_id),
                                ("quantity", "revenue", "cost"))),
    Summary(SalesByProduct, ("month", "product_id"), ("quantity", "revenue", "cost"),
            lambda lines: _fold(lines, lambda r: (month_of(r.invoice_date), r.product_id or 0),
                                ("quantity", "revenue", "cost"))),
    Summary(CashInByDay, ("day",), ("amount",), lambda _lines: _cash_in_ledger()),
    Summary(CustomerRhythm, ("partner_id",),
            ("invoice_days", "last_invoice_date", "median_gap_days"),
            lambda _lines: _rhythm_ledger()),
)


def _comparable(name: str, value: Any) -> Any:
    """Compared as shown: money to the cent, quantities to 3 places (SQLite adds in binary
    floating point, so the 7th place of a stored sum may differ from the exact one); dates
    and counts as they are, a missing figure as 0."""
    if isinstance(value, (date, int)) and not isinstance(value, bool):
        return value
    value = Decimal(value or 0)
    return value.quantize(QTY_PLACES) if name == "quantity" else round_money(value)


@dataclass(frozen=True)
class SummaryDrift:
    table: str
    key: Key
    stored: Sums
    ledger: Sums

    def __str__(self) -> str:
        key = ", ".join(str(part) for part in self.key)
        return (f"{self.table} ({key}): stored "
                f"{ {k: str(_comparable(k, v)) for k, v in self.stored.items()} }, documents "
                f"{ {k: str(_comparable(k, v)) for k, v in self.ledger.items()} }")


def _differs(names: tuple[str, ...], stored: Sums | None, ledger: Sums | None) -> bool:
    return any(_comparable(n, (stored or {}).get(n)) != _comparable(n, (ledger or {}).get(n))
               for n in names)


def find_summary_drift() -> list[SummaryDrift]:
    """Every summary row that differs from what the invoices and payments say (a row that
    should be there and is not, or sums to zero and is, counts only when its figures do)."""
    return _drift(_sales_lines())


def _drift(lines: list[Any]) -> list[SummaryDrift]:
    drift = []
    for summary in SUMMARIES:
        stored, ledger = summary.stored(), summary.ledger(lines)
        zero = dict.fromkeys(summary.sums, ZERO)
        for key in sorted(set(stored) | set(ledger), key=str):
            if _differs(summary.sums, stored.get(key), ledger.get(key)):
                drift.append(SummaryDrift(summary.name, key, stored.get(key, zero),
                                          ledger.get(key, zero)))
    return drift


@transactional
def rebuild_summaries() -> list[SummaryDrift]:
    """Replace every summary's rows with the figures of the invoices and payments; returns
    the drift found before."""
    lines = _sales_lines()
    drift = _drift(lines)
    for summary in SUMMARIES:
        db.session.execute(delete(summary.model))
        rows = [{**dict(zip(summary.keys, key, strict=True)), **sums}
                for key, sums in summary.ledger(lines).items()]
        if rows:
            db.session.execute(insert(summary.model), rows)
    return drift
