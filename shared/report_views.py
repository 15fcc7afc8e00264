"""The reports area: `/reports` lists the reports the user may read, `/reports/<name>` shows
one with its filter form, totals and downloads, and `GET /api/v1/reports/<name>` answers it
as JSON, CSV or XLSX. The reports themselves come from the areas through the registry
(shared/reports.py); a static route of an area (the AR and AP aging) is matched first.

The routes are `@signed_in`: which role reads a report is the report's own permission
`(spec.area, "read")` in permissions.csv, checked here before anything is computed."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from shared.api import api_blueprint
from shared.errors import Forbidden, NotFound, ValidationError
from shared.extensions import db
from shared.partners.models import Partner
from shared.permissions import allowed, signed_in
from shared.products.models import Product
from shared.queries import row_limit_user_id
from shared.registry import current_registry
from shared.reports import ID_FILTERS, ReportQuery, ReportSpec, parse_query, query_args, respond
from shared.users.models import User, UserRole

bp = Blueprint("reports", __name__)
api_bp = api_blueprint("reports_api", __name__)

CHOICES_LIMIT = 2000  # as the invoice list's partner filter


def readable_reports() -> list[ReportSpec]:
    """The registered reports the signed-in user may read, in registration order."""
    if not current_user.is_authenticated:
        return []
    return [spec for spec in current_registry().reports.values()
            if allowed(current_user.roles, *spec.permission)]


def report_url(spec: ReportSpec, **args: Any) -> str:
    if spec.page_endpoint:
        return url_for(spec.page_endpoint, **args)
    return url_for("reports.show_report", name=spec.name, **args)


def _spec(name: str) -> ReportSpec:
    spec = current_registry().reports.get(name)
    if spec is None:
        raise NotFound()
    if not allowed(current_user.roles, *spec.permission):
        raise Forbidden()
    return spec


def run(spec: ReportSpec, query: ReportQuery):
    return spec.build(query)


@api_bp.get("/reports/<name>")
@signed_in
def report_json(name: str):
    spec = _spec(name)
    query = parse_query(spec, request.args, limit_user_id=row_limit_user_id())
    return respond(spec, query, run(spec, query))


# --------------------------------------------------------------------------- pages


@bp.get("/reports/")
@signed_in
def list_reports():
    sections: dict[str, list[ReportSpec]] = {}
    for spec in readable_reports():
        sections.setdefault(str(spec.section), []).append(spec)
    return render_template("shared/reports/index.html", sections=sections,
                           report_url=report_url)


def _page_query(spec: ReportSpec) -> tuple[ReportQuery, dict[str, str]]:
    """The page's query: a bad field is shown beside its input and left out (the page still
    answers), where the API answers 422."""
    args = {key: value for key, value in request.args.items() if key != "format"}
    errors: dict[str, str] = {}
    for _attempt in range(3):
        try:
            return parse_query(spec, args, limit_user_id=row_limit_user_id()), errors
        except ValidationError as exc:
            errors.update(exc.fields)
            args = {key: value for key, value in args.items() if key not in exc.fields}
    return parse_query(spec, {}, limit_user_id=row_limit_user_id()), errors


def _choices(spec: ReportSpec) -> dict[str, list[tuple[str, str]]]:
    choices: dict[str, list[tuple[str, str]]] = {}
    if "partner_id" in spec.filters:
        rows = db.session.execute(select(Partner.id, Partner.name)
                                  .where(Partner.is_customer.is_(True))
                                  .order_by(Partner.name).limit(CHOICES_LIMIT)).all()
        choices["partner_id"] = [(str(pid), name) for pid, name in rows]
    if "product_id" in spec.filters:
        rows = db.session.execute(select(Product.id, Product.sku, Product.name)
                                  .order_by(Product.sku).limit(CHOICES_LIMIT)).all()
        choices["product_id"] = [(str(pid), f"{sku} · {name}") for pid, sku, name in rows]
    if "salesperson_id" in spec.filters:
        rows = db.session.execute(select(User.id, User.name).join(UserRole)
                                  .where(UserRole.role.in_(("sales", "admin")))
                                  .distinct().order_by(User.name)).all()
        choices["salesperson_id"] = [(str(uid), name) for uid, name in rows]
    return choices


def download_response(name: str) -> Response | None:
    """Report `name` as the file `?format=csv` or `?format=xlsx` asks for (with the page's
    filters and the user's row-level limit), else None. The pages of the reports that have
    their own (AR and AP aging) answer their downloads with it too."""
    fmt = request.args.get("format")
    if fmt not in ("csv", "xlsx"):
        return None
    spec = _spec(name)
    query = replace(_page_query(spec)[0], format=fmt)
    return respond(spec, query, run(spec, query), labels=True)


@bp.get("/reports/<name>")
@signed_in
def show_report(name: str):
    spec = _spec(name)
    if spec.page_endpoint:
        abort(404)  # served by its own page (a static route, matched first)
    download = download_response(name)
    if download is not None:
        return download
    query, errors = _page_query(spec)
    result = run(spec, query)
    args = query_args(query, spec)
    return render_template("shared/reports/show.html", spec=spec, query=query, result=result,
                           errors=errors, choices=_choices(spec), id_filters=ID_FILTERS,
                           csv_url=url_for("reports.show_report", name=name, format="csv",
                                           **args),
                           xlsx_url=url_for("reports.show_report", name=name, format="xlsx",
                                            **args),
                           limited=query.limit_user_id is not None)
