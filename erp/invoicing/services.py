"""Invoice operations: drafts, posting with gapless numbers, cancelling, credit notes, lists.

State machine (ARCHITECTURE.md rule 4):

    draft --post--> posted --(amount due reaches 0)--> paid
    draft --cancel--> cancelled        paid --(a payment is reversed)--> posted

A posted or paid invoice is immutable: it is corrected by a credit note, never edited.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, column, func, inspect, select, table
from sqlalchemy.orm import selectinload

from erp.invoicing import summaries
from erp.invoicing.models import (
    CANCELLED,
    CREDIT_NOTE_KINDS,
    CREDIT_NOTE_OF,
    CUSTOMER_INVOICE,
    DRAFT,
    INVOICE_KINDS,
    INVOICE_STATES,
    PAID,
    POSTED,
    VENDOR_BILL,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from erp.invoicing.rules import TRANSITIONS
from shared.company.services import get_company
from shared.dates import company_today
from shared.db import transactional, utcnow
from shared.errors import Immutable, InvalidState, NotFound, ValidationError
from shared.events import InvoiceChanged, InvoicePosted, publish
from shared.extensions import db
from shared.formatting import qty
from shared.money import (
    ZERO,
    document_totals,
    line_figures,
    price_lines,
    round_money,
    tax_summary,
)
from shared.partners.models import Partner
from shared.products.models import Product
from shared.queries import search
from shared.sequences.services import next_number
from shared.validation import (
    Choice,
    CurrencyCode,
    Integer,
    IsoDate,
    Number,
    Qty,
    Text,
    clean,
    clean_rows,
)

INVOICE_SPEC = {
    "kind": Choice(INVOICE_KINDS, default=CUSTOMER_INVOICE),
    "partner_id": Integer(min_value=1, required=True),
    "invoice_date": IsoDate(),
    "due_date": IsoDate(),
    "currency": CurrencyCode(),
    "sales_order_id": Integer(min_value=1),
    "purchase_order_id": Integer(min_value=1),
    "notes": Text(max_length=5000),
}

LINE_SPEC = {
    "product_id": Integer(min_value=1),
    "description": Text(max_length=500),
    "quantity": Qty(required=True),
    "unit_price": Number(places=2, min_value=0),
    "discount_pct": Number(places=2, min_value=0, max_value=100, default=Decimal("0")),
    "tax_rate": Number(places=2, min_value=0, max_value=100),
    "sales_order_line_id": Integer(min_value=1),
    "purchase_order_line_id": Integer(min_value=1),
}



def _announce_change(invoice: Invoice) -> None:
    """The invoice's lines may count differently towards its sales order (edited, cancelled,
    credited): sales recounts the order's invoiced quantities (a subscriber, since sales
    depends on invoicing and not the other way)."""
    publish(InvoiceChanged(invoice_id=invoice.id, kind=invoice.kind,
                           sales_order_id=invoice.sales_order_id,
                           purchase_order_id=invoice.purchase_order_id))

def guard(invoice: Invoice, action: str) -> None:
    """Refuse `action` unless the invoice's state allows it: a posted invoice is immutable
    (409 immutable) for edits and cancelling; other wrong states are 409 invalid_state."""
    if invoice.state in TRANSITIONS[action]:
        return
    if action in ("edit", "cancel") and invoice.state in (POSTED, PAID):
        raise Immutable(_("A posted invoice cannot be changed; issue a credit note."))
    raise InvalidState(_("This action is not allowed on a %(state)s invoice.",
                         state=state_label(invoice.state)))


def state_label(state: str) -> str:
    return {DRAFT: _("draft"), POSTED: _("posted"), PAID: _("paid"),
            CANCELLED: _("cancelled")}.get(state, state)


# --------------------------------------------------------------------------- reading


def get_invoice(invoice_id: int, *, lock: bool = False) -> Invoice:
    """The invoice; with lock=True its row is locked (FOR UPDATE) and reloaded, so two
    concurrent posts or payments of one invoice queue instead of both acting."""
    stmt = select(Invoice).where(Invoice.id == invoice_id).options(selectinload(Invoice.lines))
    if lock:
        stmt = stmt.with_for_update(of=Invoice).execution_options(populate_existing=True)
    invoice = db.session.scalar(stmt)
    if invoice is None:
        raise NotFound(_("No such invoice."))
    return invoice


def overdue_condition(today: date):
    return and_(Invoice.state == POSTED, Invoice.amount_due > 0, Invoice.due_date < today)


AGING_BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d90_plus")


def bucket_bounds(bucket: str, as_of: date) -> tuple[date | None, date | None]:
    """The due dates of an aging bucket on `as_of`: low <= due_date < high (None: open)."""
    return {"current": (as_of, None), "d1_30": (as_of - timedelta(30), as_of),
            "d31_60": (as_of - timedelta(60), as_of - timedelta(30)),
            "d61_90": (as_of - timedelta(90), as_of - timedelta(60)),
            "d90_plus": (None, as_of - timedelta(90))}[bucket]


def bucket_of(due_date: date, as_of: date) -> str:
    """The aging bucket a due date falls in on `as_of` (the same bounds as the SQL)."""
    for bucket in AGING_BUCKETS:
        low, high = bucket_bounds(bucket, as_of)
        if (low is None or due_date >= low) and (high is None or due_date < high):
            return bucket
    raise AssertionError("the buckets cover every date")


def bucket_condition(bucket: str, as_of: date, kind: str = CUSTOMER_INVOICE):
    """Posted invoices of `kind` (customer invoices for AR, vendor bills for AP) whose
    amount due falls in an aging bucket on `as_of`."""
    low, high = bucket_bounds(bucket, as_of)
    conditions = [Invoice.kind == kind, Invoice.state == POSTED,
                  Invoice.amount_due > 0, Invoice.invoice_date <= as_of]
    if low is not None:
        conditions.append(Invoice.due_date >= low)
    if high is not None:
        conditions.append(Invoice.due_date < high)
    return and_(*conditions)


def invoice_query(*, q: str | None = None, kind: str | None = None, state: str | None = None,
                  partner_id: int | None = None, date_from: date | None = None,
                  date_to: date | None = None, overdue: bool | None = None,
                  bucket: str | None = None, as_of: date | None = None,
                  sales_order_id: int | None = None, product_id: int | None = None,
                  paid_from: date | None = None, paid_to: date | None = None,
                  today: date | None = None) -> Select:
    """The invoice list that pages, the API and reports share (newest first). `product_id`
    keeps the invoices with a line of that product; `paid_from`/`paid_to` those a posted
    payment dated in that range was allocated to (the dashboards' cash figures)."""
    today = today or company_today()
    stmt = select(Invoice).order_by(Invoice.invoice_date.desc(), Invoice.id.desc())
    if q:
        stmt = stmt.join(Invoice.partner)
        stmt = search(stmt, q, [Invoice.number, Partner.name])
    if kind in INVOICE_KINDS:
        stmt = stmt.where(Invoice.kind == kind)
    if state == "overdue":
        overdue = True
    elif state in INVOICE_STATES:
        stmt = stmt.where(Invoice.state == state)
    if partner_id:
        stmt = stmt.where(Invoice.partner_id == partner_id)
    if sales_order_id:
        stmt = stmt.where(Invoice.sales_order_id == sales_order_id)
    if product_id:
        stmt = stmt.where(Invoice.id.in_(select(InvoiceLine.invoice_id)
                                         .where(InvoiceLine.product_id == product_id)))
    if paid_from or paid_to:
        paid = (select(PaymentAllocation.invoice_id)
                .join(Payment, Payment.id == PaymentAllocation.payment_id)
                .where(Payment.state == "posted"))
        if paid_from:
            paid = paid.where(Payment.date >= paid_from)
        if paid_to:
            paid = paid.where(Payment.date <= paid_to)
        stmt = stmt.where(Invoice.id.in_(paid))
    if date_from:
        stmt = stmt.where(Invoice.invoice_date >= date_from)
    if date_to:
        stmt = stmt.where(Invoice.invoice_date <= date_to)
    if overdue is True:
        stmt = stmt.where(overdue_condition(today))
    elif overdue is False:
        stmt = stmt.where(~overdue_condition(today))
    if bucket in AGING_BUCKETS:
        stmt = stmt.where(bucket_condition(
            bucket, as_of or today, VENDOR_BILL if kind == VENDOR_BILL else CUSTOMER_INVOICE))
    return stmt


def list_totals(stmt: Select) -> dict[str, Decimal]:
    """Sums over the whole filtered list (not just the page), in one query; credit notes
    count negative and cancelled invoices not at all."""
    sub = stmt.order_by(None).subquery()
    sign = case((sub.c.kind.in_(CREDIT_NOTE_KINDS), -1), else_=1)
    live = sub.c.state != CANCELLED
    row = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case((live, sign * sub.c.total), else_=0)), 0),
        func.coalesce(func.sum(sub.c.amount_due), 0))).one()
    return {"count": row[0], "total": round_money(row[1]), "amount_due": round_money(row[2])}


def with_lines(invoices: list[Invoice]) -> list[Invoice]:
    """Load the lines of a page of invoices in one query (no query per row)."""
    if invoices:
        db.session.scalars(select(Invoice).where(Invoice.id.in_([i.id for i in invoices]))
                           .options(selectinload(Invoice.lines))).all()
    return invoices


def credit_notes_of(invoice_id: int) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(Invoice.reversed_invoice_id == invoice_id)
                                   .order_by(Invoice.id)))


def invoice_tax_summary(invoice: Invoice) -> list[tuple[Decimal, Decimal, Decimal]]:
    return tax_summary((line.tax_rate, line_figures(line.quantity, line.unit_price,
                                                    line.discount_pct, line.tax_rate))
                       for line in invoice.lines)


# --------------------------------------------------------------------------- cleaning input


def _clean_header(data: dict, partial: bool) -> tuple[dict, dict[str, str]]:
    try:
        return clean(INVOICE_SPEC, data, partial=partial), {}
    except ValidationError as exc:
        return {}, exc.fields


def _clean_lines(raw: Any, purchase: bool) -> tuple[list[dict], dict[str, str]]:
    """Validate the lines; a line's product gives its defaults (description, price, tax)."""
    cleaned, errors = clean_rows(LINE_SPEC, raw)
    if errors:
        return cleaned, errors
    errors.update(_unknown_order_lines(cleaned))
    product_ids = {line["product_id"] for line in cleaned if line.get("product_id")}
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(product_ids)))} if product_ids else {}
    default_tax = None  # the company's, read only for a line that needs it
    for index, line in enumerate(cleaned):
        product = products.get(line.get("product_id"))
        if line.get("product_id") and product is None:
            errors[f"lines.{index}.product_id"] = _("No such product.")
            continue
        if not line.get("description"):
            if product is None:
                errors[f"lines.{index}.description"] = _("This field is required.")
                continue
            line["description"] = product.name
        if line.get("unit_price") is None:
            if product is None:
                errors[f"lines.{index}.unit_price"] = _("This field is required.")
                continue
            line["unit_price"] = round_money(product.cost_price if purchase
                                             else product.list_price)
        if line.get("tax_rate") is None:
            if product is None and default_tax is None:
                default_tax = get_company().default_tax_rate
            line["tax_rate"] = product.tax_rate if product is not None else default_tax
    return cleaned, errors


def _unknown_order_lines(cleaned: list[dict]) -> dict[str, str]:
    """Lines may keep the sales or purchase order line they invoice; it must exist."""
    errors: dict[str, str] = {}
    for key, name, message in (
            ("sales_order_line_id", "sales_order_lines", _("No such sales order line.")),
            ("purchase_order_line_id", "purchase_order_lines",
             _("No such purchase order line."))):
        ids = {line[key] for line in cleaned if line.get(key)}
        if not ids:
            continue
        order_lines = table(name, column("id"))
        known = set(db.session.scalars(select(order_lines.c.id)
                                       .where(order_lines.c.id.in_(ids))))
        errors.update({f"lines.{index}.{key}": message for index, line in enumerate(cleaned)
                       if line.get(key) and line[key] not in known})
    return errors


def _set_lines(invoice: Invoice, lines: list[dict]) -> None:
    if inspect(invoice).persistent:  # an edit replaces the lines; a new invoice has none
        invoice.lines.clear()
        db.session.flush()
    for sequence, values in enumerate(lines, start=1):
        invoice.lines.append(InvoiceLine(sequence=sequence, **values))
    _compute_totals(invoice)


def _compute_totals(invoice: Invoice) -> None:
    """Line figures and document totals (drafts only: posting freezes them)."""
    totals = price_lines(invoice)
    invoice.amount_due = ZERO if invoice.is_credit_note else \
        totals.total - invoice.amount_paid - invoice.amount_credited


def _partner(partner_id: int, field: str = "partner_id") -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        raise ValidationError(fields={field: _("No such partner.")})
    return partner


def _apply_header(invoice: Invoice, values: dict, partner_changed: bool) -> None:
    for key, value in values.items():
        if key != "due_date" or value is not None:
            setattr(invoice, key, value)
    if invoice.invoice_date is None:
        invoice.invoice_date = company_today()
    due_date_given = values.get("due_date") is not None
    if not due_date_given and (invoice.due_date is None or partner_changed
                               or "invoice_date" in values):
        invoice.due_date = invoice.invoice_date + timedelta(
                days=invoice.partner.payment_term_days)
    if invoice.due_date < invoice.invoice_date:
        raise ValidationError(fields={"due_date": _("Must not be before the invoice date.")})


def _is_purchase(kind: str) -> bool:
    return kind.startswith("vendor")


# --------------------------------------------------------------------------- drafts


@transactional
def create_invoice(data: dict, *, user_id: int | None = None) -> Invoice:
    values, errors = _clean_header(data, partial=False)
    lines, line_errors = _clean_lines(data.get("lines", []),
                                      _is_purchase(values.get("kind", CUSTOMER_INVOICE)))
    if errors or line_errors:
        raise ValidationError(fields={**errors, **line_errors})
    partner = _partner(values["partner_id"])
    values["currency"] = values.get("currency") or get_company().currency
    invoice = Invoice(state=DRAFT, created_by_id=user_id, partner=partner,
                      amount_paid=ZERO, amount_credited=ZERO)
    _apply_header(invoice, values, partner_changed=True)
    db.session.add(invoice)
    _set_lines(invoice, lines)
    db.session.flush()
    return invoice


@transactional
def update_invoice(invoice_id: int, data: dict) -> Invoice:
    invoice = get_invoice(invoice_id, lock=True)
    guard(invoice, "edit")
    values, errors = _clean_header(data, partial=True)
    kind = values.get("kind") or invoice.kind
    lines, line_errors = ([], {})
    if "lines" in data:
        lines, line_errors = _clean_lines(data["lines"], _is_purchase(kind))
    if errors or line_errors:
        raise ValidationError(fields={**errors, **line_errors})
    partner_changed = "partner_id" in values and values["partner_id"] != invoice.partner_id
    if partner_changed:
        invoice.partner = _partner(values["partner_id"])
    if "currency" in values and values["currency"] is None:
        values.pop("currency")
    _apply_header(invoice, values, partner_changed)
    if "lines" in data:
        _set_lines(invoice, lines)
    else:
        _compute_totals(invoice)
    db.session.flush()
    _announce_change(invoice)
    return invoice


def preview_totals(data: dict) -> dict[str, Any]:
    """Live totals for the invoice form (nothing is written); invalid lines are skipped."""
    kind = data.get("kind") if data.get("kind") in INVOICE_KINDS else CUSTOMER_INVOICE
    figures, per_line = [], []
    for raw in data.get("lines", []):
        lines, errors = _clean_lines([raw], _is_purchase(kind))
        if errors or not lines:
            per_line.append(None)
            continue
        line = lines[0]
        f = line_figures(line["quantity"], line["unit_price"], line["discount_pct"],
                         line["tax_rate"])
        figures.append((line["tax_rate"], f))
        per_line.append(f)
    totals = document_totals(f for _rate, f in figures)
    return {"lines": per_line, "totals": totals, "tax_summary": tax_summary(figures)}


@transactional
def cancel_invoice(invoice_id: int) -> Invoice:
    invoice = get_invoice(invoice_id, lock=True)
    guard(invoice, "cancel")
    invoice.state = CANCELLED
    invoice.amount_due = ZERO
    _announce_change(invoice)
    return invoice


# --------------------------------------------------------------------------- posting


def _take_number(invoice: Invoice) -> None:
    """The next gapless number of the invoice's kind and year: the sequence row stays locked
    until this transaction ends, and a rollback gives the number back. The lines' unit costs
    are taken at the same moment (posting, in the same transaction), and a customer invoice
    or credit note is added to the sales summaries."""
    invoice.number = next_number(invoice.kind, invoice.invoice_date.year)
    invoice.posted_at = utcnow()
    _take_costs(invoice)
    summaries.book_sale(invoice)


COSTED_TYPES = ("stockable", "consumable")


def _take_costs(invoice: Invoice) -> None:
    """API.md: each line's read-only `unit_cost` is its product's cost price at posting for
    stockable and consumable products, otherwise 0 (one query for the invoice's products).
    A credit note takes it at its own posting too, as the contract says: when the cost price
    moved between the invoice and its credit note, the credited cost is today's, not the
    original line's."""
    ids = {line.product_id for line in invoice.lines if line.product_id is not None}
    costs = dict(db.session.execute(
        select(Product.id, Product.cost_price)
        .where(Product.id.in_(ids), Product.type.in_(COSTED_TYPES))).all()) if ids else {}
    for line in invoice.lines:
        line.unit_cost = costs.get(line.product_id, ZERO) if line.product_id else ZERO


@transactional
def post_invoice(invoice_id: int, *, user_id: int | None = None) -> Invoice:
    invoice = get_invoice(invoice_id, lock=True)
    guard(invoice, "post")
    if not invoice.lines:
        raise ValidationError(fields={"lines": _("An invoice needs at least one line.")})
    _compute_totals(invoice)  # the last time: the totals are frozen from here on
    _take_number(invoice)
    invoice.state = POSTED if invoice.amount_due > 0 or invoice.is_credit_note else PAID
    db.session.flush()
    publish(InvoicePosted(invoice_id=invoice.id, kind=invoice.kind, number=invoice.number,
                          partner_id=invoice.partner_id, total=invoice.total,
                          user_id=user_id))
    return invoice


# --------------------------------------------------------------------------- credit notes

CREDIT_LINE_SPEC = {
    "invoice_line_id": Integer(min_value=1, required=True),
    "quantity": Qty(required=True),
}


def _credit_quantities(invoice: Invoice, data: dict) -> dict[int, Decimal]:
    """{original line id: quantity to credit}; default every line's uncredited quantity."""
    open_qty = {line.id: line.quantity - line.credited_qty for line in invoice.lines}
    raw = data.get("lines")
    if raw is None:
        wanted = {line_id: qty for line_id, qty in open_qty.items() if qty > 0}
        if not wanted:
            raise ValidationError(fields={"lines": _("Everything is already credited.")})
        return wanted
    if not isinstance(raw, list) or not raw:
        raise ValidationError(fields={"lines": _("Must be a list of lines.")})
    errors: dict[str, str] = {}
    wanted: dict[int, Decimal] = {}
    for index, item in enumerate(raw):
        try:
            values = clean(CREDIT_LINE_SPEC, item if isinstance(item, dict) else {})
        except ValidationError as exc:
            errors.update({f"lines.{index}.{k}": v for k, v in exc.fields.items()})
            continue
        line_id = values["invoice_line_id"]
        if line_id not in open_qty:
            errors[f"lines.{index}.invoice_line_id"] = _("Not a line of this invoice.")
            continue
        wanted[line_id] = wanted.get(line_id, ZERO) + values["quantity"]
        if wanted[line_id] > open_qty[line_id]:
            errors[f"lines.{index}.quantity"] = _(
                "At most %(n)s can still be credited.", n=qty(open_qty[line_id]))
    if errors:
        raise ValidationError(fields=errors)
    return wanted


@transactional
def create_credit_note(invoice_id: int, data: dict | None = None, *,
                       user_id: int | None = None) -> Invoice:
    """A credit note for the whole invoice or some of its lines, posted at once; it lowers the
    original's amount due (the original is paid when that reaches zero)."""
    original = get_invoice(invoice_id, lock=True)
    if original.kind not in CREDIT_NOTE_OF:
        raise InvalidState(_("A credit note cannot itself be credited."))
    guard(original, "credit")
    quantities = _credit_quantities(original, data or {})
    note = Invoice(kind=CREDIT_NOTE_OF[original.kind], state=DRAFT, partner=original.partner,
                   invoice_date=company_today(), due_date=company_today(),
                   currency=original.currency, reversed_invoice_id=original.id,
                   sales_order_id=original.sales_order_id,
                   purchase_order_id=original.purchase_order_id, created_by_id=user_id,
                   amount_paid=ZERO, amount_credited=ZERO,
                   notes=_("Credit note for %(number)s", number=original.number))
    db.session.add(note)
    for line in original.lines:
        if line.id in quantities:
            line.credited_qty += quantities[line.id]
            note.lines.append(InvoiceLine(
                sequence=line.sequence, product_id=line.product_id,
                description=line.description, quantity=quantities[line.id],
                unit_price=line.unit_price, discount_pct=line.discount_pct,
                tax_rate=line.tax_rate, origin_line_id=line.id))
    _compute_totals(note)
    if note.total > original.amount_due:
        raise ValidationError(fields={"lines": _(
            "The credit note (%(total)s) is more than the amount due (%(due)s).",
            total=note.total, due=original.amount_due)})
    _take_number(note)
    note.state = POSTED
    original.amount_credited += note.total
    original.amount_due -= note.total
    if original.amount_due == 0:
        original.state = PAID
    db.session.flush()
    _announce_change(original)
    return note
