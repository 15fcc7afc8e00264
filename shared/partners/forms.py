from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from shared.forms import ServiceForm, blank_choice

KIND_LABELS = {"company": _l("Company"), "person": _l("Person")}
LOCALE_CHOICES = [blank_choice(_l("Company default")), ("en", "English"), ("zh", "中文")]


class PartnerForm(ServiceForm):
    name = StringField(_l("Name"), render_kw={"autofocus": True})
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), validate_choice=False)
    contact_name = StringField(_l("Contact person"))
    code = StringField(_l("Code"), description=_l("Leave empty to number it automatically."))
    email = EmailField(_l("Email"))
    phone = StringField(_l("Phone"), render_kw={"inputmode": "tel"})
    tax_id = StringField(_l("Tax ID"))
    street = StringField(_l("Street"))
    city = StringField(_l("City"))
    postal_code = StringField(_l("Postal code"))
    country = StringField(_l("Country"))
    is_customer = BooleanField(_l("Customer"), default=True)
    is_supplier = BooleanField(_l("Supplier"))
    payment_term_days = StringField(_l("Payment terms (days)"), default="30",
                                    render_kw={"inputmode": "numeric"})
    credit_limit = StringField(_l("Credit limit"), render_kw={"inputmode": "decimal"})
    locale = SelectField(_l("Document language"), choices=LOCALE_CHOICES, validate_choice=False)
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})
    allow_duplicate = HiddenField(default="")
    submit = SubmitField(_l("Save"))
