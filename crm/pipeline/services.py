"""Stages, opportunities and the pipeline figures.

An opportunity is `open` until it is won or lost; only open ones move. Its probability follows
the stage on every move (a PATCH may override it until the next move) and its weighted revenue
(expected x probability / 100, rounded half up to cents) is stored with it, so the board and
the pipeline totals are sums of stored, rounded figures.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from crm.pipeline.models import (
    OPPORTUNITY_STATUSES,
    LostReason,
    Opportunity,
    OpportunityLine,
    Stage,
    StageChange,
)
from crm.pipeline.rules import TRANSITIONS
from crm.queries import may_see, visible
from erp.sales import services as sales_services
from erp.sales.models import SalesOrder
from shared.db import flush_or_duplicate, transactional, utcnow
from shared.errors import Duplicate, InvalidState, NotFound, ValidationError
from shared.events import OpportunityQuoted, OrderConfirmed
from shared.extensions import db
from shared.money import percent_of, round_money
from shared.products.services import products_of_lines
from shared.queries import search
from shared.users.models import User
from shared.validation import (
    Boolean,
    Choice,
    Integer,
    IsoDate,
    Number,
    Qty,
    Text,
    clean,
    clean_rows,
)

DEFAULT_STAGES = [  # name, sequence, probability, is_won, is_lost (API.md)
    ("New", 10, "10", False, False),
    ("Qualified", 20, "30", False, False),
    ("Proposal", 30, "60", False, False),
    ("Negotiation", 40, "80", False, False),
    ("Won", 90, "100", True, False),
    ("Lost", 100, "0", False, True),
]

DEFAULT_STAGE_LABELS = {"New": _l("New"), "Qualified": _l("Qualified"),
                        "Proposal": _l("Proposal"), "Negotiation": _l("Negotiation"),
                        "Won": _l("Won"), "Lost": _l("Lost")}

STAGE_SPEC = {
    "name": Text(required=True, max_length=100),
    "sequence": Integer(min_value=0, max_value=100000, default=10),
    "probability": Number(places=2, min_value=0, max_value=100, required=True),
    "is_won": Boolean(default=False),
    "is_lost": Boolean(default=False),
}

OPPORTUNITY_SPEC = {
    "title": Text(required=True, max_length=200),
    "partner_id": Integer(min_value=1),
    "stage_id": Integer(min_value=1),
    "expected_revenue": Number(places=2, min_value=0, default=Decimal("0")),
    "probability": Number(places=2, min_value=0, max_value=100),
    "expected_close_date": IsoDate(),
    "owner_id": Integer(min_value=1),
    "notes": Text(max_length=5000),
}

REASON_SPEC = {"reason": Text(required=True, max_length=500)}

# An expected product line (`lines` on the opportunity API); the price is optional: without
# it the quotation takes the product's list price.
LINE_SPEC = {
    "product_id": Integer(min_value=1, required=True),
    "quantity": Qty(required=True),
    "unit_price": Number(places=2, min_value=0),
}


def weighted(expected: Decimal, probability: Decimal) -> Decimal:
    return percent_of(expected, probability)


# --------------------------------------------------------------------------- stages


def ensure_default_stages() -> None:
    """The default pipeline, when there are no stages yet (an admin may rename them later)."""
    if db.session.scalar(select(func.count()).select_from(Stage)):
        return
    for name, sequence, probability, is_won, is_lost in DEFAULT_STAGES:
        db.session.add(Stage(name=name, sequence=sequence, probability=Decimal(probability),
                             is_won=is_won, is_lost=is_lost))
    db.session.flush()


def stages() -> list[Stage]:
    return list(db.session.scalars(select(Stage).order_by(Stage.sequence, Stage.id)))


def open_stages() -> list[Stage]:
    return [stage for stage in stages() if stage.is_open]


def get_stage(stage_id: int) -> Stage:
    stage = db.session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(_("No such stage."))
    return stage


def _special_stage(attribute: str) -> Stage:
    stage = db.session.scalar(select(Stage).where(getattr(Stage, attribute).is_(True))
                              .order_by(Stage.sequence, Stage.id).limit(1))
    if stage is None:
        raise InvalidState(_("The pipeline has no won or lost stage; ask an administrator."))
    return stage


def first_stage() -> Stage:
    candidates = open_stages()
    if not candidates:
        raise InvalidState(_("The pipeline has no open stage; ask an administrator."))
    return candidates[0]


def _refuse_taken_name(model: type, name: str | None, except_id: int | None = None) -> None:
    existing = db.session.scalar(select(model.id).where(model.name == name)) if name else None
    if existing is not None and existing != except_id:
        raise Duplicate(_("This name is already used."), existing_id=existing, field="name",
                        fields={"name": _("Already in use.")})


def _check_stage_flags(values: dict) -> None:
    if values.get("is_won") and values.get("is_lost"):
        raise ValidationError(fields={"is_lost": _("A stage cannot be both won and lost.")})


@transactional
def create_stage(data: dict) -> Stage:
    values = clean(STAGE_SPEC, data)
    _check_stage_flags(values)
    _refuse_taken_name(Stage, values["name"])
    stage = Stage(**values)
    db.session.add(stage)
    flush_or_duplicate(_("A stage with this name already exists."), "name")
    return stage


@transactional
def update_stage(stage_id: int, data: dict) -> Stage:
    stage = get_stage(stage_id)
    values = clean(STAGE_SPEC, data, partial=True)
    merged = {"is_won": stage.is_won, "is_lost": stage.is_lost, **values}
    _check_stage_flags(merged)
    _refuse_taken_name(Stage, values.get("name"), except_id=stage.id)
    for key, value in values.items():
        setattr(stage, key, value)
    flush_or_duplicate(_("A stage with this name already exists."), "name")
    return stage


# --------------------------------------------------------------------------- lost reasons


def lost_reasons(active_only: bool = True) -> list[LostReason]:
    stmt = select(LostReason).order_by(LostReason.name)
    if active_only:
        stmt = stmt.where(LostReason.active.is_(True))
    return list(db.session.scalars(stmt))


@transactional
def create_lost_reason(data: dict) -> LostReason:
    values = clean({"name": Text(required=True, max_length=200)}, data)
    _refuse_taken_name(LostReason, values["name"])
    reason = LostReason(name=values["name"])
    db.session.add(reason)
    flush_or_duplicate(_("This reason is already in the list."), "name")
    return reason


@transactional
def set_lost_reason_active(reason_id: int, active: bool) -> LostReason:
    reason = db.session.get(LostReason, reason_id)
    if reason is None:
        raise NotFound(_("No such reason."))
    reason.active = active
    return reason


# --------------------------------------------------------------------------- opportunities


def get_opportunity(opportunity_id: int, *, lock: bool = False) -> Opportunity:
    """The opportunity, if the user may see it; `lock` locks the row (PostgreSQL) so
    concurrent moves, wins and losses queue instead of both passing the state guard."""
    if lock:
        # Lock with a plain SELECT: a FOR UPDATE over the eager join to the stage would, after
        # waiting for a concurrent move, recheck the join against the old stage and find no row.
        db.session.execute(select(Opportunity.id).where(Opportunity.id == opportunity_id)
                           .with_for_update())
    opportunity = db.session.get(Opportunity, opportunity_id, populate_existing=lock)
    if opportunity is None or not may_see(opportunity):
        raise NotFound(_("No such opportunity."))
    return opportunity


def _check_references(values: dict) -> None:
    from shared.partners.models import Partner

    errors = {}
    if values.get("partner_id") and db.session.get(Partner, values["partner_id"]) is None:
        errors["partner_id"] = _("No such partner.")
    if values.get("owner_id") and db.session.get(User, values["owner_id"]) is None:
        errors["owner_id"] = _("No such user.")
    if values.get("stage_id"):
        stage = db.session.get(Stage, values["stage_id"])
        if stage is None:
            errors["stage_id"] = _("No such stage.")
        elif not stage.is_open:
            errors["stage_id"] = _("Use win or lose to close an opportunity.")
    if errors:
        raise ValidationError(fields=errors)


def _record_stage(opportunity: Opportunity, from_stage_id: int | None,
                  user_id: int | None) -> None:
    db.session.add(StageChange(opportunity_id=opportunity.id, from_stage_id=from_stage_id,
                               to_stage_id=opportunity.stage_id, user_id=user_id))


def _refresh_weighted(opportunity: Opportunity) -> None:
    opportunity.weighted_revenue = weighted(opportunity.expected_revenue,
                                            opportunity.probability)


@transactional
def create_opportunity(data: dict, *, user_id: int | None = None,
                       lead_id: int | None = None) -> Opportunity:
    values = clean(OPPORTUNITY_SPEC, data)
    _check_references(values)
    stage = get_stage(values["stage_id"]) if values.get("stage_id") else first_stage()
    opportunity = Opportunity(
        title=values["title"], partner_id=values.get("partner_id"), stage_id=stage.id,
        status="open", expected_revenue=values["expected_revenue"],
        probability=values.get("probability") if values.get("probability") is not None
        else stage.probability,
        expected_close_date=values.get("expected_close_date"),
        owner_id=values.get("owner_id") or user_id, notes=values.get("notes"), lead_id=lead_id)
    _refresh_weighted(opportunity)
    lines = clean_lines(data.get("lines"))
    db.session.add(opportunity)
    _set_lines(opportunity, lines)
    db.session.flush()
    _record_stage(opportunity, None, user_id)
    return opportunity


@transactional
def update_opportunity(opportunity_id: int, data: dict) -> Opportunity:
    """Edit the fields; the stage changes only through move, win and lose."""
    opportunity = get_opportunity(opportunity_id, lock=True)
    spec = {k: v for k, v in OPPORTUNITY_SPEC.items() if k != "stage_id"}
    values = clean(spec, data, partial=True)
    if "expected_revenue" in values and values["expected_revenue"] is None:
        values["expected_revenue"] = Decimal("0")
    if "probability" in values and values["probability"] is None:
        values["probability"] = opportunity.stage.probability
    _check_references(values)
    lines = clean_lines(data["lines"]) if "lines" in data else None
    for key, value in values.items():
        setattr(opportunity, key, value)
    _refresh_weighted(opportunity)
    if lines is not None:  # the list given replaces the lines (API.md: PATCH lines)
        _set_lines(opportunity, lines)
    db.session.flush()
    return opportunity


def clean_lines(raw: Any) -> list[dict]:
    """Validated expected lines; every bad field of every line is reported at once
    (`lines.0.quantity`). None or an absent key means no lines."""
    if raw is None:
        return []
    cleaned, errors = clean_rows(LINE_SPEC, raw)
    products_of_lines(cleaned, errors)
    if errors:
        raise ValidationError(fields=errors)
    return cleaned


def _set_lines(opportunity: Opportunity, lines: list[dict]) -> None:
    opportunity.lines.clear()
    db.session.flush()
    for sequence, values in enumerate(lines, start=1):
        opportunity.lines.append(OpportunityLine(
            sequence=sequence, product_id=values["product_id"], quantity=values["quantity"],
            unit_price=values.get("unit_price")))


def with_lines(opportunities: list[Opportunity]) -> list[Opportunity]:
    """Load the expected lines of a page of opportunities in one query (no query per row)."""
    if opportunities:
        db.session.scalars(select(Opportunity)
                           .where(Opportunity.id.in_([o.id for o in opportunities]))
                           .options(selectinload(Opportunity.lines))).all()
    return opportunities


def guard(opportunity: Opportunity, action: str) -> None:
    """Refuse `action` (409 invalid_state) unless the opportunity's status allows it."""
    if opportunity.status in TRANSITIONS[action]:
        return
    if action == "quote":
        raise InvalidState(_("This opportunity is lost; reopen it as a new opportunity "
                             "before quoting."))
    raise InvalidState(_("This opportunity is already closed (won or lost)."))


def _enter_stage(opportunity: Opportunity, stage: Stage, user_id: int | None) -> None:
    previous = opportunity.stage_id
    opportunity.stage_id = stage.id
    opportunity.stage = stage
    opportunity.probability = stage.probability
    _refresh_weighted(opportunity)
    _record_stage(opportunity, previous, user_id)


@transactional
def move_opportunity(opportunity_id: int, data: dict, *, user_id: int | None = None
                     ) -> Opportunity:
    """Move an open opportunity to another stage; a won or lost stage closes it (losing
    needs a reason, as with `lose_opportunity`)."""
    opportunity = get_opportunity(opportunity_id, lock=True)
    guard(opportunity, "move")
    values = clean({"stage_id": Integer(required=True, min_value=1)}, data)
    stage = db.session.get(Stage, values["stage_id"])
    if stage is None:
        raise ValidationError(fields={"stage_id": _("No such stage.")})
    if stage.is_won:
        return win_opportunity(opportunity_id, user_id=user_id)
    if stage.is_lost:
        return lose_opportunity(opportunity_id, data, user_id=user_id)
    if stage.id != opportunity.stage_id:
        _enter_stage(opportunity, stage, user_id)
    return opportunity


def _close(opportunity: Opportunity, stage: Stage, status: str, user_id: int | None) -> None:
    _enter_stage(opportunity, stage, user_id)
    opportunity.status = status
    opportunity.closed_at = utcnow()


@transactional
def win_opportunity(opportunity_id: int, *, user_id: int | None = None) -> Opportunity:
    opportunity = get_opportunity(opportunity_id, lock=True)
    guard(opportunity, "win")
    _close(opportunity, _special_stage("is_won"), "won", user_id)
    return opportunity


# --------------------------------------------------------------------------- order to cash


def quotation_values(opportunity_id: int, *, lock: bool = False) -> dict[str, Any]:
    """What a quotation made from the opportunity starts with: its customer, itself, its
    owner as the salesperson and its expected lines. Open and won opportunities may be quoted
    (a won deal may need another quotation); a lost one may not (409 invalid_state); without
    a customer: 422 on `partner_id`."""
    opportunity = get_opportunity(opportunity_id, lock=lock)
    guard(opportunity, "quote")
    if not opportunity.partner_id:
        raise ValidationError(
            _("Choose the opportunity's customer before making a quotation."),
            fields={"partner_id": _("The opportunity has no customer to quote.")})
    return {"partner_id": opportunity.partner_id, "opportunity_id": opportunity.id,
            "salesperson_id": opportunity.owner_id,
            "lines": [{"product_id": line.product_id, "quantity": f"{line.quantity.normalize():f}",
                       **({"unit_price": f"{line.unit_price:f}"}
                          if line.unit_price is not None else {})}
                      for line in opportunity.lines]}


@transactional
def quote_opportunity(opportunity_id: int, *, user_id: int | None = None) -> SalesOrder:
    """A draft quotation for the opportunity (POST /opportunities/{id}/quote): see
    `quotation_values`; a partner who is not a customer is a 422 from sales."""
    values = quotation_values(opportunity_id, lock=True)
    values["salesperson_id"] = values["salesperson_id"] or user_id
    return sales_services.create_order(values, user_id=user_id)


def check_quoted_opportunity(event: OpportunityQuoted) -> None:
    """Subscriber: a quotation names the opportunity it was quoted from; CRM owns that link
    and refuses an opportunity that does not exist (the row-level limit does not apply: the
    quotation's author need not own the opportunity)."""
    if db.session.get(Opportunity, event.opportunity_id) is None:
        raise ValidationError(fields={"opportunity_id": _("No such opportunity.")})


def win_on_confirmation(event: OrderConfirmed) -> None:
    """Subscriber: an order quoted from an opportunity was confirmed, so the opportunity is
    won, in the confirming transaction. Already won: nothing to do. Lost: a confirmed sale
    proves it was won after all, so it is reopened and won (the lost reason is cleared; the
    stage history keeps the loss). The row-level limit does not apply: whoever may confirm
    the order closes its opportunity, whoever owns it."""
    if not event.opportunity_id:
        return
    db.session.execute(select(Opportunity.id).where(Opportunity.id == event.opportunity_id)
                       .with_for_update())
    opportunity = db.session.get(Opportunity, event.opportunity_id, populate_existing=True)
    if opportunity is None or opportunity.status == "won":
        return
    _close(opportunity, _special_stage("is_won"), "won", event.user_id)
    opportunity.lost_reason = None


@transactional
def lose_opportunity(opportunity_id: int, data: dict, *, user_id: int | None = None
                     ) -> Opportunity:
    opportunity = get_opportunity(opportunity_id, lock=True)
    guard(opportunity, "lose")
    reason = clean(REASON_SPEC, data)["reason"]
    _close(opportunity, _special_stage("is_lost"), "lost", user_id)
    opportunity.lost_reason = reason
    return opportunity


def stage_history(opportunity_id: int) -> list[StageChange]:
    return list(db.session.scalars(
        select(StageChange).where(StageChange.opportunity_id == opportunity_id)
        .order_by(StageChange.changed_at, StageChange.id)))


# --------------------------------------------------------------------------- lists, board


def opportunity_query(q: str | None = None, *, status: str | None = None,
                      stage_id: int | None = None, owner_id: int | None = None,
                      partner_id: int | None = None) -> Select:
    """The opportunity list every page, export and API shares (newest first)."""
    stmt = visible(select(Opportunity), Opportunity).order_by(Opportunity.id.desc())
    stmt = search(stmt, q, [Opportunity.title])
    if status:
        stmt = stmt.where(Opportunity.status == status)
    if stage_id:
        stmt = stmt.where(Opportunity.stage_id == stage_id)
    if owner_id:
        stmt = stmt.where(Opportunity.owner_id == owner_id)
    if partner_id:
        stmt = stmt.where(Opportunity.partner_id == partner_id)
    return stmt


STATUS_FILTER = Choice(OPPORTUNITY_STATUSES)
STATUS_LABELS = {"open": _l("Open"), "won": _l("Won"), "lost": _l("Lost")}
STATUS_BADGES = {"open": "text-bg-primary", "won": "text-bg-success", "lost": "text-bg-dark"}


@dataclass
class Column:
    stage: Stage
    count: int = 0
    expected_revenue: Decimal = Decimal("0.00")
    weighted_revenue: Decimal = Decimal("0.00")
    cards: list[Opportunity] = field(default_factory=list)


def pipeline_columns(owner_id: int | None = None, q: str | None = None,
                     cards_per_column: int = 0) -> list[Column]:
    """One column per open stage with count and totals of its open opportunities (one
    GROUP BY), and up to `cards_per_column` newest cards each (one query per column)."""
    columns = {stage.id: Column(stage) for stage in open_stages()}
    totals = select(Opportunity.stage_id, func.count(), func.sum(Opportunity.expected_revenue),
                    func.sum(Opportunity.weighted_revenue)) \
        .where(Opportunity.status == "open").group_by(Opportunity.stage_id)
    totals = visible(search(totals, q, [Opportunity.title]), Opportunity)
    if owner_id:
        totals = totals.where(Opportunity.owner_id == owner_id)
    for stage_id, count, expected, weighted_sum in db.session.execute(totals):
        if stage_id in columns:
            column = columns[stage_id]
            column.count = count
            # SUMs over Numeric(18, 2): SQLite answers without the scale, so set it.
            column.expected_revenue = round_money(expected or 0)
            column.weighted_revenue = round_money(weighted_sum or 0)
    if cards_per_column:
        for column in columns.values():
            if column.count:
                stmt = opportunity_query(q, status="open", stage_id=column.stage.id,
                                         owner_id=owner_id).limit(cards_per_column)
                column.cards = list(db.session.scalars(stmt))
    return list(columns.values())


def pipeline_figures(owner_id: int | None = None) -> dict:
    columns = pipeline_columns(owner_id)
    return {
        "stages": [{"stage_id": c.stage.id, "name": c.stage.name, "count": c.count,
                    "expected_revenue": c.expected_revenue,
                    "weighted_revenue": c.weighted_revenue} for c in columns],
        "total_expected": sum((c.expected_revenue for c in columns), Decimal("0.00")),
        "total_weighted": sum((c.weighted_revenue for c in columns), Decimal("0.00")),
    }
