"""The customer's whole picture (the "customer 360"): CRM, sales and invoicing records of one
partner, read from the one database, for GET /partners/{id}/summary and /customers/<id>.

Each section is a bounded list, newest first: the `LIMIT` latest records, with the full
number in `counts` so a client knows when there are more (the sections' own lists, filtered
by partner, page through the rest). Sections the user's role may not read are left empty and
named in `hidden`, so an empty list never passes for "nothing there". The number of queries
does not depend on the number of records: lines and allocations are loaded in one query per
section, the counts in one query and the totals in one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from crm.activities import services as activity_services
from crm.activities.models import Activity
from crm.leads.models import Lead
from crm.pipeline import services as pipeline_services
from crm.pipeline.models import Opportunity
from crm.queries import visible
from crm.tickets import services as ticket_services
from crm.tickets.models import Ticket
from erp.invoicing import payments as payment_services
from erp.invoicing import services as invoice_services
from erp.invoicing.models import CUSTOMER_CREDIT_NOTE, CUSTOMER_INVOICE, Invoice, Payment
from erp.invoicing.reports import customer_totals
from erp.sales import services as sales_services
from erp.sales.models import Delivery, SalesOrder
from shared.dates import company_today
from shared.extensions import db
from shared.partners.models import Partner
from shared.partners.services import get_partner
from shared.permissions import can

LIMIT = 50  # records per section; `counts` has the full numbers

CUSTOMER_KINDS = (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE)

# section -> the permission (area, action) that reading it needs (API.md's role table)
SECTIONS: dict[str, tuple[str, str]] = {
    "leads": ("leads", "read"),
    "opportunities": ("leads", "read"),
    "activities": ("leads", "read"),
    "sales_orders": ("sales_orders", "read"),
    "deliveries": ("sales_orders", "read"),
    "invoices": ("invoices", "read"),
    "payments": ("invoices", "read"),
    "tickets": ("tickets", "read"),
    "totals": ("invoices", "read"),
}


@dataclass
class Summary:
    partner: Partner
    leads: list[Lead] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    sales_orders: list[SalesOrder] = field(default_factory=list)
    deliveries: list[tuple[Delivery, SalesOrder]] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)  # on it, its leads, opportunities
    tickets: list[Ticket] = field(default_factory=list)
    totals: dict[str, Decimal | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    today: date = field(default_factory=date.today)


def readable_sections() -> set[str]:
    return {name for name, (area, action) in SECTIONS.items() if can(area, action)}


def _leads_stmt(partner_id: int):
    return visible(select(Lead), Lead).where(Lead.partner_id == partner_id)


def _counts(partner_id: int, sections: set[str]) -> dict[str, int]:
    """Every readable section's full count, in one query of scalar subqueries."""
    def count(stmt):
        return select(func.count()).select_from(stmt.order_by(None).subquery()) \
            .scalar_subquery()

    queries = {
        "leads": lambda: count(_leads_stmt(partner_id)),
        "opportunities": lambda: count(
            pipeline_services.opportunity_query(partner_id=partner_id)),
        "sales_orders": lambda: count(sales_services.order_query(partner_id=partner_id)),
        "deliveries": lambda: count(
            select(Delivery.id).join(SalesOrder, SalesOrder.id == Delivery.order_id)
            .where(SalesOrder.partner_id == partner_id)),
        "invoices": lambda: count(select(Invoice.id).where(
            Invoice.partner_id == partner_id, Invoice.kind.in_(CUSTOMER_KINDS))),
        "payments": lambda: count(select(Payment.id).where(Payment.partner_id == partner_id)),
        "activities": lambda: count(activity_services.of_customer(partner_id)),
        "tickets": lambda: count(select(Ticket.id).where(Ticket.partner_id == partner_id)),
    }
    wanted = [name for name in queries if name in sections]
    counts = dict.fromkeys(queries, 0)
    if wanted:
        row = db.session.execute(select(*(queries[name]().label(name) for name in wanted))).one()
        counts.update({name: int(value or 0) for name, value in zip(wanted, row, strict=True)})
    return counts


def customer_summary(partner_id: int, *, today: date | None = None,
                     limit: int = LIMIT) -> Summary:
    """The partner (404 when unknown) and the sections the user may read (see the module
    docstring). Lists: leads whose partner is this one, opportunities, sales orders
    (quotations too) and their deliveries, customer invoices and credit notes (vendor bills
    belong to purchasing), payments, service tickets (newest first). Totals come from
    `erp.invoicing.reports.customer_totals`."""
    partner = get_partner(partner_id)
    sections = readable_sections()
    summary = Summary(partner=partner, today=today or company_today(),
                      hidden=sorted(set(SECTIONS) - sections - {"deliveries"}))
    if "leads" in sections:
        summary.leads = list(db.session.scalars(
            _leads_stmt(partner_id).order_by(Lead.id.desc()).limit(limit)))
    if "opportunities" in sections:
        summary.opportunities = pipeline_services.with_lines(list(db.session.scalars(
            pipeline_services.opportunity_query(partner_id=partner_id).limit(limit))))
    if "activities" in sections:
        summary.activities = list(db.session.scalars(
            activity_services.of_customer(partner_id).limit(limit)))
    if "sales_orders" in sections:
        summary.sales_orders = sales_services.with_lines(list(db.session.scalars(
            sales_services.order_query(partner_id=partner_id).limit(limit))))
        summary.deliveries = [tuple(row) for row in db.session.execute(
            select(Delivery, SalesOrder).join(SalesOrder, SalesOrder.id == Delivery.order_id)
            .where(SalesOrder.partner_id == partner_id)
            .order_by(Delivery.id.desc()).limit(limit))]
    if "invoices" in sections:
        summary.invoices = invoice_services.with_lines(list(db.session.scalars(
            invoice_services.invoice_query(partner_id=partner_id)
            .where(Invoice.kind.in_(CUSTOMER_KINDS)).limit(limit))))
        summary.payments = list(db.session.scalars(
            payment_services.payment_query(partner_id=partner_id).limit(limit)))
        summary.totals = dict(customer_totals(partner_id, today=summary.today))
    else:
        summary.totals = {"open_amount_due": None, "overdue_amount": None,
                          "lifetime_revenue": None}
    if "tickets" in sections:
        summary.tickets = list(db.session.scalars(
            ticket_services.ticket_query(partner_id=partner_id).limit(limit)))
    summary.counts = _counts(partner_id, sections)
    return summary


# --------------------------------------------------------------------------- timeline


@dataclass
class Event:
    at: datetime
    kind: str  # lead_created, opportunity_created|won|lost, order_created|confirmed|
    #            cancelled, delivery_done, invoice_posted, payment_received
    title: str
    url: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


def timeline(summary: Summary) -> list[Event]:
    """What happened with the customer, newest first, from the sections already loaded."""
    events: list[Event] = []
    for lead in summary.leads:
        events.append(Event(lead.created_at, "lead_created", lead.title, f"/leads/{lead.id}",
                            lead.expected_revenue))
    for opp in summary.opportunities:
        url = f"/opportunities/{opp.id}"
        events.append(Event(opp.created_at, "opportunity_created", opp.title, url,
                            opp.expected_revenue))
        if opp.closed_at and opp.status in ("won", "lost"):
            events.append(Event(opp.closed_at, f"opportunity_{opp.status}", opp.title, url,
                                opp.expected_revenue))
    for activity in summary.activities:
        events.append(Event(activity.created_at, "activity_scheduled", activity.subject))
        if activity.done_at:
            events.append(Event(activity.done_at, "activity_done", activity.subject))
    for order in summary.sales_orders:
        url = f"/sales/orders/{order.id}"
        events.append(Event(order.created_at, "order_created", order.number, url,
                            order.total, order.currency))
        if order.confirmed_at:
            events.append(Event(order.confirmed_at, "order_confirmed", order.number, url,
                                order.total, order.currency))
        if order.cancelled_at:
            events.append(Event(order.cancelled_at, "order_cancelled", order.number, url))
    for delivery, order in summary.deliveries:
        events.append(Event(delivery.created_at, "delivery_done",
                            f"{delivery.number} · {order.number}",
                            f"/sales/orders/{order.id}"))
    for invoice in summary.invoices:
        if invoice.posted_at:
            events.append(Event(invoice.posted_at, "invoice_posted", invoice.number or "",
                                f"/invoices/{invoice.id}", invoice.total, invoice.currency))
    for ticket in summary.tickets:
        events.append(Event(ticket.created_at, "ticket_opened",
                            f"{ticket.number} {ticket.subject}", f"/tickets/{ticket.id}"))
    for payment in summary.payments:
        events.append(Event(payment.created_at, "payment_received",
                            payment.reference or payment.date.isoformat(), None,
                            payment.amount, payment.currency))
    events.sort(key=lambda event: event.at, reverse=True)
    return events
