"""Quotation and order forms. The rules live in the services; the form parses what the page
posts (the header fields and the repeated inputs of the line table) into the dicts they take."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional

from erp.sales.models import (
    CANCELLED,
    CONFIRMED,
    DELIVERED,
    DRAFT,
    INVOICED,
    NOTHING,
    PARTIALLY_DELIVERED,
    PARTIALLY_INVOICED,
    TO_INVOICE,
)
from shared.extensions import db
from shared.forms import ServiceForm, line_rows
from shared.partners.models import Partner

STATE_LABELS = {DRAFT: _l("Quotation"), CONFIRMED: _l("Confirmed"),
                PARTIALLY_DELIVERED: _l("Partially delivered"), DELIVERED: _l("Delivered"),
                CANCELLED: _l("Cancelled")}
STATE_BADGES = {DRAFT: "text-bg-secondary", CONFIRMED: "text-bg-primary",
                PARTIALLY_DELIVERED: "text-bg-info", DELIVERED: "text-bg-success",
                CANCELLED: "text-bg-light border"}
INVOICE_STATUS_LABELS = {NOTHING: _l("Nothing to invoice"), TO_INVOICE: _l("To invoice"),
                         PARTIALLY_INVOICED: _l("Partially invoiced"),
                         INVOICED: _l("Fully invoiced")}
INVOICE_STATUS_BADGES = {NOTHING: "text-bg-light border", TO_INVOICE: "text-bg-warning",
                         PARTIALLY_INVOICED: "text-bg-info", INVOICED: "text-bg-success"}

# The line table's inputs: line-product_id, line-quantity, ...; `product_search` is the text
# of the product picker, kept only to show it again and to notice a product typed but not
# picked.
LINE_INPUTS = ("product_id", "product_search", "description", "quantity", "unit_price",
               "discount_pct", "tax_rate")
CUSTOMER_CHOICES_LIMIT = 2000


def customer_choices(selected: int | None = None) -> list[tuple[str, str]]:
    """Customers by name (and the order's own partner, should it no longer be a customer)."""
    condition = Partner.is_customer.is_(True)
    if selected:
        condition = condition | (Partner.id == selected)
    rows = db.session.execute(select(Partner.id, Partner.name).where(condition)
                              .order_by(Partner.name).limit(CUSTOMER_CHOICES_LIMIT)).all()
    return [(str(partner_id), name) for partner_id, name in rows]


def parse_lines(form: MultiDict) -> list[dict[str, Any]]:
    """The line table's rows as line dicts, fully empty rows left out. Each keeps
    `product_search` for the page; `service_lines` drops it."""
    return line_rows(form, LINE_INPUTS, significant=(
        "product_id", "product_search", "description", "quantity", "unit_price"))


def service_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in line.items() if k != "product_search"} for line in lines]


def delivery_quantities(form: MultiDict, line_ids: list[int]) -> tuple[list[dict], dict]:
    """The delivery page's `qty-<line id>` inputs as the service's lines (blank and zero left
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


class QuotationForm(ServiceForm):
    partner_id = SelectField(_l("Customer"), validate_choice=False)
    # Set when the quotation is made from a CRM opportunity (carried through the form).
    opportunity_id = HiddenField()
    salesperson_id = HiddenField()
    order_date = DateField(_l("Order date"), validators=[Optional()])
    customer_reference = StringField(_l("Customer reference"),
                                     description=_l("The customer's PO number, if any."))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2})
    submit = SubmitField(_l("Save quotation"))


class OverrideForm(ServiceForm):
    override_credit_limit = BooleanField(_l("Override the credit limit"))
    override_reason = StringField(_l("Reason"), render_kw={"maxlength": 500})
    submit = SubmitField(_l("Confirm with override"))
