"""The pipeline conversion report (API.md "Reports and forecasts"): the leads created in a
date range, per source, with how many were converted and how the opportunities converted from
them ended.

    leads      leads created from the start of `date_from` to the end of `date_to` (company
               time zone; created_at is a UTC timestamp)
    converted  those of them now converted (status "converted")
    won, lost  the opportunities converted from those leads, by their status
    win_rate   won / (won + lost) x 100, 1 place; None when both are 0

One grouped query (leads LEFT JOIN their opportunity through leads.opportunity_id, a lead has
at most one), limited by the CRM's row-level rule (`crm.queries.visible`: a salesperson
limited to own records counts only the leads they own). Every known source is listed, in the
order of LEAD_SOURCES, even without leads; leads without a source (NULL or empty) make one
more row, key None, only when there are some; a stored value outside LEAD_SOURCES (older data)
gets a row of its own after the known ones.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from crm.leads.models import LEAD_SOURCES, Lead
from crm.leads.services import SOURCE_LABELS
from crm.pipeline.models import Opportunity
from crm.queries import visible
from shared.dates import day_start
from shared.extensions import db

NO_SOURCE_LABEL = _l("No source")
COUNTS = ("leads", "converted", "won", "lost")


def round_percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole x 100, half up to 1 place; None when whole is 0."""
    # TODO(merge): use the plumbing's percentage helper in shared/money.py once merged.
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def win_rate(won: int, lost: int) -> Decimal | None:
    """won / (won + lost) x 100, 1 place; None when neither happened."""
    return round_percent(won, won + lost)


def source_label(source: str | None) -> Any:
    if not source:
        return NO_SOURCE_LABEL
    return SOURCE_LABELS.get(source, source)


def pipeline_conversion(date_from: date, date_to: date, *, user: Any = None
                        ) -> dict[str, Any]:
    """{"items": [{source, label, leads, converted, won, lost, win_rate}], "totals": {leads,
    converted, won, lost, win_rate}} for the leads created from `date_from` to `date_to`
    inclusive, as `user` (default: the signed-in user) may see them."""
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
    stmt = visible(stmt, Lead, user)
    found = {row[0]: tuple(row[1:]) for row in db.session.execute(stmt)}

    keys = list(LEAD_SOURCES)
    keys += sorted(k for k in found if k is not None and k not in LEAD_SOURCES)
    if None in found:
        keys.append(None)
    items = []
    for key in keys:
        counts = dict(zip(COUNTS, found.get(key, (0, 0, 0, 0)), strict=True))
        items.append({"source": key, "label": source_label(key), **counts,
                      "win_rate": win_rate(counts["won"], counts["lost"])})
    totals: dict[str, Any] = {name: sum(item[name] for item in items) for name in COUNTS}
    totals["win_rate"] = win_rate(totals["won"], totals["lost"])
    return {"items": items, "totals": totals}
