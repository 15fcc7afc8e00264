"""Purchasing's widget on the role dashboards (wired in erp.purchasing.init_app).

Warehouse: the receipts due, confirmed purchase orders with goods still to come expected
today or earlier, linked to the purchase list filtered to them.
"""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from erp.purchasing.models import OPEN_STATES, PurchaseOrder
from shared import dashboards as dash
from shared.dates import company_today
from shared.extensions import db
from shared.permissions import can
from shared.registry import Registry


def register(registry: Registry) -> None:
    registry.add_widget("to_receive", ("warehouse",), to_receive, order=15)


def to_receive():
    if not can("purchase_orders", "read"):
        return None
    today = company_today()
    yesterday = today - timedelta(days=1)
    due, late = db.session.execute(
        select(func.count(), func.count().filter(PurchaseOrder.expected_date < today))
        .where(PurchaseOrder.state.in_(OPEN_STATES), PurchaseOrder.expected_date <= today)
    ).one()
    return dash.figures("to_receive", _l("To receive"), [
        dash.Figure(_l("Receipts due today"), str(due),
                    url_for("purchasing.list_orders", due_by=today.isoformat()), due > 0),
        dash.Figure(_l("Of them late"), str(late), url_for("purchasing.list_orders",
                                                          due_by=yesterday.isoformat()),
                    late > 0)])
