from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, Cost, Money, Quantity, Rate, trigram_indexes, utcnow

PRODUCT_TYPES = ("stockable", "consumable", "service")


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("list_price >= 0", name="list_price_positive"),
        CheckConstraint("cost_price >= 0", name="cost_price_positive"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_rate_range"),
        CheckConstraint("reorder_point IS NULL OR reorder_point >= 0",
                        name="reorder_point_positive"),
        CheckConstraint("reorder_qty >= 0", name="reorder_qty_positive"),
        Index("ix_products_name", "name"),
        *trigram_indexes("products", "sku", "barcode", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(12), default="stockable")
    uom: Mapped[str] = mapped_column(String(20), default="unit")
    list_price: Mapped[Money] = mapped_column(default=Decimal("0"))
    cost_price: Mapped[Cost] = mapped_column(default=Decimal("0"))
    tax_rate: Mapped[Rate] = mapped_column(default=Decimal("13.00"))
    reorder_point: Mapped[Quantity | None]
    reorder_qty: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    default_supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
