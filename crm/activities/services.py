"""Activities: schedule, edit, mark done, and the "my activities" lists."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from crm.activities.models import ACTIVITY_KINDS, Activity
from crm.leads.models import Lead
from crm.pipeline.models import Opportunity
from crm.queries import may_see, visible
from shared.dates import company_today
from shared.db import transactional, utcnow
from shared.errors import NotFound, ValidationError
from shared.extensions import db
from shared.partners.models import Partner
from shared.users.models import User
from shared.validation import Boolean, Choice, Integer, IsoDate, Text, clean

TARGETS = ("lead_id", "opportunity_id", "partner_id", "ticket_id")

ACTIVITY_SPEC = {
    "kind": Choice(ACTIVITY_KINDS, required=True),
    "subject": Text(required=True, max_length=200),
    "due_date": IsoDate(required=True),
    "done": Boolean(default=False),
    "note": Text(max_length=5000),
    "owner_id": Integer(min_value=1),
    **{target: Integer(min_value=1) for target in TARGETS},
}


def get_activity(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not may_see(activity):
        raise NotFound(_("No such activity."))
    return activity


def _check_target(values: dict) -> None:
    """Exactly one of lead, opportunity, partner or ticket, and it must exist (and be visible)."""
    from crm.leads import services as leads
    from crm.pipeline import services as pipeline
    from shared.partners.models import Partner

    given = [target for target in TARGETS if values.get(target)]
    if len(given) != 1:
        message = _("Link the activity to exactly one lead, opportunity, partner or ticket.")
        raise ValidationError(message, fields={target: message for target in TARGETS})
    target, record_id = given[0], values[given[0]]
    try:
        if target == "lead_id":
            leads.get_lead(record_id)
        elif target == "opportunity_id":
            pipeline.get_opportunity(record_id)
        elif target == "partner_id" and db.session.get(Partner, record_id) is None:
            raise NotFound()
        elif target == "ticket_id":
            from crm.tickets.services import get_ticket

            get_ticket(record_id)
    except NotFound:
        raise ValidationError(fields={target: _("No such record.")}) from None


def _check_owner(values: dict) -> None:
    if values.get("owner_id") and db.session.get(User, values["owner_id"]) is None:
        raise ValidationError(fields={"owner_id": _("No such user.")})


@transactional
def create_activity(data: dict, *, user_id: int | None = None) -> Activity:
    values = clean(ACTIVITY_SPEC, data)
    _check_target(values)
    _check_owner(values)
    activity = Activity(**values)
    activity.owner_id = values.get("owner_id") or user_id
    if activity.done:
        activity.done_at = utcnow()
    db.session.add(activity)
    db.session.flush()
    return activity


@transactional
def update_activity(activity_id: int, data: dict) -> Activity:
    activity = get_activity(activity_id)
    values = clean(ACTIVITY_SPEC, data, partial=True)
    for required in ("kind", "subject", "due_date", "done"):
        if required in values and values[required] is None:
            raise ValidationError(fields={required: _("This field is required.")})
    if any(target in values for target in TARGETS):
        merged = {target: getattr(activity, target) for target in TARGETS}
        merged.update({k: v for k, v in values.items() if k in TARGETS})
        _check_target(merged)
    _check_owner(values)
    done = values.pop("done", None)
    for key, value in values.items():
        setattr(activity, key, value)
    if done is not None and done != activity.done:
        activity.done = done
        activity.done_at = utcnow() if done else None
    return activity


@transactional
def mark_done(activity_id: int) -> Activity:
    return update_activity(activity_id, {"done": True})


ACTIVITY_FILTERS = {"overdue": Boolean(), "done": Boolean(), "owner_id": Integer(min_value=1),
                    **{target: Integer(min_value=1) for target in TARGETS}}


def activity_query(*, overdue: bool | None = None, done: bool | None = None,
                   owner_id: int | None = None, by_due_date: bool = False,
                   due_from: date | None = None, due_to: date | None = None,
                   **targets: int | None) -> Select:
    """Activities as every list and the API share them: newest first (API.md's default for
    lists), or soonest due first for a to-do list."""
    order = (Activity.due_date, Activity.id) if by_due_date else (Activity.id.desc(),)
    stmt = visible(select(Activity), Activity).order_by(*order)
    if overdue is not None:
        late = (Activity.done.is_(False)) & (Activity.due_date < company_today())
        stmt = stmt.where(late if overdue else ~late)
    if done is not None:
        stmt = stmt.where(Activity.done.is_(done))
    if owner_id:
        stmt = stmt.where(Activity.owner_id == owner_id)
    if due_from:
        stmt = stmt.where(Activity.due_date >= due_from)
    if due_to:
        stmt = stmt.where(Activity.due_date <= due_to)
    for target, record_id in targets.items():
        if record_id:
            stmt = stmt.where(getattr(Activity, target) == record_id)
    return stmt


def overdue_count(owner_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Activity).where(
            Activity.owner_id == owner_id, Activity.done.is_(False),
            Activity.due_date < company_today())) or 0


@dataclass(frozen=True)
class About:
    """What an activity is about, for lists: the kind of record, its name and its page."""

    kind: str  # lead, opportunity, partner, ticket
    name: str
    url: str | None


def about(activities: list[Activity]) -> dict[int, About]:
    """{activity id: About} for a page of activities: one query per kind of record."""
    def names(model, column, attribute: str) -> dict[int, str]:
        ids = {getattr(a, attribute) for a in activities if getattr(a, attribute)}
        if not ids:
            return {}
        return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())

    leads = names(Lead, Lead.title, "lead_id")
    opportunities = names(Opportunity, Opportunity.title, "opportunity_id")
    partners = names(Partner, Partner.name, "partner_id")
    found = {}
    for activity in activities:
        if activity.lead_id:
            found[activity.id] = About("lead", leads.get(activity.lead_id, ""),
                                       url_for("leads.show_lead", lead_id=activity.lead_id))
        elif activity.opportunity_id:
            found[activity.id] = About(
                "opportunity", opportunities.get(activity.opportunity_id, ""),
                url_for("pipeline.show_opportunity", opportunity_id=activity.opportunity_id))
        elif activity.partner_id:
            found[activity.id] = About(
                "partner", partners.get(activity.partner_id, ""),
                url_for("customers.show_customer", partner_id=activity.partner_id))
        elif activity.ticket_id:
            found[activity.id] = About("ticket", f"#{activity.ticket_id}", None)
    return found


def of_customer(partner_id: int) -> Select:
    """The activities on a customer and on the leads and opportunities the user may see of
    it: open ones first by due date, then done ones."""
    leads = visible(select(Lead.id), Lead).where(Lead.partner_id == partner_id)
    opportunities = visible(select(Opportunity.id), Opportunity) \
        .where(Opportunity.partner_id == partner_id)
    return select(Activity).where(or_(Activity.partner_id == partner_id,
                                      Activity.lead_id.in_(leads),
                                      Activity.opportunity_id.in_(opportunities))) \
        .order_by(Activity.done, Activity.due_date, Activity.id)


def timeline(**target: int) -> list[Activity]:
    """All activities of one record, open ones first, then done ones newest first."""
    (name, record_id), = target.items()
    stmt = select(Activity).where(getattr(Activity, name) == record_id) \
        .order_by(Activity.done, Activity.due_date, Activity.id).limit(200)
    return list(db.session.scalars(stmt))
