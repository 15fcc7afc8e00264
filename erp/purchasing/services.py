"""Purchasing operations: supplier prices, purchase orders, receipts, bills, replenishment.

State machine (ARCHITECTURE.md rule 4, erp/purchasing/rules.py):

    draft --confirm--> confirmed --receive--> partially_received --receive--> received
    draft|confirmed --cancel--> cancelled      (not once anything is received or billed)

A confirmed order is immutable; its lines only change through the actions below. Each action
is one unit of work that locks the order row first. A receipt also locks the products it
moves (then their balance rows) before it reads the on-hand figure the moving average starts
from, so two receipts of one product queue and each starts from what the other left.
Stock goes through inventory's `book_move`; the reservation of what arrived for waiting sales
orders happens in sales, which subscribes to the GoodsReceived event published here.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, inspect, or_, select
from sqlalchemy.orm import selectinload

from erp.inventory.models import MAIN_STOCK, Location, StockBalance
from erp.inventory.reorder import reorder_suggestions
from erp.inventory.services import book_move, locations_by_code
from erp.invoicing.models import VENDOR_BILL, Invoice, InvoiceLine
from erp.invoicing.services import create_invoice
from erp.purchasing.models import (
    CANCELLED,
    CONFIRMED,
    DRAFT,
    OPEN_STATES,
    ORDER_STATES,
    PARTIALLY_RECEIVED,
    RECEIVED,
    ZERO_QTY,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    SupplierPrice,
)
from erp.purchasing.rules import TRANSITIONS, receipt_state
from shared.company.services import get_company
from shared.dates import company_today, company_zone
from shared.db import transactional, utcnow
from shared.errors import Conflict, Immutable, InvalidState, NotFound, ValidationError
from shared.events import GoodsReceived, InvoiceChanged, PurchaseOrderConfirmed, publish
from shared.extensions import db
from shared.money import document_totals, line_figures, moving_average, price_lines, round_money
from shared.partners.models import Partner
from shared.products.models import Product
from shared.queries import search
from shared.sequences.services import next_number
from shared.validation import Integer, IsoDate, Number, Qty, Text, clean, clean_rows

ORDER_SPEC = {
    "supplier_id": Integer(min_value=1, required=True),
    "order_date": IsoDate(),
    "expected_date": IsoDate(),
    "supplier_reference": Text(max_length=100),
    "notes": Text(max_length=5000),
}

# A purchase price becomes the unit cost of the goods received (a Cost column, 14 digits
# before the point): a larger one passed and then overflowed it at receipt (a 500 on
# PostgreSQL).
MAX_UNIT_COST = Decimal("99999999999999.99")

LINE_SPEC = {
    "product_id": Integer(min_value=1, required=True),
    "description": Text(max_length=500),
    "quantity": Qty(required=True),  # as on every other document's line
    "unit_price": Number(places=2, min_value=0, max_value=MAX_UNIT_COST),
    "discount_pct": Number(places=2, min_value=0, max_value=100, default=Decimal("0")),
    "tax_rate": Number(places=2, min_value=0, max_value=100),
}

RECEIVE_LINE_SPEC = {
    "line_id": Integer(min_value=1, required=True),
    "quantity": Qty(required=True),
}

SUPPLIER_PRICE_SPEC = {
    "supplier_id": Integer(min_value=1, required=True),
    "supplier_sku": Text(max_length=64),
    "price": Number(places=4, min_value=0, required=True),
    "min_qty": Number(places=3, positive=True, default=Decimal("1")),
    "lead_time_days": Integer(min_value=0, max_value=3650, default=0),
}


class NothingToBill(Conflict):
    code = "nothing_to_bill"


def guard(order: PurchaseOrder, action: str) -> None:
    if order.state in TRANSITIONS[action]:
        return
    if action == "edit":
        raise Immutable(_("Purchase order %(number)s is %(state)s; only a draft can be "
                          "changed.", number=order.number, state=state_label(order.state)))
    raise InvalidState(_("Purchase order %(number)s is %(state)s; it cannot be %(action)s "
                         "now.", number=order.number, state=state_label(order.state),
                         action=action_label(action)))


def state_label(state: str) -> str:
    return {DRAFT: _("a draft"), CONFIRMED: _("confirmed"),
            PARTIALLY_RECEIVED: _("partially received"), RECEIVED: _("received"),
            CANCELLED: _("cancelled")}.get(state, state)


def action_label(action: str) -> str:
    return {"confirm": _("confirmed"), "receive": _("received"), "bill": _("billed"),
            "cancel": _("cancelled")}.get(action, action)


# --------------------------------------------------------------------------- supplier prices


def _supplier(partner_id: int, field: str = "supplier_id") -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        raise ValidationError(fields={field: _("No such supplier.")})
    if not partner.is_supplier:
        raise ValidationError(fields={field: _("%(name)s is not a supplier.",
                                               name=partner.name)})
    return partner


def _product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(_("No such product."))
    return product


def supplier_prices_of(product_id: int) -> list[SupplierPrice]:
    _product(product_id)
    return list(db.session.scalars(
        select(SupplierPrice).where(SupplierPrice.product_id == product_id)
        .order_by(SupplierPrice.supplier_id, SupplierPrice.min_qty, SupplierPrice.id)))


def get_supplier_price(price_id: int) -> SupplierPrice:
    price = db.session.get(SupplierPrice, price_id)
    if price is None:
        raise NotFound(_("No such supplier price."))
    return price


@transactional
def create_supplier_price(product_id: int, data: dict) -> SupplierPrice:
    product = _product(product_id)
    errors: dict[str, str] = {}
    try:
        values = clean(SUPPLIER_PRICE_SPEC, data)
    except ValidationError as exc:
        values, errors = {}, dict(exc.fields)
    if "supplier_id" not in errors:  # also said when another field is wrong
        try:
            _supplier(clean({"supplier_id": SUPPLIER_PRICE_SPEC["supplier_id"]},
                            data)["supplier_id"])
        except ValidationError as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationError(fields=errors)
    price = SupplierPrice(product_id=product.id, **values)
    db.session.add(price)
    db.session.flush()
    return price


@transactional
def update_supplier_price(price_id: int, data: dict) -> SupplierPrice:
    price = get_supplier_price(price_id)
    values = clean(SUPPLIER_PRICE_SPEC, data, partial=True)
    if values.get("supplier_id"):
        _supplier(values["supplier_id"])
    for key, value in values.items():
        if value is None and key in ("supplier_id", "price", "min_qty", "lead_time_days"):
            raise ValidationError(fields={key: _("This field is required.")})
        setattr(price, key, value)
    db.session.flush()
    return price


@transactional
def delete_supplier_price(price_id: int) -> None:
    db.session.delete(get_supplier_price(price_id))
    db.session.flush()


def best_prices(supplier_id: int, product_ids: Iterable[int]) -> dict[int, list[SupplierPrice]]:
    """{product id: the supplier's prices for it, largest min_qty first}, in one query."""
    ids = list(set(product_ids))
    found: dict[int, list[SupplierPrice]] = {}
    if not ids:
        return found
    for price in db.session.scalars(
            select(SupplierPrice).where(SupplierPrice.supplier_id == supplier_id,
                                        SupplierPrice.product_id.in_(ids))
            .order_by(SupplierPrice.min_qty.desc(), SupplierPrice.id)):
        found.setdefault(price.product_id, []).append(price)
    return found


def price_for(prices: list[SupplierPrice], quantity: Decimal) -> SupplierPrice | None:
    """API.md: the price with the largest min_qty not above the line's quantity."""
    return next((price for price in prices if price.min_qty <= quantity), None)


# --------------------------------------------------------------------------- reading


def get_order(order_id: int, *, lock: bool = False) -> PurchaseOrder:
    stmt = select(PurchaseOrder).where(PurchaseOrder.id == order_id)
    if lock:
        stmt = stmt.with_for_update(of=PurchaseOrder.__table__)
    order = db.session.scalar(stmt.execution_options(populate_existing=lock))
    if order is None:
        raise NotFound(_("No such purchase order."))
    return order


def late_condition(today: date):
    """API.md: expected before today, not fully received, not cancelled."""
    return and_(PurchaseOrder.expected_date < today,
                PurchaseOrder.state.in_((DRAFT, CONFIRMED, PARTIALLY_RECEIVED)))


def order_query(*, q: str | None = None, state: str | None = None,
                supplier_id: int | None = None, late: bool | None = None,
                due_by: date | None = None, today: date | None = None) -> Select:
    """The purchase order list, newest first; every filter is optional. `due_by` keeps the
    confirmed orders with goods still to come expected on or before that day."""
    stmt = select(PurchaseOrder).order_by(PurchaseOrder.id.desc())
    if state:
        if state not in ORDER_STATES:
            raise ValidationError(fields={"state": _("Unknown state.")})
        stmt = stmt.where(PurchaseOrder.state == state)
    if supplier_id:
        stmt = stmt.where(PurchaseOrder.supplier_id == supplier_id)
    if late is True:
        stmt = stmt.where(late_condition(today or company_today()))
    elif late is False:
        stmt = stmt.where(~late_condition(today or company_today()))
    if due_by:
        stmt = stmt.where(PurchaseOrder.state.in_(OPEN_STATES),
                          PurchaseOrder.expected_date <= due_by)
    if q:
        stmt = search(stmt.join(Partner, Partner.id == PurchaseOrder.supplier_id), q,
                      (PurchaseOrder.number, Partner.name, PurchaseOrder.supplier_reference))
    return stmt


def with_lines(orders: list[PurchaseOrder]) -> list[PurchaseOrder]:
    """Load the lines of a page of orders in one query (no query per row)."""
    if orders:
        db.session.scalars(select(PurchaseOrder)
                           .where(PurchaseOrder.id.in_([o.id for o in orders]))
                           .options(selectinload(PurchaseOrder.lines))).all()
    return orders


def to_receive_query() -> Select:
    """The warehouse's queue: confirmed orders with goods still to come, the earliest
    expected first (the late ones on top)."""
    return (select(PurchaseOrder).where(PurchaseOrder.state.in_(OPEN_STATES))
            .order_by(PurchaseOrder.expected_date, PurchaseOrder.id))


def receipts_of(order_id: int) -> list[Receipt]:
    return list(db.session.scalars(
        select(Receipt).where(Receipt.order_id == order_id).order_by(Receipt.id)
        .options(selectinload(Receipt.lines))))


def bills_of(order_id: int) -> list[Invoice]:
    return list(db.session.scalars(
        select(Invoice).where(Invoice.purchase_order_id == order_id).order_by(Invoice.id)))


def incoming_quantities(product_ids: Iterable[int]) -> dict[int, Decimal]:
    """{product id: quantity still to come on confirmed purchase orders}, one query.
    Registered as inventory's incoming provider (reorder suggestions count it)."""
    return {pid: qty for pid, (qty, _date) in incoming(product_ids).items()}


def incoming_query() -> Select:
    """(product_id, qty) still to come on confirmed orders, one row per product: inventory
    joins it into the reorder suggestions (registered as the registry's incoming_query)."""
    line = PurchaseOrderLine
    return (select(line.product_id.label("product_id"),
                   func.sum(line.quantity - line.received_qty).label("qty"))
            .join(PurchaseOrder, PurchaseOrder.id == line.order_id)
            .where(PurchaseOrder.state.in_(OPEN_STATES), line.product_type != "service",
                   line.received_qty < line.quantity)
            .group_by(line.product_id))


def incoming(product_ids: Iterable[int]) -> dict[int, tuple[Decimal, date]]:
    """{product id: (quantity still to come, the earliest expected date)}, one query."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    line = PurchaseOrderLine
    rows = db.session.execute(
        select(line.product_id, func.sum(line.quantity - line.received_qty),
               func.min(PurchaseOrder.expected_date))
        .join(PurchaseOrder, PurchaseOrder.id == line.order_id)
        .where(line.product_id.in_(ids), PurchaseOrder.state.in_(OPEN_STATES),
               line.product_type != "service", line.received_qty < line.quantity)
        .group_by(line.product_id))
    return {pid: (Decimal(qty).quantize(ZERO_QTY), expected)
            for pid, qty, expected in rows if qty}


# --------------------------------------------------------------------------- cleaning input


def _clean_lines(raw: Any, supplier_id: int | None) -> tuple[list[dict], dict[int, int]]:
    """Validated lines with their defaults filled in: description, the supplier's price for
    the quantity (else the product's cost price), the product's tax rate. Returns the lines
    and {line index: lead time days} of the supplier prices that applied."""
    cleaned, errors = clean_rows(LINE_SPEC, raw)
    ids = {line["product_id"] for line in cleaned if line.get("product_id")}
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(ids)))} if ids else {}
    for index, line in enumerate(cleaned):
        product = products.get(line.get("product_id"))
        if line.get("product_id") and product is None:
            errors[f"lines.{index}.product_id"] = _("No such product.")
        elif product is not None and not product.active:
            errors[f"lines.{index}.product_id"] = _(
                "%(sku)s is archived and cannot be bought.", sku=product.sku)
    if errors:
        raise ValidationError(fields=errors)
    prices = best_prices(supplier_id, ids) if supplier_id else {}
    lead_times: dict[int, int] = {}
    for index, line in enumerate(cleaned):
        product = products[line["product_id"]]
        price = price_for(prices.get(product.id, []), line["quantity"])
        if price is not None:
            lead_times[index] = price.lead_time_days
        line["product_type"] = product.type
        line["supplier_sku"] = price.supplier_sku if price is not None else None
        if not line.get("description"):
            line["description"] = product.name
        if line.get("unit_price") is None:
            line["unit_price"] = round_money(price.price if price is not None
                                             else product.cost_price)
        if line.get("tax_rate") is None:
            line["tax_rate"] = product.tax_rate
    return cleaned, lead_times


def _set_lines(order: PurchaseOrder, lines: list[dict]) -> None:
    if inspect(order).persistent:  # replacing: the old lines go first (sequence numbers)
        order.lines.clear()
        db.session.flush()
    for sequence, values in enumerate(lines, start=1):
        order.lines.append(PurchaseOrderLine(sequence=sequence, **values))
    price_lines(order)


def _set_expected_date(order: PurchaseOrder, given: date | None,
                       lead_times: dict[int, int] | None) -> None:
    """API.md: the given date, else the order date plus the largest lead time among the
    lines' supplier prices (0 when none)."""
    if given is not None:
        order.expected_date = given
        order.expected_date_set = True
    elif not order.expected_date_set and lead_times is not None:
        order.expected_date = order.order_date + timedelta(
            days=max(lead_times.values(), default=0))
    elif order.expected_date is None:
        order.expected_date = order.order_date
    if order.expected_date < order.order_date:
        raise ValidationError(fields={"expected_date": _(
            "Must not be before the order date.")})


def preview_totals(supplier_id: int | None, raw_lines: list) -> dict[str, Any]:
    """Live totals for the order form (nothing is written); invalid lines are skipped."""
    figures, per_line = [], []
    for raw in raw_lines:
        try:
            line = _clean_lines([raw], supplier_id)[0][0]
        except ValidationError:
            per_line.append(None)
            continue
        f = line_figures(line["quantity"], line["unit_price"], line["discount_pct"],
                         line["tax_rate"])
        figures.append(f)
        per_line.append(f)
    return {"lines": per_line, "totals": document_totals(figures)}


# --------------------------------------------------------------------------- drafts


def _clean_order(data: dict, partial: bool) -> tuple[dict, dict[str, str]]:
    try:
        return clean(ORDER_SPEC, data, partial=partial), {}
    except ValidationError as exc:
        return {}, dict(exc.fields)


@transactional
def create_order(data: dict, *, user_id: int | None = None) -> PurchaseOrder:
    """A draft purchase order with its number (PO00001) given now; lines are optional."""
    values, errors = _clean_order(data, partial=False)
    supplier = None
    if values.get("supplier_id"):
        try:
            supplier = _supplier(values["supplier_id"])
        except ValidationError as exc:
            errors.update(exc.fields)
    try:
        lines, lead_times = _clean_lines(data.get("lines", []),
                                         supplier.id if supplier else None)
    except ValidationError as exc:
        lines, lead_times, errors = [], {}, {**errors, **exc.fields}
    if errors:
        raise ValidationError(fields=errors)
    expected = values.pop("expected_date", None)
    order = PurchaseOrder(**{k: v for k, v in values.items() if v is not None},
                          supplier=supplier, state=DRAFT, currency=get_company().currency,
                          created_by_id=user_id, number=next_number("purchase_order"))
    order.order_date = order.order_date or company_today()
    _set_expected_date(order, expected, lead_times)
    db.session.add(order)
    _set_lines(order, lines)
    db.session.flush()
    return order


@transactional
def update_order(order_id: int, data: dict, *, user_id: int | None = None) -> PurchaseOrder:
    """PATCH a draft: header fields given, and the whole list of lines when `lines` is given
    (their prices are looked up again for the order's supplier)."""
    order = get_order(order_id, lock=True)
    guard(order, "edit")
    values, errors = _clean_order(data, partial=True)
    if errors:
        raise ValidationError(fields=errors)
    if "supplier_id" in values:
        order.supplier = _supplier(values.pop("supplier_id") or 0)
    lines, lead_times = (_clean_lines(data["lines"], order.supplier_id)
                         if "lines" in data else (None, None))
    expected = values.pop("expected_date", None)
    if "expected_date" in data and expected is None:
        order.expected_date_set = False  # cleared: back to the lead times
    for key, value in values.items():
        setattr(order, key, value)
    order.order_date = order.order_date or company_today()
    if lines is not None:
        _set_lines(order, lines)
    elif not order.expected_date_set:
        lead_times = _lead_times_of(order)
    _set_expected_date(order, expected, lead_times)
    db.session.flush()
    return order


def _lead_times_of(order: PurchaseOrder) -> dict[int, int]:
    prices = best_prices(order.supplier_id, [line.product_id for line in order.lines])
    found = {}
    for index, line in enumerate(order.lines):
        price = price_for(prices.get(line.product_id, []), line.quantity)
        if price is not None:
            found[index] = price.lead_time_days
    return found


# --------------------------------------------------------------------------- confirming


@transactional
def confirm_order(order_id: int, *, user_id: int | None = None) -> PurchaseOrder:
    """Confirm a draft: its goods lines are incoming stock from now on."""
    order = get_order(order_id, lock=True)
    guard(order, "confirm")
    if not order.lines:
        raise ValidationError(fields={"lines": _("A purchase order needs at least one line "
                                                 "to be confirmed.")})
    archived = {f"lines.{i}.product_id": _("%(sku)s is archived and cannot be bought.",
                                           sku=line.product.sku)
                for i, line in enumerate(order.lines) if not line.product.active}
    if archived:
        raise ValidationError(fields=archived)
    if not order.supplier.is_supplier:
        raise ValidationError(fields={"supplier_id": _("%(name)s is not a supplier.",
                                                       name=order.supplier.name)})
    order.state = CONFIRMED
    order.confirmed_at = utcnow()
    order.confirmed_by_id = user_id
    refresh_status(order)
    db.session.flush()
    publish(PurchaseOrderConfirmed(order_id=order.id, supplier_id=order.supplier_id,
                                   total=order.total, user_id=user_id))
    return order


# --------------------------------------------------------------------------- receiving


def _receipt_quantities(order: PurchaseOrder, raw: Any) -> dict[int, Decimal]:
    """{line id: quantity}; by default everything outstanding. More than is outstanding, a
    service line or another order's line is a 422 on that line."""
    lines = {line.id: line for line in order.lines}
    if raw is None:
        return {line.id: line.to_receive_qty for line in order.lines
                if line.to_receive_qty > 0}
    if not isinstance(raw, list) or not raw:
        raise ValidationError(fields={"lines": _("Must be a list of lines.")})
    wanted: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for index, item in enumerate(raw):
        try:
            values = clean(RECEIVE_LINE_SPEC, item if isinstance(item, dict) else {})
        except ValidationError as exc:
            errors.update({f"lines.{index}.{k}": v for k, v in exc.fields.items()})
            continue
        line = lines.get(values["line_id"])
        if line is None:
            errors[f"lines.{index}.line_id"] = _("Not a line of this order.")
            continue
        if line.is_service:
            errors[f"lines.{index}.line_id"] = _(
                "%(sku)s is a service; services are not received into stock.",
                sku=line.product.sku)
            continue
        wanted[line.id] = wanted.get(line.id, ZERO_QTY) + values["quantity"]
        if wanted[line.id] > line.to_receive_qty:
            errors[f"lines.{index}.quantity"] = _(
                "Only %(n)s of %(sku)s are outstanding; %(asked)s cannot be received.",
                n=f"{line.to_receive_qty.normalize():f}", sku=line.product.sku,
                asked=f"{wanted[line.id].normalize():f}")
    if errors:
        raise ValidationError(fields=errors)
    return wanted


def _lock_products(product_ids: list[int]) -> dict[int, Product]:
    """The products a receipt revalues, locked in id order (no deadlock between two
    receipts), then their internal balance rows, so the on-hand figure read next is the
    one the receipt adds to."""
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(product_ids)).order_by(Product.id)
        .with_for_update().execution_options(populate_existing=True))}
    internal = select(Location.id).where(Location.kind == "internal")
    db.session.execute(
        select(StockBalance.product_id).where(StockBalance.product_id.in_(product_ids),
                                              StockBalance.location_id.in_(internal))
        .order_by(StockBalance.product_id, StockBalance.location_id).with_for_update())
    return products


def _on_hand(product_ids: list[int]) -> dict[int, Decimal]:
    """On hand over internal locations (the moving average's base), one query."""
    internal = select(Location.id).where(Location.kind == "internal")
    rows = db.session.execute(
        select(StockBalance.product_id, func.sum(StockBalance.on_hand))
        .where(StockBalance.product_id.in_(product_ids),
               StockBalance.location_id.in_(internal))
        .group_by(StockBalance.product_id))
    return {pid: Decimal(qty) for pid, qty in rows}


@transactional
def receive_order(order_id: int, data: dict | None = None, *,
                  user_id: int | None = None) -> PurchaseOrder:
    """Receive all that is outstanding, or the given quantities: moves Suppliers -> WH/Stock,
    the moving-average cost of each product, and (sales' subscriber) the received units
    reserved for the sales orders waiting for them, oldest first; one transaction."""
    order = get_order(order_id, lock=True)
    guard(order, "receive")
    quantities = _receipt_quantities(order, (data or {}).get("lines"))
    if not quantities:
        raise InvalidState(_("Nothing is left to receive on %(number)s.",
                             number=order.number))
    source, target = locations_by_code("Suppliers", MAIN_STOCK)
    receipt = Receipt(order_id=order.id, user_id=user_id,
                      number=next_number("purchase_receipt"), lines=[])
    db.session.add(receipt)
    lines = sorted((line for line in order.lines if quantities.get(line.id)),
                   key=lambda line: (line.product_id, line.id))
    product_ids = sorted({line.product_id for line in lines})
    products = _lock_products(product_ids)
    on_hand = _on_hand(product_ids)
    with db.session.no_autoflush:
        for line in lines:
            quantity = quantities[line.id]
            product = products[line.product_id]
            before = on_hand.get(product.id, ZERO_QTY)
            product.cost_price = moving_average(before, product.cost_price, quantity,
                                                line.net_price)
            move = book_move(product, quantity, source, target, user_id=user_id,
                             reference=order.number, note=receipt.number)
            on_hand[product.id] = before + quantity
            line.received_qty += quantity
            receipt.lines.append(ReceiptLine(order_line_id=line.id, move_id=move.id,
                                             quantity=quantity, unit_cost=move.unit_cost))
    refresh_status(order)
    if order.state == RECEIVED:
        order.received_at = utcnow()
    db.session.flush()
    publish(GoodsReceived(receipt_id=receipt.id, order_id=order.id,
                          product_ids=tuple(product_ids), user_id=user_id))
    return order


# --------------------------------------------------------------------------- billing


@transactional
def bill_order(order_id: int, *, user_id: int | None = None) -> Invoice:
    """A draft vendor bill for what is received and not yet billed (services: the ordered
    quantity). Draft bills count as billed, so billing twice finds nothing (409)."""
    order = get_order(order_id, lock=True)
    guard(order, "bill")
    lines = [line for line in order.lines if line.to_bill_qty > 0]
    if not lines:
        raise NothingToBill(_("Nothing on %(number)s is waiting to be billed: receive goods "
                              "first.", number=order.number))
    invoice = create_invoice(
        {"kind": VENDOR_BILL, "partner_id": order.supplier_id, "purchase_order_id": order.id,
         "currency": order.currency,
         "notes": order.supplier_reference and _("Supplier reference: %(ref)s",
                                                 ref=order.supplier_reference),
         "lines": [{"product_id": line.product_id, "description": line.description,
                    "quantity": str(line.to_bill_qty), "unit_price": str(line.unit_price),
                    "discount_pct": str(line.discount_pct), "tax_rate": str(line.tax_rate),
                    "purchase_order_line_id": line.id}
                   for line in lines]},
        user_id=user_id)
    for invoice_line, line in zip(invoice.lines, lines, strict=True):
        line.billed_qty += invoice_line.quantity
    db.session.flush()
    return invoice


def refresh_billed(order_ids: Iterable[int]) -> None:
    """Recount each line's billed quantity from the vendor bill lines that point at it:
    bills not cancelled, less what vendor credit notes gave back."""
    ids = [i for i in set(order_ids) if i]
    if not ids:
        return
    counted = dict(db.session.execute(
        select(InvoiceLine.purchase_order_line_id,
               func.sum(InvoiceLine.quantity - InvoiceLine.credited_qty))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == InvoiceLine.purchase_order_line_id)
        .where(PurchaseOrderLine.order_id.in_(ids), Invoice.kind == VENDOR_BILL,
               Invoice.state != "cancelled")
        .group_by(InvoiceLine.purchase_order_line_id)).all())
    for order in db.session.scalars(select(PurchaseOrder).where(PurchaseOrder.id.in_(ids))
                                    .with_for_update(of=PurchaseOrder.__table__)):
        for line in order.lines:
            line.billed_qty = min(line.quantity,
                                  Decimal(counted.get(line.id) or 0).quantize(ZERO_QTY))
    db.session.flush()


def recount_billed_on_change(event: InvoiceChanged) -> None:
    """A bill of an order was edited, cancelled or credited: recount the order."""
    if event.purchase_order_id and event.kind == VENDOR_BILL:
        refresh_billed([event.purchase_order_id])


# --------------------------------------------------------------------------- cancelling


@transactional
def cancel_order(order_id: int, *, user_id: int | None = None) -> PurchaseOrder:
    """Cancel a draft or a confirmed order that nothing was received or billed on."""
    order = get_order(order_id, lock=True)
    if any(line.received_qty > 0 for line in order.lines):
        raise InvalidState(_("%(number)s has receipts and cannot be cancelled; return the "
                             "goods to the supplier first.", number=order.number))
    guard(order, "cancel")
    if any(line.billed_qty > 0 for line in order.lines):
        raise InvalidState(_("%(number)s has bills; cancel or credit them first.",
                             number=order.number))
    order.state = CANCELLED
    order.cancelled_at = utcnow()
    db.session.flush()
    return order


def refresh_status(order: PurchaseOrder) -> None:
    order.state = receipt_state(order)


# --------------------------------------------------------------------------- replenishment


@transactional
def create_from_suggestions(data: dict | None = None, *,
                            user_id: int | None = None) -> tuple[list[PurchaseOrder], list[int]]:
    """One draft order per default supplier from the reorder suggestions (optionally only
    `product_ids`), each line the suggested quantity; returns (orders, skipped product ids):
    products without a default supplier (or whose default supplier is no longer one)."""
    data = data or {}
    wanted = None
    if data.get("product_ids") is not None:
        raw = data["product_ids"]
        if not isinstance(raw, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in raw):
            raise ValidationError(fields={"product_ids": _("Must be a list of product ids.")})
        wanted = set(raw)
    suggestions = [s for s in reorder_suggestions()
                   if (wanted is None or s.product_id in wanted) and s.suggested_qty > 0]
    supplier_ids = {s.supplier_id for s in suggestions if s.supplier_id}
    suppliers = set(db.session.scalars(select(Partner.id).where(
        Partner.id.in_(supplier_ids), Partner.is_supplier.is_(True)))) if supplier_ids else set()
    by_supplier: dict[int, list] = {}
    skipped = []
    for suggestion in suggestions:
        if suggestion.supplier_id in suppliers:
            by_supplier.setdefault(suggestion.supplier_id, []).append(suggestion)
        else:
            skipped.append(suggestion.product_id)
    orders = [create_order({"supplier_id": supplier_id, "lines": [
        {"product_id": s.product_id, "quantity": str(s.suggested_qty)} for s in items]},
        user_id=user_id) for supplier_id, items in sorted(by_supplier.items())]
    return orders, skipped


# --------------------------------------------------------------------------- suppliers


def supplier_orders_query(supplier_id: int) -> Select:
    """The supplier's orders that are not finished: drafts, open ones, and received ones
    with something left to bill."""
    unbilled = select(PurchaseOrderLine.order_id).where(
        PurchaseOrderLine.billed_qty < PurchaseOrderLine.quantity)
    return (select(PurchaseOrder)
            .where(PurchaseOrder.supplier_id == supplier_id,
                   or_(PurchaseOrder.state.in_((DRAFT, *OPEN_STATES)),
                       and_(PurchaseOrder.state == RECEIVED,
                            PurchaseOrder.id.in_(unbilled))))
            .order_by(PurchaseOrder.expected_date, PurchaseOrder.id))


def lead_times(supplier_id: int) -> dict[str, Decimal | None]:
    """Promised versus actual lead time of the supplier's fully received orders, in days
    (averages over those orders; None without any): promised = expected - order date,
    actual = last receipt - order date."""
    rows = db.session.execute(
        select(PurchaseOrder.order_date, PurchaseOrder.expected_date, PurchaseOrder.received_at)
        .where(PurchaseOrder.supplier_id == supplier_id, PurchaseOrder.state == RECEIVED,
               PurchaseOrder.received_at.is_not(None))).all()
    if not rows:
        return {"promised": None, "actual": None, "orders": Decimal(0)}
    promised = sum((Decimal((r.expected_date - r.order_date).days) for r in rows), Decimal(0))
    actual = sum((Decimal((r.received_at.astimezone(company_zone()).date()
                           - r.order_date).days) for r in rows), Decimal(0))
    n = Decimal(len(rows))
    return {"promised": (promised / n).quantize(Decimal("0.1")),
            "actual": (actual / n).quantize(Decimal("0.1")), "orders": n}
