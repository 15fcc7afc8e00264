"""The customer page: one customer's leads, orders, deliveries, invoices and payments."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from crm.customers import api, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
