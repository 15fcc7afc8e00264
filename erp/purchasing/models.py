"""Purchase orders, their lines, the receipts made against them, and supplier prices.

A line's quantities tell its story and the CHECKs keep it honest: nothing is received beyond
what was ordered and nothing billed beyond it either. `state` is stored so lists filter on an
index; the services recompute it after every receipt (erp/purchasing/rules.py).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, Cost, Money, Quantity, trigram_indexes, utcnow
from shared.documents import PricedLine, priced_line_checks

DRAFT, CONFIRMED, PARTIALLY_RECEIVED, RECEIVED, CANCELLED = (
    "draft", "confirmed", "partially_received", "received", "cancelled")
ORDER_STATES = (DRAFT, CONFIRMED, PARTIALLY_RECEIVED, RECEIVED, CANCELLED)
OPEN_STATES = (CONFIRMED, PARTIALLY_RECEIVED)  # confirmed, goods still to come

# What billing has done with an order (derived from the lines, never stored).
NOTHING_TO_BILL, TO_BILL, PARTIALLY_BILLED, BILLED = (
    "nothing", "to_bill", "partially_billed", "billed")
BILL_STATUSES = (NOTHING_TO_BILL, TO_BILL, PARTIALLY_BILLED, BILLED)

ZERO_QTY = Decimal("0.000")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class SupplierPrice(Base):
    """What a supplier asks for a product from a minimum quantity on, and how long it takes."""

    __tablename__ = "supplier_prices"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_positive"),
        CheckConstraint("min_qty > 0", name="min_qty_positive"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_positive"),
        Index("ix_supplier_prices_product_supplier", "product_id", "supplier_id", "min_qty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"),
                                             index=True)
    supplier_sku: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[Cost]
    min_qty: Mapped[Quantity] = mapped_column(default=Decimal("1"))
    lead_time_days: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    supplier = relationship("Partner", lazy="joined", innerjoin=True)


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint(_in("state", ORDER_STATES), name="state_known"),
        Index("ix_purchase_orders_supplier_state", "supplier_id", "state"),
        Index("ix_purchase_orders_state_expected_date", "state", "expected_date"),
        *trigram_indexes("purchase_orders", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    order_date: Mapped[date]
    expected_date: Mapped[date]
    # Whether expected_date was given (else it follows the lines' supplier lead times).
    expected_date_set: Mapped[bool] = mapped_column(default=False)
    currency: Mapped[str] = mapped_column(String(3))
    untaxed_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    tax_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    total: Mapped[Money] = mapped_column(default=Decimal("0"))
    supplier_reference: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    received_at: Mapped[datetime | None]  # when the last goods arrived
    cancelled_at: Mapped[datetime | None]

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="order", order_by="PurchaseOrderLine.sequence",
        cascade="all, delete-orphan")
    supplier = relationship("Partner", lazy="joined", innerjoin=True)

    @property
    def partner(self):
        """The supplier, under the name the shared document helpers (PDF language) use."""
        return self.supplier

    @property
    def is_draft(self) -> bool:
        return self.state == DRAFT

    @property
    def is_cancelled(self) -> bool:
        return self.state == CANCELLED

    @property
    def is_open(self) -> bool:
        """Confirmed with goods still to come."""
        return self.state in OPEN_STATES

    def is_late(self, today: date) -> bool:
        return self.is_open and self.expected_date < today

    @property
    def bill_status(self) -> str:
        from erp.purchasing.rules import bill_status

        return bill_status(self)

    @property
    def shows_bill_status(self) -> bool:
        return self.bill_status != NOTHING_TO_BILL


class PurchaseOrderLine(PricedLine, Base):
    __tablename__ = "purchase_order_lines"
    __audit_as__ = ("purchase_orders", "order_id")
    __table_args__ = (
        *priced_line_checks(),
        CheckConstraint("received_qty >= 0 AND billed_qty >= 0", name="quantities_positive"),
        CheckConstraint("received_qty <= quantity", name="received_within_ordered"),
        CheckConstraint("billed_qty <= quantity", name="billed_within_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"),
                                          index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"),
                                            index=True)
    # The product's type when the line was written: services are never received into stock.
    product_type: Mapped[str] = mapped_column(String(12))
    supplier_sku: Mapped[str | None] = mapped_column(String(64))
    received_qty: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    billed_qty: Mapped[Quantity] = mapped_column(default=Decimal("0"))

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    product = relationship("Product", lazy="joined", innerjoin=True)

    @property
    def is_service(self) -> bool:
        return self.product_type == "service"

    @property
    def to_receive_qty(self) -> Decimal:
        """Ordered and not yet received (0 for a service)."""
        return ZERO_QTY if self.is_service else self.quantity - self.received_qty

    @property
    def billable_qty(self) -> Decimal:
        """What may be billed in all: received goods, or the ordered service."""
        return self.quantity if self.is_service else self.received_qty

    @property
    def to_bill_qty(self) -> Decimal:
        return max(ZERO_QTY, self.billable_qty - self.billed_qty)

    @property
    def net_price(self) -> Decimal:
        """The unit price after the line's discount, unrounded (the moving average's input)."""
        return self.unit_price * (Decimal(100) - self.discount_pct) / Decimal(100)


class Receipt(Base):
    """One receipt of an order (WH/IN/00001): the stock moves it made, line by line."""

    __tablename__ = "purchase_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="RESTRICT"),
                                          index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.id", cascade="all, delete-orphan")


class ReceiptLine(Base):
    __tablename__ = "purchase_receipt_lines"
    __audit_as__ = ("purchase_receipts", "receipt_id")
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_receipts.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order_lines.id", ondelete="RESTRICT"), index=True)
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_moves.id", ondelete="RESTRICT"),
                                         unique=True)
    quantity: Mapped[Quantity]
    unit_cost: Mapped[Cost]  # the product's moving-average cost after this receipt

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
    order_line: Mapped[PurchaseOrderLine] = relationship()
