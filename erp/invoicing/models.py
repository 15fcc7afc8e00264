"""Invoices (four kinds), their lines, payments and their allocations, stored PDFs."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from shared.dates import company_today
from shared.db import Base, Cost, Money, Quantity, utcnow
from shared.documents import PricedLine, priced_line_checks

CUSTOMER_INVOICE = "customer_invoice"
CUSTOMER_CREDIT_NOTE = "customer_credit_note"
VENDOR_BILL = "vendor_bill"
VENDOR_CREDIT_NOTE = "vendor_credit_note"
INVOICE_KINDS = (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE, VENDOR_BILL, VENDOR_CREDIT_NOTE)
CREDIT_NOTE_OF = {CUSTOMER_INVOICE: CUSTOMER_CREDIT_NOTE, VENDOR_BILL: VENDOR_CREDIT_NOTE}
CREDIT_NOTE_KINDS = tuple(CREDIT_NOTE_OF.values())
# Number prefixes of API.md; each kind is its own gapless yearly sequence.
NUMBER_PREFIXES = {CUSTOMER_INVOICE: "INV/{year}/", CUSTOMER_CREDIT_NOTE: "RINV/{year}/",
                   VENDOR_BILL: "BILL/{year}/", VENDOR_CREDIT_NOTE: "RBILL/{year}/"}

DRAFT, POSTED, PAID, CANCELLED = "draft", "posted", "paid", "cancelled"
INVOICE_STATES = (DRAFT, POSTED, PAID, CANCELLED)

PAYMENT_METHODS = ("bank", "cash", "card", "other")
PAYMENT_STATES = ("posted", "reversed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("kind", "number"),
        CheckConstraint(_in("kind", INVOICE_KINDS), name="kind_known"),
        CheckConstraint(_in("state", INVOICE_STATES), name="state_known"),
        CheckConstraint("state = 'draft' OR state = 'cancelled' OR number IS NOT NULL",
                        name="posted_has_number"),
        CheckConstraint("amount_due >= 0", name="amount_due_positive"),
        Index("ix_invoices_state_due_date", "state", "due_date"),
        Index("ix_invoices_partner_state", "partner_id", "state"),
        Index("ix_invoices_invoice_date", "invoice_date"),
        # the sales report (kind, dates) and the at-risk report (each customer's dates)
        Index("ix_invoices_kind_invoice_date", "kind", "invoice_date"),
        Index("ix_invoices_kind_partner_date", "kind", "partner_id", "invoice_date", "state"),
        # what is open and overdue (home cards, aging widgets) read from the index alone
        Index("ix_invoices_open_balances", "state", "kind", "due_date", "amount_due",
              "invoice_date"),
        # the customers whose invoices count for a salesperson (my customers at risk)
        Index("ix_invoices_created_by_id", "created_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(12), default=DRAFT)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    invoice_date: Mapped[date]
    due_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    untaxed_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    tax_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    total: Mapped[Money] = mapped_column(default=Decimal("0"))
    amount_paid: Mapped[Money] = mapped_column(default=Decimal("0"))  # payments allocated
    amount_credited: Mapped[Money] = mapped_column(default=Decimal("0"))  # credit notes
    amount_due: Mapped[Money] = mapped_column(default=Decimal("0"))  # stored for aging
    # Plain ids for now: the sales and purchasing tables arrive with a later issue.
    sales_order_id: Mapped[int | None] = mapped_column(index=True)
    purchase_order_id: Mapped[int | None] = mapped_column(index=True)
    reversed_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime | None]

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.sequence",
        cascade="all, delete-orphan")
    partner = relationship("Partner", lazy="joined", innerjoin=True)

    @property
    def display_status(self) -> str:
        """The state the pages show: a posted invoice that payments or credit notes have
        lowered but not settled is `partially_paid`."""
        if self.state == POSTED and self.amount_due < self.total:
            return "partially_paid"
        return self.state

    @property
    def is_draft(self) -> bool:
        return self.state == DRAFT

    @property
    def is_credit_note(self) -> bool:
        return self.kind in CREDIT_NOTE_KINDS

    @property
    def is_customer(self) -> bool:
        return self.kind in (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE)

    def is_overdue(self, today: date | None = None) -> bool:
        return (self.state == POSTED and self.amount_due > 0
                and self.due_date < (today or company_today()))


class InvoiceLine(PricedLine, Base):
    __tablename__ = "invoice_lines"
    __audit_as__ = ("invoices", "invoice_id")
    __table_args__ = (
        *priced_line_checks(),
        CheckConstraint("credited_qty >= 0 AND credited_qty <= quantity",
                        name="credited_qty_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"),
                                            index=True)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    credited_qty: Mapped[Quantity] = mapped_column(default=Decimal("0"))  # by credit notes
    # Read-only: the product's cost price when the invoice (or credit note) was posted, for
    # stockable and consumable products; 0 otherwise (the sales report's cost and margin).
    unit_cost: Mapped[Cost] = mapped_column(default=Decimal("0"))
    origin_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice_lines.id", ondelete="SET NULL"), index=True)
    # The sales order line this invoices; the order's invoiced quantities are summed from it.
    sales_order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_order_lines.id", ondelete="SET NULL"), index=True)
    # The purchase order line a vendor bill line bills; billed quantities are summed from it.
    purchase_order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_order_lines.id", ondelete="SET NULL"), index=True)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(_in("method", PAYMENT_METHODS), name="method_known"),
        CheckConstraint(_in("state", PAYMENT_STATES), name="state_known"),
        Index("ix_payments_partner_date", "partner_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    date: Mapped[date]
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10), default="posted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversed_at: Mapped[datetime | None]
    reversed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    allocations: Mapped[list[PaymentAllocation]] = relationship(
        back_populates="payment", order_by="PaymentAllocation.id", cascade="all, delete-orphan")
    partner = relationship("Partner", lazy="joined", innerjoin=True)

    @property
    def is_reversed(self) -> bool:
        return self.state == "reversed"

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations), Decimal("0.00"))

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


class PaymentAllocation(Base):
    __tablename__ = "payment_allocations"
    __audit_as__ = ("payments", "payment_id")
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("payment_id", "invoice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"),
                                            index=True)
    amount: Mapped[Money]

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship()


class InvoicePdf(Base):
    """The stored PDF of a posted invoice. What was invoiced (number, dates, lines, taxes,
    totals) is frozen at posting, so every rendering shows it identically; the payments
    block is as of `settlement` (erp/invoicing/pdf.py: settlement_key), and the PDF is laid
    out again only when payments or credit notes change it."""

    __tablename__ = "invoice_pdfs"
    __audited__ = False

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"),
                                            primary_key=True, autoincrement=False)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64))
    settlement: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


BATCH_STATES = ("queued", "running", "done", "failed")


class PdfBatchJob(Base):
    """A batch PDF download rendered in the background (erp/invoicing/batch.py). Kept in the
    database so that every web worker answers its progress polls, and so that another worker
    can take it over when the one rendering it dies (its heartbeat goes stale)."""

    __tablename__ = "pdf_batch_jobs"
    __audited__ = False
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invoice_ids: Mapped[str] = mapped_column(Text)  # comma-separated, in the asked order
    total: Mapped[int]
    done: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    # Who renders it now (a random id per attempt): only that runner's writes count.
    runner: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    heartbeat_at: Mapped[datetime | None]
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def ids(self) -> list[int]:
        return [int(v) for v in self.invoice_ids.split(",") if v]

    @property
    def ready(self) -> bool:
        return self.state == "done"

    @property
    def failed(self) -> bool:
        return self.state == "failed"

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 100


# --------------------------------------------------------------------------- summaries
# Kept in the posting and payment transactions (erp/invoicing/summaries.py) so the dashboards
# read a few hundred rows, not every invoice line of two years; the drift check rebuilds them
# from the invoices and payments, which stay the truth.
COST_SUM = Numeric(20, 7)  # Σ quantity (3 places) × unit cost (4 places), exact


class SalesByPartner(Base):
    """Per month, customer and salesperson (who the invoice counts for, `salesperson_of`;
    0 for nobody, so it can be part of the key): posted customer invoices less customer
    credit notes, by invoice date: quantity, untaxed revenue and cost (Σ quantity × the
    line's unit_cost)."""

    __tablename__ = "sales_by_partner"

    month: Mapped[date] = mapped_column(primary_key=True)  # the month's first day
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), primary_key=True)
    salesperson_id: Mapped[int] = mapped_column(primary_key=True)  # users.id, or 0
    quantity: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    revenue: Mapped[Money] = mapped_column(default=Decimal("0"))
    cost: Mapped[Decimal] = mapped_column(COST_SUM, default=Decimal("0"))


class SalesByProduct(Base):
    """The same per month and product (0 for the lines without a product, so it can be part
    of the key; hence no foreign key)."""

    __tablename__ = "sales_by_product"

    month: Mapped[date] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(primary_key=True)  # products.id, or 0
    quantity: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    revenue: Mapped[Money] = mapped_column(default=Decimal("0"))
    cost: Mapped[Decimal] = mapped_column(COST_SUM, default=Decimal("0"))


class CashInByDay(Base):
    """Per payment date: posted payments' allocations to customer invoices (cash received)."""

    __tablename__ = "cash_in_by_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    amount: Mapped[Money] = mapped_column(default=Decimal("0"))


class CustomerRhythm(Base):
    """Per customer, the distinct dates of its posted customer invoices summed up for the
    at-risk report: how many, the last, and the median gap in days between consecutive
    ones (null with fewer than 2). Rewritten when posting an invoice on a new date."""

    __tablename__ = "customer_rhythm"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), primary_key=True)
    invoice_days: Mapped[int]
    last_invoice_date: Mapped[date]
    median_gap_days: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
