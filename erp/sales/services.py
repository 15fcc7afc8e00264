"""Sales order operations: quotations, confirmation, delivery, invoicing, cancelling.

State machine (ARCHITECTURE.md rule 4):

    draft --confirm--> confirmed --deliver--> partially_delivered --deliver--> delivered
    draft|confirmed --cancel--> cancelled      (not once anything is delivered or invoiced)

A confirmed order is immutable; its lines only change through the actions below. Each action
is one unit of work: the order row is locked first, so two people acting on the same order
queue up and the second sees what the first did. Stock goes through inventory's services
(`reserve_available`, `book_move`), which lock or conditionally update the balance rows, so
reservations never exceed what is on hand, whatever runs concurrently.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, inspect, select
from sqlalchemy.orm import selectinload

from erp.inventory.models import MAIN_STOCK
from erp.inventory.services import book_move, locations_by_code, main_stock, release_reserved
from erp.inventory.services import reserve_available as reserve_stock
from erp.invoicing.models import CUSTOMER_INVOICE, Invoice, InvoiceLine
from erp.invoicing.reports import partner_balance
from erp.invoicing.services import create_invoice
from erp.sales.models import (
    CANCELLED,
    CONFIRMED,
    DELIVERED,
    DRAFT,
    INVOICE_STATUSES,
    NOTHING,
    ORDER_STATES,
    PARTIALLY_DELIVERED,
    Delivery,
    DeliveryLine,
    SalesOrder,
    SalesOrderLine,
)
from erp.sales.rules import TRANSITIONS, CreditPosition, delivery_state, invoice_status
from shared.company.services import get_company
from shared.dates import company_today
from shared.db import transactional, utcnow
from shared.errors import (
    Conflict,
    Forbidden,
    Immutable,
    InvalidState,
    NotFound,
    ValidationError,
)
from shared.events import (
    DeliveryDone,
    GoodsReceived,
    InvoiceChanged,
    OpportunityQuoted,
    OrderConfirmed,
    publish,
)
from shared.extensions import db
from shared.formatting import qty
from shared.money import document_totals, line_figures, price_lines, round_money
from shared.partners.models import Partner
from shared.permissions import user_allowed
from shared.products.models import Product
from shared.products.services import products_of_lines
from shared.queries import search
from shared.sequences.services import next_number
from shared.users.models import User
from shared.validation import Boolean, Integer, IsoDate, Number, Qty, Text, clean, clean_rows

QTY_ZERO = Decimal("0.000")

ORDER_SPEC = {
    "partner_id": Integer(min_value=1, required=True),
    "opportunity_id": Integer(min_value=1),
    "order_date": IsoDate(),
    "customer_reference": Text(max_length=100),
    "notes": Text(max_length=5000),
    "salesperson_id": Integer(min_value=1),
}

LINE_SPEC = {
    "product_id": Integer(min_value=1, required=True),
    "description": Text(max_length=500),
    "quantity": Qty(required=True),
    "unit_price": Number(places=2, min_value=0),
    "discount_pct": Number(places=2, min_value=0, max_value=100, default=Decimal("0")),
    "tax_rate": Number(places=2, min_value=0, max_value=100),
}

DELIVER_LINE_SPEC = {
    "line_id": Integer(min_value=1, required=True),
    "quantity": Qty(required=True),
}

CONFIRM_SPEC = {
    "override_credit_limit": Boolean(default=False),
    "override_reason": Text(max_length=500),
}

class CreditLimitExceeded(Conflict):
    code = "credit_limit_exceeded"


class NothingToInvoice(Conflict):
    code = "nothing_to_invoice"


def guard(order: SalesOrder, action: str) -> None:
    if order.state in TRANSITIONS[action]:
        return
    if action == "edit":
        raise Immutable(_("Order %(number)s is %(state)s; only a draft quotation can be "
                          "changed.", number=order.number, state=state_label(order.state)))
    raise InvalidState(_("Order %(number)s is %(state)s; it cannot be %(action)s now.",
                         number=order.number, state=state_label(order.state),
                         action=action_label(action)))


def state_label(state: str) -> str:
    return {DRAFT: _("a quotation"), CONFIRMED: _("confirmed"),
            PARTIALLY_DELIVERED: _("partially delivered"), DELIVERED: _("delivered"),
            CANCELLED: _("cancelled")}.get(state, state)


def action_label(action: str) -> str:
    return {"confirm": _("confirmed"), "reserve": _("reserved"), "deliver": _("delivered"),
            "invoice": _("invoiced"), "cancel": _("cancelled")}.get(action, action)


# --------------------------------------------------------------------------- reading


def get_order(order_id: int, *, lock: bool = False) -> SalesOrder:
    stmt = select(SalesOrder).where(SalesOrder.id == order_id)
    if lock:
        stmt = stmt.with_for_update(of=SalesOrder.__table__)
    order = db.session.scalar(stmt.execution_options(populate_existing=lock))
    if order is None:
        raise NotFound(_("No such sales order."))
    return order


def order_query(*, q: str | None = None, state: str | None = None,
                invoice_status: str | None = None, partner_id: int | None = None,
                opportunity_id: int | None = None, salesperson_id: int | None = None) -> Select:
    """The order list, newest first; every filter is optional. Bad choices are a 422."""
    stmt = select(SalesOrder).order_by(SalesOrder.id.desc())
    if state:
        if state not in ORDER_STATES:
            raise ValidationError(fields={"state": _("Unknown state.")})
        stmt = stmt.where(SalesOrder.state == state)
    if invoice_status:
        if invoice_status not in INVOICE_STATUSES:
            raise ValidationError(fields={"invoice_status": _("Unknown invoice status.")})
        stmt = stmt.where(SalesOrder.invoice_status == invoice_status)
    if partner_id:
        stmt = stmt.where(SalesOrder.partner_id == partner_id)
    if opportunity_id:
        stmt = stmt.where(SalesOrder.opportunity_id == opportunity_id)
    if salesperson_id:
        stmt = stmt.where(SalesOrder.salesperson_id == salesperson_id)
    if q:
        stmt = search(stmt.join(Partner, Partner.id == SalesOrder.partner_id), q,
                      (SalesOrder.number, Partner.name, SalesOrder.customer_reference))
    return stmt


def with_lines(orders: list[SalesOrder]) -> list[SalesOrder]:
    """Load the lines of a page of orders in one query (no query per row)."""
    if orders:
        db.session.scalars(select(SalesOrder).where(SalesOrder.id.in_([o.id for o in orders]))
                           .options(selectinload(SalesOrder.lines))).all()
    return orders


def to_deliver_query() -> Select:
    """The warehouse's queue: confirmed orders with reserved stock waiting, oldest first."""
    waiting = (select(SalesOrderLine.order_id)
               .where(SalesOrderLine.reserved_qty > 0).distinct())
    return (select(SalesOrder)
            .where(SalesOrder.state.in_((CONFIRMED, PARTIALLY_DELIVERED)),
                   SalesOrder.id.in_(waiting))
            .order_by(SalesOrder.confirmed_at, SalesOrder.id))


def deliveries_of(order_id: int) -> list[Delivery]:
    return list(db.session.scalars(
        select(Delivery).where(Delivery.order_id == order_id).order_by(Delivery.id)
        .options(selectinload(Delivery.lines))))


def invoices_of(order_id: int) -> list[Invoice]:
    return list(db.session.scalars(
        select(Invoice).where(Invoice.sales_order_id == order_id).order_by(Invoice.id)))


def credit_position(partner: Partner, order_total: Decimal) -> CreditPosition:
    """The credit check's figures for an order of `order_total` to `partner`."""
    return CreditPosition(open_receivables=partner_balance(partner.id)["receivable"],
                          order_total=order_total, credit_limit=partner.credit_limit)


# --------------------------------------------------------------------------- cleaning input


def _customer(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        raise ValidationError(fields={"partner_id": _("No such partner.")})
    if not partner.is_customer:
        raise ValidationError(fields={"partner_id": _("%(name)s is not a customer.",
                                                      name=partner.name)})
    return partner


def _announce_opportunity(values: dict, partner_id: int, user_id: int | None) -> None:
    """An order may name the CRM opportunity it was quoted from. CRM owns that link (erp
    never reads crm's tables): its subscriber refuses an opportunity that does not exist,
    before anything is written."""
    if values.get("opportunity_id"):
        publish(OpportunityQuoted(opportunity_id=values["opportunity_id"],
                                  partner_id=partner_id, user_id=user_id))


def _check_salesperson(values: dict) -> None:
    if values.get("salesperson_id") and db.session.get(User, values["salesperson_id"]) is None:
        raise ValidationError(fields={"salesperson_id": _("No such user.")})


def _clean_lines(raw: Any) -> list[dict]:
    """Validated lines with the product's defaults filled in (description, price, tax);
    every bad field of every line is reported at once."""
    cleaned, errors = clean_rows(LINE_SPEC, raw)
    products = products_of_lines(cleaned, errors)
    if errors:
        raise ValidationError(fields=errors)
    for line in cleaned:
        _fill_defaults(line, products[line["product_id"]])
    return cleaned


def _fill_defaults(line: dict, product: Product) -> None:
    line["product_type"] = product.type
    if not line.get("description"):
        line["description"] = product.name
    if line.get("unit_price") is None:
        line["unit_price"] = round_money(product.list_price)
    if line.get("tax_rate") is None:
        line["tax_rate"] = product.tax_rate


def _set_lines(order: SalesOrder, lines: list[dict]) -> None:
    if inspect(order).persistent:  # replacing: the old lines go first (sequence numbers)
        order.lines.clear()
        db.session.flush()
    for sequence, values in enumerate(lines, start=1):
        order.lines.append(SalesOrderLine(sequence=sequence, **values))
    price_lines(order)


def preview_totals(raw_lines: list) -> dict[str, Any]:
    """Live totals for the quotation form (nothing is written); invalid lines are skipped."""
    figures, per_line = [], []
    for raw in raw_lines:
        try:
            line = _clean_lines([raw])[0]
        except ValidationError:
            per_line.append(None)
            continue
        f = line_figures(line["quantity"], line["unit_price"], line["discount_pct"],
                         line["tax_rate"])
        figures.append(f)
        per_line.append(f)
    return {"lines": per_line, "totals": document_totals(figures)}


# --------------------------------------------------------------------------- quotations


@transactional
def create_order(data: dict, *, user_id: int | None = None) -> SalesOrder:
    """A draft quotation with its number (SO00001) given now; lines are optional."""
    errors: dict[str, str] = {}
    try:
        values = clean(ORDER_SPEC, data)
    except ValidationError as exc:
        values, errors = {}, dict(exc.fields)
    try:
        lines = _clean_lines(data.get("lines", []))
    except ValidationError as exc:
        lines, errors = [], {**errors, **exc.fields}
    if errors:
        raise ValidationError(fields=errors)
    partner = _customer(values["partner_id"])
    _check_salesperson(values)
    _announce_opportunity(values, partner.id, user_id)
    values["salesperson_id"] = values.get("salesperson_id") or user_id
    order = SalesOrder(**{k: v for k, v in values.items() if v is not None},
                       partner=partner, state=DRAFT, invoice_status=NOTHING,
                       currency=get_company().currency, created_by_id=user_id,
                       number=next_number("sales_order"))
    order.order_date = order.order_date or company_today()
    db.session.add(order)
    _set_lines(order, lines)
    db.session.flush()
    return order


@transactional
def update_order(order_id: int, data: dict, *, user_id: int | None = None) -> SalesOrder:
    """PATCH a draft: header fields given, and the whole list of lines when `lines` is given."""
    order = get_order(order_id, lock=True)
    guard(order, "edit")
    values = clean(ORDER_SPEC, data, partial=True)
    lines = _clean_lines(data["lines"]) if "lines" in data else None
    _check_salesperson(values)
    _announce_opportunity(values, values.get("partner_id") or order.partner_id, user_id)
    if "partner_id" in values:
        order.partner = _customer(values.pop("partner_id"))
    for key, value in values.items():
        setattr(order, key, value)
    order.order_date = order.order_date or company_today()
    if lines is not None:
        _set_lines(order, lines)
    db.session.flush()
    return order


# --------------------------------------------------------------------------- confirming


def _check_credit(order: SalesOrder, options: dict, user_id: int | None,
                  may_override: bool) -> None:
    """Refuse when open receivables plus this order pass the customer's credit limit,
    unless finance or an admin explicitly overrides; the override is kept on the order."""
    if order.partner.credit_limit is None:
        return
    figures = credit_position(order.partner, order.total)
    if not figures.exceeded:
        return
    if options["override_credit_limit"] and may_override:
        order.credit_override_by_id = user_id
        order.credit_override_at = utcnow()
        order.credit_override_reason = options.get("override_reason")
        return
    message = _("Credit limit exceeded for %(name)s: open receivables %(open)s + this order "
                "%(order)s = %(exposure)s, above the limit of %(limit)s.",
                name=order.partner.name, open=figures.open_receivables,
                order=order.total, exposure=figures.exposure, limit=figures.credit_limit)
    if options["override_credit_limit"]:
        message += " " + _("Only finance or an administrator may override the credit limit.")
    raise CreditLimitExceeded(message, **{k: str(v) for k, v in figures.as_dict().items()
                                          if k != "exceeded"})


def _reserve_lines(order: SalesOrder) -> None:
    """Reserve what is free for every goods line still waiting, in product order so two
    orders never lock the same balance rows in opposite orders."""
    stock = main_stock()
    with db.session.no_autoflush:  # one flush for all lines: the balance rows are locked
        for line in sorted(order.lines, key=lambda line: (line.product_id, line.id)):
            if line.waiting_qty > 0:
                line.reserved_qty += reserve_stock(line.product_id, stock.id, line.waiting_qty)
    db.session.flush()


@transactional
def confirm_order(order_id: int, data: dict | None = None, *,
                  user_id: int | None = None) -> SalesOrder:
    """Confirm a quotation: credit check, reserve what is available (the rest waits), tell
    CRM so the opportunity is won; all in one transaction. Sales and admins confirm; finance
    only to override the credit limit (403 otherwise, before the order is looked up)."""
    data = data or {}
    may_override = user_allowed(user_id, "sales_orders", "credit_override")
    if not user_allowed(user_id, "sales_orders", "write") and not (
            data.get("override_credit_limit") is True and may_override):
        raise Forbidden(_("Finance confirms an order only to override its credit limit."))
    options = clean(CONFIRM_SPEC, data)
    order = get_order(order_id, lock=True)
    guard(order, "confirm")
    if not order.lines:
        raise ValidationError(fields={"lines": _("A quotation needs at least one line to be "
                                                 "confirmed.")})
    _refuse_archived_products(order)
    _check_credit(order, options, user_id, may_override)
    _reserve_lines(order)
    order.state = CONFIRMED
    order.confirmed_at = utcnow()
    order.confirmed_by_id = user_id
    refresh_status(order)
    db.session.flush()
    publish(OrderConfirmed(order_id=order.id, partner_id=order.partner_id,
                           opportunity_id=order.opportunity_id, total=order.total,
                           user_id=user_id))
    return order


def _refuse_archived_products(order: SalesOrder) -> None:
    archived = {f"lines.{i}.product_id": _("%(sku)s is archived and cannot be sold.",
                                           sku=line.product.sku)
                for i, line in enumerate(order.lines) if not line.product.active}
    if archived:
        raise ValidationError(fields=archived)


@transactional
def reserve_order(order_id: int) -> SalesOrder:
    """Reserve again: what arrived since confirmation goes to this order's backorder."""
    order = get_order(order_id, lock=True)
    guard(order, "reserve")
    _reserve_lines(order)
    return order


def waiting_orders_query(product_ids: Iterable[int] | None = None) -> Select:
    """Confirmed orders with goods still to reserve, oldest first (first come, first served)."""
    waiting = (select(SalesOrderLine.order_id).where(
        SalesOrderLine.product_type != "service",
        SalesOrderLine.reserved_qty + SalesOrderLine.delivered_qty < SalesOrderLine.quantity))
    if product_ids is not None:
        waiting = waiting.where(SalesOrderLine.product_id.in_(list(product_ids)))
    return (select(SalesOrder.id)
            .where(SalesOrder.state.in_((CONFIRMED, PARTIALLY_DELIVERED)),
                   SalesOrder.id.in_(waiting.distinct()))
            .order_by(SalesOrder.confirmed_at, SalesOrder.id))


@transactional
def reserve_waiting(product_ids: Iterable[int] | None = None) -> list[SalesOrder]:
    """After goods arrive: give free stock to the waiting orders, oldest first. Returns the
    orders that got something. Orders are locked one by one, as confirm and deliver lock
    theirs, always before the balance rows."""
    helped = []
    for order_id in db.session.scalars(waiting_orders_query(product_ids)).all():
        order = get_order(order_id, lock=True)
        before = sum((line.reserved_qty for line in order.lines), QTY_ZERO)
        _reserve_lines(order)
        if sum((line.reserved_qty for line in order.lines), QTY_ZERO) > before:
            helped.append(order)
    return helped


def reserve_received(event: GoodsReceived) -> None:
    """Goods arrived (a purchase receipt): reserve them for the orders waiting for those
    products, oldest confirmation first, inside the receipt's transaction."""
    reserve_waiting(event.product_ids)


# --------------------------------------------------------------------------- delivering


def _delivery_quantities(order: SalesOrder, raw: Any) -> dict[int, Decimal]:
    """{line id: quantity}; by default every line's reservation. Quantities beyond what is
    left to deliver are a 422 on the line; stock shortages are found when moving."""
    lines = {line.id: line for line in order.lines}
    if raw is None:
        return {line.id: line.reserved_qty for line in order.lines if line.reserved_qty > 0}
    if not isinstance(raw, list) or not raw:
        raise ValidationError(fields={"lines": _("Must be a list of lines.")})
    wanted: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for index, item in enumerate(raw):
        try:
            values = clean(DELIVER_LINE_SPEC, item if isinstance(item, dict) else {})
        except ValidationError as exc:
            errors.update({f"lines.{index}.{k}": v for k, v in exc.fields.items()})
            continue
        line = lines.get(values["line_id"])
        if line is None or line.is_service:
            errors[f"lines.{index}.line_id"] = _("Not a goods line of this order.")
            continue
        wanted[line.id] = wanted.get(line.id, QTY_ZERO) + values["quantity"]
        if wanted[line.id] > line.to_deliver_qty:
            errors[f"lines.{index}.quantity"] = _(
                "Only %(n)s of %(sku)s are left to deliver.",
                n=qty(line.to_deliver_qty), sku=line.product.sku)
    if errors:
        raise ValidationError(fields=errors)
    return wanted


@transactional
def deliver_order(order_id: int, data: dict | None = None, *,
                  user_id: int | None = None) -> SalesOrder:
    """Move goods WH/Stock -> Customers: each line's reservation first, then free stock.
    Anything short is a 409 insufficient_stock and nothing is moved."""
    order = get_order(order_id, lock=True)
    guard(order, "deliver")
    quantities = _delivery_quantities(order, (data or {}).get("lines"))
    if not quantities:
        raise InvalidState(_("Nothing is reserved for %(number)s yet; reserve stock or give "
                             "the quantities to deliver.", number=order.number))
    source, target = locations_by_code(MAIN_STOCK, "Customers")
    delivery = Delivery(order_id=order.id, user_id=user_id,
                        number=next_number("sales_delivery"), lines=[])
    db.session.add(delivery)
    # The balances change through conditional UPDATEs that need no pending ORM change
    # written first, so the order's own changes are flushed once, at the end.
    with db.session.no_autoflush:
        for line in sorted(order.lines, key=lambda line: (line.product_id, line.id)):
            quantity = quantities.get(line.id)
            if not quantity:
                continue
            from_reservation = min(quantity, line.reserved_qty)
            move = book_move(line.product, quantity, source, target, user_id=user_id,
                             reference=order.number, note=delivery.number,
                             reserved=from_reservation)
            line.reserved_qty -= from_reservation
            line.delivered_qty += quantity
            delivery.lines.append(DeliveryLine(order_line_id=line.id, move_id=move.id,
                                               quantity=quantity))
    refresh_status(order)
    db.session.flush()
    publish(DeliveryDone(delivery_id=delivery.id, order_id=order.id, user_id=user_id))
    return order


# --------------------------------------------------------------------------- invoicing


@transactional
def invoice_order(order_id: int, *, user_id: int | None = None) -> Invoice:
    """A draft customer invoice for what is delivered and not yet invoiced (services: the
    ordered quantity). Draft invoices count as invoiced, so invoicing twice finds nothing."""
    order = get_order(order_id, lock=True)
    guard(order, "invoice")
    lines = [line for line in order.lines if line.to_invoice_qty > 0]
    if not lines:
        raise NothingToInvoice(_("Nothing on %(number)s is waiting to be invoiced: "
                                 "deliver goods first.", number=order.number))
    invoice = create_invoice(
        {"kind": CUSTOMER_INVOICE, "partner_id": order.partner_id, "sales_order_id": order.id,
         "notes": order.customer_reference and _("Your reference: %(ref)s",
                                                 ref=order.customer_reference),
         "lines": [{"product_id": line.product_id, "description": line.description,
                    "quantity": str(line.to_invoice_qty), "unit_price": str(line.unit_price),
                    "discount_pct": str(line.discount_pct), "tax_rate": str(line.tax_rate)}
                   for line in lines]},
        user_id=user_id)
    for invoice_line, line in zip(invoice.lines, lines, strict=True):
        invoice_line.sales_order_line_id = line.id
        line.invoiced_qty += invoice_line.quantity
    refresh_status(order)
    db.session.flush()
    return invoice


def refresh_invoiced(order_ids: Iterable[int]) -> None:
    """Recount each line's invoiced quantity from the invoice lines that point at it:
    customer invoices not cancelled, less what credit notes gave back. Called when an
    invoice from an order is edited, cancelled or credited."""
    ids = [i for i in set(order_ids) if i]
    if not ids:
        return
    counted = dict(db.session.execute(
        select(InvoiceLine.sales_order_line_id,
               func.sum(InvoiceLine.quantity - InvoiceLine.credited_qty))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(SalesOrderLine, SalesOrderLine.id == InvoiceLine.sales_order_line_id)
        .where(SalesOrderLine.order_id.in_(ids), Invoice.kind == CUSTOMER_INVOICE,
               Invoice.state != "cancelled")
        .group_by(InvoiceLine.sales_order_line_id)).all())
    for order in db.session.scalars(select(SalesOrder).where(SalesOrder.id.in_(ids))
                                    .with_for_update(of=SalesOrder.__table__)):
        for line in order.lines:
            line.invoiced_qty = Decimal(counted.get(line.id) or 0).quantize(QTY_ZERO)
        refresh_status(order)
    db.session.flush()


# --------------------------------------------------------------------------- cancelling


@transactional
def cancel_order(order_id: int) -> SalesOrder:
    """Cancel a quotation or an undelivered order, releasing its reservations."""
    order = get_order(order_id, lock=True)
    if any(line.delivered_qty > 0 for line in order.lines):
        raise InvalidState(_("%(number)s has deliveries and cannot be cancelled; return the "
                             "goods first.", number=order.number))
    guard(order, "cancel")
    if any(line.invoiced_qty > 0 for line in order.lines):
        raise InvalidState(_("%(number)s has invoices; cancel them or credit them first.",
                             number=order.number))
    stock = main_stock()
    for line in sorted(order.lines, key=lambda line: (line.product_id, line.id)):
        if line.reserved_qty > 0:
            release_reserved(line.product_id, stock.id, line.reserved_qty)
            line.reserved_qty = QTY_ZERO
    order.state = CANCELLED
    order.cancelled_at = utcnow()
    refresh_status(order)
    db.session.flush()
    return order


# --------------------------------------------------------------------------- status


def refresh_status(order: SalesOrder) -> None:
    """The delivery state and invoice status that the lines' quantities imply."""
    order.state = delivery_state(order)
    order.invoice_status = invoice_status(order)


def recount_invoiced_on_change(event: InvoiceChanged) -> None:
    """An invoice of an order was edited, cancelled or credited: recount the order."""
    if event.sales_order_id and event.kind == CUSTOMER_INVOICE:
        refresh_invoiced([event.sales_order_id])
