"""Activities: calls, emails, meetings and tasks due on a lead, opportunity, partner or ticket."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow

ACTIVITY_KINDS = ("call", "email", "meeting", "task")


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN lead_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN opportunity_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN partner_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN ticket_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_target"),
        # "My activities" and the overdue badge: open ones of an owner by due date.
        Index("ix_activities_owner_done_due", "owner_id", "done", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"),
                                                index=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"),
                                                   index=True)
    # Its foreign key to tickets is declared with them (crm/tickets/models.py).
    ticket_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
