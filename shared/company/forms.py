from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField

from shared.forms import ServiceForm


class UploadField(FileField):
    """A file input that never takes a value from the record the form edits: the stored logo
    (bytes) is not an upload, and reading it as one answered 500."""

    def process_data(self, value) -> None:
        self.data = None


class CompanyForm(ServiceForm):
    name = StringField(_l("Company name"))
    street = StringField(_l("Street"))
    city = StringField(_l("City"))
    postal_code = StringField(_l("Postal code"))
    country = StringField(_l("Country"))
    tax_id = StringField(_l("Tax ID"))
    currency = StringField(_l("Currency"), render_kw={"maxlength": 3})
    default_tax_rate = StringField(_l("Default tax rate (%)"),
                                   render_kw={"inputmode": "decimal"})
    locale = SelectField(_l("Document language"), choices=[("en", "English"), ("zh", "中文")],
                         validate_choice=False)
    bank_details = TextAreaField(_l("Bank details"), render_kw={"rows": 3})
    invoice_footer = TextAreaField(_l("Invoice footer"), render_kw={"rows": 2})
    logo = UploadField(_l("Logo (PNG or JPEG, at most 1 MB)"))
    remove_logo = BooleanField(_l("Remove the logo"))
    sales_see_own_only = BooleanField(
        _l("Salespeople see only their own leads and opportunities"))
    ticket_assignment = SelectField(
        _l("New tickets go to"), validate_choice=False,
        choices=[("manual", _l("Nobody (assigned by hand)")),
                 ("round_robin", _l("The next support user in turn (round robin)")),
                 ("least_open", _l("The support user with the fewest open tickets"))])
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        values = super().values()
        values.pop("logo")
        values.pop("remove_logo")
        return values
