from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, Money, trigram_indexes, utcnow

PARTNER_KINDS = ("company", "person")


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint("payment_term_days >= 0", name="payment_term_days_positive"),
        CheckConstraint("credit_limit IS NULL OR credit_limit >= 0", name="credit_limit_positive"),
        Index("ix_partners_name", "name"),
        *trigram_indexes("partners", "name", "code", "email", "phone", "city"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))  # a company's contact person
    kind: Mapped[str] = mapped_column(String(10), default="company")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    tax_id: Mapped[str | None] = mapped_column(String(50))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(100))
    is_customer: Mapped[bool] = mapped_column(default=True)
    is_supplier: Mapped[bool] = mapped_column(default=False)
    payment_term_days: Mapped[int] = mapped_column(default=30)
    credit_limit: Mapped[Money | None]
    notes: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str | None] = mapped_column(String(10))  # documents in this language
    # Normalised copies that the duplicate rules search on (indexed).
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    tax_id_key: Mapped[str | None] = mapped_column(String(50), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def credit_limit_or_zero(self) -> Decimal:
        return self.credit_limit or Decimal("0")
