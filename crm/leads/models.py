"""Leads and the record of each CSV import."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, Money, trigram_indexes, utcnow

LEAD_SOURCES = ("web", "referral", "event", "cold_call", "partner", "other")
LEAD_STATUSES = ("new", "contacted", "qualified", "disqualified", "converted")
OPEN_LEAD_STATUSES = ("new", "contacted", "qualified")


class LeadImport(Base):
    """Who imported which file, and how many leads it made."""

    __tablename__ = "lead_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    row_count: Mapped[int] = mapped_column(default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        # Newest first, by owner (my leads, the row-level limit) and by each filter.
        Index("ix_leads_owner_id", "owner_id", "id"),
        Index("ix_leads_owner_status", "owner_id", "status", "id"),
        Index("ix_leads_status_id", "status", "id"),
        Index("ix_leads_source_id", "source", "id"),
        Index("ix_leads_created_at", "created_at"),
        *trigram_indexes("leads", "title", "contact_name", "company_name", "email", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    company_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="new")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expected_revenue: Mapped[Money | None]
    notes: Mapped[str | None] = mapped_column(Text)
    disqualify_reason: Mapped[str | None] = mapped_column(String(500))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL"), index=True)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("lead_imports.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Normalised copies (lower case, no spaces) the duplicate check searches on.
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    phone_key: Mapped[str | None] = mapped_column(String(40), index=True)
    company_key: Mapped[str | None] = mapped_column(String(200), index=True)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LEAD_STATUSES
