from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField

from shared.forms import ServiceForm, blank_choice

TYPE_LABELS = {"stockable": _l("Stockable"), "consumable": _l("Consumable"),
               "service": _l("Service")}


class ProductForm(ServiceForm):
    sku = StringField(_l("SKU"), render_kw={"autofocus": True})
    name = StringField(_l("Name"))
    barcode = StringField(_l("Barcode"))
    type = SelectField(_l("Type"), choices=list(TYPE_LABELS.items()), validate_choice=False)
    uom = StringField(_l("Unit of measure"), default="unit")
    list_price = StringField(_l("Sales price"), default="0", render_kw={"inputmode": "decimal"})
    cost_price = StringField(_l("Cost"), default="0", render_kw={"inputmode": "decimal"})
    tax_rate = StringField(_l("Tax rate (%)"), render_kw={"inputmode": "decimal"},
                           description=_l("Leave empty for the company default."))
    reorder_point = StringField(_l("Reorder point"), render_kw={"inputmode": "decimal"})
    reorder_qty = StringField(_l("Reorder quantity"), default="0",
                              render_kw={"inputmode": "decimal"})
    default_supplier_id = SelectField(_l("Default supplier"), validate_choice=False)
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def set_supplier_choices(self, suppliers: list[tuple[int, str]]) -> None:
        self.default_supplier_id.choices = [blank_choice()] + [
            (str(pid), name) for pid, name in suppliers]
