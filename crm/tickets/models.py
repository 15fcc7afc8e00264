"""Service tickets, their conversation, the SLA policies per priority and the support
calendar (working days, hours and holidays) the deadlines may count in."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, trigram_indexes, utcnow

NEW, OPEN, PENDING, RESOLVED, CLOSED = "new", "open", "pending", "resolved", "closed"
TICKET_STATUSES = (NEW, OPEN, PENDING, RESOLVED, CLOSED)
ACTIVE_STATUSES = (NEW, OPEN, PENDING)  # the SLA clock runs; counted by least_open
FINISHED_STATUSES = (RESOLVED, CLOSED)
LOW, NORMAL, HIGH, URGENT = "low", "normal", "high", "urgent"
PRIORITIES = (LOW, NORMAL, HIGH, URGENT)
ASSIGNMENT_MODES = ("manual", "round_robin", "least_open")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(_in("status", TICKET_STATUSES), name="status_known"),
        CheckConstraint(_in("priority", PRIORITIES), name="priority_known"),
        # The queue: active tickets (exactly those with a next deadline) by nearest deadline,
        # also "due today" and the live part of the breached filter; per status, assignee
        # and priority; the late ones (sla_breached) that are still active. The lists'
        # newest-first order per status.
        Index("ix_tickets_next_deadline", "next_deadline"),
        Index("ix_tickets_status_deadline", "status", "next_deadline"),
        Index("ix_tickets_status_id", "status", "id"),
        Index("ix_tickets_assignee_deadline", "assignee_id", "next_deadline"),
        Index("ix_tickets_priority_deadline", "priority", "next_deadline"),
        Index("ix_tickets_breached_deadline", "sla_breached", "next_deadline"),
        Index("ix_tickets_partner_id_desc", "partner_id", "id"),
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_resolved_at", "resolved_at"),
        *trigram_indexes("tickets", "subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default=NORMAL)
    status: Mapped[str] = mapped_column(String(10), default=NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sales_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_orders.id", ondelete="SET NULL"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL"), index=True)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_due: Mapped[datetime]
    resolution_due: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # The deadline the ticket must meet next while it is active (the first response's until
    # it is given, then the resolution's); None once resolved or closed. The queue sorts on
    # it and a ticket is breached now when it lies in the past.
    next_deadline: Mapped[datetime | None]
    # A deadline that was already missed when it was met (first response or resolution
    # late); kept by the services so the breached filter is two indexed conditions.
    sla_breached: Mapped[bool] = mapped_column(default=False)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Given by round robin or least open (round robin continues after the last of these).
    auto_assigned: Mapped[bool] = mapped_column(default=False)

    @property
    def is_finished(self) -> bool:
        """Resolved or closed: its SLA clock has stopped."""
        return self.status in FINISHED_STATUSES

    def breached(self, now: datetime) -> bool:
        from crm.tickets.sla import is_breached

        return is_breached(self.sla_breached, self.next_deadline, now)


class TicketComment(Base):
    """A public reply or an internal note on a ticket (every user is staff)."""

    __tablename__ = "ticket_comments"
    __audited__ = False  # comments are never edited; the row itself is the record
    __table_args__ = (Index("ix_ticket_comments_ticket_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaPolicy(Base):
    """The hours a ticket of one priority has for its first response and its resolution."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint(_in("priority", PRIORITIES), name="priority_known"),
        CheckConstraint("first_response_hours BETWEEN 1 AND 8760", name="first_response_range"),
        CheckConstraint("resolution_hours BETWEEN 1 AND 8760", name="resolution_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[str] = mapped_column(String(10), unique=True)
    first_response_hours: Mapped[int]
    resolution_hours: Mapped[int]


class SupportCalendar(Base):
    """One row: whether SLA hours count calendar hours (the default) or the support team's
    working hours, and which those are (days as ISO weekday numbers, "1,2,3,4,5")."""

    __tablename__ = "support_calendar"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),
                      CheckConstraint("day_start < day_end", name="day_order"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    use_working_hours: Mapped[bool] = mapped_column(default=False)
    work_days: Mapped[str] = mapped_column(String(20), default="1,2,3,4,5")
    # "HH:MM" in the company's time zone
    day_start: Mapped[str] = mapped_column(String(5), default="09:00")
    day_end: Mapped[str] = mapped_column(String(5), default="18:00")


class Holiday(Base):
    """A day the support team does not work (counted only with working hours)."""

    __tablename__ = "support_holidays"
    __table_args__ = (UniqueConstraint("day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    name: Mapped[str] = mapped_column(String(100))



# An activity may be due on a ticket (crm/activities): CRM owns both tables, and the key is
# declared here with the tickets. It exists on PostgreSQL; SQLite cannot add one to an
# existing table without rebuilding it, so there the activity service's check is the guard
# (crm/activities/services.py checks that the ticket exists), as for sales_orders.opportunity_id.
def _link_activities() -> None:
    from sqlalchemy import ForeignKeyConstraint

    from crm.activities.models import Activity

    Activity.__table__.append_constraint(
        ForeignKeyConstraint(["ticket_id"], [Ticket.id], ondelete="CASCADE")
        .ddl_if(dialect="postgresql"))


_link_activities()
