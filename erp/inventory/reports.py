"""The inventory reports: stock valuation at the end of a day, from the move ledger.

`GET /reports/stock-valuation?as_of=` (API.md): per product with stock in internal locations
at the end of `as_of` (company time zone), `on_hand` from the ledger, `unit_cost` the
`unit_cost` of the product's last move at or before then (by time, then id), `value` =
on_hand × unit_cost rounded to 2 places, and `total_value`.

Fast at a million moves: on hand at the end of a day is the balance table less the net
change of the days after it, from stock_by_day (both updated by every move in its own
transaction, and proved equal to the ledger by `stock-check`), so no date reads a move;
`ledger_on_hand` sums the whole ledger instead, and the tests hold the two equal. The last
move per product is one index seek each on (product_id, created_at, id).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, case, func, select, type_coerce

from erp.inventory.models import Location, StockBalance, StockByDay, StockMove
from shared.dates import company_today, day_start
from shared.extensions import db
from shared.money import ZERO, round_money
from shared.products.models import Product
from shared.reports import ReportQuery, ReportResult, ReportSpec

QTY = Numeric(18, 3)


def end_of(day: date) -> datetime:
    """The first moment after `day` in the company's time zone."""
    return day_start(day + timedelta(days=1))


def _internal_ids() -> list[int]:
    return list(db.session.scalars(select(Location.id).where(Location.kind == "internal")))


def _net(internal: list[int]) -> Any:
    """A move's effect on the stock of the internal locations: + in, − out, 0 between two."""
    into = StockMove.to_location_id.in_(internal)
    out = StockMove.from_location_id.in_(internal)
    return case((into & ~out, StockMove.quantity), (out & ~into, -StockMove.quantity),
                else_=0)


def ledger_on_hand(moment: datetime, product_id: int | None = None) -> dict[int, Decimal]:
    """{product_id: on hand in internal locations} summed over the whole ledger before
    `moment` (products with none left out)."""
    internal = _internal_ids()
    stmt = (select(StockMove.product_id, type_coerce(func.sum(_net(internal)), QTY))
            .where(StockMove.created_at < moment).group_by(StockMove.product_id))
    if product_id:
        stmt = stmt.where(StockMove.product_id == product_id)
    return {pid: Decimal(total).quantize(Decimal("0.001"))
            for pid, total in db.session.execute(stmt) if total}


def on_hand_at_end_of(day: date, product_id: int | None = None) -> dict[int, Decimal]:
    """The same figures as `ledger_on_hand(end_of(day))`: today's balances less the net
    change of the days after `day` (stock_by_day: a row per product and day, not a move)."""
    internal = _internal_ids()
    balances = (select(StockBalance.product_id, type_coerce(func.sum(StockBalance.on_hand),
                                                            QTY))
                .where(StockBalance.location_id.in_(internal))
                .group_by(StockBalance.product_id))
    later = (select(StockByDay.product_id, type_coerce(func.sum(StockByDay.net), QTY))
             .where(StockByDay.day > day).group_by(StockByDay.product_id))
    if product_id:
        balances = balances.where(StockBalance.product_id == product_id)
        later = later.where(StockByDay.product_id == product_id)
    on_hand = {pid: Decimal(total or 0) for pid, total in db.session.execute(balances)}
    for pid, total in db.session.execute(later):
        on_hand[pid] = on_hand.get(pid, ZERO) - Decimal(total or 0)
    return {pid: total.quantize(Decimal("0.001")) for pid, total in on_hand.items() if total}


def last_costs(moment: datetime, product_ids: list[int]) -> dict[int, tuple[str, Decimal]]:
    """{product_id: (sku, unit_cost of its last move before `moment`)}: one statement, one
    index seek per product (a correlated subquery over products)."""
    if not product_ids:
        return {}
    last = (select(StockMove.unit_cost)
            .where(StockMove.product_id == Product.id, StockMove.created_at < moment)
            .order_by(StockMove.created_at.desc(), StockMove.id.desc())
            .limit(1).correlate(Product).scalar_subquery())
    rows = db.session.connection().execute(
        select(Product.id, Product.sku, last).where(Product.id.in_(product_ids)))
    return {pid: (sku, Decimal(cost if cost is not None else 0)) for pid, sku, cost in rows}


def stock_valuation(query: ReportQuery) -> ReportResult:
    as_of = query.as_of or company_today()
    moment = end_of(as_of)
    on_hand = {pid: qty for pid, qty in on_hand_at_end_of(as_of, query.product_id).items()
               if qty > 0}
    costs = last_costs(moment, list(on_hand))
    items = []
    for pid in sorted(on_hand, key=lambda pid: (costs.get(pid, ("", ZERO))[0], pid)):
        sku, cost = costs.get(pid, ("", ZERO))
        items.append({"product_id": pid, "sku": sku, "on_hand": on_hand[pid],
                      "unit_cost": cost, "value": round_money(on_hand[pid] * cost)})
    return ReportResult(items, {"total_value": sum((item["value"] for item in items), ZERO)})


def register_reports(registry: Any) -> None:
    """The inventory reports on /reports (wired in erp.inventory.init_app)."""
    registry.add_report(ReportSpec(
        name="stock-valuation", title=_l("Stock valuation"), area="report_stock_valuation",
        build=stock_valuation, section=_l("Inventory"),
        columns=[("product_id", _l("Product id"), "id", True), ("sku", _l("SKU"), "text"),
                 ("on_hand", _l("On hand"), "qty"), ("unit_cost", _l("Unit cost"), "cost"),
                 ("value", _l("Value"), "money")],
        totals=[("total_value", _l("Total value"), "money")],
        filters=("as_of", "product_id"),
        explain=_l("Stock in the warehouse locations at the end of the day, from the stock "
                   "moves, valued at the unit cost of each product's last move by then.")))
