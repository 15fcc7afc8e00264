"""/api/v1/company"""
from __future__ import annotations

from shared.api import api_blueprint, json_body
from shared.company import services
from shared.company.models import Company
from shared.permissions import require

bp = api_blueprint("company_api", __name__)

COMPANY_FIELDS = ("name", "street", "city", "postal_code", "country", "tax_id", "currency",
                  "bank_details", "invoice_footer", "locale", "default_tax_rate",
                  "sales_see_own_only", "ticket_assignment")


def company_json(company: Company) -> dict:
    return {**{field: getattr(company, field) for field in COMPANY_FIELDS},
            "has_logo": company.logo_mimetype is not None}


@bp.get("/company")
@require("company", "read")
def get_company():
    return company_json(services.get_company())


@bp.patch("/company")
@require("company", "write")
def patch_company():
    return company_json(services.update_company(json_body()))
