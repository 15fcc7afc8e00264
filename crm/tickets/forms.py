from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField

from crm.tickets.services import PRIORITY_LABELS
from shared.forms import ServiceForm


def priority_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in PRIORITY_LABELS.items()]


class TicketForm(ServiceForm):
    partner_id = SelectField(_l("Customer"), choices=[], validate_choice=False)
    subject = StringField(_l("Subject"), render_kw={"autofocus": True, "maxlength": 200})
    description = TextAreaField(_l("Description"), render_kw={"rows": 4})
    priority = SelectField(_l("Priority"), choices=[], validate_choice=False, default="normal")
    assignee_id = SelectField(_l("Assignee"), choices=[], validate_choice=False)
    sales_order_id = SelectField(_l("Sales order"), choices=[], validate_choice=False)
    invoice_id = SelectField(_l("Invoice"), choices=[], validate_choice=False)
    product_id = SelectField(_l("Product"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Open ticket"))


class TicketEditForm(ServiceForm):
    priority = SelectField(_l("Priority"), choices=[], validate_choice=False)
    assignee_id = SelectField(_l("Assignee"), choices=[], validate_choice=False)
    sales_order_id = SelectField(_l("Sales order"), choices=[], validate_choice=False)
    invoice_id = SelectField(_l("Invoice"), choices=[], validate_choice=False)
    product_id = SelectField(_l("Product"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save"))


class CommentForm(ServiceForm):
    body = TextAreaField(_l("Reply"), render_kw={"rows": 4})
    internal = BooleanField(_l("Internal note (not sent to the customer)"))
    submit = SubmitField(_l("Send"))


class PolicyForm(ServiceForm):
    first_response_hours = StringField(_l("First response (hours)"),
                                       render_kw={"inputmode": "numeric"})
    resolution_hours = StringField(_l("Resolution (hours)"), render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("Save"))


WEEKDAYS = [("1", _l("Monday")), ("2", _l("Tuesday")), ("3", _l("Wednesday")),
            ("4", _l("Thursday")), ("5", _l("Friday")), ("6", _l("Saturday")),
            ("7", _l("Sunday"))]


class CalendarForm(ServiceForm):
    use_working_hours = BooleanField(_l("Count SLA hours in working hours only"))
    day_start = StringField(_l("Day starts"), render_kw={"type": "time"})
    day_end = StringField(_l("Day ends"), render_kw={"type": "time"})
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        from flask import request

        values = super().values()
        values["work_days"] = request.form.getlist("work_days")
        return values


class HolidayForm(ServiceForm):
    day = StringField(_l("Day"), render_kw={"type": "date"})
    name = StringField(_l("Name"))
    submit = SubmitField(_l("Add holiday"))
