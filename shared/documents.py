"""What every priced document's lines share (sales orders and invoices today, purchase orders
next): the columns a line is priced from and the figures stored on it, and the CHECKs that
keep them sane. `shared.money.price_lines` computes the figures; each document keeps its own
id, parent key, product key and quantities of its own (reserved, delivered, credited, ...).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Money, Quantity, Rate


class PricedLine:
    """Mixin of a document line: description, quantity, price, discount and tax, and the
    subtotal, tax and total written by `price_lines` (ARCHITECTURE.md rule 5)."""

    sequence: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Quantity]
    unit_price: Mapped[Money]
    discount_pct: Mapped[Rate] = mapped_column(default=Decimal("0"))
    tax_rate: Mapped[Rate] = mapped_column(default=Decimal("0"))
    subtotal: Mapped[Money] = mapped_column(default=Decimal("0"))
    tax: Mapped[Money] = mapped_column(default=Decimal("0"))
    total: Mapped[Money] = mapped_column(default=Decimal("0"))


def priced_line_checks() -> tuple[CheckConstraint, ...]:
    """The CHECKs of a PricedLine table, for its __table_args__ (fresh objects each call: a
    constraint belongs to one table)."""
    return (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_positive"),
        CheckConstraint("discount_pct >= 0 AND discount_pct <= 100", name="discount_range"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_rate_range"),
    )
