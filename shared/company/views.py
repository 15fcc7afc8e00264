"""The company settings page and the logo."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from shared.company import services
from shared.company.forms import CompanyForm
from shared.forms import run_form
from shared.permissions import require, signed_in

bp = Blueprint("company", __name__)


@bp.route("/admin/company", methods=["GET", "POST"])
@require("company", "write")
def edit_company():
    company = services.get_company()
    form = CompanyForm(obj=company)
    logo = form.logo.data.read() if form.logo.data else None
    saved = run_form(form, lambda values: services.update_company(
        values, logo=logo, remove_logo=bool(form.remove_logo.data)))
    if saved is not None:
        flash(_("Company settings saved."), "success")
        return redirect(url_for("company.edit_company"))
    return render_template("shared/company/form.html", form=form, company=company)


@bp.get("/company/logo")
@signed_in
def logo():
    company = services.get_company()
    if not company.logo:
        abort(404)
    return Response(company.logo, mimetype=company.logo_mimetype,
                    headers={"Cache-Control": "private, max-age=86400"})
