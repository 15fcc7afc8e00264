"""/api/v1/tickets, /api/v1/tickets/{id}/comments, /api/v1/sla-policies (API.md)."""
from __future__ import annotations

from datetime import datetime

from flask import request
from flask_login import current_user

from crm.tickets import rules, services
from crm.tickets.models import SlaPolicy, Ticket, TicketComment
from shared.api import api_blueprint, bool_arg, json_body, page_json, paginate, query_arg
from shared.db import utcnow
from shared.permissions import require

bp = api_blueprint("tickets_api", __name__)

TICKET_FIELDS = ("id", "number", "created_at", "partner_id", "subject", "description",
                 "priority", "status", "assignee_id", "sales_order_id", "invoice_id",
                 "product_id", "first_response_due", "resolution_due", "first_response_at",
                 "resolved_at", "closed_at", "next_deadline", "comment_count",
                 "created_by_id")


def ticket_json(ticket: Ticket, now: datetime | None = None) -> dict:
    data = {field: getattr(ticket, field) for field in TICKET_FIELDS}
    data["sla_breached"] = ticket.breached(now or utcnow())
    data["allowed_actions"] = sorted(rules.allowed_actions(ticket, current_user))
    return data


def comment_json(comment: TicketComment) -> dict:
    return {"id": comment.id, "ticket_id": comment.ticket_id, "body": comment.body,
            "internal": comment.internal, "author_id": comment.author_id,
            "created_at": comment.created_at}


def policy_json(policy: SlaPolicy) -> dict:
    return {"priority": policy.priority, "first_response_hours": policy.first_response_hours,
            "resolution_hours": policy.resolution_hours}


@bp.get("/tickets")
@require("tickets", "read")
def list_tickets():
    filters = {name: query_arg(name, spec) for name, spec in services.FILTERS.items()}
    now = utcnow()
    stmt = services.ticket_query(request.args.get("q"), now=now,
                                 by_deadline=request.args.get("sort") == "deadline",
                                 **filters)
    page = paginate(stmt)
    return page_json(page, [ticket_json(t, now) for t in page.items])


@bp.post("/tickets")
@require("tickets", "create")
def create_ticket():
    return ticket_json(services.create_ticket(json_body(), user_id=current_user.id)), 201


@bp.get("/tickets/<int:ticket_id>")
@require("tickets", "read")
def get_ticket(ticket_id: int):
    return ticket_json(services.get_ticket(ticket_id))


@bp.patch("/tickets/<int:ticket_id>")
@require("tickets", "write")
def patch_ticket(ticket_id: int):
    return ticket_json(services.update_ticket(ticket_id, json_body(), user_id=current_user.id))


@bp.get("/tickets/<int:ticket_id>/comments")
@require("tickets", "read")
def list_comments(ticket_id: int):
    services.get_ticket(ticket_id)
    internal = bool_arg("internal")
    items = services.comments(ticket_id)
    if internal is not None:
        items = [c for c in items if c.internal == internal]
    return {"items": [comment_json(c) for c in items]}


@bp.post("/tickets/<int:ticket_id>/comments")
@require("tickets", "write")
def add_comment(ticket_id: int):
    return comment_json(services.add_comment(ticket_id, json_body(),
                                             user_id=current_user.id)), 201


@bp.get("/sla-policies")
@require("tickets", "read")
def list_policies():
    return {"items": [policy_json(p) for p in services.policies()]}


@bp.patch("/sla-policies/<priority>")
@require("sla_policies", "write")
def patch_policy(priority: str):
    return policy_json(services.update_policy(priority, json_body()))


@bp.get("/sla-calendar")
@require("tickets", "read")
def get_calendar():
    return calendar_json()


@bp.patch("/sla-calendar")
@require("sla_policies", "write")
def patch_calendar():
    services.update_calendar(json_body())
    return calendar_json()


def calendar_json() -> dict:
    row = services.support_calendar()
    return {"use_working_hours": row.use_working_hours,
            "work_days": [int(d) for d in row.work_days.split(",") if d],
            "day_start": row.day_start, "day_end": row.day_end,
            "holidays": [{"id": h.id, "day": h.day, "name": h.name}
                         for h in services.holidays()]}


@bp.post("/sla-calendar/holidays")
@require("sla_policies", "write")
def add_holiday():
    holiday = services.add_holiday(json_body())
    return {"id": holiday.id, "day": holiday.day, "name": holiday.name}, 201
