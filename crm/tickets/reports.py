"""The tickets SLA report (API.md "Reports and forecasts"): the tickets created in a date
range, per priority, and how many met their deadlines.

    tickets                     tickets created from the start of `date_from` to the end of
                                `date_to` (company time zone; created_at is a UTC timestamp)
    responded, resolved         those with a first response (the first public reply: internal
                                notes never count, see services.add_comment) / with a
                                resolution (resolved_at: resolved, or closed without resolving)
    first_response_met          first_response_at <= first_response_due (met at the minute it
    resolution_met              resolved_at <= resolution_due            falls due, as sla.py)
    first_response_met_pct      first_response_met / responded x 100, 1 place; None when no
    resolution_met_pct          resolution_met / resolved x 100, 1 place;  ticket has the event
    median_first_response_hours the median of first_response_at - created_at over the tickets
                                with a first response, in hours, 2 places (half up); None when
                                there is none. An even count takes the mean of the middle two.

The four priorities are always listed, most urgent first, with zeros when there are no
tickets. Tickets have no row-level limit (support and finance see every ticket).

Speed: the counts are one grouped query (a range of the created_at index). The medians come
from the database where it has an ordered-set aggregate (PostgreSQL's percentile_cont, in the
same query: GROUP BY ROLLUP gives the totals row) and otherwise (SQLite) from one more query
that reads the response times of the range's answered tickets, sorted per priority in Python.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, case, cast, extract, func, select

from crm.tickets.models import PRIORITIES, Ticket
from crm.tickets.services import PRIORITY_LABELS
from shared.dates import day_start
from shared.extensions import db
from shared.money import round_money, round_percent
from shared.reports import ReportQuery, ReportResult, ReportSpec

ORDER = tuple(reversed(PRIORITIES))  # urgent, high, normal, low
COUNTS = ("tickets", "responded", "first_response_met", "resolved", "resolution_met")


def hours(seconds: float | Decimal | None) -> Decimal | None:
    """Seconds as hours, half up to 2 places (the seconds first to the millisecond, so the
    floating-point noise of the database's arithmetic cannot tip a half)."""
    if seconds is None:
        return None
    exact = Decimal(str(round(float(seconds), 3)))
    return round_money(exact / 3600)  # 2 places half up: the one rounding rule


def _response_seconds(dialect: str):
    """first_response_at - created_at in seconds, as the database computes it."""
    if dialect == "postgresql":
        return cast(extract("epoch", Ticket.first_response_at - Ticket.created_at), Float)
    # SQLite stores UTC timestamps as "YYYY-MM-DD HH:MM:SS.ffffff" text
    return (func.julianday(Ticket.first_response_at) - func.julianday(Ticket.created_at)) \
        * 86400.0


def _row(counts: dict[str, int], median_seconds: float | None) -> dict[str, Any]:
    return {
        "tickets": counts["tickets"],
        "responded": counts["responded"],
        "resolved": counts["resolved"],
        "first_response_met": counts["first_response_met"],
        "resolution_met": counts["resolution_met"],
        "first_response_met_pct": round_percent(counts["first_response_met"],
                                                counts["responded"]),
        "resolution_met_pct": round_percent(counts["resolution_met"], counts["resolved"]),
        "median_first_response_hours": hours(median_seconds),
    }


def tickets_sla(date_from: date, date_to: date) -> ReportResult:
    """Items [{priority, label, tickets, responded, resolved, first_response_met,
    resolution_met, first_response_met_pct, resolution_met_pct, median_first_response_hours}]
    and totals (the same figures over all priorities) for the tickets created from
    `date_from` to `date_to` inclusive."""
    dialect = db.engine.dialect.name
    in_range = (Ticket.created_at >= day_start(date_from),
                Ticket.created_at < day_start(date_to + timedelta(days=1)))
    seconds = _response_seconds(dialect)
    columns = [
        func.count(Ticket.id),
        func.count(Ticket.first_response_at),
        func.count(case((Ticket.first_response_at <= Ticket.first_response_due, 1))),
        func.count(Ticket.resolved_at),
        func.count(case((Ticket.resolved_at <= Ticket.resolution_due, 1))),
    ]
    medians: dict[str | None, float | None] = {}
    found: dict[str | None, dict[str, int]] = {}
    if dialect == "postgresql":
        # percentile_cont skips the NULL times of unanswered tickets; ROLLUP adds the
        # all-priorities row (priority NULL: the column itself is never NULL).
        stmt = (select(Ticket.priority, *columns,
                       func.percentile_cont(0.5).within_group(seconds))
                .where(*in_range).group_by(func.rollup(Ticket.priority)))
        for priority, *values, middle in db.session.execute(stmt):
            found[priority] = dict(zip(COUNTS, values, strict=True))
            medians[priority] = middle
    else:
        stmt = select(Ticket.priority, *columns).where(*in_range).group_by(Ticket.priority)
        for priority, *values in db.session.execute(stmt):
            found[priority] = dict(zip(COUNTS, values, strict=True))
        times: dict[str, list[float]] = {}
        for priority, value in db.session.execute(
                select(Ticket.priority, seconds)
                .where(*in_range, Ticket.first_response_at.is_not(None))):
            times.setdefault(priority, []).append(value)
        everything = [v for values in times.values() for v in values]
        medians = {p: median(values) for p, values in times.items()}
        medians[None] = median(everything) if everything else None
        found[None] = {name: sum(c[name] for c in found.values()) for name in COUNTS}

    zero = dict.fromkeys(COUNTS, 0)
    items = [{"priority": p, "label": str(PRIORITY_LABELS[p]),
              **_row(found.get(p, zero), medians.get(p))} for p in ORDER]
    return ReportResult(items, _row(found.get(None, zero), medians.get(None)))


def build(query: ReportQuery) -> ReportResult:
    return tickets_sla(query.date_from, query.date_to)


_FIGURES = (("tickets", _l("Tickets"), "int"),
            ("first_response_met", _l("First response met"), "int", True),
            ("first_response_met_pct", _l("First response met %"), "pct"),
            ("resolution_met", _l("Resolution met"), "int", True),
            ("resolution_met_pct", _l("Resolution met %"), "pct"),
            ("median_first_response_hours", _l("Median first response (hours)"), "qty"))

SPEC = ReportSpec(
    name="tickets-sla",
    title=_l("Tickets SLA"),
    area="report_tickets_sla",
    build=build,
    columns=(("label", _l("Priority"), "text"),
             ("priority", _l("Code"), "text", True),
             *_FIGURES,
             ("responded", _l("With a first response"), "int", True),
             ("resolved", _l("Resolved"), "int", True)),
    totals=(*_FIGURES,
            ("responded", _l("With a first response"), "int"),
            ("resolved", _l("Resolved"), "int")),
    filters=("dates",),
    explain=_l("Tickets created in the period, per priority. A deadline is met when the first "
               "public reply (internal notes do not count) or the resolution came no later "
               "than it; the percentages count only the tickets that have had a reply or a "
               "resolution. The median first response is in hours from the ticket's creation."),
    section=_l("Support"),
)
