"""Inventory forms. The rules live in the services; the forms render fields and carry CSRF."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField

from shared.forms import ServiceForm

KIND_LABELS = {"internal": _l("Internal (warehouse)"), "supplier": _l("Suppliers"),
               "customer": _l("Customers"), "adjustment": _l("Adjustments")}


class LocationForm(ServiceForm):
    code = StringField(_l("Code"), render_kw={"placeholder": "WH/Shelf-A"})
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), default="internal",
                       validate_choice=False)
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Add location"))
