from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField

from shared.forms import ServiceForm, blank_choice


class OpportunityForm(ServiceForm):
    title = StringField(_l("Title"), render_kw={"autofocus": True})
    partner_id = SelectField(_l("Customer"), choices=[], validate_choice=False)
    expected_revenue = StringField(_l("Expected revenue"), render_kw={"inputmode": "decimal"})
    probability = StringField(_l("Probability (%)"), render_kw={"inputmode": "decimal"},
                              description=_l("Leave empty to use the stage's."))
    expected_close_date = DateField(_l("Expected close date"), validators=[])
    owner_id = SelectField(_l("Owner"), choices=[], validate_choice=False)
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        values = super().values()
        values["expected_close_date"] = self.expected_close_date.raw_data[0] \
            if self.expected_close_date.raw_data else None
        return values


class LoseForm(ServiceForm):
    reason = StringField(_l("Lost reason"), render_kw={"list": "lost-reasons"})
    submit = SubmitField(_l("Mark lost"))


class StageForm(ServiceForm):
    name = StringField(_l("Name"))
    sequence = StringField(_l("Order"), render_kw={"inputmode": "numeric"})
    probability = StringField(_l("Probability (%)"), render_kw={"inputmode": "decimal"})
    is_won = BooleanField(_l("Won stage"))
    is_lost = BooleanField(_l("Lost stage"))
    submit = SubmitField(_l("Save"))


class LostReasonForm(ServiceForm):
    name = StringField(_l("Reason"))
    submit = SubmitField(_l("Add"))


def partner_choices(partners) -> list[tuple[str, str]]:
    return [blank_choice(), *((str(p.id), p.name) for p in partners)]
