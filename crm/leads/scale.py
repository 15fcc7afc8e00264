"""seed-scale --leads N: N leads, about 20 % of them converted into open opportunities spread
over the open stages, written with bulk inserts (no service loop) and left as consistent as
the services would leave them: stored weighted revenue, links both ways, a stage-history row
per opportunity."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, literal, select, update

from crm.leads.models import LEAD_SOURCES, Lead
from crm.leads.services import normal_key
from crm.pipeline import services as pipeline
from crm.pipeline.models import Opportunity, StageChange
from shared.db import utcnow
from shared.extensions import db
from shared.partners.models import Partner
from shared.scale import (
    CITIES,
    KINDS,
    WORDS,
    ScaleContext,
    bulk_insert,
    max_id,
    money,
)
from shared.users.models import User, UserRole

CONVERTED_SHARE = 0.2
OPEN_STATUSES = ("new", "new", "contacted", "qualified", "disqualified")


def _owner_ids() -> list[int | None]:
    ids = db.session.scalars(select(User.id).join(UserRole).where(
        UserRole.role.in_(("sales", "admin"))).distinct().order_by(User.id)).all()
    return list(ids) or [None]


def scale_leads(count: int, ctx: ScaleContext) -> None:
    rng = ctx.rng
    pipeline.ensure_default_stages()
    stages = pipeline.open_stages()
    owners = _owner_ids()
    partners = ctx.made.get("partners") or db.session.scalars(
        select(Partner.id).where(Partner.is_customer.is_(True)).order_by(Partner.id)
        .limit(50_000)).all()
    first_lead = max_id(Lead) + 1
    now = utcnow()
    converted = set(rng.sample(range(count), int(count * CONVERTED_SHARE)))

    def lead_rows():
        for n in range(count):
            number = first_lead + n
            company = f"{rng.choice(WORDS)}{rng.choice(KINDS)} {number}"
            email = f"lead{number}@prospect{number % 89}.example.com"
            phone = f"+86 21 {number:08d}"
            yield {"title": f"{rng.choice(('采购', 'Order', '询价', 'Quote'))} {company}",
                   "contact_name": f"Contact {number}", "company_name": company,
                   "email": email, "phone": phone, "source": rng.choice(LEAD_SOURCES),
                   "status": "converted" if n in converted else rng.choice(OPEN_STATUSES),
                   "owner_id": rng.choice(owners), "expected_revenue": money(rng, 1000, 200000),
                   "notes": rng.choice(CITIES),
                   "partner_id": rng.choice(partners) if n in converted and partners else None,
                   "created_at": now - timedelta(minutes=count - n),
                   "email_key": email, "phone_key": normal_key(phone),
                   "company_key": normal_key(company)}

    with ctx.progress(count, "leads") as bar:
        bulk_insert(Lead, lead_rows(), bar)
    _open_opportunities(ctx, first_lead, stages)
    ctx.made["leads"] = list(range(first_lead, first_lead + count))


def _open_opportunities(ctx: ScaleContext, first_lead: int, stages: list) -> None:
    """One open opportunity per converted lead, then the links and the stage history."""
    rng = ctx.rng
    first_opportunity = max_id(Opportunity) + 1
    leads = db.session.execute(
        select(Lead.id, Lead.title, Lead.partner_id, Lead.owner_id, Lead.expected_revenue)
        .where(Lead.id >= first_lead, Lead.status == "converted").order_by(Lead.id)).all()
    today = utcnow().date()

    def rows():
        for lead_id, title, partner_id, owner_id, expected in leads:
            stage = rng.choice(stages)
            yield {"title": title, "partner_id": partner_id, "stage_id": stage.id,
                   "status": "open", "expected_revenue": expected,
                   "probability": stage.probability,
                   "weighted_revenue": pipeline.weighted(expected, stage.probability),
                   "expected_close_date": today + timedelta(days=rng.randint(-10, 120)),
                   "owner_id": owner_id, "lead_id": lead_id, "created_at": utcnow()}

    with ctx.progress(len(leads), "opportunities") as bar:
        bulk_insert(Opportunity, rows(), bar)
    db.session.execute(
        update(Lead).where(Lead.id >= first_lead, Lead.status == "converted")
        .values(opportunity_id=select(Opportunity.id).where(Opportunity.lead_id == Lead.id)
                .scalar_subquery()))
    db.session.execute(insert(StageChange).from_select(
        ["opportunity_id", "to_stage_id", "changed_at"],
        select(Opportunity.id, Opportunity.stage_id, func.coalesce(Opportunity.created_at,
                                                                   literal(utcnow())))
        .where(Opportunity.id >= first_opportunity)))
