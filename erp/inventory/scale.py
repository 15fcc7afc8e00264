"""seed-scale --moves N: exactly N done moves in bulk, balances equal to the ledger.

About 80 % are receipts into WH/Stock and 20 % deliveries out of it. A running count of
what is available per product decides each delivery's size, so stock never goes below zero
(a delivery drawn for a product with nothing available becomes a receipt), and the balance
rows get the net of each product in one upsert at the end, in the same transaction.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import click
from sqlalchemy import select

from erp.inventory.drift import rebuild_days
from erp.inventory.models import StockBalance, StockMove
from erp.inventory.services import ZERO, location_by_code, main_stock
from shared.db import utcnow
from shared.extensions import db
from shared.products.models import Product
from shared.scale import ScaleContext, bulk_insert, scale_products
from shared.upsert import insert_or_add

DELIVERY_SHARE = 0.2


def _product_ids(count: int, ctx: ScaleContext) -> list[int]:
    if ctx.product_ids:
        found = set(db.session.scalars(select(Product.id).where(
            Product.id.in_(ctx.product_ids), Product.type.in_(("stockable", "consumable")))))
        missing = sorted(set(ctx.product_ids) - found)
        if missing:
            raise click.BadParameter(f"not stocked products: {missing[:10]}",
                                     param_hint="--product-ids")
        return sorted(found)
    ids = ctx.made.get("products") or list(db.session.scalars(
        select(Product.id).where(Product.type == "stockable", Product.active.is_(True))
        .order_by(Product.id)))
    if not ids:
        scale_products(max(1, min(1000, count // 100)), ctx)
        ids = ctx.made["products"]
    return ids


def scale_moves(count: int, ctx: ScaleContext) -> None:
    rng = ctx.rng
    ids = _product_ids(count, ctx)
    stock = main_stock()
    suppliers, customers = location_by_code("Suppliers"), location_by_code("Customers")
    available = {row.product_id: row.on_hand - row.reserved for row in db.session.execute(
        select(StockBalance).where(StockBalance.location_id == stock.id)).scalars()}
    net: dict[int, Decimal] = {}
    costs = dict(db.session.execute(select(Product.id, Product.cost_price)
                                    .where(Product.id.in_(ids))).all())
    start = utcnow() - timedelta(days=365)
    step = timedelta(days=365) / max(count, 1)

    def rows():
        for n in range(count):
            product_id = rng.choice(ids)
            free = available.get(product_id, ZERO)
            if rng.random() < DELIVERY_SHARE and free >= 1:
                quantity = Decimal(rng.randint(1, int(min(free, 10))))
                source, target, sign = stock.id, customers.id, -1
            else:
                quantity = Decimal(rng.randint(1, 20))
                source, target, sign = suppliers.id, stock.id, 1
            available[product_id] = free + sign * quantity
            net[product_id] = net.get(product_id, ZERO) + sign * quantity
            yield {"product_id": product_id, "quantity": quantity,
                   "unit_cost": costs.get(product_id) or ZERO, "from_location_id": source,
                   "to_location_id": target, "reference": f"SCALE/{n // 50:06d}",
                   "created_at": start + step * n}

    with ctx.progress(count, "moves") as bar:
        bulk_insert(StockMove, rows(), bar)
    _add_to_balances(stock.id, net)
    rebuild_days()  # the stock per day, from the moves just written


def _add_to_balances(location_id: int, net: dict[int, Decimal]) -> None:
    stmt = insert_or_add(StockBalance, ("product_id", "location_id"), ("on_hand",))
    rows = [{"product_id": pid, "location_id": location_id, "on_hand": qty, "reserved": ZERO}
            for pid, qty in net.items()]
    for start in range(0, len(rows), 5_000):
        db.session.execute(stmt, rows[start:start + 5_000])
