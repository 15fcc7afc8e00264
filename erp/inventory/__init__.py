"""Inventory: locations, double-entry stock moves, balances, counts and reorder."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprints, stock-check, the default locations, the count sequence, demo stock and
    seed-scale moves; the stock figures products show, the product page's stock and
    forecast panels and the reorder card on the home page."""
    from flask_babel import lazy_gettext as _l

    from erp.inventory import api, dashboard, drift, reports, scale, seed, services, views
    from erp.inventory.models import DEFAULT_LOCATION_LABELS
    from shared.registry import registry_of

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)

    registry = registry_of(app)
    registry.add_drift_check("stock balances", drift.find_drift, drift.repair_drift)
    registry.add_drift_check("stock per day", drift.find_day_drift, drift.rebuild_days)
    registry.add_sequence("stock_count", "COUNT/", padding=5)
    registry.reference_loaders.append(services.load_default_locations)
    registry.demo_steps.append(seed.seed_inventory)
    registry.add_scale_generator("moves", scale.scale_moves)
    registry.stock_provider = services.totals_by_product
    registry.product_panels.append(views.stock_panel)
    registry.product_panels.append(views.forecast_panel)
    registry.home_cards.append(views.home_cards)
    dashboard.register(registry)  # its widgets on the role dashboards
    reports.register_reports(registry)
    registry.add_record_kind("locations", _l("Location"), name_column="code",
                             name_labels={code: labels[0] for code, labels
                                          in DEFAULT_LOCATION_LABELS.items()})
    registry.add_record_kind("stock_counts", _l("Count"), name_column="number")
