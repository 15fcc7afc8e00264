"""Lead pages: list with filters, my leads, create and edit with the duplicate panel, the
lead page with its actions, CSV import and export."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from crm.activities import services as activity_services
from crm.activities.forms import KIND_LABELS, ActivityForm
from crm.leads import imports, services
from crm.leads.forms import ConvertForm, DisqualifyForm, ImportForm, LeadForm, owner_choices
from crm.leads.models import LEAD_STATUSES
from crm.pipeline import services as pipeline_services
from shared.api import paginate, query_arg
from shared.dates import company_today
from shared.errors import DomainError, ValidationError
from shared.forms import run_form
from shared.permissions import require

bp = Blueprint("leads", __name__, url_prefix="/leads")


def _filters() -> dict:
    """The list's filters from the query string (also used by the export)."""
    try:
        filters = {name: query_arg(name, spec) for name, spec in services.LIST_FILTERS.items()}
    except ValidationError as exc:
        flash(exc.message, "warning")
        filters = {}
    if request.args.get("mine"):
        filters["owner_id"] = current_user.id
    return filters


@bp.get("/")
@require("leads", "read")
def list_leads():
    q = request.args.get("q", "")
    stmt = services.lead_query(q, **_filters())
    template = "crm/leads/_table.html" if request.headers.get("HX-Request") \
        else "crm/leads/list.html"
    owners = services.salespeople()
    return render_template(template, page=paginate(stmt), q=q, args=request.args,
                           statuses=services.STATUS_LABELS, sources=services.SOURCE_LABELS,
                           owners=owners, users={user.id: user.name for user in owners})


def _user_names() -> dict[int, str]:
    return {user.id: user.name for user in services.salespeople()}


@bp.get("/export.csv")
@require("leads", "read")
def export_leads():
    stmt = services.lead_query(request.args.get("q", ""), **_filters())
    filename = f"leads-{company_today().isoformat()}.csv"
    return Response(stream_with_context(imports.export_rows(stmt)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/duplicates")
@require("leads", "read")
def duplicates():
    """The htmx panel beside the lead form: partners and open leads that look the same."""
    found = services.possible_duplicates(
        request.args.get("email"), request.args.get("phone"), request.args.get("company_name"),
        except_lead_id=query_arg("lead_id", services.LIST_FILTERS["owner_id"]))
    return render_template("crm/leads/_duplicates.html", **found)


def _lead_form(lead=None) -> LeadForm:
    form = LeadForm(obj=lead)
    form.owner_id.choices = owner_choices(services.salespeople(), lead)
    if lead is not None and request.method == "GET":
        form.owner_id.data = str(lead.owner_id or "")
    return form


@bp.route("/new", methods=["GET", "POST"])
@require("leads", "write")
def new_lead():
    form = _lead_form()
    lead = run_form(form, lambda values: services.create_lead(values, user_id=current_user.id))
    if lead is not None:
        flash(_("Lead %(title)s created.", title=lead.title), "success")
        return redirect(url_for("leads.show_lead", lead_id=lead.id))
    return render_template("crm/leads/form.html", form=form, lead=None)


@bp.route("/<int:lead_id>/edit", methods=["GET", "POST"])
@require("leads", "write")
def edit_lead(lead_id: int):
    lead = services.get_lead(lead_id)
    form = _lead_form(lead)
    saved = run_form(form, lambda values: services.update_lead(lead_id, values))
    if saved is not None:
        flash(_("Lead saved."), "success")
        return redirect(url_for("leads.show_lead", lead_id=lead_id))
    return render_template("crm/leads/form.html", form=form, lead=lead)


def render_lead(lead, convert_form=None, disqualify_form=None, activity_form=None):
    activity_form = activity_form or ActivityForm(lead_id=lead.id, formdata=None)
    return render_template(
        "crm/leads/show.html", lead=lead, statuses=services.STATUS_LABELS,
        sources=services.SOURCE_LABELS, users=_user_names(),
        moves=sorted(services.STATUS_MOVES[lead.status], key=LEAD_STATUSES.index),
        convert_form=convert_form or ConvertForm(opportunity_title=lead.title, formdata=None),
        disqualify_form=disqualify_form or DisqualifyForm(formdata=None),
        activity_form=activity_form, kinds=KIND_LABELS,
        activities=activity_services.timeline(lead_id=lead.id),
        duplicates=services.possible_duplicates(lead.email, lead.phone, lead.company_name,
                                                except_lead_id=lead.id) if lead.is_open else None,
        opportunity=pipeline_services.get_opportunity(lead.opportunity_id)
        if lead.opportunity_id else None, today=company_today())


@bp.get("/<int:lead_id>")
@require("leads", "read")
def show_lead(lead_id: int):
    return render_lead(services.get_lead(lead_id))


@bp.post("/<int:lead_id>/status")
@require("leads", "write")
def set_status(lead_id: int):
    services.set_lead_status(lead_id, request.form.get("status", ""))
    return redirect(url_for("leads.show_lead", lead_id=lead_id))


@bp.post("/<int:lead_id>/convert")
@require("leads", "write")
def convert_lead(lead_id: int):
    form = ConvertForm()
    lead = run_form(form, lambda values: services.convert_lead(
        lead_id, values, user_id=current_user.id))
    if lead is None:
        return render_lead(services.get_lead(lead_id), convert_form=form), 422
    flash(_("Lead converted: the opportunity is in the pipeline."), "success")
    return redirect(url_for("pipeline.show_opportunity", opportunity_id=lead.opportunity_id))


@bp.post("/<int:lead_id>/disqualify")
@require("leads", "write")
def disqualify_lead(lead_id: int):
    form = DisqualifyForm()
    lead = run_form(form, lambda values: services.disqualify_lead(lead_id, values))
    if lead is None:
        return render_lead(services.get_lead(lead_id), disqualify_form=form), 422
    flash(_("Lead disqualified."), "success")
    return redirect(url_for("leads.show_lead", lead_id=lead_id))


# --------------------------------------------------------------------------- import


@bp.route("/import", methods=["GET", "POST"])
@require("leads", "write")
def import_leads():
    """Step 1: upload; the answer is the preview with the column mapping."""
    form = ImportForm()
    if form.validate_on_submit() and form.file.data:
        try:
            preview = imports.stage_upload(form.file.data.read(), form.file.data.filename or "")
        except DomainError as exc:
            form.show_errors(exc)
        else:
            return render_template("crm/leads/import_preview.html", preview=preview,
                                   fields=imports.FIELD_LABELS)
    elif request.method == "POST":
        form.file.errors = [_("Choose a CSV file with a header line.")]
    return render_template("crm/leads/import.html", form=form,
                           recent=imports.recent_imports(), fields=imports.FIELD_LABELS)


@bp.post("/import/confirm")
@require("leads", "write")
def confirm_import():
    """Step 2: validate every line, then import all of them or none."""
    form = ImportForm()  # for the CSRF check only
    token = request.form.get("token", "")
    filename = request.form.get("filename", "")
    headers = request.form.getlist("header")
    mapping = {header: request.form.get(f"map-{index}", "")
               for index, header in enumerate(headers)}
    if not form.validate_on_submit():
        return render_template("crm/leads/import.html", form=form,
                               recent=imports.recent_imports(), fields=imports.FIELD_LABELS), 400
    try:
        result = imports.import_leads(token, mapping, filename, user_id=current_user.id)
    except DomainError as exc:
        form.show_errors(exc)
        return render_template("crm/leads/import.html", form=form,
                               recent=imports.recent_imports(), fields=imports.FIELD_LABELS), 422
    if result.error_count:
        return render_template("crm/leads/import_errors.html", result=result,
                               filename=filename), 422
    flash(_("%(n)d leads imported from %(file)s.", n=result.record.row_count, file=filename),
          "success")
    return redirect(url_for("leads.list_leads", mine=1))
