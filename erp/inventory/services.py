"""Stock operations: locations, moves, reversals, reservations and the levels they keep.

`book_move` is the one place a balance changes. Stock leaves an internal location through a
conditional UPDATE (`on_hand - reserved >= quantity`) that either takes the units or touches no
row, so concurrent takers can never drive a balance below zero on either database; it enters
through an INSERT .. ON CONFLICT that adds to the row. Both run in the caller's transaction,
next to the move they account for, and CHECK constraints back the rules in the database.
Other back-office modules (sales deliveries, purchase receipts) call `book_move`,
`reserve_available` and `release_reserved` inside their own units of work.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from erp.inventory.models import (
    DEFAULT_LOCATIONS,
    LOCATION_KINDS,
    MAIN_STOCK,
    Location,
    StockBalance,
    StockByDay,
    StockMove,
)
from shared.dates import company_zone, day_start
from shared.db import sqlstate, transactional
from shared.errors import Duplicate, InsufficientStock, InvalidState, NotFound, ValidationError
from shared.events import StockBelowReorderPoint, publish
from shared.extensions import db
from shared.formatting import qty
from shared.products.models import Product
from shared.upsert import insert_ignore, insert_or_add
from shared.validation import Boolean, Choice, FieldError, Integer, IsoDate, Qty, Text, clean

ZERO = Decimal("0.000")
STOCKED_TYPES = ("stockable", "consumable")  # services are never moved

LOCATION_SPEC = {
    "code": Text(required=True, max_length=60),
    "name": Text(required=True, max_length=120),
    "kind": Choice(LOCATION_KINDS, default="internal"),
    "active": Boolean(default=True),
}

MOVE_SPEC = {
    "product_id": Integer(min_value=1),
    "sku": Text(max_length=64),
    "barcode": Text(max_length=64),
    "quantity": Qty(required=True),
    "from_location_id": Integer(min_value=1, required=True),
    "to_location_id": Integer(min_value=1, required=True),
    "reference": Text(max_length=120),
    "note": Text(max_length=2000),
}


# --------------------------------------------------------------------------- locations


def load_default_locations() -> None:
    rows = [{"code": code, "name": name, "kind": kind, "active": True}
            for code, (name, kind) in DEFAULT_LOCATIONS.items()]
    db.session.execute(insert_ignore(Location, rows, ["code"]))


def get_location(location_id: int) -> Location:
    location = db.session.get(Location, location_id)
    if location is None:
        raise NotFound(_("No such location."))
    return location


def location_by_code(code: str) -> Location:
    location = db.session.scalar(select(Location).where(Location.code == code))
    if location is None:
        raise NotFound(_("No such location."))
    return location


def main_stock() -> Location:
    return location_by_code(MAIN_STOCK)


def locations_by_code(*codes: str) -> tuple[Location, ...]:
    """Several locations by code in one query, in the order asked."""
    found = {location.code: location for location in db.session.scalars(
        select(Location).where(Location.code.in_(codes)))}
    if len(found) != len(set(codes)):
        raise NotFound(_("No such location."))
    return tuple(found[code] for code in codes)


@transactional
def create_location(data: dict) -> Location:
    values = clean(LOCATION_SPEC, data)
    existing = db.session.scalar(select(Location).where(
        func.lower(Location.code) == values["code"].lower()))
    if existing is not None:
        raise Duplicate(_("The location code %(code)s is already used.", code=values["code"]),
                        existing_id=existing.id, field="code",
                        fields={"code": _("Already in use.")})
    location = Location(**values)
    db.session.add(location)
    db.session.flush()
    return location


def location_query(kind: str | None = None, active: bool | None = None) -> Select:
    stmt = select(Location).order_by(Location.kind != "internal", Location.code)
    if kind:
        stmt = stmt.where(Location.kind == kind)
    if active is not None:
        stmt = stmt.where(Location.active.is_(active))
    return stmt


def internal_locations() -> list[Location]:
    return list(db.session.scalars(location_query("internal", active=True)))


# --------------------------------------------------------------------------- products


def find_product(*, product_id: int | None = None, sku: str | None = None,
                 barcode: str | None = None, code: str | None = None) -> Product | None:
    """A product by id, SKU, barcode, or `code` (what a scanner sends: barcode or SKU)."""
    if product_id is not None:
        return db.session.get(Product, product_id)
    if barcode:
        return db.session.scalar(select(Product).where(Product.barcode == barcode))
    if sku:
        return db.session.scalar(select(Product).where(Product.sku == sku))
    if code:
        return (db.session.scalar(select(Product).where(Product.barcode == code))
                or db.session.scalar(select(Product).where(Product.sku == code))
                or db.session.scalar(select(Product).where(
                    func.lower(Product.sku) == code.lower())))
    return None


def _movable_product(values: dict, field: str = "product_id") -> Product:
    """The product a move names, or a ValidationError on the field that named it."""
    named = next((key for key in ("product_id", "sku", "barcode") if values.get(key)), None)
    if named is None:
        raise ValidationError(fields={field: _("Give a product_id, sku or barcode.")})
    product = find_product(**{named: values[named]})
    if product is None:
        raise ValidationError(fields={named: _("No such product.")})
    check_movable(product, named)
    return product


def check_movable(product: Product, field: str = "product_id") -> None:
    if product.type not in STOCKED_TYPES:
        raise ValidationError(fields={field: _("%(sku)s is a service; services have no stock.",
                                               sku=product.sku)})


# --------------------------------------------------------------------------- balances


def _take(product: Product, location: Location, quantity: Decimal, reserved: Decimal) -> None:
    """Take `quantity` out of an internal location, `reserved` of it from the product's
    reservation there; refuse with InsufficientStock when there is not enough."""
    balance = StockBalance.__table__.c
    free_needed = quantity - reserved
    result = db.session.execute(
        update(StockBalance.__table__)
        .where(balance.product_id == product.id, balance.location_id == location.id,
               balance.on_hand - balance.reserved >= free_needed,
               balance.reserved >= reserved)
        .values(on_hand=balance.on_hand - quantity, reserved=balance.reserved - reserved))
    if result.rowcount != 1:
        available = available_at(product.id, location.id)
        raise InsufficientStock(
            _("Only %(available)s of %(sku)s available at %(location)s; %(quantity)s asked.",
              available=qty(available), sku=product.sku, location=location.code,
              quantity=qty(quantity)),
            fields={"quantity": _("Only %(available)s available.", available=qty(available))},
            available=str(available))


def _put(product_id: int, location_id: int, quantity: Decimal) -> None:
    db.session.execute(
        insert_or_add(StockBalance, ("product_id", "location_id"), ("on_hand",)),
        {"product_id": product_id, "location_id": location_id, "on_hand": quantity,
         "reserved": ZERO})


def balance_at(product_id: int, location_id: int) -> tuple[Decimal, Decimal]:
    """(on_hand, reserved) of a product in a location, read from the balance row."""
    row = db.session.execute(select(StockBalance.on_hand, StockBalance.reserved).where(
        StockBalance.product_id == product_id,
        StockBalance.location_id == location_id)).first()
    return (row.on_hand, row.reserved) if row else (ZERO, ZERO)


def available_at(product_id: int, location_id: int) -> Decimal:
    on_hand, reserved = balance_at(product_id, location_id)
    return on_hand - reserved


def totals_by_product(product_ids: Iterable[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """{product_id: (on_hand, reserved)} summed over internal locations, in one query.
    Registered as the products' stock provider (shared/products never imports erp)."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(StockBalance.product_id, func.sum(StockBalance.on_hand),
               func.sum(StockBalance.reserved))
        .where(StockBalance.product_id.in_(ids)).group_by(StockBalance.product_id))
    return {pid: (Decimal(on_hand).quantize(ZERO), Decimal(reserved).quantize(ZERO))
            for pid, on_hand, reserved in rows}



# --------------------------------------------------------------------------- moves


def book_move(product: Product, quantity: Decimal, source: Location, target: Location, *,
              user_id: int | None, reference: str | None = None, note: str | None = None,
              reserved: Decimal = ZERO, reverses_id: int | None = None) -> StockMove:
    """Record a done move and update the balances it touches, in the caller's unit of work.
    `reserved` is how much of the quantity leaves from the product's reservation at
    `source` (a delivery of a confirmed order); the rest must be free stock."""
    if source.id == target.id:
        raise ValidationError(fields={"to_location_id": _("Choose another location.")})
    if source.is_internal:
        _take(product, source, quantity, reserved)
    if target.is_internal:
        _put(product.id, target.id, quantity)
    move = StockMove(product_id=product.id, quantity=quantity, unit_cost=product.cost_price,
                     from_location_id=source.id,
                     to_location_id=target.id, reference=reference, note=note,
                     user_id=user_id, reverses_id=reverses_id)
    db.session.add(move)
    db.session.flush()
    if source.is_internal != target.is_internal:
        _add_to_day(move, quantity if target.is_internal else -quantity)
    if source.is_internal and not target.is_internal:
        _announce_low_stock(product, freed=quantity - reserved)
    return move


def _add_to_day(move: StockMove, net: Decimal) -> None:
    """Add a move's change of the internal stock to its product's day (stock_by_day)."""
    day = move.created_at.astimezone(company_zone()).date()
    db.session.execute(insert_or_add(StockByDay, ("product_id", "day"), ("net",)),
                       {"product_id": move.product_id, "day": day, "net": net})


def _announce_low_stock(product: Product, freed: Decimal) -> None:
    """Publish StockBelowReorderPoint when taking `freed` units of free stock out of the
    internal locations crossed the product's reorder point (one query, and only for products
    that have one)."""
    if product.reorder_point is None or freed <= 0:
        return
    on_hand, reserved = totals_by_product([product.id]).get(product.id, (ZERO, ZERO))
    available = on_hand - reserved
    if available <= product.reorder_point < available + freed:
        publish(StockBelowReorderPoint(product_id=product.id, available=available,
                                       reorder_point=product.reorder_point))


def active_location(location_id: int, field: str) -> Location:
    location = db.session.get(Location, location_id)
    if location is None:
        raise ValidationError(fields={field: _("No such location.")})
    if not location.active:
        raise ValidationError(fields={field: _("This location is archived.")})
    return location


@transactional
def record_move(data: dict, *, user_id: int | None = None) -> StockMove:
    """POST /stock/moves: validate and book one done move."""
    values = clean(MOVE_SPEC, data)
    product = _movable_product(values)
    if not product.active:
        raise ValidationError(fields={"product_id": _("This product is archived.")})
    source = active_location(values["from_location_id"], "from_location_id")
    target = active_location(values["to_location_id"], "to_location_id")
    return book_move(product, values["quantity"], source, target, user_id=user_id,
                     reference=values.get("reference"), note=values.get("note"))


def get_move(move_id: int) -> StockMove:
    move = db.session.get(StockMove, move_id)
    if move is None:
        raise NotFound(_("No such stock move."))
    return move


def reversal_of(move_id: int) -> StockMove | None:
    return db.session.scalar(select(StockMove).where(StockMove.reverses_id == move_id))


@transactional
def reverse_move(move_id: int, *, user_id: int | None = None) -> StockMove:
    """Undo a move with its mirror image; the original stays in the ledger. Concurrent
    reversals queue on the original's row lock, so the later ones see the first."""
    move = db.session.scalar(select(StockMove).where(StockMove.id == move_id)
                             .with_for_update())
    if move is None:
        raise NotFound(_("No such stock move."))
    if move.reverses_id is not None:
        raise InvalidState(_("This move is itself a reversal; record a new move instead."))
    if reversal_of(move.id) is not None:
        raise InvalidState(_("This move has already been reversed."))
    product = db.session.get(Product, move.product_id)
    source = db.session.get(Location, move.to_location_id)
    target = db.session.get(Location, move.from_location_id)
    try:
        return book_move(product, move.quantity, source, target, user_id=user_id,
                         reference=move.reference,  # so one reference finds both
                         reverses_id=move.id)
    except IntegrityError as exc:  # a concurrent reversal won the UNIQUE(reverses_id)
        if sqlstate(exc) in (None, "23505") and "unique" in str(exc.orig).lower():
            raise InvalidState(_("This move has already been reversed.")) from exc
        raise


def reversed_ids(move_ids: Iterable[int]) -> set[int]:
    """Which of these moves have been reversed (one query for a whole page)."""
    ids = list(move_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(StockMove.reverses_id)
                                  .where(StockMove.reverses_id.in_(ids))))


# --------------------------------------------------------------------------- reservations


def reserve_available(product_id: int, location_id: int, wanted: Decimal) -> Decimal:
    """Reserve up to `wanted` of the free stock; returns how much was reserved (the rest
    waits). Runs in the caller's unit of work under the balance row's lock, which is held
    until it ends; the caller's next flush writes the new figure."""
    balance = db.session.execute(
        select(StockBalance).where(StockBalance.product_id == product_id,
                                   StockBalance.location_id == location_id)
        .with_for_update()).scalar_one_or_none()
    if balance is None or wanted <= 0:
        return ZERO
    taken = max(ZERO, min(wanted, balance.on_hand - balance.reserved))
    balance.reserved += taken
    return taken


def release_reserved(product_id: int, location_id: int, quantity: Decimal) -> None:
    """Give back `quantity` of a reservation (an order cancelled or changed)."""
    balance = StockBalance.__table__.c
    result = db.session.execute(
        update(StockBalance.__table__)
        .where(balance.product_id == product_id, balance.location_id == location_id,
               balance.reserved >= quantity)
        .values(reserved=balance.reserved - quantity))
    if result.rowcount != 1:
        raise InvalidState(_("Cannot release more than is reserved."))


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LevelRow:
    product_id: int
    sku: str
    name: str
    location_id: int
    location_code: str
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def level_query(product_id: int | None = None, location_id: int | None = None,
                q: str | None = None) -> Select:
    """Levels per product and internal location, straight from the balance table."""
    from shared.queries import search

    stmt = (select(StockBalance.product_id, Product.sku, Product.name,
                   StockBalance.location_id, Location.code.label("location_code"),
                   StockBalance.on_hand, StockBalance.reserved)
            .join(Product, Product.id == StockBalance.product_id)
            .join(Location, Location.id == StockBalance.location_id)
            .order_by(Product.sku, Location.code))
    if product_id is not None:
        stmt = stmt.where(StockBalance.product_id == product_id)
    if location_id is not None:
        stmt = stmt.where(StockBalance.location_id == location_id)
    return search(stmt, q, [Product.sku, Product.name, Product.barcode])


def level_rows(stmt: Select) -> list[LevelRow]:
    return [LevelRow(*row) for row in db.session.execute(stmt)]


def parse_since(value: str, field: str) -> datetime:
    """An ISO date (start of that day, company time zone) or an ISO timestamp."""
    text = value.strip()
    if len(text) > 19 and text[19] == " ":  # an unencoded "+08:00" arrives as " 08:00"
        text = f"{text[:19]}+{text[20:]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(fields={field: _("Must be a date or a timestamp in ISO 8601.")}) \
            from None
    try:
        IsoDate().convert(moment)  # the range every date field keeps to
    except FieldError as exc:
        raise ValidationError(fields={field: str(exc)}) from None
    if len(text) == 10:
        return day_start(moment.date())
    return moment if moment.tzinfo else moment.replace(tzinfo=company_zone())


def move_query(*, product_id: int | None = None, location_id: int | None = None,
               reference: str | None = None, since: datetime | None = None,
               until: datetime | None = None, user_id: int | None = None,
               before_id: int | None = None) -> Select:
    """The ledger, newest first. `before_id` pages by key: deep pages cost what the first
    page does."""
    stmt = select(StockMove).order_by(StockMove.id.desc())
    if product_id is not None:
        stmt = stmt.where(StockMove.product_id == product_id)
    if location_id is not None:
        stmt = stmt.where(or_(StockMove.from_location_id == location_id,
                              StockMove.to_location_id == location_id))
    if reference:
        stmt = stmt.where(StockMove.reference == reference)
    if since is not None:
        stmt = stmt.where(StockMove.created_at >= since)
    if until is not None:
        stmt = stmt.where(StockMove.created_at < until)
    if user_id is not None:
        stmt = stmt.where(StockMove.user_id == user_id)
    if before_id is not None:
        stmt = stmt.where(StockMove.id < before_id)
    return stmt


def product_skus(product_ids: Iterable[int]) -> dict[int, Product]:
    ids = set(product_ids)
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}


def locations_by_id() -> dict[int, Location]:
    return {loc.id: loc for loc in db.session.scalars(select(Location))}

