"""/api/v1/activities"""
from __future__ import annotations

from flask_login import current_user

from crm.activities import services
from crm.activities.models import Activity
from shared.api import api_blueprint, json_body, page_json, paginate, query_arg
from shared.permissions import require

bp = api_blueprint("activities_api", __name__)

ACTIVITY_FIELDS = ("id", "kind", "subject", "due_date", "done", "done_at", "note", "owner_id",
                   "lead_id", "opportunity_id", "partner_id", "ticket_id", "created_at")


def activity_json(activity: Activity) -> dict:
    return {field: getattr(activity, field) for field in ACTIVITY_FIELDS}


@bp.get("/activities")
@require("leads", "read")
def list_activities():
    filters = {name: query_arg(name, spec) for name, spec in services.ACTIVITY_FILTERS.items()}
    page = paginate(services.activity_query(**filters))
    return page_json(page, [activity_json(a) for a in page.items])


@bp.post("/activities")
@require("leads", "write")
def create_activity():
    return activity_json(services.create_activity(json_body(), user_id=current_user.id)), 201


@bp.get("/activities/<int:activity_id>")
@require("leads", "read")
def get_activity(activity_id: int):
    return activity_json(services.get_activity(activity_id))


@bp.patch("/activities/<int:activity_id>")
@require("leads", "write")
def patch_activity(activity_id: int):
    return activity_json(services.update_activity(activity_id, json_body()))
