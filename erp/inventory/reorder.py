"""Reorder suggestions: products whose available plus incoming stock is at or below their
reorder point, and how much to order (API.md)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, literal, select

from erp.inventory.forecast import Forecast, demand
from erp.inventory.models import StockBalance
from erp.inventory.services import ZERO
from shared.dates import company_today
from shared.extensions import db
from shared.products.models import Product
from shared.registry import current_registry


@dataclass(frozen=True)
class Suggestion:
    product_id: int
    sku: str
    name: str
    available: Decimal
    incoming: Decimal
    reorder_point: Decimal
    reorder_qty: Decimal
    supplier_id: int | None
    # The same available and incoming with the demand of the last 30 and 90 days
    forecast: Forecast | None = None

    @property
    def suggested_qty(self) -> Decimal:
        return max(self.reorder_qty, self.reorder_point - self.available - self.incoming)

    @property
    def days_of_cover(self) -> Decimal | None:
        return self.forecast.days_of_cover if self.forecast else None

    @property
    def stockout_date(self) -> date | None:
        return self.forecast.stockout_date if self.forecast else None

    def as_json(self) -> dict:
        return {"product_id": self.product_id, "sku": self.sku, "name": self.name,
                "available": self.available, "incoming": self.incoming,
                "reorder_point": self.reorder_point, "suggested_qty": self.suggested_qty,
                "supplier_id": self.supplier_id, "days_of_cover": self.days_of_cover,
                "stockout_date": self.stockout_date}


def _suggestion_query():
    """Products whose available plus incoming stock is at or below their reorder point, in
    one query: available summed from the balance rows, incoming from purchasing's query
    (registered in its init_app; without purchasing nothing is incoming)."""
    available = (select(StockBalance.product_id,
                        func.sum(StockBalance.on_hand - StockBalance.reserved).label("qty"))
                 .group_by(StockBalance.product_id).subquery())
    qty = func.coalesce(available.c.qty, 0)
    provider = current_registry().incoming_query
    if provider is not None:
        arriving = provider().subquery()
        incoming = func.coalesce(arriving.c.qty, 0)
    else:
        arriving, incoming = None, literal(0)
    stmt = (select(Product.id, Product.sku, Product.name, qty.label("available"),
                   incoming.label("incoming"), Product.reorder_point, Product.reorder_qty,
                   Product.default_supplier_id)
            .outerjoin(available, available.c.product_id == Product.id))
    if arriving is not None:
        stmt = stmt.outerjoin(arriving, arriving.c.product_id == Product.id)
    return (stmt.where(Product.reorder_point.is_not(None), Product.active.is_(True),
                       Product.type == "stockable", qty + incoming <= Product.reorder_point)
            .order_by(Product.sku))


def reorder_suggestions(*, with_forecast: bool = False) -> list[Suggestion]:
    """The suggestions, in one query; `with_forecast` adds their days of cover from one more
    query for the demand of all of them (erp.inventory.forecast)."""
    suggestions = [Suggestion(row.id, row.sku, row.name, Decimal(row.available).quantize(ZERO),
                              Decimal(row.incoming).quantize(ZERO), row.reorder_point,
                              row.reorder_qty, row.default_supplier_id)
                   for row in db.session.execute(_suggestion_query())]
    return with_forecasts(suggestions) if with_forecast else suggestions


def with_forecasts(suggestions: list[Suggestion]) -> list[Suggestion]:
    """The same suggestions with their forecast (a page of them: the low-stock page), from
    one query for their demand; available and incoming are the suggestions' own."""
    today = company_today()
    sold = demand((s.product_id for s in suggestions), today)
    return [replace(s, forecast=Forecast(s.product_id, s.available, s.incoming,
                                         *sold.get(s.product_id, (ZERO, ZERO)), today=today))
            for s in suggestions]


def low_stock_count() -> int:
    """For the navigation badge: one COUNT, whatever is incoming."""
    return db.session.scalar(select(func.count()).select_from(
        _suggestion_query().order_by(None).subquery()))
