"""The pipeline conversion report (API.md "Reports and forecasts"): the leads created in a
date range, per source, with how many were converted and how the opportunities converted from
them ended.

    leads      leads created from the start of `date_from` to the end of `date_to` (company
               time zone; created_at is a UTC timestamp)
    converted  those of them now converted (status "converted")
    won, lost  the opportunities converted from those leads, by their status
    win_rate   won / (won + lost) x 100, 1 place; None when both are 0

One grouped query (leads LEFT JOIN their opportunity through leads.opportunity_id; a lead has
at most one), limited by the row-level rule the CRM lists apply through `crm.queries.visible`:
both read `shared.queries.row_limit_user_id`, which the report plumbing hands over as
`ReportQuery.limit_user_id`, so a salesperson limited to own records counts only the leads
they own. Every known source is listed, in the order of LEAD_SOURCES, even without leads;
leads without a source (NULL or empty) make one more row, key None (label "No source"), only
when there are some; a stored value outside LEAD_SOURCES (older data) gets a row of its own
after the known ones.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from crm.leads.models import LEAD_SOURCES, Lead
from crm.leads.services import SOURCE_LABELS
from crm.pipeline.models import Opportunity
from shared.dates import day_start
from shared.extensions import db
from shared.money import percentage
from shared.reports import ReportQuery, ReportResult, ReportSpec

NO_SOURCE_LABEL = _l("No source")
COUNTS = ("leads", "converted", "won", "lost")


def win_rate(won: int, lost: int) -> Decimal | None:
    """won / (won + lost) x 100, 1 place; None when neither happened."""
    return percentage(won, won + lost)


def source_label(source: str | None) -> Any:
    if not source:
        return NO_SOURCE_LABEL
    return SOURCE_LABELS.get(source, source)


def pipeline_conversion(date_from: date, date_to: date, *, limit_user_id: int | None = None
                        ) -> ReportResult:
    """Items {source, label, leads, converted, won, lost, win_rate} and totals {leads,
    converted, won, lost, win_rate} for the leads created from `date_from` to `date_to`
    inclusive; with `limit_user_id` (the row-level limit, shared.queries.row_limit_user_id)
    only the leads that user owns."""
    source = func.nullif(Lead.source, "")
    stmt = (
        select(source.label("source"),
               func.count(Lead.id),
               func.count(case((Lead.status == "converted", 1))),
               func.count(case((Opportunity.status == "won", 1))),
               func.count(case((Opportunity.status == "lost", 1))))
        .select_from(Lead)
        .outerjoin(Opportunity, Opportunity.id == Lead.opportunity_id)
        .where(Lead.created_at >= day_start(date_from),
               Lead.created_at < day_start(date_to + timedelta(days=1)))
        .group_by(source))
    if limit_user_id is not None:
        stmt = stmt.where(Lead.owner_id == limit_user_id)
    found = {row[0]: tuple(row[1:]) for row in db.session.execute(stmt)}

    keys: list[str | None] = list(LEAD_SOURCES)
    keys += sorted(k for k in found if k is not None and k not in LEAD_SOURCES)
    if None in found:
        keys.append(None)
    items = []
    for key in keys:
        counts = dict(zip(COUNTS, found.get(key, (0, 0, 0, 0)), strict=True))
        items.append({"source": key, "label": str(source_label(key)), **counts,
                      "win_rate": win_rate(counts["won"], counts["lost"])})
    totals: dict[str, Any] = {name: sum(item[name] for item in items) for name in COUNTS}
    totals["win_rate"] = win_rate(totals["won"], totals["lost"])
    return ReportResult(items, totals)


def build(query: ReportQuery) -> ReportResult:
    return pipeline_conversion(query.date_from, query.date_to,
                               limit_user_id=query.limit_user_id)


SPEC = ReportSpec(
    name="pipeline-conversion",
    title=_l("Pipeline conversion"),
    area="report_pipeline_conversion",
    build=build,
    columns=(("label", _l("Source"), "text"),
             ("source", _l("Code"), "text", True),
             ("leads", _l("Leads"), "int"),
             ("converted", _l("Converted"), "int"),
             ("won", _l("Won"), "int"),
             ("lost", _l("Lost"), "int"),
             ("win_rate", _l("Win rate"), "pct")),
    totals=(("leads", _l("Leads"), "int"),
            ("converted", _l("Converted"), "int"),
            ("won", _l("Won"), "int"),
            ("lost", _l("Lost"), "int"),
            ("win_rate", _l("Win rate"), "pct")),
    filters=("dates",),
    explain=_l("Leads created in the period, per source: how many were converted, and how "
               "many of the opportunities converted from them were won or lost; the win rate "
               "is won / (won + lost) × 100."),
    section=_l("CRM"),
)
