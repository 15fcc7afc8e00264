"""Sales orders: quotations, confirmation with stock reservation and a credit check,
deliveries from WH/Stock to Customers, invoicing of what was delivered."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprints, the order and delivery sequences, demo orders, the home page's sales
    cards, the recount of invoiced quantities when an order's invoice changes, and the
    reservation of received goods for the orders waiting for them."""
    from flask_babel import lazy_gettext as _l

    from erp.sales import api, dashboard, forms, seed, services, views
    from shared.events import GoodsReceived, InvoiceChanged
    from shared.registry import registry_of

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)

    registry = registry_of(app)
    registry.add_sequence("sales_order", "SO", padding=5)
    registry.add_sequence("sales_delivery", "WH/OUT/", padding=5)
    registry.demo_steps.append(seed.seed_sales)
    registry.home_cards.append(views.home_cards)
    dashboard.register(registry)  # its widgets on the role dashboards
    registry.subscribe(InvoiceChanged, services.recount_invoiced_on_change)
    registry.subscribe(GoodsReceived, services.reserve_received)
    registry.add_record_kind("sales_orders", _l("Sales order"), "sales.show_order", "order_id",
                             "number", values={"state": forms.STATE_LABELS,
                                               "invoice_status": forms.INVOICE_STATUS_LABELS})
    registry.add_record_kind("sales_order_lines", _l("Order line"),
                             name_column="description")
    registry.add_record_kind("sales_deliveries", _l("Delivery"), name_column="number")
    registry.add_record_kind("sales_delivery_lines", _l("Delivery line"))
