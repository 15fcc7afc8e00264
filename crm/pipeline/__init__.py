"""The pipeline: stages, opportunities, the board and the weighted forecast. CRM owns the
link between an order and the opportunity it was quoted from (as Odoo's sale_crm and
Tryton's sale_opportunity do): it checks the link and wins the opportunity on confirmation."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprints, the default stages, the home page's pipeline cards, and the subscribers
    to the sales events that concern opportunities."""
    from flask_babel import lazy_gettext as _l

    from crm.pipeline import api, dashboard, services, views
    from shared.events import OpportunityQuoted, OrderConfirmed
    from shared.registry import registry_of

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)

    registry = registry_of(app)
    registry.reference_loaders.append(services.ensure_default_stages)
    registry.home_cards.append(views.home_cards)
    dashboard.register(registry)  # its widgets on the role dashboards
    registry.subscribe(OpportunityQuoted, services.check_quoted_opportunity)
    registry.subscribe(OrderConfirmed, services.win_on_confirmation)
    registry.add_page_link("sales_order", views.opportunity_of_order)
    registry.add_record_kind("opportunities", _l("Opportunity"), "pipeline.show_opportunity",
                             "opportunity_id", "title", values={"status": services.STATUS_LABELS})
    registry.add_record_kind("opportunity_lines", _l("Expected product"))
    registry.add_record_kind("pipeline_stages", _l("Stage"), name_column="name",
                             name_labels=services.DEFAULT_STAGE_LABELS)
    registry.add_record_kind("lost_reasons", _l("Lost reason"), name_column="name")
    app.jinja_env.globals.update(opportunity_status_labels=services.STATUS_LABELS,
                                 opportunity_status_badges=services.STATUS_BADGES)
