"""Purchasing: supplier prices, purchase orders (PO00001), receipts into WH/Stock with the
moving-average cost, vendor bills from what was received, and replenishment from the reorder
suggestions."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprints, the order and receipt sequences, demo purchases, seed-scale orders, the
    home page's purchasing cards, the product page's supplier prices, the incoming stock
    that reorder suggestions and the sales picker count, and the recount of billed
    quantities when an order's bill changes."""
    from erp.purchasing import api, dashboard, scale, seed, services, views
    from shared.events import InvoiceChanged
    from shared.registry import registry_of

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)

    registry = registry_of(app)
    registry.add_sequence("purchase_order", "PO", padding=5)
    registry.add_sequence("purchase_receipt", "WH/IN/", padding=5)
    registry.demo_steps.append(seed.seed_purchasing)
    registry.add_scale_generator("purchase_orders", scale.scale_purchase_orders)
    registry.home_cards.append(views.home_cards)
    dashboard.register(registry)  # its widgets on the role dashboards
    registry.product_panels.append(views.supplier_prices_panel)
    registry.incoming_provider = services.incoming_quantities
    registry.incoming_detail_provider = services.incoming
    registry.incoming_query = services.incoming_query
    registry.subscribe(InvoiceChanged, services.recount_billed_on_change)
