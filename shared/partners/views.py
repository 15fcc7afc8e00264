"""Partner pages: list with search and filters, detail, create and edit."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shared.api import paginate
from shared.errors import DomainError, Duplicate
from shared.partners import services
from shared.partners.forms import KIND_LABELS, PartnerForm
from shared.permissions import require

bp = Blueprint("partners", __name__, url_prefix="/partners")

ROLE_FILTERS = {"customers": {"is_customer": True}, "suppliers": {"is_supplier": True}}


@bp.get("/")
@require("partners", "read")
def list_partners():
    q = request.args.get("q", "")
    role = request.args.get("role", "")
    stmt = services.partner_query(q, kind=request.args.get("kind") or None,
                                  **ROLE_FILTERS.get(role, {}))
    template = "shared/partners/_table.html" if request.headers.get("HX-Request") \
        else "shared/partners/list.html"
    return render_template(template, page=paginate(stmt), q=q, role=role,
                           kind=request.args.get("kind", ""), kind_labels=KIND_LABELS)


@bp.get("/<int:partner_id>")
@require("partners", "read")
def show_partner(partner_id: int):
    return render_template("shared/partners/show.html", partner=services.get_partner(partner_id),
                           kind_labels=KIND_LABELS)


def _save(form: PartnerForm, save) -> tuple[object | None, object | None]:
    """Run `save`; on a duplicate return the existing partner so the form can offer it."""
    try:
        return save(form.values()), None
    except Duplicate as exc:
        form.show_errors(exc)
        existing = services.get_partner(exc.existing_id) if exc.existing_id else None
        if exc.field in ("email", "tax_id"):
            form.allow_duplicate.data = "1"  # submitting again means "create anyway"
        return None, existing
    except DomainError as exc:
        form.show_errors(exc)
        return None, None


@bp.route("/new", methods=["GET", "POST"])
@require("partners", "write")
def new_partner():
    form = PartnerForm()
    duplicate = None
    if form.validate_on_submit():
        partner, duplicate = _save(form, lambda values: services.create_partner(
            values, user_id=current_user.id))
        if partner is not None:
            flash(_("Partner %(name)s created.", name=partner.name), "success")
            return redirect(url_for("partners.show_partner", partner_id=partner.id))
    return render_template("shared/partners/form.html", form=form, partner=None,
                           duplicate=duplicate)


@bp.route("/<int:partner_id>/edit", methods=["GET", "POST"])
@require("partners", "write")
def edit_partner(partner_id: int):
    partner = services.get_partner(partner_id)
    form = PartnerForm(obj=partner)
    duplicate = None
    if form.validate_on_submit():
        saved, duplicate = _save(form, lambda values: services.update_partner(partner_id, values))
        if saved is not None:
            flash(_("Partner saved."), "success")
            return redirect(url_for("partners.show_partner", partner_id=partner_id))
    return render_template("shared/partners/form.html", form=form, partner=partner,
                           duplicate=duplicate)
