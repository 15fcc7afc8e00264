"""Physical counts: what was counted in a location becomes moves to or from Adjustments.

A count is previewed (nothing written) and then confirmed; the confirmation recomputes every
difference under the balance rows' locks, so a move recorded between preview and confirmation
is not lost: the count sets on hand to what was counted. A CSV upload goes through the same
validation and reports every bad line by its number; nothing is applied if any line is bad.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from erp.inventory.models import Location, StockBalance, StockCount, StockMove
from erp.inventory.services import (
    ZERO,
    active_location,
    book_move,
    check_movable,
    find_product,
)
from shared.db import transactional
from shared.errors import InsufficientStock, ValidationError
from shared.extensions import db
from shared.formatting import qty
from shared.products.models import Product
from shared.sequences.services import next_number
from shared.validation import Integer, Qty, Text, clean

LINE_SPEC = {
    "product_id": Integer(min_value=1),
    "sku": Text(max_length=64),
    "barcode": Text(max_length=64),
    "counted_qty": Qty(positive=False, required=True),
}
MAX_LINES = 20_000


@dataclass
class CountLine:
    product: Product
    counted: Decimal
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.counted - self.on_hand


def _count_location(data: dict) -> Location:
    location_id = clean({"location_id": Integer(min_value=1, required=True)},
                        data)["location_id"]
    location = active_location(location_id, "location_id")
    if not location.is_internal:
        raise ValidationError(fields={"location_id": _("Count an internal location.")})
    return location


def _line(index: int, raw, seen: dict[int, int], errors: dict[str, str]) -> CountLine | None:
    prefix = f"lines.{index}"
    if not isinstance(raw, dict):
        errors[prefix] = _("Each line must be an object.")
        return None
    try:
        values = clean(LINE_SPEC, raw)
    except ValidationError as exc:
        errors.update({f"{prefix}.{name}": why for name, why in exc.fields.items()})
        return None
    named = next((key for key in ("product_id", "sku", "barcode") if values.get(key)), None)
    if named is None:
        errors[f"{prefix}.product_id"] = _("Give a product_id, sku or barcode.")
        return None
    product = find_product(**{named: values[named]})
    if product is None:
        errors[f"{prefix}.{named}"] = _("No such product.")
        return None
    try:
        check_movable(product, named)
    except ValidationError as exc:
        errors.update({f"{prefix}.{name}": why for name, why in exc.fields.items()})
        return None
    if product.id in seen:
        errors[f"{prefix}.{named}"] = _("%(sku)s is already counted on line %(n)d.",
                                        sku=product.sku, n=seen[product.id] + 1)
        return None
    seen[product.id] = index
    return CountLine(product, values["counted_qty"])


def prepare_count(data: dict, *, lock: bool = False) -> tuple[Location, list[CountLine]]:
    """Validate a count and read each line's current balance (locked when confirming)."""
    location = _count_location(data)
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ValidationError(fields={"lines": _("Count at least one product.")})
    if len(raw_lines) > MAX_LINES:
        raise ValidationError(fields={"lines": _("At most %(n)d lines.", n=MAX_LINES)})
    errors: dict[str, str] = {}
    seen: dict[int, int] = {}
    lines = [line for index, raw in enumerate(raw_lines)
             if (line := _line(index, raw, seen, errors)) is not None]
    if errors:
        raise ValidationError(fields=errors)
    lines.sort(key=lambda line: line.product.id)  # one lock order for every writer
    stmt = select(StockBalance).where(StockBalance.location_id == location.id,
                                      StockBalance.product_id.in_(seen))
    if lock:
        stmt = stmt.with_for_update()
    balances = {b.product_id: b for b in db.session.scalars(stmt)}
    for line in lines:
        balance = balances.get(line.product.id)
        if balance is not None:
            line.on_hand, line.reserved = balance.on_hand, balance.reserved
    return location, lines


def preview_count(data: dict) -> tuple[Location, list[CountLine]]:
    return prepare_count(data)


def _refuse_below_reserved(lines: list[CountLine]) -> None:
    short = {f"lines.{i}.counted_qty": _("%(n)s are reserved for orders.", n=qty(line.reserved))
             for i, line in enumerate(lines) if line.counted < line.reserved}
    if short:
        raise InsufficientStock(
            _("Some counted quantities are below what is reserved for orders; deliver or "
              "release those reservations first."), fields=short)


@transactional
def confirm_count(data: dict, *, user_id: int | None = None
                  ) -> tuple[StockCount, list[StockMove]]:
    location, lines = prepare_count(data, lock=True)
    _refuse_below_reserved(lines)
    adjustments = db.session.scalar(select(Location).where(Location.kind == "adjustment")
                                    .order_by(Location.id))
    count = StockCount(number=next_number("stock_count"), location_id=location.id,
                       user_id=user_id, line_count=len(lines))
    db.session.add(count)
    moves = []
    for line in lines:
        if line.difference > 0:
            moves.append(book_move(line.product, line.difference, adjustments, location,
                                   user_id=user_id, reference=count.number))
        elif line.difference < 0:
            moves.append(book_move(line.product, -line.difference, location, adjustments,
                                   user_id=user_id, reference=count.number))
    db.session.flush()
    return count, moves


# --------------------------------------------------------------------------- CSV upload

PRODUCT_COLUMNS = ("sku", "barcode", "product_id")
QUANTITY_COLUMNS = ("counted_qty", "counted", "quantity", "qty")


def _header(reader_fields: list[str] | None) -> tuple[str, str]:
    names = [name.strip().lower() for name in reader_fields or []]
    product = next((name for name in PRODUCT_COLUMNS if name in names), None)
    quantity = next((name for name in QUANTITY_COLUMNS if name in names), None)
    if product is None or quantity is None:
        raise ValidationError(
            _("The first line must name the columns: sku (or barcode) and counted_qty."),
            fields={"file": _("Missing column sku or counted_qty.")})
    return product, quantity


def lines_from_csv(content: bytes) -> list[dict]:
    """Count lines from a CSV file; every bad line is reported by its line number."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(fields={"file": _("The file must be UTF-8 text.")}) from None
    reader = csv.DictReader(io.StringIO(text))
    product_col, quantity_col = _header(reader.fieldnames)
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    lines = []
    for row in reader:
        if not any((value or "").strip() for value in row.values()):
            continue
        lines.append({product_col: (row.get(product_col) or "").strip(),
                      "counted_qty": (row.get(quantity_col) or "").strip(),
                      "_line": reader.line_num})
    if not lines:
        raise ValidationError(fields={"file": _("The file has no count lines.")})
    return lines


def csv_errors_by_line(error: ValidationError, lines: list[dict]) -> dict[str, str]:
    """Turn `lines.3.counted_qty` keys into "line 5" (the file's own line numbers)."""
    by_line: dict[str, str] = {}
    for key, why in error.fields.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
            label = _("line %(n)d", n=lines[int(parts[1])]["_line"])
            by_line[label] = f"{by_line[label]}; {why}" if label in by_line else why
        else:
            by_line[key] = why
    return by_line

