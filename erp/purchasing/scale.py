"""seed-scale --purchase-orders N: N open purchase orders in bulk, for the benchmarks.

Each order is confirmed, for a supplier, with 1 to 5 lines of stockable products, its totals
stored as the services would compute them and its number taken from the sequence. No stock
moves are made (nothing is received), so balances and the ledger are untouched and
`stock-check` stays clean; the orders are incoming stock for the reorder suggestions and
fill the to-receive queue.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from erp.invoicing.scale import _sync_id_sequence
from erp.purchasing.models import CONFIRMED, PurchaseOrder, PurchaseOrderLine
from shared.company.services import get_company
from shared.dates import company_today
from shared.db import utcnow
from shared.extensions import db
from shared.money import document_totals, line_figures
from shared.partners.models import Partner
from shared.products.models import Product
from shared.scale import ScaleContext, bulk_insert, max_id, scale_partners, scale_products
from shared.sequences.services import next_numbers


def scale_purchase_orders(count: int, ctx: ScaleContext) -> None:
    rng = ctx.rng
    suppliers = list(db.session.scalars(select(Partner.id).where(Partner.is_supplier.is_(True))
                                        .order_by(Partner.id).limit(1000)))
    if not suppliers:
        scale_partners(50, ctx)
        db.session.execute(Partner.__table__.update().where(
            Partner.id.in_(ctx.made["partners"])).values(is_supplier=True))
        suppliers = ctx.made["partners"]
    products = db.session.execute(
        select(Product.id, Product.name, Product.cost_price, Product.tax_rate)
        .where(Product.type == "stockable", Product.active.is_(True))
        .order_by(Product.id).limit(50_000)).all()
    if not products:
        scale_products(max(10, min(1000, count)), ctx)
        products = db.session.execute(
            select(Product.id, Product.name, Product.cost_price, Product.tax_rate)
            .where(Product.id.in_(ctx.made["products"]))).all()
    currency = get_company().currency
    today = company_today()
    numbers = next_numbers("purchase_order", count)
    start = max_id(PurchaseOrder) + 1
    orders, lines = [], []
    now = utcnow()
    for offset, number in enumerate(numbers):
        order_id = start + offset
        order_date = today - timedelta(days=rng.randint(0, 60))
        figures = []
        for sequence, product in enumerate(rng.sample(products, min(len(products),
                                                                    rng.randint(1, 5))), 1):
            quantity = Decimal(rng.randint(1, 100))
            price = Decimal(product.cost_price).quantize(Decimal("0.01"))
            f = line_figures(quantity, price, Decimal(0), Decimal(product.tax_rate))
            figures.append(f)
            lines.append({"order_id": order_id, "sequence": sequence,
                          "product_id": product.id, "product_type": "stockable",
                          "description": product.name, "quantity": quantity,
                          "unit_price": price, "discount_pct": Decimal(0),
                          "tax_rate": product.tax_rate, "subtotal": f.subtotal, "tax": f.tax,
                          "total": f.total, "received_qty": Decimal(0),
                          "billed_qty": Decimal(0)})
        totals = document_totals(figures)
        orders.append({"id": order_id, "number": number, "supplier_id": rng.choice(suppliers),
                       "state": CONFIRMED, "order_date": order_date,
                       "expected_date": order_date + timedelta(days=rng.randint(0, 30)),
                       "expected_date_set": True, "currency": currency,
                       "untaxed_amount": totals.untaxed, "tax_amount": totals.tax,
                       "total": totals.total, "created_at": now, "confirmed_at": now})
    with ctx.progress(count, "purchase orders") as bar:
        bulk_insert(PurchaseOrder, orders, bar)
    bulk_insert(PurchaseOrderLine, lines)
    _sync_id_sequence("purchase_orders")  # the orders' ids were given explicitly
    ctx.made["purchase_orders"] = list(range(start, start + count))
