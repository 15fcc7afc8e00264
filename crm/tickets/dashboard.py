"""The helpdesk's widgets on the role dashboards (wired in crm.tickets.init_app).

Management: open tickets, those breached now and the share of first responses given within
the SLA (tickets opened in the last 30 days). Support: the open queue by priority, and the
average first-response time of the tickets opened each of the last 12 weeks. Each figure links
to the ticket queue filtered to it.
"""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.tickets.models import PRIORITIES, Ticket
from crm.tickets.services import PRIORITY_LABELS, breached_condition
from shared import dashboards as dash
from shared.dates import company_today, day_start
from shared.db import utcnow
from shared.extensions import db
from shared.permissions import can
from shared.registry import Registry

SLA_DAYS = 30


def register(registry: Registry) -> None:
    registry.add_widget("support_overview", ("admin",), support_overview, order=50)
    registry.add_widget("queue_by_priority", ("support",), queue_by_priority, order=10)
    registry.add_widget("response_times", ("support",), response_times, order=20, shared=True)


def hours_between(start, end):
    """SQL for the hours from `start` to `end` (two timestamps), in either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def sla_share(today=None):
    """(tickets answered, of them within the first-response SLA) over the tickets opened in
    the last SLA_DAYS days."""
    today = today or company_today()
    since = day_start(today - timedelta(days=SLA_DAYS - 1))
    answered, in_time = db.session.execute(
        select(func.count(),
               func.count().filter(Ticket.first_response_at <= Ticket.first_response_due))
        .where(Ticket.created_at >= since, Ticket.first_response_at.is_not(None))).one()
    return int(answered or 0), int(in_time or 0)


def support_overview():
    if not can("tickets", "read"):
        return None
    now = utcnow()
    active = Ticket.next_deadline.is_not(None)
    open_, breached = db.session.execute(select(
        func.count(), func.count().filter(breached_condition(now))).where(active)).one()
    today = company_today()
    answered, in_time = sla_share(today)
    share = format_decimal(in_time / answered, "#,##0%") if answered else "–"
    since = today - timedelta(days=SLA_DAYS - 1)
    return dash.figures("support_overview", _l("Support"), [
        dash.Figure(_l("Open tickets"), str(open_), url_for("tickets.queue")),
        dash.Figure(_l("Breached tickets"), str(breached),
                    url_for("tickets.queue", view="breached"), breached > 0),
        dash.Figure(_l("Answered within SLA (30 days)"), share,
                    url_for("tickets.queue", view="all", created_from=since.isoformat(),
                            created_to=today.isoformat())),
    ])


def queue_by_priority():
    if not can("tickets", "read"):
        return None
    counts = dict(db.session.execute(
        select(Ticket.priority, func.count()).where(Ticket.next_deadline.is_not(None))
        .group_by(Ticket.priority)).all())
    values = [int(counts.get(p, 0)) for p in PRIORITIES]
    urls = [url_for("tickets.queue", view="active", priority=p) for p in PRIORITIES]
    return dash.chart("queue_by_priority", _l("Open tickets by priority"), "doughnut",
                      [PRIORITY_LABELS[p] for p in PRIORITIES],
                      [dash.Series(_l("Tickets"), values, [str(v) for v in values], urls)],
                      link=(_l("Breached"), url_for("tickets.queue", view="breached")))


def weekly_response_hours(weeks: int, today=None) -> list[tuple[object, float | None]]:
    """(Monday, average hours to the first response of the tickets opened that week) for the
    last `weeks` weeks; one statement of AVGs over ranges of the created_at index."""
    today = today or company_today()
    starts = dash.week_starts(weeks, today)
    bounds = [day_start(d) for d in starts] + [day_start(starts[-1] + timedelta(weeks=1))]
    hours = hours_between(Ticket.created_at, Ticket.first_response_at)

    def average(n: int):
        return select(func.avg(hours)).where(
            Ticket.created_at >= bounds[n], Ticket.created_at < bounds[n + 1],
            Ticket.first_response_at.is_not(None)).scalar_subquery()

    row = db.session.execute(select(*(average(n) for n in range(weeks)))).one()
    return [(starts[n], None if row[n] is None else round(float(row[n]), 1))
            for n in range(weeks)]


def response_times():
    if not can("tickets", "read"):
        return None
    weeks = weekly_response_hours(12)
    values = [v or 0 for _m, v in weeks]
    texts = [format_decimal(v, "#,##0.0") if v is not None else "–" for _m, v in weeks]
    urls = [url_for("tickets.queue", view="all", created_from=monday.isoformat(),
                    created_to=(monday + timedelta(days=6)).isoformat()) for monday, _v in weeks]
    return dash.chart("response_times", _l("Average first response (hours), by week opened"),
                      "line", [dash.short_day(monday) for monday, _v in weeks],
                      [dash.Series(_l("Hours"), values, texts, urls)])
