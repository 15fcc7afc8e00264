"""My activities, scheduling from a lead or opportunity page, and marking done."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.activities import services
from crm.activities.forms import KIND_LABELS, ActivityForm
from shared.api import bool_arg, paginate
from shared.dates import company_today
from shared.forms import run_form
from shared.http import safe_redirect
from shared.permissions import require
from shared.validation import id_or_none

bp = Blueprint("activities", __name__, url_prefix="/activities")


ABOUT_LABELS = {"lead": _l("Lead"), "opportunity": _l("Opportunity"), "partner": _l("Customer"),
                "ticket": _l("Ticket")}

@bp.app_context_processor
def crm_template_helpers() -> dict:
    """For templates outside the CRM: `crm_overdue_count()` (the menu badge) and
    `crm_partner_activities(partner_id)` (the activity panel the partner page includes)."""
    def crm_overdue_count() -> int:
        return services.overdue_count(current_user.id) if current_user.is_authenticated else 0

    def crm_partner_activities(partner_id: int) -> dict:
        return {"activities": services.timeline(partner_id=partner_id), "kinds": KIND_LABELS,
                "today": company_today(),
                "form": ActivityForm(partner_id=partner_id, formdata=None)}

    return {"crm_overdue_count": crm_overdue_count,
            "crm_partner_activities": crm_partner_activities}


DUE_FILTERS = {"overdue": _l("Overdue"), "today": _l("Due today"), "week": _l("Next 7 days")}


def _due_window(due: str | None) -> dict:
    """?due= of the list (the dashboard's links): overdue, due today, or the next 7 days
    after today; anything else is no filter."""
    today = company_today()
    if due == "overdue":
        return {"due_to": today - timedelta(days=1)}
    if due == "today":
        return {"due_from": today, "due_to": today}
    if due == "week":
        return {"due_from": today + timedelta(days=1), "due_to": today + timedelta(days=7)}
    return {}


@bp.get("/")
@require("leads", "read")
def my_activities():
    done = bool_arg("done") or False
    due = request.args.get("due")
    due = due if due in DUE_FILTERS else None
    stmt = services.activity_query(owner_id=current_user.id, done=done, by_due_date=True,
                                   **_due_window(due))
    page = paginate(stmt)
    return render_template("crm/activities/list.html", page=page, done=done, due=due,
                           due_labels=DUE_FILTERS,
                           about=services.about(page.items), about_labels=ABOUT_LABELS,
                           kinds=KIND_LABELS, today=company_today())


def _back(activity_values: dict) -> str:
    """The page the activity is about; the form's values are as typed (an id that is no
    number, after a refused form, answered 500)."""
    for key, endpoint in (("partner_id", "partners.show_partner"),
                          ("lead_id", "leads.show_lead"), ("ticket_id", "tickets.show_ticket"),
                          ("opportunity_id", "pipeline.show_opportunity")):
        record_id = id_or_none(activity_values.get(key))
        if record_id is not None:
            return url_for(endpoint, **{key: record_id})
    return url_for("activities.my_activities")


@bp.post("/new")
@require("leads", "write")
def new_activity():
    form = ActivityForm()
    activity = run_form(form, lambda values: services.create_activity(
        values, user_id=current_user.id))
    if activity is None:
        errors = [f"{field.label.text}: {e}" for field in form for e in field.errors]
        flash("; ".join(form.form_errors + errors) or _("Some fields are missing or invalid."),
              "danger")
    else:
        flash(_("Activity scheduled."), "success")
    return redirect(_back(form.values()))


@bp.post("/<int:activity_id>/done")
@require("leads", "write")
def mark_done(activity_id: int):
    activity = services.mark_done(activity_id)
    flash(_("Marked done: %(subject)s", subject=activity.subject), "success")
    return safe_redirect(request.form.get("next"), url_for("activities.my_activities"))
