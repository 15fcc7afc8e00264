from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField

from shared.forms import ServiceForm

KIND_LABELS = {"call": _l("Call"), "email": _l("Email"), "meeting": _l("Meeting"),
               "task": _l("Task")}


class ActivityForm(ServiceForm):
    """The one-line "schedule an activity" form of the lead and opportunity pages."""

    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), validate_choice=False)
    subject = StringField(_l("Subject"))
    due_date = StringField(_l("Due"), render_kw={"type": "date"})
    lead_id = HiddenField()
    opportunity_id = HiddenField()
    partner_id = HiddenField()
    ticket_id = HiddenField()
    submit = SubmitField(_l("Schedule"))
