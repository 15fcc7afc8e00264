"""Read helpers for the inventory pages: one page of the ledger with everything its rows
show (products, locations, users, reversals) loaded in one query each, the product panel, the
count form's lines. They read; every write goes through services, counts and terminal."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from erp.inventory import services
from erp.inventory.models import Location, StockMove
from shared.errors import ValidationError
from shared.extensions import db
from shared.partners.models import Partner
from shared.products.models import Product
from shared.queries import search
from shared.users.models import User
from shared.validation import id_or_none

LEDGER_PAGE = 50
PRODUCT_MATCHES = 200  # a name search narrows the ledger to at most this many products


@dataclass
class MovePage:
    """Moves newest first plus what their rows need; `older_than` is the key of the next
    (older) page, None on the last one."""

    moves: list[StockMove]
    products: dict[int, Product] = field(default_factory=dict)
    locations: dict[int, Location] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    reversed: set[int] = field(default_factory=set)
    older_than: int | None = None


def user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def move_page(stmt, limit: int = LEDGER_PAGE) -> MovePage:
    """One keyset page of a `services.move_query` statement (no OFFSET, no count)."""
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    moves = rows[:limit]
    return MovePage(
        moves=moves,
        products=services.product_skus(m.product_id for m in moves),
        locations=services.locations_by_id() if moves else {},
        users=user_names(m.user_id for m in moves),
        reversed=services.reversed_ids(m.id for m in moves),
        older_than=moves[-1].id if len(rows) > limit else None)


def matching_product_ids(q: str) -> list[int]:
    """Products a ledger search names: the exact barcode or SKU first, else a text search."""
    product = services.find_product(code=q.strip())
    if product is not None:
        return [product.id]
    stmt = search(select(Product.id), q, [Product.sku, Product.name, Product.barcode])
    return list(db.session.scalars(stmt.order_by(Product.id).limit(PRODUCT_MATCHES)))


def ledger(filters: Mapping[str, str]) -> tuple[MovePage, dict]:
    """The ledger page for the raw query arguments; returns the page and the cleaned filters
    (bad values raise ValidationError on their field)."""
    def integer(name: str) -> int | None:
        value = (filters.get(name) or "").strip()
        if not value:
            return None
        number = id_or_none(value)
        if number is None:
            raise ValidationError(fields={name: _("Must be a whole number.")})
        return number

    date_from, date_to = filters.get("date_from") or "", filters.get("date_to") or ""
    query = {
        "product_id": integer("product_id"),
        "location_id": integer("location_id"),
        "reference": (filters.get("reference") or "").strip() or None,
        "since": services.parse_since(date_from, "date_from") if date_from else None,
        "until": (services.parse_since(date_to, "date_to") + timedelta(days=1)
                  if date_to else None),
        "before_id": integer("before_id"),
    }
    stmt = services.move_query(**query)
    q = (filters.get("q") or "").strip()
    if q and query["product_id"] is None:
        stmt = stmt.where(StockMove.product_id.in_(matching_product_ids(q)))
    return move_page(stmt), query


def product_panel(product_id: int, *, with_moves: bool) -> dict:
    levels = services.level_rows(services.level_query(product_id=product_id))
    page = move_page(services.move_query(product_id=product_id), limit=10) if with_moves \
        else None
    return {"levels": levels, "moves": page}


def supplier_names(supplier_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in supplier_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(Partner.id, Partner.name)
                                   .where(Partner.id.in_(ids))).all())


# --------------------------------------------------------------------------- count form

COUNT_FORM_MAX = 1000  # more products than this: upload a CSV


def count_lines_from_form(form: Mapping[str, str]) -> list[dict]:
    """The count lines a count form posts: `counted-<product_id>` inputs (blank = not
    counted) and `extra_code-<n>` / `extra_qty-<n>` rows naming a product by barcode or SKU.
    Each line keeps `_field`, the input its errors belong to."""
    lines = []
    for name, value in form.items():
        if name.startswith("counted-") and value.strip():
            product_id = name.removeprefix("counted-")
            lines.append({"product_id": product_id, "counted_qty": value.strip(),
                          "_field": name})
    for name, code in form.items():
        if not name.startswith("extra_code-") or not code.strip():
            continue
        qty_name = "extra_qty-" + name.removeprefix("extra_code-")
        product = services.find_product(code=code.strip())
        line = {"product_id": product.id} if product else {"sku": code.strip()}
        lines.append({**line, "counted_qty": form.get(qty_name, "").strip(), "_field": name})
    return lines


def errors_by_field(error: ValidationError, lines: list[dict]) -> dict[str, str]:
    """`lines.3.counted_qty` -> the form input of line 3."""
    by_field: dict[str, str] = {}
    for key, why in error.fields.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
            name = lines[int(parts[1])]["_field"]
            by_field[name] = f"{by_field[name]}; {why}" if name in by_field else why
        else:
            by_field[key] = why
    return by_field
