"""seed-scale: large, consistent data sets for the benchmarks, generated fast.

Each area wires one generator per option of the command in its init_app
(`registry.add_scale_generator("moves", scale_moves)`); the command runs them in SCALE_OPTIONS
order, each in its own unit of work, with one seeded random generator so the same --seed
gives the same data. Generators write with `bulk_insert`
(executemany in chunks, never the service loop) and must leave the data as consistent as the
services would: balances equal to the ledger, totals stored, numbers taken from the sequences.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, insert, select
from tqdm import tqdm

from shared.extensions import db

# The command's options (API.md), in the order their generators run: later data refers to
# earlier data (moves to products, invoices to partners and products, leads to partners).
SCALE_OPTIONS = ("partners", "products", "moves", "purchase_orders", "invoices", "leads",
                 "tickets")
CHUNK_ROWS = 5_000


@dataclass
class ScaleContext:
    rng: random.Random
    product_ids: list[int] | None = None  # --product-ids, for the moves generator
    quiet: bool = False
    made: dict[str, list[int]] = field(default_factory=dict)  # ids created, per option

    def progress(self, total: int, desc: str) -> tqdm:
        return tqdm(total=total, desc=desc, unit="row", disable=self.quiet,
                    mininterval=0.5, leave=True)


def chunked(rows: Iterable[dict[str, Any]], size: int = CHUNK_ROWS) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def bulk_insert(table: Table | type, rows: Iterable[dict[str, Any]], bar: tqdm | None = None,
                size: int = CHUNK_ROWS) -> int:
    """INSERT `rows` in chunks of `size`; returns how many. PostgreSQL gets them through COPY
    (several times faster than multi-row INSERTs), in the same transaction."""
    target = table.__table__ if hasattr(table, "__table__") else table
    copy = db.session.get_bind().dialect.name == "postgresql"
    count = 0
    for chunk in chunked(rows, size):
        if copy:
            _copy_rows(target, chunk)
        else:
            db.session.execute(insert(target), chunk)
        count += len(chunk)
        if bar is not None:
            bar.update(len(chunk))
    return count


def _python_defaults(table: Table) -> dict[str, Any]:
    """The column defaults SQLAlchemy would fill in (COPY knows only server defaults)."""
    defaults = {}
    for column in table.columns:
        default = column.default
        if default is None or column.primary_key:
            continue
        defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    return defaults


def _copy_rows(table: Table, rows: list[dict[str, Any]]) -> None:
    defaults = _python_defaults(table)
    rows = [{**defaults, **row} for row in rows]
    columns = list(rows[0])
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def max_id(model: type) -> int:
    return db.session.scalar(select(func.coalesce(func.max(model.id), 0)))


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount with cents, from low to high (whole currency units)."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


# --------------------------------------------------------------------------- master data

CITIES = ["杭州", "上海", "深圳", "北京", "广州", "宁波", "苏州", "Singapore", "London", "Roma"]
WORDS = ["明辉", "华强", "远航", "天河", "海天", "精工", "Harbor", "Sunrise", "Nordic", "Lotus",
         "Golden", "Pacific", "长江", "东方", "Summit", "Orchid"]
KINDS = ["电子", "科技", "贸易", "Trading", "Supplies", "Retail", "酒店", "五金"]
ITEMS = ["台灯 Lamp", "办公椅 Chair", "复印纸 Paper", "收纳箱 Box", "中性笔 Pens", "水壶 Kettle",
         "马克杯 Mug", "货架 Shelf", "胶带 Tape", "显示器 Monitor", "键盘 Keyboard"]


def scale_partners(count: int, ctx: ScaleContext) -> None:
    from shared.partners.models import Partner
    from shared.sequences.services import next_numbers

    rng, start = ctx.rng, max_id(Partner) + 1
    codes = next_numbers("partner", count)

    def rows():
        for offset, code in enumerate(codes):
            n = start + offset
            supplier = rng.random() < 0.2
            email = f"contact{n}@scale{n % 97}.example.com"
            yield {"code": code, "kind": "company", "email": email, "email_key": email,
                   "name": f"{rng.choice(WORDS)}{rng.choice(KINDS)} {n}",
                   "city": rng.choice(CITIES), "phone": f"+86 571 {n:08d}",
                   "is_customer": not supplier or rng.random() < 0.3, "is_supplier": supplier,
                   "payment_term_days": rng.choice((0, 15, 30, 30, 45, 60)),
                   "credit_limit": money(rng, 10_000, 500_000) if rng.random() < 0.5 else None}

    with ctx.progress(count, "partners") as bar:
        bulk_insert(Partner, rows(), bar)
    ctx.made["partners"] = list(range(start, start + count))


def scale_products(count: int, ctx: ScaleContext) -> None:
    from shared.partners.models import Partner
    from shared.products.models import Product
    from shared.seed import ean13

    rng, start = ctx.rng, max_id(Product) + 1
    suppliers = db.session.scalars(select(Partner.id).where(Partner.is_supplier.is_(True))
                                   .order_by(Partner.id).limit(1000)).all()

    def rows():
        for n in range(start, start + count):
            cost = money(rng, 1, 2000)
            yield {"sku": f"SKU-{n:07d}", "barcode": ean13(f"69{n:010d}"),
                   "name": f"{rng.choice(ITEMS)} {n}", "type": "stockable", "uom": "unit",
                   "list_price": (cost * Decimal("1.6")).quantize(Decimal("0.01")),
                   "cost_price": cost, "tax_rate": Decimal("13.00"),
                   "reorder_point": Decimal(rng.randint(0, 50)) if rng.random() < 0.3 else None,
                   "reorder_qty": Decimal(rng.choice((0, 10, 50, 100))),
                   "default_supplier_id": rng.choice(suppliers) if suppliers else None,
                   "active": True}

    with ctx.progress(count, "products") as bar:
        bulk_insert(Product, rows(), bar)
    ctx.made["products"] = list(range(start, start + count))
