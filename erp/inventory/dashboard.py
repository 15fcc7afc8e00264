"""Inventory's widgets on the role dashboards (wired in erp.inventory.init_app).

Management: the stock value, Σ on hand × product cost over internal locations, read from the
balance table (never summed from the ledger). Warehouse: the products at or below their
reorder point and the moves per day of the last 30 days, each day linked to the ledger of
that day.
"""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from erp.inventory import reorder
from erp.inventory.models import Location, StockBalance, StockMove
from shared import dashboards as dash
from shared.dates import company_today, day_start
from shared.extensions import db
from shared.formatting import qty
from shared.money import round_money
from shared.permissions import can
from shared.products.models import Product
from shared.registry import Registry
from shared.ui import money

LOW_STOCK_ROWS = 8
FORECAST_ROWS = 200


def register(registry: Registry) -> None:
    registry.add_widget("stock_value", ("admin",), stock_value_widget, order=40)
    registry.add_widget("low_stock", ("warehouse",), low_stock_widget, order=20)
    registry.add_widget("moves_per_day", ("warehouse",), moves_per_day_widget, order=30)


def stock_value():
    """Σ on hand × cost price over internal locations, and the number of products in stock."""
    stmt = (select(func.coalesce(func.sum(StockBalance.on_hand * Product.cost_price), 0),
                   func.count(func.distinct(StockBalance.product_id)))
            .join(Product, Product.id == StockBalance.product_id)
            .join(Location, Location.id == StockBalance.location_id)
            .where(Location.kind == "internal", StockBalance.on_hand != 0))
    value, products = db.session.execute(stmt).one()
    return round_money(value or 0), int(products or 0)


def stock_value_widget():
    if not can("stock_levels", "read"):
        return None
    value, products = stock_value()
    levels = url_for("inventory.list_levels")
    return dash.figures("stock_value", _l("Stock"), [
        dash.Figure(_l("Stock value at cost"), money(value), levels),
        dash.Figure(_l("Products in stock"), str(products), levels),
    ])


def low_stock_widget():
    """The products at or below their reorder point, those with the fewest days of cover
    (erp/inventory/forecast.py) first: the forecast is read for up to FORECAST_ROWS of them,
    in one query."""
    if not can("stock_levels", "read"):
        return None
    suggestions = reorder.reorder_suggestions()
    count = len(suggestions)
    shown = reorder.with_forecasts(suggestions[:FORECAST_ROWS])
    shown.sort(key=lambda s: (s.days_of_cover is None,
                              s.days_of_cover if s.days_of_cover is not None else 0, s.sku))
    items = []
    for s in shown[:LOW_STOCK_ROWS]:
        cover = _l("%(days)s days", days=qty(s.days_of_cover)) \
            if s.days_of_cover is not None else _l("no recent demand")
        items.append(dash.Row(f"{s.sku} · {s.name}",
                              f"{qty(s.available)} / {qty(s.reorder_point)} · {cover}",
                              url_for("products.show_product", product_id=s.product_id), True))
    title = _l("Low stock (%(count)s)", count=count)
    return dash.rows("low_stock", title, items,
                     empty=_l("No product is below its reorder point."),
                     more=(_l("All"), url_for("inventory.low_stock")))


def moves_per_day(days: int, today=None) -> list[tuple[object, int]]:
    """(day, moves booked that day) for the last `days` days in the company's time zone,
    oldest first: one statement of COUNTs, each a range of the created_at index."""
    today = today or company_today()
    starts = [today - timedelta(days=days - 1 - n) for n in range(days)]
    bounds = [day_start(d) for d in starts] + [day_start(today + timedelta(days=1))]

    def count(n: int):
        return select(func.count()).select_from(StockMove).where(
            StockMove.created_at >= bounds[n], StockMove.created_at < bounds[n + 1]) \
            .scalar_subquery()

    row = db.session.execute(select(*(count(n) for n in range(days)))).one()
    return [(starts[n], int(row[n] or 0)) for n in range(days)]


def moves_per_day_widget():
    if not can("stock_moves", "read"):
        return None
    days = moves_per_day(30)
    values = [n for _d, n in days]
    urls = [url_for("inventory.list_moves", date_from=d.isoformat(), date_to=d.isoformat())
            for d, _n in days]
    return dash.chart("moves_per_day", _l("Stock moves per day"), "bar",
                      [dash.short_day(d) for d, _n in days],
                      [dash.Series(_l("Moves"), values, [str(v) for v in values], urls)])
