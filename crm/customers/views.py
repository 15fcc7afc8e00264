"""/customers/<partner_id>: the customer 360 page, from the same service as the API."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from crm.customers import services
from crm.leads.services import STATUS_LABELS as LEAD_STATUS_LABELS
from erp.invoicing.reports import customer_risk
from shared.permissions import can, require

bp = Blueprint("customers", __name__, url_prefix="/customers")

EVENT_LABELS = {"lead_created": _l("Lead created"),
                "opportunity_created": _l("Opportunity created"),
                "opportunity_won": _l("Opportunity won"),
                "opportunity_lost": _l("Opportunity lost"),
                "order_created": _l("Quotation created"),
                "order_confirmed": _l("Order confirmed"),
                "order_cancelled": _l("Order cancelled"),
                "delivery_done": _l("Delivery made"),
                "invoice_posted": _l("Invoice posted"),
                "payment_received": _l("Payment received"),
                "activity_scheduled": _l("Activity scheduled"),
                "activity_done": _l("Activity done"),
                "ticket_opened": _l("Ticket opened")}
SECTION_LABELS = {"leads": _l("Leads"), "opportunities": _l("Opportunities"),
                  "activities": _l("Activities"),
                  "sales_orders": _l("Quotations and orders"), "invoices": _l("Invoices"),
                  "payments": _l("Payments"), "tickets": _l("Tickets"),
                  "totals": _l("Totals")}


@bp.get("/<int:partner_id>")
@require("partners", "read")
def show_customer(partner_id: int):
    summary = services.customer_summary(partner_id)
    return render_template(
        "crm/customers/show.html", summary=summary, partner=summary.partner,
        today=summary.today, events=services.timeline(summary),
        lead_status_labels=LEAD_STATUS_LABELS, event_labels=EVENT_LABELS,
        hidden_labels=[str(SECTION_LABELS[name]) for name in summary.hidden],
        risk=customer_risk(partner_id, summary.today) if can("report_at_risk") else None)
