"""Helpdesk pages: the queue (htmx-refreshed, filters kept), a ticket with its conversation
and the customer's picture beside it, the new-ticket form (also opened from the customer,
order and invoice pages with the link filled in), the support dashboard with its weekly chart,
and the admin's SLA settings."""
from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.tickets import rules, services
from crm.tickets.forms import (
    WEEKDAYS,
    CalendarForm,
    CommentForm,
    HolidayForm,
    PolicyForm,
    TicketEditForm,
    TicketForm,
    priority_choices,
)
from crm.tickets.models import Ticket
from erp.invoicing.models import CUSTOMER_CREDIT_NOTE, CUSTOMER_INVOICE, Invoice
from erp.sales.models import OPEN_STATES, SalesOrder, SalesOrderLine
from shared.api import int_arg, paginate, query_arg
from shared.dates import company_today
from shared.db import utcnow
from shared.extensions import db
from shared.forms import blank_choice, run_form
from shared.partners.models import Partner
from shared.permissions import can, require
from shared.products.models import Product
from shared.ui import HomeCard
from shared.validation import id_or_none

bp = Blueprint("tickets", __name__)

VIEWS = ("mine", "unassigned", "breached", "due_today", "active", "all")
REFRESH_SECONDS = 30


# --------------------------------------------------------------------------- the queue


@bp.app_template_filter("timedelta_words")
def timedelta_words(seconds: float) -> str:
    """"3 hours", "2 days" in the user's language (Babel)."""
    return format_timedelta(timedelta(seconds=seconds), threshold=1.5)



def _queue_filters() -> dict:
    view = request.args.get("view") or "active"
    view = view if view in VIEWS else "active"
    filters = {"status": query_arg("status", services.FILTERS["status"]),
               "priority": query_arg("priority", services.FILTERS["priority"]),
               "assignee_id": int_arg("assignee_id"), "partner_id": int_arg("partner_id"),
               "created_from": query_arg("created_from", services.FILTERS["created_from"]),
               "created_to": query_arg("created_to", services.FILTERS["created_to"])}
    if view == "mine":
        filters.update(assignee_id=current_user.id, active=True)
    elif view == "unassigned":
        filters.update(unassigned=True, active=True)
    elif view == "breached":
        filters.update(breached=True, active=True)
    elif view == "due_today":
        filters.update(due_today=True, active=True)
    elif view == "active" and not filters["status"]:
        filters["active"] = True
    return {"view": view, **filters}


@bp.get("/tickets/")
@require("tickets", "read")
def queue():
    filters = _queue_filters()
    view = filters.pop("view")
    now = utcnow()
    page = paginate(services.ticket_query(request.args.get("q") or None, by_deadline=True,
                                          now=now, **filters))
    context = {
        "page": page, "view": view, "now": now, "args": request.args,
        "partners": services.partner_names(t.partner_id for t in page.items),
        "users": services.user_names(t.assignee_id for t in page.items),
        "agents": services.assignable_users(), "refresh": REFRESH_SECONDS,
        "views": {"mine": _("My tickets"), "unassigned": _("Unassigned"),
                  "breached": _("Breached"), "due_today": _("Due today"),
                  "active": _("All open"), "all": _("All")}}
    if request.headers.get("HX-Request"):
        return render_template("crm/tickets/_queue.html", **context)
    return render_template("crm/tickets/queue.html", **context)


# --------------------------------------------------------------------------- new ticket


def _user_choices(users) -> list[tuple[str, str]]:
    return [blank_choice(_("Unassigned")), *((str(u.id), u.name or u.email) for u in users)]


def _link_choices(partner_id: int | None, current: Ticket | None = None) -> dict:
    """The customer's own orders, invoices and the products on their orders, newest first,
    for the link selects (one query each)."""
    orders, invoices, products = [], [], []
    if partner_id:
        orders = db.session.execute(
            select(SalesOrder.id, SalesOrder.number).where(SalesOrder.partner_id == partner_id)
            .order_by(SalesOrder.id.desc()).limit(100)).all()
        invoices = db.session.execute(
            select(Invoice.id, Invoice.number).where(
                Invoice.partner_id == partner_id,
                Invoice.kind.in_((CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE)))
            .order_by(Invoice.id.desc()).limit(100)).all()
        products = db.session.execute(
            select(Product.id, Product.sku, Product.name).where(Product.id.in_(
                select(SalesOrderLine.product_id).join(SalesOrder)
                .where(SalesOrder.partner_id == partner_id)))
            .order_by(Product.sku).limit(200)).all()
    # The ticket's own links stay choosable even beyond the latest hundred, so saving the
    # form never drops them.
    if current is not None and current.sales_order_id and \
            all(o.id != current.sales_order_id for o in orders):
        order = db.session.get(SalesOrder, current.sales_order_id)
        orders = [*orders, (order.id, order.number)]
    if current is not None and current.invoice_id and \
            all(i.id != current.invoice_id for i in invoices):
        invoice = db.session.get(Invoice, current.invoice_id)
        invoices = [*invoices, (invoice.id, invoice.number)]
    if current is not None and current.product_id and \
            all(p.id != current.product_id for p in products):
        product = db.session.get(Product, current.product_id)
        products = [*products, (product.id, product.sku, product.name)]
    return {
        "sales_order_id": [blank_choice(), *((str(i), n) for i, n in orders)],
        "invoice_id": [blank_choice(), *((str(i), n or _("Draft %(id)s", id=i))
                                          for i, n in invoices)],
        "product_id": [blank_choice(), *((str(i), f"{sku} · {name}")
                                          for i, sku, name in products)],
    }


def _apply_link_choices(form, partner_id: int | None, current: Ticket | None = None) -> None:
    for name, choices in _link_choices(partner_id, current).items():
        getattr(form, name).choices = choices


def _customer_choices(selected: int | None) -> list[tuple[str, str]]:
    partners = db.session.execute(select(Partner.id, Partner.name).where(
        Partner.is_customer.is_(True)).order_by(Partner.name).limit(500)).all()
    if selected and all(p.id != selected for p in partners):
        partner = db.session.get(Partner, selected)
        if partner is not None:
            partners.append((partner.id, partner.name))
    return [blank_choice(), *((str(i), n) for i, n in partners)]


@bp.route("/tickets/new", methods=["GET", "POST"])
@require("tickets", "create")
def new_ticket():
    form = TicketForm()
    partner_id = id_or_none(form.partner_id.data) or int_arg("partner_id")
    if request.method == "GET":
        form.partner_id.data = str(partner_id or "")
        for name in ("sales_order_id", "invoice_id", "product_id"):
            getattr(form, name).data = request.args.get(name, "")
    form.partner_id.choices = _customer_choices(partner_id)
    form.priority.choices = priority_choices()
    form.assignee_id.choices = _user_choices(services.assignable_users())
    _apply_link_choices(form, partner_id)
    ticket = run_form(form, lambda values: services.create_ticket(
        values, user_id=current_user.id))
    if ticket is not None:
        flash(_("Ticket %(number)s opened.", number=ticket.number), "success")
        return redirect(url_for("tickets.show_ticket", ticket_id=ticket.id))
    return render_template("crm/tickets/form.html", form=form), \
        422 if request.method == "POST" else 200


@bp.get("/tickets/new/links")
@require("tickets", "create")
def link_fields():
    """htmx: the order, invoice and product selects for the customer just chosen."""
    form = TicketForm(formdata=None)
    _apply_link_choices(form, int_arg("partner_id"))
    return render_template("crm/tickets/_link_fields.html", form=form)


# --------------------------------------------------------------------------- a ticket


def _panel(ticket: Ticket) -> dict:
    """The customer's picture beside the ticket, from the customer page's one service."""
    from crm.customers import services as customer_services

    summary = customer_services.customer_summary(ticket.partner_id, limit=20)
    return {"summary": summary,
            "open_orders": [o for o in summary.sales_orders if o.state in OPEN_STATES],
            "other_tickets": [t for t in summary.tickets if t.id != ticket.id]}


def render_ticket(ticket: Ticket, comment_form=None, edit_form=None, status: int = 200):
    actions = rules.allowed_actions(ticket, current_user)
    conversation = services.comments(ticket.id)
    edit_form = edit_form or TicketEditForm(obj=ticket, formdata=None)
    edit_form.priority.choices = priority_choices()
    edit_form.assignee_id.choices = _user_choices(services.assignable_users())
    _apply_link_choices(edit_form, ticket.partner_id, ticket)
    for name in ("assignee_id", "sales_order_id", "invoice_id", "product_id"):
        if getattr(edit_form, name).data in (None, "None"):
            getattr(edit_form, name).data = ""
        else:
            getattr(edit_form, name).data = str(getattr(edit_form, name).data)
    activities = None
    if can("leads", "read"):
        from crm.activities import services as activity_services
        from crm.activities.forms import KIND_LABELS, ActivityForm
        activities = {"items": activity_services.timeline(ticket_id=ticket.id),
                      "kinds": KIND_LABELS, "today": company_today(),
                      "form": ActivityForm(ticket_id=ticket.id, formdata=None)}
    links = {"order": db.session.get(SalesOrder, ticket.sales_order_id)
             if ticket.sales_order_id else None,
             "invoice": db.session.get(Invoice, ticket.invoice_id)
             if ticket.invoice_id else None,
             "product": db.session.get(Product, ticket.product_id)
             if ticket.product_id else None}
    return render_template(
        "crm/tickets/show.html", ticket=ticket, actions=actions, now=utcnow(),
        partner=db.session.get(Partner, ticket.partner_id), conversation=conversation,
        users=services.user_names([ticket.assignee_id, ticket.created_by_id,
                                   *(c.author_id for c in conversation)]),
        comment_form=comment_form or CommentForm(formdata=None), edit_form=edit_form,
        links=links, activities=activities, today=company_today(), **_panel(ticket)), status


@bp.get("/tickets/<int:ticket_id>")
@require("tickets", "read")
def show_ticket(ticket_id: int):
    return render_ticket(services.get_ticket(ticket_id))


@bp.post("/tickets/<int:ticket_id>/comments")
@require("tickets", "write")
def add_comment(ticket_id: int):
    form = CommentForm()
    comment = run_form(form, lambda values: services.add_comment(
        ticket_id, values, user_id=current_user.id))
    if comment is None:
        return render_ticket(services.get_ticket(ticket_id), comment_form=form, status=422)
    flash(_("Internal note added.") if comment.internal else _("Reply sent."), "success")
    return redirect(url_for("tickets.show_ticket", ticket_id=ticket_id) + "#conversation")


@bp.post("/tickets/<int:ticket_id>/edit")
@require("tickets", "write")
def edit_ticket(ticket_id: int):
    form = TicketEditForm()
    saved = run_form(form, lambda values: services.update_ticket(
        ticket_id, values, user_id=current_user.id))
    if saved is None:
        return render_ticket(services.get_ticket(ticket_id), edit_form=form, status=422)
    flash(_("Ticket saved."), "success")
    return redirect(url_for("tickets.show_ticket", ticket_id=ticket_id))


@bp.post("/tickets/<int:ticket_id>/move")
@require("tickets", "write")
def move_ticket(ticket_id: int):
    action = request.form.get("action", "")
    target = rules.MOVE_ACTIONS.get(action)
    if target is None:
        flash(_("Unknown action."), "danger")
    else:
        ticket = services.move_ticket(ticket_id, target, user_id=current_user.id)
        flash(_("Ticket %(number)s is now %(status)s.", number=ticket.number,
                status=services.STATUS_LABELS[ticket.status]), "success")
    return redirect(url_for("tickets.show_ticket", ticket_id=ticket_id))


# --------------------------------------------------------------------------- dashboard


def chart_data(weeks: list) -> str:
    """The weekly chart's spec as JSON for static/js/charts.js (labels translated), for the
    canvas's data-chart attribute."""
    def series(label, values):
        return {"label": str(label), "data": values, "texts": [str(v) for v in values],
                "urls": [None] * len(values)}

    return json.dumps({
        "type": "bar",
        "labels": [format_date(monday, "MMM d") for monday, _o, _r in weeks],
        "datasets": [series(_("Opened"), [o for _m, o, _r in weeks]),
                     series(_("Resolved"), [r for _m, _o, r in weeks])],
        "title": _("Tickets opened and resolved per week")}, ensure_ascii=False)


@bp.get("/tickets/dashboard")
@require("tickets", "read")
def dashboard():
    weeks = services.weekly_counts()
    return render_template("crm/tickets/dashboard.html",
                           figures=services.support_figures(current_user.id), weeks=weeks,
                           chart=chart_data(weeks))


def home_chart() -> tuple[str, dict] | None:
    """The home page's panel for users who read tickets: the weekly chart."""
    if not can("tickets", "read"):
        return None
    weeks = services.weekly_counts()
    return "crm/tickets/_weekly_chart.html", {"chart": chart_data(weeks), "weeks": weeks,
                                              "table": False, "link": True}


def home_cards() -> list[HomeCard]:
    """The support home: open, breached now, due today, and my queue."""
    if not can("tickets", "read"):
        return []
    figures = services.support_figures(current_user.id)
    url = url_for("tickets.queue")
    return [HomeCard(_("Open tickets"), str(figures.open), url),
            HomeCard(_("Breached tickets"), str(figures.breached),
                     url_for("tickets.queue", view="breached"),
                     attention=figures.breached > 0),
            HomeCard(_("Tickets due today"), str(figures.due_today),
                     url_for("tickets.queue", view="due_today")),
            HomeCard(_("My ticket queue"), str(figures.mine),
                     url_for("tickets.queue", view="mine"))]


# --------------------------------------------------------------------------- settings


def _render_settings(calendar_form=None, holiday_form=None, errors=None, status=200):
    calendar = services.support_calendar()
    calendar_form = calendar_form or CalendarForm(formdata=None, obj=calendar)
    return render_template(
        "crm/tickets/settings.html", policies=services.policies(),
        calendar=calendar, work_days=set(calendar.work_days.split(",")), weekdays=WEEKDAYS,
        holidays=services.holidays(), calendar_form=calendar_form,
        holiday_form=holiday_form or HolidayForm(formdata=None), errors=errors or {}), status


@bp.get("/tickets/settings")
@require("sla_policies", "write")
def settings():
    return _render_settings()


@bp.post("/tickets/settings/policies/<priority>")
@require("sla_policies", "write")
def update_policy(priority: str):
    form = PolicyForm()
    if run_form(form, lambda values: services.update_policy(priority, values)) is None:
        errors = {priority: "; ".join(form.form_errors + [e for f in form for e in f.errors])}
        return _render_settings(errors=errors, status=422)
    flash(_("SLA policy saved."), "success")
    return redirect(url_for("tickets.settings"))


@bp.post("/tickets/settings/calendar")
@require("sla_policies", "write")
def update_calendar():
    form = CalendarForm()
    if run_form(form, services.update_calendar) is None:
        return _render_settings(calendar_form=form, status=422)
    flash(_("Working hours saved."), "success")
    return redirect(url_for("tickets.settings"))


@bp.post("/tickets/settings/holidays")
@require("sla_policies", "write")
def add_holiday():
    form = HolidayForm()
    if run_form(form, services.add_holiday) is None:
        return _render_settings(holiday_form=form, status=422)
    flash(_("Holiday added."), "success")
    return redirect(url_for("tickets.settings"))


@bp.post("/tickets/settings/holidays/<int:holiday_id>/delete")
@require("sla_policies", "write")
def remove_holiday(holiday_id: int):
    services.remove_holiday(holiday_id)
    flash(_("Holiday removed."), "success")
    return redirect(url_for("tickets.settings"))


# --------------------------------------------------------------------------- wiring


def _open_ticket_link(**prefill):
    if not can("tickets", "create"):
        return None
    return _("Open ticket"), url_for("tickets.new_ticket", **prefill)


PAGE_LINKS = {
    "sales_order": lambda order: _open_ticket_link(partner_id=order.partner_id,
                                                   sales_order_id=order.id),
    "invoice": lambda invoice: _open_ticket_link(partner_id=invoice.partner_id,
                                                 invoice_id=invoice.id)
    if invoice.is_customer else None,
    "partner": lambda partner: _open_ticket_link(partner_id=partner.id)
    if partner.is_customer else None,
}
