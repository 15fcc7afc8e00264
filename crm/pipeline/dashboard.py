"""The pipeline's widgets on the role dashboards (wired in crm.pipeline.init_app).

Management: the weighted pipeline by open stage (what the user may see: the row-level limit
of crm/queries.py applies). Sales: my pipeline by stage and my activities due. Each bar
links to the opportunity list filtered to that stage (and owner).
"""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.pipeline import services
from shared import dashboards as dash
from shared.dates import company_today
from shared.extensions import db
from shared.permissions import can
from shared.registry import Registry
from shared.ui import money


def register(registry: Registry) -> None:
    registry.add_widget("pipeline_by_stage", ("admin",), pipeline_by_stage, order=30)
    registry.add_widget("my_pipeline", ("sales",), my_pipeline, order=10)
    registry.add_widget("my_activities", ("sales",), my_activities, order=20)


def _stage_chart(key: str, title, owner_id: int | None):
    columns = services.pipeline_columns(owner_id)
    labels = [services.DEFAULT_STAGE_LABELS.get(c.stage.name, c.stage.name) for c in columns]
    weighted = [c.weighted_revenue for c in columns]
    expected = [c.expected_revenue for c in columns]
    urls = [url_for("pipeline.list_opportunities", status="open", stage_id=c.stage.id,
                    owner_id=owner_id) for c in columns]
    total = sum(weighted, start=weighted[0] * 0) if weighted else 0
    return dash.chart(key, title, "bar", labels, [
        dash.Series(_l("Weighted"), weighted, [money(v) for v in weighted], urls),
        dash.Series(_l("Expected"), expected, [money(v) for v in expected], urls)],
        money=True, description=_l("Weighted total: %(amount)s", amount=money(total)),
        link=(_l("Board"), url_for("pipeline.board", owner_id=owner_id)))


def pipeline_by_stage():
    if not can("leads", "read"):
        return None
    return _stage_chart("pipeline_by_stage", _l("Pipeline by stage"), None)


def my_pipeline():
    if not can("leads", "read"):
        return None
    return _stage_chart("my_pipeline", _l("My pipeline by stage"), current_user.id)


def my_activities():
    if not can("leads", "read"):
        return None
    today = company_today()
    open_ = (Activity.owner_id == current_user.id, Activity.done.is_(False))
    overdue, due_today, week = db.session.execute(select(
        func.count().filter(Activity.due_date < today),
        func.count().filter(Activity.due_date == today),
        func.count().filter(Activity.due_date > today,
                            Activity.due_date <= today + timedelta(days=7)))
        .where(*open_)).one()
    return dash.figures("my_activities", _l("My activities due"), [
        dash.Figure(_l("Overdue"), str(overdue),
                    url_for("activities.my_activities", due="overdue"), overdue > 0),
        dash.Figure(_l("Due today"), str(due_today),
                    url_for("activities.my_activities", due="today")),
        dash.Figure(_l("Next 7 days"), str(week),
                    url_for("activities.my_activities", due="week"))])
