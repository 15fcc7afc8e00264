"""/api/v1/partners"""
from __future__ import annotations

from flask import request
from flask_login import current_user

from shared.api import api_blueprint, bool_arg, json_body, page_json, paginate
from shared.partners import services
from shared.partners.models import Partner
from shared.permissions import require

bp = api_blueprint("partners_api", __name__)

PARTNER_FIELDS = ("id", "code", "name", "contact_name", "kind", "email", "phone", "tax_id",
                  "street", "city", "postal_code", "country", "is_customer", "is_supplier",
                  "payment_term_days", "credit_limit", "notes", "locale", "created_at")


def partner_json(partner: Partner) -> dict:
    return {field: getattr(partner, field) for field in PARTNER_FIELDS}


@bp.get("/partners")
@require("partners", "read")
def list_partners():
    stmt = services.partner_query(request.args.get("q"), is_customer=bool_arg("is_customer"),
                                  is_supplier=bool_arg("is_supplier"),
                                  kind=request.args.get("kind") or None)
    page = paginate(stmt)
    return page_json(page, [partner_json(partner) for partner in page.items])


@bp.post("/partners")
@require("partners", "write")
def create_partner():
    partner = services.create_partner(json_body(), user_id=current_user.id)
    return partner_json(partner), 201


@bp.get("/partners/<int:partner_id>")
@require("partners", "read")
def get_partner(partner_id: int):
    return partner_json(services.get_partner(partner_id))


@bp.patch("/partners/<int:partner_id>")
@require("partners", "write")
def patch_partner(partner_id: int):
    return partner_json(services.update_partner(partner_id, json_body()))
