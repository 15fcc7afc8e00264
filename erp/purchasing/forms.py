"""Purchase order and supplier price forms. The rules live in the services; the forms parse
what the pages post (the header fields and the repeated inputs of the line table) into the
dicts they take."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from erp.purchasing.models import (
    BILLED,
    CANCELLED,
    CONFIRMED,
    DRAFT,
    NOTHING_TO_BILL,
    PARTIALLY_BILLED,
    PARTIALLY_RECEIVED,
    RECEIVED,
    TO_BILL,
)
from shared.extensions import db
from shared.forms import ServiceForm, line_rows
from shared.partners.models import Partner

STATE_LABELS = {DRAFT: _l("Draft"), CONFIRMED: _l("Confirmed"),
                PARTIALLY_RECEIVED: _l("Partially received"), RECEIVED: _l("Received"),
                CANCELLED: _l("Cancelled")}
STATE_BADGES = {DRAFT: "text-bg-secondary", CONFIRMED: "text-bg-primary",
                PARTIALLY_RECEIVED: "text-bg-info", RECEIVED: "text-bg-success",
                CANCELLED: "text-bg-light border"}
BILL_STATUS_LABELS = {NOTHING_TO_BILL: _l("Nothing to bill"), TO_BILL: _l("To bill"),
                      PARTIALLY_BILLED: _l("Partially billed"), BILLED: _l("Fully billed")}
BILL_STATUS_BADGES = {NOTHING_TO_BILL: "text-bg-light border", TO_BILL: "text-bg-warning",
                      PARTIALLY_BILLED: "text-bg-info", BILLED: "text-bg-success"}

LINE_INPUTS = ("product_id", "product_search", "description", "quantity", "unit_price",
               "discount_pct", "tax_rate")
SUPPLIER_CHOICES_LIMIT = 2000


def supplier_choices(selected: int | None = None) -> list[tuple[str, str]]:
    """Suppliers by name (and the order's own partner, should it no longer be a supplier)."""
    condition = Partner.is_supplier.is_(True)
    if selected:
        condition = condition | (Partner.id == selected)
    rows = db.session.execute(select(Partner.id, Partner.name).where(condition)
                              .order_by(Partner.name).limit(SUPPLIER_CHOICES_LIMIT)).all()
    return [(str(partner_id), name) for partner_id, name in rows]


def parse_lines(form: MultiDict) -> list[dict[str, Any]]:
    """The line table's rows as line dicts, fully empty rows left out; each keeps
    `product_search` for the page, `service_lines` drops it."""
    return line_rows(form, LINE_INPUTS, significant=(
        "product_id", "product_search", "description", "quantity", "unit_price"))


def service_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in line.items() if k != "product_search"} for line in lines]


def receipt_quantities(form: MultiDict, line_ids: list[int]) -> tuple[list[dict], dict]:
    """The receipt page's `qty-<line id>` inputs as the service's lines (blank and zero left
    out), and {line id: what was typed} to show the page again."""
    lines, typed = [], {}
    for line_id in line_ids:
        raw = (form.get(f"qty-{line_id}") or "").strip()
        typed[line_id] = raw
        if not raw:
            continue
        try:
            if Decimal(raw) == 0:
                continue
        except InvalidOperation:
            pass  # the service says what is wrong with it
        lines.append({"line_id": line_id, "quantity": raw})
    return lines, typed


class PurchaseOrderForm(ServiceForm):
    supplier_id = SelectField(_l("Supplier"), validate_choice=False)
    order_date = DateField(_l("Order date"), validators=[Optional()])
    expected_date = DateField(_l("Expected date"), validators=[Optional()],
                              description=_l("Empty: the order date plus the supplier's "
                                             "lead time."))
    supplier_reference = StringField(_l("Supplier reference"),
                                     description=_l("The supplier's quotation number, if any."))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2})
    submit = SubmitField(_l("Save purchase order"))


class SupplierPriceForm(ServiceForm):
    supplier_id = SelectField(_l("Supplier"), validate_choice=False)
    supplier_sku = StringField(_l("Supplier SKU"))
    price = StringField(_l("Price"), render_kw={"inputmode": "decimal"})
    min_qty = StringField(_l("Minimum quantity"), default="1",
                          render_kw={"inputmode": "decimal"})
    lead_time_days = StringField(_l("Lead time (days)"), default="0",
                                 render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("Add supplier price"))
