"""/api/v1/leads"""
from __future__ import annotations

from flask import request
from flask_login import current_user

from crm.leads import services
from crm.leads.models import Lead
from shared.api import api_blueprint, json_body, page_json, paginate, query_arg
from shared.permissions import require

bp = api_blueprint("leads_api", __name__)

LEAD_FIELDS = ("id", "title", "contact_name", "company_name", "email", "phone", "street", "city",
               "postal_code", "country", "source",
               "status", "owner_id", "expected_revenue", "notes", "partner_id",
               "opportunity_id", "disqualify_reason", "import_id", "created_at")


def lead_json(lead: Lead) -> dict:
    return {field: getattr(lead, field) for field in LEAD_FIELDS}


@bp.get("/leads")
@require("leads", "read")
def list_leads():
    filters = {name: query_arg(name, spec) for name, spec in services.LIST_FILTERS.items()}
    page = paginate(services.lead_query(request.args.get("q"), **filters))
    return page_json(page, [lead_json(lead) for lead in page.items])


@bp.post("/leads")
@require("leads", "write")
def create_lead():
    return lead_json(services.create_lead(json_body(), user_id=current_user.id)), 201


@bp.get("/leads/<int:lead_id>")
@require("leads", "read")
def get_lead(lead_id: int):
    return lead_json(services.get_lead(lead_id))


@bp.patch("/leads/<int:lead_id>")
@require("leads", "write")
def patch_lead(lead_id: int):
    return lead_json(services.update_lead(lead_id, json_body()))


@bp.post("/leads/<int:lead_id>/convert")
@require("leads", "write")
def convert_lead(lead_id: int):
    body = json_body() if request.get_data() else {}
    lead = services.convert_lead(lead_id, body, user_id=current_user.id)
    return {"partner_id": lead.partner_id, "opportunity_id": lead.opportunity_id}, 201


@bp.post("/leads/<int:lead_id>/disqualify")
@require("leads", "write")
def disqualify_lead(lead_id: int):
    return lead_json(services.disqualify_lead(lead_id, json_body()))
