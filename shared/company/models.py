from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, deferred, mapped_column

from shared.db import Base, Rate

COMPANY_ID = 1  # there is exactly one company row


class Company(Base):
    __tablename__ = "company"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
    __audit_exclude__ = frozenset({"logo"})

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(100))
    tax_id: Mapped[str | None] = mapped_column(String(50))
    currency: Mapped[str] = mapped_column(String(3))
    bank_details: Mapped[str | None] = mapped_column(Text)
    invoice_footer: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    default_tax_rate: Mapped[Rate] = mapped_column(default=Decimal("13.00"))
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    logo_mimetype: Mapped[str | None] = mapped_column(String(50))
    logo_version: Mapped[int] = mapped_column(default=0)
    # CRM row-level option: salespeople see only the leads and opportunities they own.
    sales_see_own_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Who gets a new ticket without an assignee: manual, round_robin or least_open (API.md).
    ticket_assignment: Mapped[str] = mapped_column(String(12), default="manual",
                                                   server_default="manual")
