"""Pipeline pages: the kanban board, the opportunity list, the opportunity page and its
actions, and the admin's stage and lost-reason settings."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.activities import services as activity_services
from crm.activities.forms import KIND_LABELS, ActivityForm
from crm.leads import services as lead_services
from crm.leads.forms import owner_choices
from crm.pipeline import rules, services
from crm.pipeline.forms import (
    LoseForm,
    LostReasonForm,
    OpportunityForm,
    StageForm,
    partner_choices,
    submitted_lines,
)
from crm.pipeline.models import Opportunity
from shared.api import int_arg, paginate, query_arg
from shared.dates import company_today
from shared.errors import DomainError
from shared.extensions import db
from shared.forms import run_form
from shared.partners.models import Partner
from shared.permissions import can, require
from shared.products.models import Product
from shared.ui import HomeCard, money

bp = Blueprint("pipeline", __name__)

CARDS_PER_COLUMN = 25  # the board shows the newest cards; the list has the rest


def _board_args() -> dict:
    return {"owner_id": int_arg("owner_id"), "q": request.args.get("q", "") or None}


def _render_board(template: str = "crm/pipeline/board.html", error: str | None = None,
                  **args):
    columns = services.pipeline_columns(cards_per_column=CARDS_PER_COLUMN, **args)
    partners = _partner_names(card.partner_id for column in columns for card in column.cards)
    closing = [stage for stage in services.stages() if not stage.is_open]
    labels = {stage.id: stage_name(stage) for stage in
              [*(column.stage for column in columns), *closing]}
    owners = lead_services.salespeople()
    return render_template(template, columns=columns, closing=closing, partners=partners,
                           stage_labels=labels,
                           owners=owners, args=request.args,
                           users={u.id: u.name for u in owners},
                           cards_per_column=CARDS_PER_COLUMN, error=error)


def _partner_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    stmt = select(Partner.id, Partner.name).where(Partner.id.in_(ids))
    return {partner_id: name for partner_id, name in db.session.execute(stmt)}


@bp.app_template_filter("stage_name")
def stage_name(stage) -> str:
    """The default stages' names in the user's language; names an admin typed as they are."""
    return str(services.DEFAULT_STAGE_LABELS.get(stage.name, stage.name))


@bp.get("/pipeline/")
@require("leads", "read")
def board():
    return _render_board(**_board_args())


@bp.get("/opportunities/")
@require("leads", "read")
def list_opportunities():
    q = request.args.get("q", "")
    stmt = services.opportunity_query(
        q, status=query_arg("status", services.STATUS_FILTER), stage_id=int_arg("stage_id"),
        owner_id=int_arg("owner_id"))
    page = paginate(stmt)
    template = "crm/pipeline/_table.html" if request.headers.get("HX-Request") \
        else "crm/pipeline/list.html"
    return render_template(template, page=page, q=q, args=request.args,
                           stages=services.stages(), owners=lead_services.salespeople(),
                           users={u.id: u.name for u in lead_services.salespeople()},
                           partners=_partner_names(o.partner_id for o in page.items))


@bp.post("/opportunities/<int:opportunity_id>/move")
@require("leads", "write")
def move_opportunity(opportunity_id: int):
    """Drag and drop and the keyboard move control both post here; htmx gets the board back
    (with fresh column totals), a plain form post is redirected to it."""
    error = None
    try:
        services.move_opportunity(opportunity_id, {"stage_id": request.form.get("stage_id"),
                                                   "reason": request.form.get("reason")},
                                  user_id=current_user.id)
    except DomainError as exc:
        if not request.headers.get("HX-Request"):
            raise
        error = exc.message  # shown above the board, which goes back as it is
    if request.headers.get("HX-Request"):
        return _render_board("crm/pipeline/_board.html", error=error,
                             owner_id=int_arg("owner_id"), q=request.args.get("q") or None)
    if request.form.get("next") == "opportunity":
        return redirect(url_for("pipeline.show_opportunity", opportunity_id=opportunity_id))
    return redirect(url_for("pipeline.board", owner_id=int_arg("owner_id") or None))


def _opportunity_form(opportunity=None) -> OpportunityForm:
    form = OpportunityForm(obj=opportunity)
    partners = list(db.session.scalars(select(Partner).where(Partner.is_customer.is_(True))
                                       .order_by(Partner.name).limit(500)))
    if opportunity is not None and opportunity.partner_id \
            and all(p.id != opportunity.partner_id for p in partners):
        partners.append(db.session.get(Partner, opportunity.partner_id))
    form.partner_id.choices = partner_choices(partners)
    form.owner_id.choices = owner_choices(lead_services.salespeople(), opportunity)
    if opportunity is not None and request.method == "GET":
        form.partner_id.data = str(opportunity.partner_id or "")
        form.owner_id.data = str(opportunity.owner_id or "")
    return form


def _render_form(form: OpportunityForm, opportunity=None):
    """The form with its expected-product rows: what was submitted, else the saved lines,
    and two blank rows to add more."""
    rows = submitted_lines()
    if rows is None:
        rows = [{"product_id": line.product_id, "quantity": f"{line.quantity.normalize():f}",
                 "unit_price": line.unit_price} for line in opportunity.lines] \
            if opportunity is not None else []
    rows = [*rows, *({"product_id": "", "quantity": "", "unit_price": ""} for _ in range(2))]
    products = list(db.session.scalars(select(Product).where(Product.active.is_(True))
                                       .order_by(Product.sku).limit(500)))
    return render_template("crm/pipeline/form.html", form=form, opportunity=opportunity,
                           line_rows=rows, products=products)


@bp.route("/opportunities/new", methods=["GET", "POST"])
@require("leads", "write")
def new_opportunity():
    form = _opportunity_form()
    opportunity = run_form(form, lambda values: services.create_opportunity(
        values, user_id=current_user.id))
    if opportunity is not None:
        flash(_("Opportunity created."), "success")
        return redirect(url_for("pipeline.show_opportunity", opportunity_id=opportunity.id))
    return _render_form(form)


@bp.route("/opportunities/<int:opportunity_id>/edit", methods=["GET", "POST"])
@require("leads", "write")
def edit_opportunity(opportunity_id: int):
    opportunity = services.get_opportunity(opportunity_id)
    form = _opportunity_form(opportunity)
    saved = run_form(form, lambda values: services.update_opportunity(opportunity_id, values))
    if saved is not None:
        flash(_("Opportunity saved."), "success")
        return redirect(url_for("pipeline.show_opportunity", opportunity_id=opportunity_id))
    return _render_form(form, opportunity)


def render_opportunity(opportunity, lose_form=None, activity_form=None):
    return render_template(
        "crm/pipeline/show.html", opportunity=opportunity,
        actions=rules.allowed_actions(opportunity, current_user),
        partner=db.session.get(Partner, opportunity.partner_id) if opportunity.partner_id
        else None, users={u.id: u.name for u in lead_services.salespeople()},
        history=services.stage_history(opportunity.id), stages=services.stages(),
        open_stages=services.open_stages(), lost_reasons=services.lost_reasons(),
        lose_form=lose_form or LoseForm(formdata=None),
        activity_form=activity_form or ActivityForm(opportunity_id=opportunity.id,
                                                    formdata=None),
        activities=activity_services.timeline(opportunity_id=opportunity.id), kinds=KIND_LABELS,
        today=company_today())


@bp.get("/opportunities/<int:opportunity_id>")
@require("leads", "read")
def show_opportunity(opportunity_id: int):
    return render_opportunity(services.get_opportunity(opportunity_id))


@bp.post("/opportunities/<int:opportunity_id>/win")
@require("leads", "write")
def win_opportunity(opportunity_id: int):
    services.win_opportunity(opportunity_id, user_id=current_user.id)
    flash(_("Opportunity won."), "success")
    return redirect(url_for("pipeline.show_opportunity", opportunity_id=opportunity_id))


@bp.get("/opportunities/<int:opportunity_id>/quote")
@require("sales_orders", "write")
def quote_opportunity(opportunity_id: int):
    """"Create quotation" (Odoo's "New Quotation"): the quotation form filled from the
    opportunity, saved only when the salesperson saves it."""
    values = services.quotation_values(opportunity_id)
    lines = values.pop("lines")
    return redirect(url_for(
        "sales.new_order", **{k: v for k, v in values.items() if v is not None},
        **{f"line-{name}": [line.get(name, "") for line in lines]
           for name in ("product_id", "quantity", "unit_price")}))


def opportunity_of_order(order) -> tuple[str, str] | None:
    """The sales order page's link back to the opportunity it was quoted from."""
    if not order.opportunity_id or not can("leads", "read"):
        return None
    title = db.session.scalar(select(Opportunity.title)
                              .where(Opportunity.id == order.opportunity_id))
    return (_("Opportunity: %(title)s", title=title),
            url_for("pipeline.show_opportunity", opportunity_id=order.opportunity_id))


@bp.post("/opportunities/<int:opportunity_id>/lose")
@require("leads", "write")
def lose_opportunity(opportunity_id: int):
    form = LoseForm()
    lost = run_form(form, lambda values: services.lose_opportunity(
        opportunity_id, values, user_id=current_user.id))
    if lost is None:
        return render_opportunity(services.get_opportunity(opportunity_id), lose_form=form), 422
    flash(_("Opportunity marked lost."), "success")
    return redirect(url_for("pipeline.show_opportunity", opportunity_id=opportunity_id))


# --------------------------------------------------------------------------- settings


def _render_settings(stage_form=None, reason_form=None, status=200):
    return render_template("crm/pipeline/settings.html", stages=services.stages(),
                           reasons=services.lost_reasons(active_only=False),
                           stage_form=stage_form or StageForm(formdata=None),
                           reason_form=reason_form or LostReasonForm(formdata=None)), status


@bp.get("/pipeline/settings")
@require("pipeline_config", "write")
def settings():
    return _render_settings()


@bp.post("/pipeline/stages/new")
@require("pipeline_config", "write")
def create_stage():
    form = StageForm()
    if run_form(form, services.create_stage) is None:
        return _render_settings(stage_form=form, status=422)
    flash(_("Stage added."), "success")
    return redirect(url_for("pipeline.settings"))


@bp.post("/pipeline/stages/<int:stage_id>")
@require("pipeline_config", "write")
def update_stage(stage_id: int):
    form = StageForm()
    if run_form(form, lambda values: services.update_stage(stage_id, values)) is None:
        message = "; ".join(form.form_errors + [e for f in form for e in f.errors])
        flash(message or _("Some fields are missing or invalid."), "danger")
    else:
        flash(_("Stage saved."), "success")
    return redirect(url_for("pipeline.settings"))


@bp.post("/pipeline/lost-reasons/new")
@require("pipeline_config", "write")
def create_lost_reason():
    form = LostReasonForm()
    if run_form(form, services.create_lost_reason) is None:
        return _render_settings(reason_form=form, status=422)
    return redirect(url_for("pipeline.settings"))


@bp.post("/pipeline/lost-reasons/<int:reason_id>/toggle")
@require("pipeline_config", "write")
def toggle_lost_reason(reason_id: int):
    services.set_lost_reason_active(reason_id, request.form.get("active") == "1")
    return redirect(url_for("pipeline.settings"))


def home_cards() -> list[HomeCard]:
    """The weighted forecast of open opportunities (as the board shows it to this user) and
    the user's overdue activities."""
    if not can("leads", "read"):
        return []
    figures = services.pipeline_figures()
    overdue = activity_services.overdue_count(current_user.id)
    return [HomeCard(_("Weighted pipeline"), money(figures["total_weighted"]),
                     url_for("pipeline.board")),
            HomeCard(_("My overdue activities"), str(overdue),
                     url_for("activities.my_activities"), attention=overdue > 0)]

