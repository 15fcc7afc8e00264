"""The warehouse terminal: one scan (barcode or SKU, quantity, move type) is one move.

The move type and locations a user chose last are remembered per user, in the same unit of
work as the move, so the terminal is ready for the next scan after a sign-out or on another
device.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from erp.inventory.models import Location, ScannerSettings, StockMove
from erp.inventory.services import (
    active_location,
    balance_at,
    book_move,
    check_movable,
    find_product,
    main_stock,
)
from shared.db import transactional
from shared.errors import ValidationError
from shared.extensions import db
from shared.products.models import Product
from shared.validation import Choice, Integer, Qty, Text, clean

# move type -> (label, kind of the source, kind of the destination); "internal" is the
# location the user picked, the others are the first active location of that kind.
MOVE_TYPES = {
    "receipt": (_l("Receipt"), "supplier", "internal"),
    "delivery": (_l("Delivery"), "internal", "customer"),
    "transfer": (_l("Transfer"), "internal", "internal"),
    "adjust_in": (_l("Adjustment: add"), "adjustment", "internal"),
    "adjust_out": (_l("Adjustment: remove"), "internal", "adjustment"),
}

SCAN_SPEC = {
    "code": Text(required=True, max_length=64),
    "quantity": Qty(default=Decimal("1")),
    "move_type": Choice(MOVE_TYPES, default="receipt"),
    "location_id": Integer(min_value=1),
    "to_location_id": Integer(min_value=1),
    "reference": Text(max_length=120),
}


@dataclass
class ScanResult:
    move: StockMove
    product: Product
    location: Location  # the internal location whose level is shown
    on_hand: Decimal
    available: Decimal


def settings_for(user_id: int) -> ScannerSettings:
    """The user's remembered choices (not saved until their first scan)."""
    settings = db.session.scalar(select(ScannerSettings)
                                 .where(ScannerSettings.user_id == user_id))
    return settings or ScannerSettings(user_id=user_id, move_type="receipt",
                                       location_id=main_stock().id)


def _first_of_kind(kind: str) -> Location:
    return db.session.scalar(select(Location).where(Location.kind == kind,
                                                    Location.active.is_(True))
                             .order_by(Location.id))


def _internal(location_id: int | None, field: str) -> Location:
    if location_id is None:
        raise ValidationError(fields={field: _("Choose a location.")})
    location = active_location(location_id, field)
    if not location.is_internal:
        raise ValidationError(fields={field: _("Choose a warehouse location.")})
    return location


def _ends(values: dict) -> tuple[Location, Location, Location]:
    """(source, destination, the internal location to report) of a scan."""
    _label, source_kind, target_kind = MOVE_TYPES[values["move_type"]]
    here = _internal(values.get("location_id"), "location_id")
    if values["move_type"] == "transfer":
        there = _internal(values.get("to_location_id"), "to_location_id")
        return here, there, there
    source = here if source_kind == "internal" else _first_of_kind(source_kind)
    target = here if target_kind == "internal" else _first_of_kind(target_kind)
    return source, target, here


def _remember(user_id: int, values: dict) -> None:
    settings = settings_for(user_id)
    settings.move_type = values["move_type"]
    settings.location_id = values.get("location_id")
    settings.to_location_id = values.get("to_location_id")
    db.session.add(settings)


@transactional
def scan(data: dict, *, user_id: int) -> ScanResult:
    values = clean(SCAN_SPEC, data)
    product = find_product(code=values["code"])
    if product is None:
        raise ValidationError(_("Unknown barcode or SKU: %(code)s", code=values["code"]),
                              fields={"code": _("No product has this barcode or SKU.")})
    check_movable(product, "code")
    if not product.active:
        raise ValidationError(fields={"code": _("This product is archived.")})
    source, target, shown = _ends(values)
    _remember(user_id, values)
    move = book_move(product, values["quantity"], source, target, user_id=user_id,
                     reference=values.get("reference"))
    on_hand, reserved = balance_at(product.id, shown.id)
    return ScanResult(move, product, shown, on_hand, on_hand - reserved)
