"""Sales orders (quotations until confirmed), their lines, and the deliveries made against them.

Quantities on a line tell its whole story and the CHECKs keep it honest: what is reserved and
what is delivered never add up to more than was ordered, and nothing is invoiced beyond the
ordered quantity. `state` and `invoice_status` are stored so lists filter on an index; the
services recompute them after every action (one function each, in services.py).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, Money, Quantity, trigram_indexes, utcnow
from shared.documents import PricedLine, priced_line_checks

DRAFT, CONFIRMED, PARTIALLY_DELIVERED, DELIVERED, CANCELLED = (
    "draft", "confirmed", "partially_delivered", "delivered", "cancelled")
ORDER_STATES = (DRAFT, CONFIRMED, PARTIALLY_DELIVERED, DELIVERED, CANCELLED)
OPEN_STATES = (CONFIRMED, PARTIALLY_DELIVERED)  # confirmed and something left to deliver

NOTHING, TO_INVOICE, PARTIALLY_INVOICED, INVOICED = (
    "nothing", "to_invoice", "partially_invoiced", "invoiced")
INVOICE_STATUSES = (NOTHING, TO_INVOICE, PARTIALLY_INVOICED, INVOICED)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class SalesOrder(Base):
    __tablename__ = "sales_orders"
    __table_args__ = (
        CheckConstraint(_in("state", ORDER_STATES), name="state_known"),
        CheckConstraint(_in("invoice_status", INVOICE_STATUSES), name="invoice_status_known"),
        Index("ix_sales_orders_partner_state", "partner_id", "state"),
        Index("ix_sales_orders_state_confirmed_at", "state", "confirmed_at"),
        Index("ix_sales_orders_invoice_status", "invoice_status"),
        *trigram_indexes("sales_orders", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    # The CRM opportunity it was quoted from; a plain id since erp never depends on crm.
    opportunity_id: Mapped[int | None] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    invoice_status: Mapped[str] = mapped_column(String(20), default=NOTHING)
    order_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    untaxed_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    tax_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    total: Mapped[Money] = mapped_column(default=Decimal("0"))
    customer_reference: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    salesperson_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None]
    # A confirmation past the customer's credit limit, allowed by finance or an admin.
    credit_override_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    credit_override_at: Mapped[datetime | None]
    credit_override_reason: Mapped[str | None] = mapped_column(String(500))

    lines: Mapped[list[SalesOrderLine]] = relationship(
        back_populates="order", order_by="SalesOrderLine.sequence",
        cascade="all, delete-orphan")
    partner = relationship("Partner", lazy="joined", innerjoin=True)

    @property
    def is_quotation(self) -> bool:
        """Not confirmed yet (nor cancelled): a quotation, still editable."""
        return self.state == DRAFT

    @property
    def shows_invoice_status(self) -> bool:
        """Whether the invoice status says anything yet (`nothing` says nothing)."""
        return self.invoice_status != NOTHING


class SalesOrderLine(PricedLine, Base):
    __tablename__ = "sales_order_lines"
    __audit_as__ = ("sales_orders", "order_id")
    __table_args__ = (
        *priced_line_checks(),
        CheckConstraint("reserved_qty >= 0 AND delivered_qty >= 0 AND invoiced_qty >= 0",
                        name="quantities_positive"),
        CheckConstraint("reserved_qty + delivered_qty <= quantity", name="within_ordered"),
        CheckConstraint("invoiced_qty <= quantity", name="invoiced_within_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id", ondelete="CASCADE"),
                                          index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"),
                                            index=True)
    # The product's type when the line was written: services are never reserved or moved.
    product_type: Mapped[str] = mapped_column(String(12))
    reserved_qty: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    delivered_qty: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    invoiced_qty: Mapped[Quantity] = mapped_column(default=Decimal("0"))

    order: Mapped[SalesOrder] = relationship(back_populates="lines")
    product = relationship("Product", lazy="joined", innerjoin=True)

    @property
    def is_service(self) -> bool:
        return self.product_type == "service"

    @property
    def to_deliver_qty(self) -> Decimal:
        """Ordered and not yet delivered (0 for a service)."""
        return Decimal("0") if self.is_service else self.quantity - self.delivered_qty

    @property
    def waiting_qty(self) -> Decimal:
        """Goods still to deliver that no reservation covers yet (0 for a service)."""
        return max(Decimal("0"), self.to_deliver_qty - self.reserved_qty)

    @property
    def invoiceable_qty(self) -> Decimal:
        """What may be invoiced in all: delivered goods, or the ordered service."""
        return self.quantity if self.is_service else self.delivered_qty

    @property
    def to_invoice_qty(self) -> Decimal:
        return max(Decimal("0"), self.invoiceable_qty - self.invoiced_qty)


class Delivery(Base):
    """One delivery of an order (OUT00001): the stock moves it made, line by line."""

    __tablename__ = "sales_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id", ondelete="RESTRICT"),
                                          index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    lines: Mapped[list[DeliveryLine]] = relationship(
        back_populates="delivery", order_by="DeliveryLine.id", cascade="all, delete-orphan")


class DeliveryLine(Base):
    __tablename__ = "sales_delivery_lines"
    __audit_as__ = ("sales_deliveries", "delivery_id")
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("sales_deliveries.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order_lines.id", ondelete="RESTRICT"), index=True)
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_moves.id", ondelete="RESTRICT"),
                                         unique=True)
    quantity: Mapped[Quantity]

    delivery: Mapped[Delivery] = relationship(back_populates="lines")
    order_line: Mapped[SalesOrderLine] = relationship()
