"""Double-entry stock: locations, the move ledger and the balance table (ARCHITECTURE rule 6).

Every move takes a quantity of one product from one location to another. Internal locations
(a warehouse, a shelf) hold stock; the others (suppliers, customers, adjustments) are the
other side of the entry. `StockBalance` keeps on hand and reserved per product and internal
location, updated in the same transaction as each move, so reading a level never sums the
ledger; the ledger can always rebuild the balances (`stock-check`).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, Cost, Quantity, utcnow

LOCATION_KINDS = ("internal", "supplier", "customer", "adjustment")

# The locations init-db creates: code -> (name, kind).
DEFAULT_LOCATIONS = {
    "WH/Stock": ("Warehouse stock", "internal"),
    "Suppliers": ("Suppliers", "supplier"),
    "Customers": ("Customers", "customer"),
    "Adjustments": ("Inventory adjustments", "adjustment"),
}
MAIN_STOCK = "WH/Stock"
# How the pages show the default locations' codes and names in the user's language (the codes
# themselves are identifiers of the API and stay as they are).
DEFAULT_LOCATION_LABELS = {
    "Suppliers": (_l("Suppliers"), _l("Suppliers")),
    "Customers": (_l("Customers"), _l("Customers")),
    "Adjustments": (_l("Adjustments"), _l("Inventory adjustments")),
    "WH/Stock": ("WH/Stock", _l("Warehouse stock")),
}


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12), default="internal")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_internal(self) -> bool:
        return self.kind == "internal"


class StockMove(Base):
    """One done move. Never edited or deleted: a mistake is corrected by its reversal."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("from_location_id <> to_location_id", name="two_locations"),
        # Newest-first ledgers per product and per location read these indexes in order.
        Index("ix_stock_moves_product_id_id", "product_id", "id"),
        # Stock valuation at a date: each product's last move before a moment, by time then
        # id (PostgreSQL's indexes do not end with the row id as SQLite's do), and the
        # forecast's net of moves, read from the index alone (erp/inventory/reports.py).
        Index("ix_stock_moves_valuation", "product_id", "created_at", "id",
              "from_location_id", "to_location_id", "quantity", "unit_cost"),
        Index("ix_stock_moves_from_location_id_id", "from_location_id", "id"),
        Index("ix_stock_moves_to_location_id_id", "to_location_id", "id"),
        Index("ix_stock_moves_reference", "reference"),
        Index("ix_stock_moves_created_at", "created_at"),
        # A product's moves into a location over a date window: its deliveries to customers
        # in the forecast's 30 and 90 days, without reading its receipts and transfers.
        Index("ix_stock_moves_product_to_location_created", "product_id", "to_location_id",
              "created_at"),
        Index("ix_stock_moves_user_id_id", "user_id", "id"),
    )
    __audited__ = False  # the ledger is its own audit trail: who, when, what, never changed

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[Quantity]
    # The product's cost price once the move was booked (for a purchase receipt, after its
    # moving-average update): stock can be valued at any date and margins reported.
    unit_cost: Mapped[Cost] = mapped_column(default=Decimal("0"))
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    reference: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set on a reversal: the move it undoes (each move can be reversed once).
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("stock_moves.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StockBalance(Base):
    """On hand and reserved of one product in one internal location."""

    __tablename__ = "stock_balances"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        Index("ix_stock_balances_location_id", "location_id"),
    )
    __audited__ = False  # derived from the ledger, which stock-check rebuilds it from

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    on_hand: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    reserved: Mapped[Quantity] = mapped_column(default=Decimal("0"))

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockByDay(Base):
    """Per product and day (company time zone, by the move's time): the net change of the
    stock in internal locations, in minus out (a move between two internal locations
    changes none). Updated with the balances by `book_move`, so the stock at the end of any
    day is today's balance less the days after it (the stock valuation at a date)."""

    __tablename__ = "stock_by_day"
    __audited__ = False  # derived from the ledger, which stock-check rebuilds it from

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    net: Mapped[Quantity] = mapped_column(default=Decimal("0"))


class StockCount(Base):
    """A confirmed physical count of one location; its differences are moves referenced by
    the count's number."""

    __tablename__ = "stock_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    line_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScannerSettings(Base):
    """What the warehouse terminal remembers per user: the last move type and locations."""

    __tablename__ = "scanner_settings"
    __table_args__ = (UniqueConstraint("user_id"),)
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    move_type: Mapped[str] = mapped_column(String(20), default="receipt")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
