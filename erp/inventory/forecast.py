"""Product forecasts (API.md, Reports and forecasts): how much went to customers in the last
30 and 90 days, and how many days the available plus incoming stock lasts at that pace.

Demand is the quantity moved from internal to customer locations in the 30 (or 90) days up
to and including today, company time zone, less the moves of those that have been reversed
(a reversal is the mirror move, customer -> internal, whose `reverses_id` points at the
delivery; undoing a delivery always undoes all of it). A reversal therefore counts in the
window of the delivery it undoes: reversing last quarter's delivery today does not lower
this month's demand.

`forecasts(ids)` answers many products in a fixed number of queries: one over the balance
table (available), one for what purchasing expects (incoming, through the registry) and one
grouped query over the window's moves with a conditional sum per window.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import aliased

from erp.inventory.models import Location, StockBalance, StockMove
from erp.inventory.services import ZERO
from shared.dates import company_today, day_start
from shared.extensions import db
from shared.money import round_places
from shared.registry import current_registry

SHORT_DAYS, LONG_DAYS = 30, 90
# More products than this are answered by grouping the whole window rather than listing
# their ids in the query (SQLite caps the number of bound parameters).
MAX_LISTED_IDS = 1000


@dataclass(frozen=True)
class Forecast:
    product_id: int
    available: Decimal
    incoming: Decimal
    demand_30: Decimal
    demand_90: Decimal
    today: date

    @property
    def avg_daily_demand(self) -> Decimal:
        return round_places(self.demand_30 / SHORT_DAYS, 3)

    @property
    def days_of_cover(self) -> Decimal | None:
        """(available + incoming) / the average daily demand as shown (3 places), to one
        place; None without demand (nor when the average rounds to 0)."""
        average = self.avg_daily_demand
        if average <= 0:
            return None
        return round_places((self.available + self.incoming) / average, 1)

    @property
    def stockout_date(self) -> date | None:
        days = self.days_of_cover
        if days is None:
            return None
        return self.today + timedelta(days=int(days.to_integral_value(rounding=ROUND_FLOOR)))

    def as_json(self) -> dict:
        return {"product_id": self.product_id, "available": self.available,
                "incoming": self.incoming, "demand_30": self.demand_30,
                "demand_90": self.demand_90, "avg_daily_demand": self.avg_daily_demand,
                "days_of_cover": self.days_of_cover, "stockout_date": self.stockout_date}


def demand_query(today: date, product_ids: list[int] | None = None) -> Select:
    """(product_id, demand_30, demand_90) of the products with deliveries in the 90 days up
    to `today`, one row per product. Given ids, it reads only their deliveries, through
    ix_stock_moves_product_to_location_created (product, target, date)."""
    move, reversal = StockMove, aliased(StockMove)
    long_start, short_start = (day_start(today - timedelta(days=LONG_DAYS - 1)),
                               day_start(today - timedelta(days=SHORT_DAYS - 1)))
    end = day_start(today + timedelta(days=1))
    internal = select(Location.id).where(Location.kind == "internal")
    customer = select(Location.id).where(Location.kind == "customer")
    undone = exists().where(and_(reversal.reverses_id == move.id, reversal.created_at < end))
    # Not a reversal itself (undoing a customer return is not a sale); written with COALESCE
    # so that SQLite does not take "reverses_id IS NULL" to the unique index (every move).
    original = func.coalesce(move.reverses_id, 0) == 0
    stmt = (select(move.product_id,
                   func.sum(case((move.created_at >= short_start, move.quantity),
                                 else_=0)).label("demand_30"),
                   func.sum(move.quantity).label("demand_90"))
            .where(move.created_at >= long_start, move.created_at < end,
                   move.from_location_id.in_(internal), move.to_location_id.in_(customer),
                   original, ~undone)
            .group_by(move.product_id))
    if product_ids is not None:
        stmt = stmt.where(move.product_id.in_(product_ids))
    return stmt


def demand(product_ids: Iterable[int], today: date | None = None
           ) -> dict[int, tuple[Decimal, Decimal]]:
    """{product_id: (demand_30, demand_90)} for the products that had any, one query."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    today = today or company_today()
    listed = ids if len(ids) <= MAX_LISTED_IDS else None
    wanted = set(ids)
    return {pid: (Decimal(d30).quantize(ZERO), Decimal(d90).quantize(ZERO))
            for pid, d30, d90 in db.session.execute(demand_query(today, listed))
            if pid in wanted}


def incoming_quantities(product_ids: list[int]) -> dict[int, Decimal]:
    """What confirmed purchase orders still bring: purchasing depends on inventory and so
    provides it through the registry; without purchasing nothing comes."""
    provider = current_registry().incoming_provider
    return provider(product_ids) if provider and product_ids else {}


def available_quantities(product_ids: list[int]) -> dict[int, Decimal]:
    """On hand less reserved over the internal locations, from the balance table."""
    if not product_ids:
        return {}
    listed = product_ids if len(product_ids) <= MAX_LISTED_IDS else None
    stmt = (select(StockBalance.product_id,
                   func.sum(StockBalance.on_hand - StockBalance.reserved))
            .join(Location, Location.id == StockBalance.location_id)
            .where(Location.kind == "internal").group_by(StockBalance.product_id))
    if listed is not None:
        stmt = stmt.where(StockBalance.product_id.in_(listed))
    return {pid: Decimal(qty).quantize(ZERO) for pid, qty in db.session.execute(stmt)}


def forecasts(product_ids: Iterable[int], today: date | None = None) -> dict[int, Forecast]:
    """{product_id: Forecast} for every product asked for, in three queries whatever their
    number (products without stock, orders or demand get zeros)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    today = today or company_today()
    available = available_quantities(ids)
    incoming = incoming_quantities(ids)
    sold = demand(ids, today)
    return {pid: Forecast(pid, available.get(pid, ZERO),
                          Decimal(incoming.get(pid, ZERO)).quantize(ZERO),
                          *sold.get(pid, (ZERO, ZERO)), today=today)
            for pid in ids}


def forecast(product_id: int, today: date | None = None) -> Forecast:
    return forecasts([product_id], today)[product_id]
