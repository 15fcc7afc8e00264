"""Invoice and payment forms. The rules live in the services; lines are parsed from the
repeated inputs of the line table."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from erp.invoicing.models import PAYMENT_METHODS
from shared.extensions import db
from shared.forms import ServiceForm, line_rows
from shared.partners.models import Partner
from shared.products.models import Product

KIND_LABELS = {"customer_invoice": _l("Customer invoice"),
               "customer_credit_note": _l("Customer credit note"),
               "vendor_bill": _l("Vendor bill"), "vendor_credit_note": _l("Vendor credit note")}
STATE_LABELS = {"draft": _l("Draft"), "posted": _l("Posted"), "paid": _l("Paid"),
                "cancelled": _l("Cancelled")}
# What the pages show (Invoice.display_status): a posted invoice with a payment or a credit
# note is partially paid.
STATUS_LABELS = {**STATE_LABELS, "partially_paid": _l("Partially paid")}
STATUS_BADGES = {"draft": "text-bg-secondary", "posted": "text-bg-primary",
                 "partially_paid": "text-bg-info", "paid": "text-bg-success",
                 "cancelled": "text-bg-light border"}
METHOD_LABELS = {"bank": _l("Bank transfer"), "cash": _l("Cash"), "card": _l("Card"),
                 "other": _l("Other")}
BUCKET_LABELS = {"current": _l("Not yet due"), "d1_30": _l("1-30 days"),
                 "d31_60": _l("31-60 days"), "d61_90": _l("61-90 days"),
                 "d90_plus": _l("Over 90 days")}
LINE_INPUTS = ("product_id", "description", "quantity", "unit_price", "discount_pct",
               "tax_rate")
PARTNER_CHOICES_LIMIT = 2000


def partner_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Partner.id, Partner.name).order_by(Partner.name)
                              .limit(PARTNER_CHOICES_LIMIT)).all()
    return [(str(partner_id), name) for partner_id, name in rows]


def product_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Product.id, Product.sku, Product.name)
                              .where(Product.active.is_(True)).order_by(Product.sku)
                              .limit(PARTNER_CHOICES_LIMIT)).all()
    return [(str(product_id), f"{sku} · {name}") for product_id, sku, name in rows]


def parse_lines(form: MultiDict) -> list[dict[str, Any]]:
    """The line table's repeated inputs (line-description, line-quantity, ...) as a list of
    line dicts; fully empty rows are left out."""
    return line_rows(form, LINE_INPUTS,
                     significant=("product_id", "description", "quantity", "unit_price"))


class InvoiceForm(ServiceForm):
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), validate_choice=False)
    partner_id = SelectField(_l("Partner"), validate_choice=False)
    invoice_date = DateField(_l("Invoice date"), validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[Optional()],
                         description=_l("Empty: from the partner's terms."))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2})
    submit = SubmitField(_l("Save draft"))


class PaymentForm(ServiceForm):
    partner_id = SelectField(_l("Partner"), validate_choice=False)
    amount = StringField(_l("Amount"), render_kw={"inputmode": "decimal"})
    date = DateField(_l("Date"), validators=[Optional()])
    method = SelectField(_l("Method"), choices=[(m, METHOD_LABELS[m]) for m in PAYMENT_METHODS],
                         validate_choice=False)
    reference = StringField(_l("Reference"))
    submit = SubmitField(_l("Record payment"))
