"""/api/v1/pipeline, /api/v1/opportunities"""
from __future__ import annotations

from flask import request
from flask_login import current_user

from crm.pipeline import rules, services
from crm.pipeline.models import Opportunity, Stage
from shared.api import api_blueprint, int_arg, json_body, page_json, paginate, query_arg
from shared.permissions import require

bp = api_blueprint("pipeline_api", __name__)

OPPORTUNITY_FIELDS = ("id", "title", "partner_id", "stage_id", "status", "expected_revenue",
                      "probability", "weighted_revenue", "expected_close_date", "owner_id",
                      "lost_reason", "lead_id", "notes", "created_at", "closed_at")


def stage_json(stage: Stage) -> dict:
    return {"id": stage.id, "name": stage.name, "sequence": stage.sequence,
            "probability": stage.probability, "is_won": stage.is_won, "is_lost": stage.is_lost}


def opportunity_json(opportunity: Opportunity) -> dict:
    data = {field: getattr(opportunity, field) for field in OPPORTUNITY_FIELDS}
    data["lines"] = [{"id": line.id, "product_id": line.product_id, "sku": line.product.sku,
                      "quantity": line.quantity, "unit_price": line.unit_price}
                     for line in opportunity.lines]
    data["allowed_actions"] = sorted(rules.allowed_actions(opportunity, current_user))
    return data


@bp.get("/pipeline/stages")
@require("leads", "read")
def list_stages():
    return {"items": [stage_json(stage) for stage in services.stages()]}


@bp.post("/pipeline/stages")
@require("pipeline_config", "write")
def create_stage():
    return stage_json(services.create_stage(json_body())), 201


@bp.patch("/pipeline/stages/<int:stage_id>")
@require("pipeline_config", "write")
def patch_stage(stage_id: int):
    return stage_json(services.update_stage(stage_id, json_body()))


@bp.get("/pipeline/lost-reasons")
@require("leads", "read")
def list_lost_reasons():
    return {"items": [{"id": r.id, "name": r.name, "active": r.active}
                      for r in services.lost_reasons()]}


@bp.post("/pipeline/lost-reasons")
@require("pipeline_config", "write")
def create_lost_reason():
    reason = services.create_lost_reason(json_body())
    return {"id": reason.id, "name": reason.name, "active": reason.active}, 201


@bp.get("/pipeline")
@require("leads", "read")
def pipeline():
    return services.pipeline_figures(owner_id=int_arg("owner_id"))


@bp.get("/opportunities")
@require("leads", "read")
def list_opportunities():
    stmt = services.opportunity_query(
        request.args.get("q"), status=query_arg("status", services.STATUS_FILTER),
        stage_id=int_arg("stage_id"), owner_id=int_arg("owner_id"),
        partner_id=int_arg("partner_id"))
    page = paginate(stmt)
    services.with_lines(page.items)
    return page_json(page, [opportunity_json(o) for o in page.items])


@bp.post("/opportunities")
@require("leads", "write")
def create_opportunity():
    opportunity = services.create_opportunity(json_body(), user_id=current_user.id)
    return opportunity_json(opportunity), 201


@bp.get("/opportunities/<int:opportunity_id>")
@require("leads", "read")
def get_opportunity(opportunity_id: int):
    return opportunity_json(services.get_opportunity(opportunity_id))


@bp.patch("/opportunities/<int:opportunity_id>")
@require("leads", "write")
def patch_opportunity(opportunity_id: int):
    return opportunity_json(services.update_opportunity(opportunity_id, json_body()))


@bp.post("/opportunities/<int:opportunity_id>/move")
@require("leads", "write")
def move_opportunity(opportunity_id: int):
    return opportunity_json(services.move_opportunity(opportunity_id, json_body(),
                                                      user_id=current_user.id))


@bp.post("/opportunities/<int:opportunity_id>/win")
@require("leads", "write")
def win_opportunity(opportunity_id: int):
    return opportunity_json(services.win_opportunity(opportunity_id, user_id=current_user.id))


@bp.post("/opportunities/<int:opportunity_id>/lose")
@require("leads", "write")
def lose_opportunity(opportunity_id: int):
    return opportunity_json(services.lose_opportunity(opportunity_id, json_body(),
                                                      user_id=current_user.id))


@bp.post("/opportunities/<int:opportunity_id>/quote")
@require("sales_orders", "write")
def quote_opportunity(opportunity_id: int):
    """A draft quotation for the opportunity's customer with its expected lines."""
    order = services.quote_opportunity(opportunity_id, user_id=current_user.id)
    return {"sales_order_id": order.id}, 201
