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

Speed: one grouped query over a range of the created_at index. On PostgreSQL it computes the
medians too (percentile_cont; GROUP BY ROLLUP gives the totals row); SQLite has no
ordered-set aggregate, so there the same query also hands back each priority's response times
as one group_concat text and Python takes the medians (no second scan, no row per ticket).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Integer, case, cast, extract, func, select

from crm.tickets.models import PRIORITIES, Ticket
from crm.tickets.services import PRIORITY_LABELS
from shared.dates import day_start
from shared.extensions import db
from shared.money import percentage, round_places
from shared.reports import ReportQuery, ReportResult, ReportSpec

ORDER = tuple(reversed(PRIORITIES))  # urgent, high, normal, low
COUNTS = ("tickets", "responded", "first_response_met", "resolved", "resolution_met")


def hours(seconds: float | Decimal | None) -> Decimal | None:
    """Seconds as hours, half up to 2 places (the seconds first to the millisecond, so the
    floating-point noise of the database's arithmetic cannot tip a half)."""
    if seconds is None:
        return None
    exact = Decimal(str(round(float(seconds), 3)))
    return round_places(exact / 3600, 2)  # hours are not money: the ratio rule, 2 places


def _response_time(dialect: str):
    """first_response_at - created_at as the database computes it: seconds on PostgreSQL;
    whole milliseconds on SQLite, which stores UTC timestamps as "YYYY-MM-DD HH:MM:SS.ffffff"
    text (integers, because they come back as text: formatting floats costs more)."""
    if dialect == "postgresql":
        return cast(extract("epoch", Ticket.first_response_at - Ticket.created_at), Float)
    days = func.julianday(Ticket.first_response_at) - func.julianday(Ticket.created_at)
    return cast(func.round(days * 86_400_000), Integer)


def _row(counts: dict[str, int], median_seconds: float | None) -> dict[str, Any]:
    return {
        "tickets": counts["tickets"],
        "responded": counts["responded"],
        "resolved": counts["resolved"],
        "first_response_met": counts["first_response_met"],
        "resolution_met": counts["resolution_met"],
        "first_response_met_pct": percentage(counts["first_response_met"],
                                                counts["responded"]),
        "resolution_met_pct": percentage(counts["resolution_met"], counts["resolved"]),
        "median_first_response_hours": hours(median_seconds),
    }


def tickets_sla(date_from: date, date_to: date) -> ReportResult:
    """Items [{priority, label, tickets, responded, resolved, first_response_met,
    resolution_met, first_response_met_pct, resolution_met_pct, median_first_response_hours}]
    and totals (the same figures over all priorities) for the tickets created from
    `date_from` to `date_to` inclusive."""
    dialect = db.engine.dialect.name
    response_time = _response_time(dialect)
    columns = [
        func.count(Ticket.id),
        func.count(Ticket.first_response_at),
        func.count(case((Ticket.first_response_at <= Ticket.first_response_due, 1))),
        func.count(Ticket.resolved_at),
        func.count(case((Ticket.resolved_at <= Ticket.resolution_due, 1))),
    ]
    stmt = select(Ticket.priority).where(
        Ticket.created_at >= day_start(date_from),
        Ticket.created_at < day_start(date_to + timedelta(days=1)))
    found: dict[str | None, dict[str, int]] = {}
    medians: dict[str | None, float | None] = {}
    if dialect == "postgresql":
        # percentile_cont skips the NULL times of unanswered tickets (and takes the mean of
        # the middle two of an even count); ROLLUP adds the all-priorities row (priority
        # NULL: the column itself is never NULL).
        stmt = stmt.add_columns(*columns, func.percentile_cont(0.5).within_group(response_time))
        for priority, *values, middle in db.session.execute(
                stmt.group_by(func.rollup(Ticket.priority))):
            found[priority] = dict(zip(COUNTS, values, strict=True))
            medians[priority] = middle
    else:
        # No ordered-set aggregate: each group's response times (milliseconds; group_concat
        # skips the NULLs of unanswered tickets) come back as one text in the same grouped
        # query, and Python takes the medians.
        stmt = stmt.add_columns(*columns, func.group_concat(response_time))
        times: dict[str | None, list[int]] = {None: []}
        for priority, *values, joined in db.session.execute(stmt.group_by(Ticket.priority)):
            found[priority] = dict(zip(COUNTS, values, strict=True))
            times[priority] = list(map(int, joined.split(","))) if joined else []
            times[None].extend(times[priority])
        found[None] = {name: sum(c[name] for c in found.values()) for name in COUNTS}
        medians = {p: median(ms) / 1000 if ms else None for p, ms in times.items()}

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
            ("median_first_response_hours", _l("Median first response (hours)"), "number",
             True))

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
