from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField

from shared.errors import DomainError
from shared.forms import ServiceForm, blank_choice, line_rows


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
        lines = submitted_lines()
        if lines is not None:
            values["lines"] = lines
        return values

    def show_errors(self, error: DomainError) -> None:
        """Errors of the expected-product rows (`lines.0.quantity`) are listed above the
        form with their row number; the others go to their fields."""
        line_errors = {k: v for k, v in error.fields.items() if k.startswith("lines")}
        for key, why in line_errors.items():
            parts = key.split(".")
            row = int(parts[1]) + 1 if len(parts) > 1 and parts[1].isdigit() else None
            self.form_errors.append(_l("Product row %(n)s: %(why)s", n=row, why=why)
                                    if row else why)
        others = {k: v for k, v in error.fields.items() if k not in line_errors}
        if others or not line_errors:
            error.fields = others
            super().show_errors(error)


def submitted_lines() -> list[dict] | None:
    """The expected-product rows of the opportunity form (blank rows skipped); None when the
    form has no rows at all, so the lines are left as they are."""
    from flask import request

    if "line_product_id" not in request.form:
        return None
    return line_rows(request.form, ("product_id", "quantity", "unit_price"), prefix="line_")


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
