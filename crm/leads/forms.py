from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, SelectField, StringField, SubmitField, TextAreaField

from crm.leads.services import SOURCE_LABELS
from shared.forms import ServiceForm, blank_choice


def owner_choices(users, current=None) -> list[tuple[str, str]]:
    """Owners to choose from: "me" (empty) on a new record; on an existing one its owner
    stays listed even when no longer a salesperson, so saving never drops it."""
    choices = [(str(u.id), u.name) for u in users]
    if current is None:
        return [blank_choice(_l("Me")), *choices]
    if current.owner_id and all(value != str(current.owner_id) for value, _ in choices):
        choices.insert(0, (str(current.owner_id), str(current.owner_id)))
    return [blank_choice(), *choices] if not current.owner_id else choices


class LeadForm(ServiceForm):
    title = StringField(_l("Title"), render_kw={"autofocus": True})
    contact_name = StringField(_l("Contact name"))
    company_name = StringField(_l("Company name"))
    email = EmailField(_l("Email"))
    phone = StringField(_l("Phone"), render_kw={"inputmode": "tel"})
    street = StringField(_l("Street"))
    city = StringField(_l("City"))
    postal_code = StringField(_l("Postal code"))
    country = StringField(_l("Country"))
    source = SelectField(_l("Source"), choices=[blank_choice(), *SOURCE_LABELS.items()],
                         validate_choice=False)
    owner_id = SelectField(_l("Owner"), choices=[], validate_choice=False)
    expected_revenue = StringField(_l("Expected revenue"), render_kw={"inputmode": "decimal"})
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})
    submit = SubmitField(_l("Save"))


class ConvertForm(ServiceForm):
    opportunity_title = StringField(_l("Opportunity title"))
    partner_id = HiddenField()
    submit = SubmitField(_l("Convert to opportunity"))


class DisqualifyForm(ServiceForm):
    reason = StringField(_l("Reason"))
    submit = SubmitField(_l("Disqualify"))


class ImportForm(ServiceForm):
    file = FileField(_l("CSV file (UTF-8)"))
    submit = SubmitField(_l("Preview"))

    def values(self) -> dict:
        return {}
