"""Service tickets: creation (gapless TCK-00001 numbers, SLA deadlines, automatic
assignment), edits, status moves, the conversation, SLA policies and the support calendar,
and the queries the queue, the customer page and the support home share.

Deadlines come from crm/tickets/sla.py (plain functions); the status moves from
crm/tickets/rules.py. A ticket stores `next_deadline` (the deadline it must meet next while
active) and `sla_breached` (a deadline was met late), so "breached" is
`sla_breached OR next_deadline < now`: two indexed conditions, no per-row arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from crm.tickets import sla
from crm.tickets.models import (
    CLOSED,
    FINISHED_STATUSES,
    NEW,
    OPEN,
    PRIORITIES,
    RESOLVED,
    TICKET_STATUSES,
    Holiday,
    SlaPolicy,
    SupportCalendar,
    Ticket,
    TicketComment,
)
from crm.tickets.rules import may_move
from erp.invoicing.models import CUSTOMER_CREDIT_NOTE, CUSTOMER_INVOICE, Invoice
from erp.sales.models import SalesOrder
from shared.company.models import COMPANY_ID, Company
from shared.dates import company_today, company_zone, day_start
from shared.db import transactional, utcnow
from shared.errors import InvalidState, NotFound, ValidationError
from shared.events import TicketCreated, TicketResolved, publish
from shared.extensions import db
from shared.partners.models import Partner
from shared.products.models import Product
from shared.queries import search
from shared.sequences.services import next_number
from shared.users.models import User, UserRole
from shared.validation import Boolean, Choice, Integer, IsoDate, Text, clean

STATUS_LABELS = {"new": _l("New"), "open": _l("Open"), "pending": _l("Pending"),
                 "resolved": _l("Resolved"), "closed": _l("Closed")}
STATUS_BADGES = {"new": "text-bg-info", "open": "text-bg-primary",
                 "pending": "text-bg-warning", "resolved": "text-bg-success",
                 "closed": "text-bg-secondary"}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"),
                   "urgent": _l("Urgent")}
PRIORITY_BADGES = {"low": "text-bg-light border", "normal": "text-bg-secondary",
                   "high": "text-bg-warning", "urgent": "text-bg-danger"}
ASSIGNEE_ROLES = ("support", "admin")  # who may be given a ticket (tickets write)

TICKET_SPEC = {
    "partner_id": Integer(min_value=1, required=True),
    "subject": Text(required=True, max_length=200),
    "description": Text(max_length=20000),
    "priority": Choice(PRIORITIES, default="normal"),
    "assignee_id": Integer(min_value=1),
    "sales_order_id": Integer(min_value=1),
    "invoice_id": Integer(min_value=1),
    "product_id": Integer(min_value=1),
}
STATUS_SPEC = {"status": Choice(TICKET_STATUSES, required=True)}
COMMENT_SPEC = {"body": Text(required=True, max_length=20000),
                "internal": Boolean(default=False)}
HOURS = Integer(min_value=sla.MIN_HOURS, max_value=sla.MAX_HOURS, required=True)
POLICY_SPEC = {"first_response_hours": HOURS, "resolution_hours": HOURS}
FILTERS = {"status": Choice(TICKET_STATUSES), "priority": Choice(PRIORITIES),
           "assignee_id": Integer(min_value=1), "partner_id": Integer(min_value=1),
           "breached": Boolean(), "unassigned": Boolean(), "active": Boolean(),
           "sales_order_id": Integer(min_value=1), "invoice_id": Integer(min_value=1),
           "due_today": Boolean(), "created_from": IsoDate(), "created_to": IsoDate()}


# --------------------------------------------------------------------------- reference data


def ensure_defaults() -> None:
    """Reference data: the four default SLA policies (API.md) and the support calendar
    (calendar hours), when missing; what an admin changed is kept."""
    have = set(db.session.scalars(select(SlaPolicy.priority)))
    for priority, (first, resolution) in sla.DEFAULT_POLICIES.items():
        if priority not in have:
            db.session.add(SlaPolicy(priority=priority, first_response_hours=first,
                                     resolution_hours=resolution))
    if db.session.get(SupportCalendar, 1) is None:
        db.session.add(SupportCalendar(id=1))
    db.session.flush()


def policies() -> list[SlaPolicy]:
    rows = {p.priority: p for p in db.session.scalars(select(SlaPolicy))}
    return [rows[p] for p in reversed(PRIORITIES) if p in rows]


def _policy_hours(priority: str) -> tuple[int, int]:
    policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.priority == priority))
    if policy is None:
        return sla.DEFAULT_POLICIES[priority]
    return policy.first_response_hours, policy.resolution_hours


@transactional
def update_policy(priority: str, data: dict) -> SlaPolicy:
    """Change a priority's hours, for tickets created or re-prioritised afterwards."""
    if priority not in PRIORITIES:
        raise NotFound(_("No such priority."))
    values = clean(POLICY_SPEC, data, partial=True)
    policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.priority == priority)
                               .with_for_update())
    if policy is None:
        ensure_defaults()
        policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.priority == priority))
    for key, value in values.items():
        setattr(policy, key, value)
    return policy


def support_calendar() -> SupportCalendar:
    row = db.session.get(SupportCalendar, 1)
    return row if row is not None else SupportCalendar(id=1, use_working_hours=False,
                                                       work_days="1,2,3,4,5",
                                                       day_start="09:00", day_end="18:00")


def holidays(upcoming_only: bool = False) -> list[Holiday]:
    stmt = select(Holiday).order_by(Holiday.day)
    if upcoming_only:
        stmt = stmt.where(Holiday.day >= company_today() - timedelta(days=31))
    return list(db.session.scalars(stmt))


def working_calendar() -> sla.WorkingCalendar | None:
    """The calendar deadlines count in: None for calendar hours (the default)."""
    row = support_calendar()
    if not row.use_working_hours:
        return None
    days = frozenset(int(d) for d in row.work_days.split(",") if d)
    return sla.WorkingCalendar(zone=company_zone(), days=days,
                               start=time.fromisoformat(row.day_start),
                               end=time.fromisoformat(row.day_end),
                               holidays=frozenset(db.session.scalars(select(Holiday.day))))


class TimeOfDay(Text):
    """A time of day as "HH:MM"."""

    def convert(self, value):
        if isinstance(value, time):
            return value.strftime("%H:%M")
        text = super().convert(value)
        try:
            return time.fromisoformat(text).strftime("%H:%M")
        except ValueError:
            from shared.validation import FieldError
            raise FieldError(_("A time as HH:MM.")) from None


class WeekDays(Text):
    def convert(self, value):
        from shared.validation import FieldError

        items = value if isinstance(value, list) else str(value).split(",")
        try:
            days = sorted({int(str(d).strip()) for d in items if str(d).strip()})
        except ValueError:
            raise FieldError(_("Weekdays as numbers from 1 (Monday) to 7.")) from None
        if not days or not all(1 <= d <= 7 for d in days):
            raise FieldError(_("Weekdays as numbers from 1 (Monday) to 7."))
        return ",".join(str(d) for d in days)


CALENDAR_SPEC = {"use_working_hours": Boolean(required=True), "work_days": WeekDays(),
                 "day_start": TimeOfDay(), "day_end": TimeOfDay()}


@transactional
def update_calendar(data: dict) -> SupportCalendar:
    values = clean(CALENDAR_SPEC, data, partial=True)
    row = db.session.get(SupportCalendar, 1)
    if row is None:
        ensure_defaults()
        row = db.session.get(SupportCalendar, 1)
    values = {key: value for key, value in values.items() if value is not None}
    if values.get("day_start", row.day_start) >= values.get("day_end", row.day_end):
        raise ValidationError(fields={"day_end": _("The day must end after it starts.")})
    for key, value in values.items():
        setattr(row, key, value)
    return row


@transactional
def add_holiday(data: dict) -> Holiday:
    values = clean({"day": IsoDate(required=True), "name": Text(required=True,
                                                                 max_length=100)}, data)
    if db.session.scalar(select(Holiday.id).where(Holiday.day == values["day"])):
        raise ValidationError(fields={"day": _("This day is already a holiday.")})
    holiday = Holiday(**values)
    db.session.add(holiday)
    db.session.flush()
    return holiday


@transactional
def remove_holiday(holiday_id: int) -> None:
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        raise NotFound(_("No such holiday."))
    db.session.delete(holiday)


# --------------------------------------------------------------------------- tickets


def get_ticket(ticket_id: int, *, lock: bool = False) -> Ticket:
    if lock:
        db.session.execute(select(Ticket.id).where(Ticket.id == ticket_id).with_for_update())
    ticket = db.session.get(Ticket, ticket_id, populate_existing=lock)
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return ticket


def assignable_users() -> list[User]:
    """Active users who may work on tickets (support and admin), by name."""
    stmt = select(User).join(UserRole).where(UserRole.role.in_(ASSIGNEE_ROLES),
                                             User.active.is_(True)).distinct()
    return sorted(db.session.scalars(stmt), key=lambda u: (u.name or u.email).lower())


def _check_references(values: dict, partner_id: int | None, *,
                      check_partner: bool = True) -> None:
    """The partner exists; the order and invoice are that partner's; the product and the
    assignee exist (the assignee may work on tickets). Every bad field at once (422)."""
    errors: dict[str, str] = {}
    if check_partner and db.session.get(Partner, partner_id) is None:
        errors["partner_id"] = _("No such customer.")
    if values.get("sales_order_id"):
        order_partner = db.session.scalar(select(SalesOrder.partner_id)
                                          .where(SalesOrder.id == values["sales_order_id"]))
        if order_partner is None:
            errors["sales_order_id"] = _("No such sales order.")
        elif order_partner != partner_id:
            errors["sales_order_id"] = _("This order belongs to another customer.")
    if values.get("invoice_id"):
        row = db.session.execute(select(Invoice.partner_id, Invoice.kind)
                                 .where(Invoice.id == values["invoice_id"])).first()
        if row is None or row.kind not in (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE):
            errors["invoice_id"] = _("No such customer invoice.")
        elif row.partner_id != partner_id:
            errors["invoice_id"] = _("This invoice belongs to another customer.")
    if values.get("product_id") and db.session.get(Product, values["product_id"]) is None:
        errors["product_id"] = _("No such product.")
    if values.get("assignee_id"):
        may = db.session.scalar(select(UserRole.user_id).join(User).where(
            UserRole.user_id == values["assignee_id"], UserRole.role.in_(ASSIGNEE_ROLES),
            User.active.is_(True)).limit(1))
        if may is None:
            errors["assignee_id"] = _("Not an active support user.")
    if errors:
        raise ValidationError(fields=errors)


def _set_deadlines(ticket: Ticket) -> None:
    """The priority's deadlines counted from the ticket's creation (also after a priority
    change), then the SLA figures."""
    first, resolution = _policy_hours(ticket.priority)
    ticket.first_response_due, ticket.resolution_due = sla.deadlines(
        ticket.created_at, first, resolution, working_calendar())
    _refresh_sla(ticket)


def _refresh_sla(ticket: Ticket) -> None:
    ticket.next_deadline = sla.next_deadline(
        ticket.status in FINISHED_STATUSES, ticket.first_response_at,
        ticket.first_response_due, ticket.resolution_due)
    ticket.sla_breached = sla.met_late(ticket.first_response_at, ticket.first_response_due,
                                       ticket.resolved_at, ticket.resolution_due)


# --------------------------------------------------------------------------- assignment


def support_agent_ids() -> list[int]:
    """Active users with the support role, by id: whom automatic assignment chooses from."""
    return list(db.session.scalars(
        select(User.id).join(UserRole).where(UserRole.role == "support",
                                             User.active.is_(True)).distinct()
        .order_by(User.id)))


def _auto_assignee(mode: str) -> int | None:
    """The support user a new ticket goes to (API.md "Tickets, further"). The caller holds
    the company row's lock, so concurrent creations choose one after the other."""
    agents = support_agent_ids()
    if not agents:
        return None
    if mode == "round_robin":
        last = db.session.scalar(select(Ticket.assignee_id).where(
            Ticket.assignee_id.is_not(None), Ticket.auto_assigned.is_(True))
            .order_by(Ticket.id.desc()).limit(1))
        following = [agent for agent in agents if last is not None and agent > last]
        return following[0] if following else agents[0]
    counts = dict(db.session.execute(
        select(Ticket.assignee_id, func.count()).where(
            Ticket.assignee_id.in_(agents), Ticket.next_deadline.is_not(None))  # active
        .group_by(Ticket.assignee_id)).all())
    return min(agents, key=lambda agent: (counts.get(agent, 0), agent))


def _assignment_mode(lock: bool) -> str:
    stmt = select(Company.ticket_assignment).where(Company.id == COMPANY_ID)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt) or "manual"


@transactional
def create_ticket(data: dict, *, user_id: int | None = None) -> Ticket:
    """A new ticket: number, deadlines from its priority's policy, and an assignee by the
    company's `ticket_assignment` when none is given."""
    values = clean(TICKET_SPEC, data)
    _check_references(values, values["partner_id"])
    auto = False
    if not values.get("assignee_id"):
        mode = _assignment_mode(lock=True)  # concurrent creations assign one at a time
        if mode in ("round_robin", "least_open"):
            values["assignee_id"] = _auto_assignee(mode)
            auto = values["assignee_id"] is not None
    ticket = Ticket(number=next_number("ticket"), status=NEW, created_by_id=user_id,
                    created_at=utcnow(), auto_assigned=auto, **values)
    _set_deadlines(ticket)
    db.session.add(ticket)
    db.session.flush()
    publish(TicketCreated(ticket_id=ticket.id, number=ticket.number,
                          partner_id=ticket.partner_id, priority=ticket.priority,
                          assignee_id=ticket.assignee_id, user_id=user_id))
    return ticket


@transactional
def update_ticket(ticket_id: int, data: dict, *, user_id: int | None = None) -> Ticket:
    """PATCH: the fields given; a priority change recomputes the deadlines; `status` moves
    by the table (the same status changes nothing); links stay the customer's."""
    ticket = get_ticket(ticket_id, lock=True)
    spec = {**TICKET_SPEC, **STATUS_SPEC}
    values = clean(spec, data, partial=True)
    for required in ("partner_id", "subject", "priority", "status"):
        if required in values and values[required] is None:
            raise ValidationError(fields={required: _("This field is required.")})
    status = values.pop("status", None)
    if status is not None and not may_move(ticket.status, status):
        raise _invalid_move(ticket, status)
    partner_id = values.get("partner_id", ticket.partner_id)
    check = {k: v for k, v in values.items() if k in ("product_id", "assignee_id")}
    if {"partner_id", "sales_order_id", "invoice_id"} & values.keys():
        check.update({key: values.get(key, getattr(ticket, key))
                      for key in ("sales_order_id", "invoice_id")})
    _check_references(check, partner_id, check_partner="partner_id" in values)
    repriced = "priority" in values and values["priority"] != ticket.priority
    for key, value in values.items():
        setattr(ticket, key, value)
    if repriced:
        _set_deadlines(ticket)
    if status is not None:
        _enter_status(ticket, status, user_id)
    return ticket


def _invalid_move(ticket: Ticket, status: str) -> InvalidState:
    return InvalidState(_("A %(current)s ticket cannot become %(target)s.",
                          current=STATUS_LABELS[ticket.status], target=STATUS_LABELS[status]))


def _enter_status(ticket: Ticket, status: str, user_id: int | None) -> None:
    if status == ticket.status:
        return  # setting the current status again changes nothing
    now = utcnow()
    previous = ticket.status
    ticket.status = status
    if status == RESOLVED:
        ticket.resolved_at = now
    elif status == CLOSED:
        ticket.closed_at = now
        if ticket.resolved_at is None:  # closed without resolving: the work ended now
            ticket.resolved_at = now
    else:  # back to work: the resolution clock runs again
        ticket.resolved_at = None
        ticket.closed_at = None
    _refresh_sla(ticket)
    if status in FINISHED_STATUSES and previous not in FINISHED_STATUSES:
        publish(TicketResolved(ticket_id=ticket.id, partner_id=ticket.partner_id,
                               status=status, late=ticket.sla_breached, user_id=user_id))


@transactional
def move_ticket(ticket_id: int, status: str, *, user_id: int | None = None) -> Ticket:
    """Move to `status` if the table allows it (409 invalid_state otherwise)."""
    ticket = get_ticket(ticket_id, lock=True)
    status = clean(STATUS_SPEC, {"status": status})["status"]
    if not may_move(ticket.status, status):
        raise _invalid_move(ticket, status)
    _enter_status(ticket, status, user_id)
    return ticket


@transactional
def add_comment(ticket_id: int, data: dict, *, user_id: int | None = None) -> TicketComment:
    """A public reply or an internal note. The first public reply is the first response;
    a comment on a resolved or closed ticket reopens it."""
    ticket = get_ticket(ticket_id, lock=True)
    values = clean(COMMENT_SPEC, data)
    comment = TicketComment(ticket_id=ticket.id, body=values["body"],
                            internal=values["internal"], author_id=user_id, created_at=utcnow())
    db.session.add(comment)
    if ticket.status in FINISHED_STATUSES:
        _enter_status(ticket, OPEN, user_id)
    if not comment.internal and ticket.first_response_at is None:
        ticket.first_response_at = comment.created_at
    ticket.comment_count += 1
    _refresh_sla(ticket)
    db.session.flush()
    return comment


def comments(ticket_id: int, *, include_internal: bool = True) -> list[TicketComment]:
    stmt = select(TicketComment).where(TicketComment.ticket_id == ticket_id) \
        .order_by(TicketComment.id)
    if not include_internal:
        stmt = stmt.where(TicketComment.internal.is_(False))
    return list(db.session.scalars(stmt))


# --------------------------------------------------------------------------- queries


def breached_condition(now: datetime):
    return or_(Ticket.sla_breached.is_(True), Ticket.next_deadline < now)


def ticket_query(q: str | None = None, *, status: str | None = None,
                 priority: str | None = None, assignee_id: int | None = None,
                 partner_id: int | None = None, breached: bool | None = None,
                 unassigned: bool | None = None, active: bool | None = None,
                 sales_order_id: int | None = None, invoice_id: int | None = None,
                 due_today: bool | None = None, by_deadline: bool = False,
                 created_from: date | None = None, created_to: date | None = None,
                 now: datetime | None = None) -> Select:
    """The ticket list every page, the API and the customer page share: newest first, or
    (the queue) active tickets by nearest deadline first, then the finished ones."""
    now = now or utcnow()
    if by_deadline and active:  # active tickets all have a next deadline: an index scan
        order = (Ticket.next_deadline, Ticket.id)
    elif by_deadline:
        order = (Ticket.next_deadline.asc().nulls_last(), Ticket.id.desc())
    else:
        order = (Ticket.id.desc(),)
    stmt = select(Ticket).order_by(*order)
    if q:
        stmt = search(stmt, q, [Ticket.subject, Ticket.number])
    if status:
        stmt = stmt.where(Ticket.status == status)
    if active:  # new, open or pending: exactly the tickets with a next deadline
        stmt = stmt.where(Ticket.next_deadline.is_not(None))
    if priority:
        stmt = stmt.where(Ticket.priority == priority)
    if assignee_id:
        stmt = stmt.where(Ticket.assignee_id == assignee_id)
    if unassigned:
        stmt = stmt.where(Ticket.assignee_id.is_(None))
    if partner_id:
        stmt = stmt.where(Ticket.partner_id == partner_id)
    if sales_order_id:
        stmt = stmt.where(Ticket.sales_order_id == sales_order_id)
    if invoice_id:
        stmt = stmt.where(Ticket.invoice_id == invoice_id)
    if created_from:  # opened on or after that day (company time zone)
        stmt = stmt.where(Ticket.created_at >= day_start(created_from))
    if created_to:
        stmt = stmt.where(Ticket.created_at < day_start(created_to + timedelta(days=1)))
    if due_today:  # the next deadline falls between now and the company's midnight
        stmt = stmt.where(Ticket.next_deadline >= now, Ticket.next_deadline < _midnight())
    if breached is not None:
        cond = breached_condition(now)
        stmt = stmt.where(cond if breached else ~cond)
    return stmt


def _midnight() -> datetime:
    """The end of the company's today."""
    return day_start(company_today() + timedelta(days=1))


@dataclass
class SupportFigures:
    open: int
    breached: int
    due_today: int
    mine: int


def support_figures(user_id: int, now: datetime | None = None) -> SupportFigures:
    """The support home's figures in one query: active tickets, those breached now, those
    whose next deadline falls before the company's midnight, and the user's own."""
    now = now or utcnow()
    midnight = _midnight()
    active = Ticket.next_deadline.is_not(None)  # new, open or pending

    def count(*conditions):
        return select(func.count()).select_from(Ticket).where(active, *conditions) \
            .scalar_subquery()

    row = db.session.execute(select(
        count(), count(Ticket.next_deadline < now),
        count(Ticket.next_deadline >= now, Ticket.next_deadline < midnight),
        count(Ticket.assignee_id == user_id))).one()
    return SupportFigures(*(int(v or 0) for v in row))


def weekly_counts(weeks: int = 12, today: date | None = None
                  ) -> list[tuple[date, int, int]]:
    """(Monday, tickets opened, tickets resolved) for the last `weeks` weeks in the
    company's time zone, oldest first, in one statement: a COUNT per week and column, each
    a range of the created_at or resolved_at index (no table rows read)."""
    today = today or company_today()
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]
    bounds = [day_start(d) for d in starts] + [day_start(monday + timedelta(weeks=1))]

    def count(column, n: int):
        return select(func.count()).select_from(Ticket).where(
            column >= bounds[n], column < bounds[n + 1]).scalar_subquery()

    row = db.session.execute(select(*(count(column, n) for column in (
        Ticket.created_at, Ticket.resolved_at) for n in range(weeks)))).one()
    return [(starts[n], int(row[n]), int(row[weeks + n])) for n in range(weeks)]


def user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {uid: name or email for uid, name, email in db.session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(ids)))}


def partner_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(Partner.id, Partner.name)
                                   .where(Partner.id.in_(ids))).all())

