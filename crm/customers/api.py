"""/api/v1/partners/{id}/summary: the customer's whole picture (API.md)."""
from __future__ import annotations

from crm.activities.api import activity_json
from crm.customers import services
from crm.leads.api import lead_json
from crm.pipeline.api import opportunity_json
from crm.tickets.api import ticket_json
from erp.invoicing.api import invoice_json, payment_json
from erp.sales.api import order_json
from shared.api import api_blueprint
from shared.db import utcnow
from shared.partners.api import partner_json
from shared.permissions import require

bp = api_blueprint("customers_api", __name__)


@bp.get("/partners/<int:partner_id>/summary")
@require("partners", "read")
def partner_summary(partner_id: int):
    """`{"partner", "leads", "opportunities", "sales_orders", "invoices", "payments",
    "tickets", "totals": {"open_amount_due", "overdue_amount", "lifetime_revenue"},
    "counts", "hidden"}`.

    Each list holds records exactly as their own endpoints return them, newest first, at
    most the 50 latest (`services.LIMIT`); `counts` gives every section's full number.
    Sections the user's role may not read (API.md's role table) are empty and listed in
    `hidden`; so are the totals (their values then null) without invoice access. Leads are
    those whose `partner_id` is this partner; invoices are customer invoices and credit
    notes. `tickets` are the customer's service tickets as GET /tickets/{id} returns them."""
    summary = services.customer_summary(partner_id)
    now = utcnow()
    return {
        "partner": partner_json(summary.partner),
        "leads": [lead_json(lead) for lead in summary.leads],
        "opportunities": [opportunity_json(o) for o in summary.opportunities],
        "sales_orders": [order_json(order) for order in summary.sales_orders],
        "invoices": [invoice_json(invoice, summary.today) for invoice in summary.invoices],
        "payments": [payment_json(payment) for payment in summary.payments],
        "activities": [activity_json(activity) for activity in summary.activities],
        "tickets": [ticket_json(ticket, now) for ticket in summary.tickets],
        "totals": summary.totals,
        "counts": {name: summary.counts[name] for name in
                   ("leads", "opportunities", "sales_orders", "invoices", "payments",
                    "activities", "tickets")},
        "hidden": summary.hidden,
    }
