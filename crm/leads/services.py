"""Lead operations: create, edit, status moves, duplicates, conversion.

Statuses: new -> contacted -> qualified, then converted (by `convert_lead`) or disqualified
(by `disqualify_lead`, a reason required). Skipping ahead is allowed (a new lead may be
qualified or converted at once); converted and disqualified are final.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from crm.leads.models import LEAD_SOURCES, LEAD_STATUSES, OPEN_LEAD_STATUSES, Lead
from crm.pipeline import services as pipeline
from crm.queries import may_see, visible
from shared.dates import day_start
from shared.db import transactional
from shared.errors import Conflict, InvalidState, NotFound, ValidationError
from shared.extensions import db
from shared.partners import services as partner_services
from shared.partners.models import Partner
from shared.queries import search
from shared.users.models import User
from shared.validation import Choice, Email, Integer, IsoDate, Number, Phone, Text, clean

LEAD_SPEC = {
    "title": Text(required=True, max_length=200),
    "contact_name": Text(max_length=200),
    "company_name": Text(max_length=200),
    "email": Email(max_length=254),
    "phone": Phone(max_length=40),
    "street": Text(max_length=200),
    "city": Text(max_length=100),
    "postal_code": Text(max_length=20),
    "country": Text(max_length=100),
    "source": Choice(LEAD_SOURCES),
    "owner_id": Integer(min_value=1),
    "expected_revenue": Number(places=2, min_value=0),
    "notes": Text(max_length=5000),
}

STATUS_LABELS = {"new": _l("New"), "contacted": _l("Contacted"), "qualified": _l("Qualified"),
                 "disqualified": _l("Disqualified"), "converted": _l("Converted")}
STATUS_BADGES = {"new": "text-bg-secondary", "contacted": "text-bg-info",
                 "qualified": "text-bg-primary", "converted": "text-bg-success",
                 "disqualified": "text-bg-dark"}
SOURCE_LABELS = {"web": _l("Website"), "referral": _l("Referral"), "event": _l("Event"),
                 "cold_call": _l("Cold call"), "partner": _l("Partner"), "other": _l("Other")}

# Moves a PATCH or the status buttons may make; converting and disqualifying are actions.
STATUS_MOVES = {
    "new": {"contacted", "qualified"},
    "contacted": {"new", "qualified"},
    "qualified": {"new", "contacted"},
    "converted": set(),
    "disqualified": set(),
}


def normal_key(value: str | None) -> str | None:
    """Lower case without any spaces: the form duplicates are compared in."""
    return re.sub(r"\s+", "", value).lower() or None if value else None


def _keep_keys(lead: Lead) -> None:
    lead.email_key = normal_key(lead.email)
    lead.phone_key = normal_key(lead.phone)
    lead.company_key = normal_key(lead.company_name)


def get_lead(lead_id: int, *, lock: bool = False) -> Lead:
    """The lead, if the user may see it; `lock` locks the row (PostgreSQL) so two
    concurrent conversions or status changes queue instead of both passing the guard."""
    lead = db.session.get(Lead, lead_id, with_for_update=lock or None)
    if lead is None or not may_see(lead):
        raise NotFound(_("No such lead."))
    return lead


def _check_owner(values: dict) -> None:
    if values.get("owner_id") and db.session.get(User, values["owner_id"]) is None:
        raise ValidationError(fields={"owner_id": _("No such user.")})


@transactional
def create_lead(data: dict, *, user_id: int | None = None) -> Lead:
    values = clean(LEAD_SPEC, data)
    _check_owner(values)
    lead = Lead(status="new", created_by_id=user_id, **values)
    if lead.owner_id is None:
        lead.owner_id = user_id
    _keep_keys(lead)
    db.session.add(lead)
    db.session.flush()
    return lead


def _change_status(lead: Lead, status: str) -> None:
    if status == lead.status:
        return
    if status not in STATUS_MOVES[lead.status]:
        raise InvalidState(_("The lead cannot move from %(old)s to %(new)s.",
                             old=STATUS_LABELS[lead.status], new=STATUS_LABELS[status]))
    lead.status = status


@transactional
def update_lead(lead_id: int, data: dict) -> Lead:
    lead = get_lead(lead_id, lock=True)
    spec = {**LEAD_SPEC, "status": Choice(LEAD_STATUSES)}
    values = clean(spec, data, partial=True)
    _check_owner(values)
    status = values.pop("status", None)
    if lead.status in ("converted", "disqualified") and values:
        raise InvalidState(_("A converted or disqualified lead can no longer be edited."))
    for key, value in values.items():
        setattr(lead, key, value)
    _keep_keys(lead)
    if status:
        _change_status(lead, status)
    return lead


@transactional
def set_lead_status(lead_id: int, status: str) -> Lead:
    lead = get_lead(lead_id, lock=True)
    _change_status(lead, clean({"status": Choice(OPEN_LEAD_STATUSES, required=True)},
                               {"status": status})["status"])
    return lead


@transactional
def disqualify_lead(lead_id: int, data: dict) -> Lead:
    lead = get_lead(lead_id, lock=True)
    reason = clean({"reason": Text(required=True, max_length=500)}, data)["reason"]
    if not lead.is_open:
        raise InvalidState(_("Only an open lead can be disqualified."))
    lead.status = "disqualified"
    lead.disqualify_reason = reason
    return lead


CONVERT_SPEC = {"partner_id": Integer(min_value=1),
                "opportunity_title": Text(max_length=200)}


def _partner_for(lead: Lead, partner_id: int | None, user_id: int | None) -> Partner:
    """The given partner, else the one with the lead's email, else a new one."""
    if partner_id:
        partner = db.session.get(Partner, partner_id)
        if partner is None:
            raise ValidationError(fields={"partner_id": _("No such partner.")})
        return partner
    found = partner_services.find_duplicate(lead.email, None)
    if found:
        return found[0]
    person = not lead.company_name and bool(lead.contact_name)
    return partner_services.create_partner(
        {"name": lead.company_name or lead.contact_name or lead.title,
         "kind": "person" if person else "company", "email": lead.email, "phone": lead.phone,
         "contact_name": lead.contact_name if lead.company_name else None,
         "street": lead.street, "city": lead.city, "postal_code": lead.postal_code,
         "country": lead.country},
        user_id=user_id)


@transactional
def convert_lead(lead_id: int, data: dict, *, user_id: int | None = None) -> Lead:
    """Link or create the customer, open an opportunity in the first stage, mark the lead
    converted. Returns the lead (with partner_id and opportunity_id set)."""
    lead = get_lead(lead_id, lock=True)
    values = clean(CONVERT_SPEC, data)
    if lead.status == "converted":
        raise Conflict(_("This lead is already converted."), code="already_converted")
    if lead.status == "disqualified":
        raise InvalidState(_("A disqualified lead cannot be converted."))
    partner = _partner_for(lead, values.get("partner_id"), user_id)
    opportunity = pipeline.create_opportunity(
        {"title": values.get("opportunity_title") or lead.title, "partner_id": partner.id,
         "expected_revenue": lead.expected_revenue, "owner_id": lead.owner_id or user_id},
        user_id=user_id, lead_id=lead.id)
    lead.partner_id = partner.id
    lead.opportunity_id = opportunity.id
    lead.status = "converted"
    return lead


# --------------------------------------------------------------------------- duplicates


def possible_duplicates(email: str | None, phone: str | None, company_name: str | None,
                        except_lead_id: int | None = None, limit: int = 5
                        ) -> dict[str, list]:
    """Partners and open leads with the same email, phone or company name (ignoring case and
    spaces)."""
    keys = {"email": normal_key(email), "phone": normal_key(phone),
            "company": normal_key(company_name)}
    if not any(keys.values()):
        return {"partners": [], "leads": []}

    def squash(column):
        return func.lower(func.replace(func.replace(column, " ", ""), "\t", ""))

    lead_conditions, partner_conditions = [], []
    if keys["email"]:
        lead_conditions.append(Lead.email_key == keys["email"])
        partner_conditions.append(Partner.email_key == keys["email"])
    if keys["phone"]:
        lead_conditions.append(Lead.phone_key == keys["phone"])
        partner_conditions.append(squash(Partner.phone) == keys["phone"])
    if keys["company"]:
        lead_conditions.append(Lead.company_key == keys["company"])
        partner_conditions.append(squash(Partner.name) == keys["company"])
    leads = visible(select(Lead), Lead).where(or_(*lead_conditions)) \
        .where(Lead.status.in_(OPEN_LEAD_STATUSES)).order_by(Lead.id.desc()).limit(limit)
    if except_lead_id:
        leads = leads.where(Lead.id != except_lead_id)
    partners = select(Partner).where(or_(*partner_conditions)).order_by(Partner.id).limit(limit)
    return {"partners": list(db.session.scalars(partners)),
            "leads": list(db.session.scalars(leads))}


# --------------------------------------------------------------------------- lists


def lead_query(q: str | None = None, *, status: str | None = None, source: str | None = None,
               owner_id: int | None = None, created_from: date | None = None,
               created_to: date | None = None) -> Select:
    """The lead list every page, export and API shares (newest first)."""
    stmt = visible(select(Lead), Lead).order_by(Lead.id.desc())
    stmt = search(stmt, q, [Lead.title, Lead.contact_name, Lead.company_name, Lead.email,
                            Lead.phone])
    if status:
        stmt = stmt.where(Lead.status == status)
    if source:
        stmt = stmt.where(Lead.source == source)
    if owner_id:
        stmt = stmt.where(Lead.owner_id == owner_id)
    if created_from:
        stmt = stmt.where(Lead.created_at >= day_start(created_from))
    if created_to:
        stmt = stmt.where(Lead.created_at < day_start(created_to + timedelta(days=1)))
    return stmt


LIST_FILTERS = {
    "status": Choice(LEAD_STATUSES),
    "source": Choice(LEAD_SOURCES),
    "owner_id": Integer(min_value=1),
    "created_from": IsoDate(),
    "created_to": IsoDate(),
}


def salespeople() -> list[User]:
    """Users who may own leads: active sales and admin users."""
    from shared.users.models import UserRole

    stmt = select(User).join(UserRole).where(UserRole.role.in_(("sales", "admin")),
                                             User.active.is_(True)).distinct().order_by(User.name)
    return list(db.session.scalars(stmt))
