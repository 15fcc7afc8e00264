"""Leads: capture, duplicate hints, CSV import and export, conversion into customers and
opportunities."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprints, the seed-scale leads and the pipeline conversion report."""
    from flask_babel import lazy_gettext as _l

    from crm.leads import api, reports, scale, services, views
    from shared.registry import registry_of

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    registry_of(app).add_scale_generator("leads", scale.scale_leads)
    registry_of(app).add_report(reports.SPEC)
    app.jinja_env.globals.update(lead_status_badges=services.STATUS_BADGES)
    registry_of(app).add_record_kind(
        "leads", _l("Lead"), "leads.show_lead", "lead_id", "title",
        values={"status": services.STATUS_LABELS, "source": services.SOURCE_LABELS})
