"""Inventory pages: the warehouse terminal, the ledger, stock levels, counts, locations and
low stock, plus the stock panel of the product page."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from erp.inventory import counts, forecast, pages, reorder, services, terminal
from erp.inventory.forms import KIND_LABELS, LocationForm
from erp.inventory.models import DEFAULT_LOCATION_LABELS, DEFAULT_LOCATIONS
from shared.api import Page, int_arg, paginate
from shared.errors import DomainError, ValidationError
from shared.forms import run_form
from shared.http import safe_redirect
from shared.permissions import can, require
from shared.ui import HomeCard

bp = Blueprint("inventory", __name__, url_prefix="/inventory")


@bp.app_template_filter("location_code")
def location_code(code: str) -> str:
    """A location's code as the pages show it (the default ones in the user's language)."""
    return str(DEFAULT_LOCATION_LABELS.get(code, (code,))[0])


@bp.app_template_filter("location_name")
def location_name(location) -> str:
    """A location's name as the pages show it (the default ones in the user's language)."""
    default = DEFAULT_LOCATION_LABELS.get(location.code)
    return str(default[1]) if default and location.name == DEFAULT_LOCATIONS[location.code][0] \
        else location.name


@bp.app_context_processor
def inventory_globals() -> dict:
    # A function, so the badge's query runs only where the menu shows it (writers only).
    return {"low_stock_count": reorder.low_stock_count}


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


# --------------------------------------------------------------------------- terminal


def _scan_page(result=None, error: DomainError | None = None, status: int = 200):
    recent = pages.move_page(services.move_query(user_id=current_user.id), limit=10)
    context = {"result": result, "error": error, "recent": recent}
    if _is_htmx():  # the form keeps its choices; only the result and the list change
        return render_template("erp/inventory/_scan_response.html", **context), status
    return render_template("erp/inventory/scan.html",
                           settings=terminal.settings_for(current_user.id),
                           move_types=terminal.MOVE_TYPES,
                           locations=services.internal_locations(), **context), status


@bp.get("/scan")
@require("stock_moves", "write")  # a write tool: reading the ledger is not enough
def scan_page():
    return _scan_page()


@bp.post("/scan")
@require("stock_moves", "write")
def scan():
    data = {key: value for key, value in request.form.items() if value.strip()}
    if data.get("move_type") != "transfer":
        data.pop("to_location_id", None)
    try:
        result = terminal.scan(data, user_id=current_user.id)
    except DomainError as exc:
        # htmx swaps only 2xx answers; a plain form post gets the real status.
        return _scan_page(error=exc, status=200 if _is_htmx() else exc.status)
    return _scan_page(result=result)


@bp.post("/moves/<int:move_id>/reverse")
@require("stock_moves", "write")
def reverse_move(move_id: int):
    reversal = services.reverse_move(move_id, user_id=current_user.id)
    flash(_("Move %(id)d reversed by move %(new)d.", id=move_id, new=reversal.id), "success")
    return safe_redirect(request.form.get("next"), url_for("inventory.list_moves"))


# --------------------------------------------------------------------------- ledger


@bp.get("/moves")
@require("stock_moves", "read")
def list_moves():
    try:
        page, query = pages.ledger(request.args)
    except ValidationError as exc:
        flash(" ".join(exc.fields.values()) or exc.message, "danger")
        page, query = pages.move_page(services.move_query()), {}
    args = {k: v for k, v in request.args.items() if v and k != "before_id"}
    return render_template("erp/inventory/moves.html", page=page, args=args,
                           before_id=query.get("before_id"),
                           locations=services.internal_locations(),
                           product=services.find_product(product_id=query["product_id"])
                           if query.get("product_id") else None)


# --------------------------------------------------------------------------- levels


@bp.get("/levels")
@require("stock_levels", "read")
def list_levels():
    q = request.args.get("q", "")
    location_id = request.args.get("location_id", type=int)
    page = paginate(services.level_query(location_id=location_id, q=q or None), rows=True)
    rows = [services.LevelRow(*row) for row in page.items]
    template = "erp/inventory/_levels_table.html" if _is_htmx() \
        else "erp/inventory/levels.html"
    return render_template(template, page=page, rows=rows, q=q, location_id=location_id,
                           locations=services.internal_locations())


# --------------------------------------------------------------------------- low stock


@bp.get("/low-stock")
@require("stock_levels", "read")
def low_stock():
    """All suggestions come from one query; the table shows a page of them (thousands of
    rows are slow to format), the actions and the count cover them all."""
    suggestions = reorder.reorder_suggestions()
    number = int_arg("page") or 1
    per_page = current_app.config["PER_PAGE_DEFAULT"]
    page = Page(reorder.with_forecasts(suggestions[(number - 1) * per_page:number * per_page]),
                len(suggestions), number, per_page)
    return render_template("erp/inventory/low_stock.html", suggestions=suggestions, page=page,
                           suppliers=pages.supplier_names(s.supplier_id for s in page.items))


# --------------------------------------------------------------------------- locations


def _locations_page(form: LocationForm, status: int = 200):
    locations = paginate(services.location_query())
    return render_template("erp/inventory/locations.html", page=locations, form=form,
                           kind_labels=KIND_LABELS), status


@bp.get("/locations")
@require("stock_moves", "read")
def list_locations():
    return _locations_page(LocationForm())


@bp.post("/locations")
@require("stock_moves", "write")
def add_location():
    form = LocationForm()
    location = run_form(form, services.create_location)
    if location is None:
        return _locations_page(form, 422)
    flash(_("Location %(code)s added.", code=location.code), "success")
    return redirect(url_for("inventory.list_locations"))


# --------------------------------------------------------------------------- counts


def _count_form(location_id: int | None, *, values=None, errors=None, status: int = 200):
    location = None
    rows = []
    if location_id:
        location = services.get_location(location_id)
        rows = services.level_rows(services.level_query(location_id=location_id)
                                   .limit(pages.COUNT_FORM_MAX))
    return render_template("erp/inventory/count_form.html", location=location, rows=rows,
                           locations=services.internal_locations(), values=values or {},
                           errors=errors or {}, extra_rows=range(3),
                           too_many=len(rows) >= pages.COUNT_FORM_MAX), status


@bp.get("/counts/new")
@require("stock_moves", "write")
def new_count():
    return _count_form(request.args.get("location_id", type=int))


@bp.post("/counts/preview")
@require("stock_moves", "write")
def preview_count():
    """The count form's lines or an uploaded CSV file, checked and compared with on hand;
    nothing is written. Bad lines send the user back to the form with every error."""
    location_id = request.form.get("location_id", type=int)
    upload = request.files.get("file")
    from_csv = upload is not None and bool(upload.filename)
    lines: list[dict] = []
    try:
        lines = counts.lines_from_csv(upload.read()) if from_csv \
            else pages.count_lines_from_form(request.form)
        location, counted = counts.preview_count(
            {"location_id": request.form.get("location_id"), "lines": lines})
    except ValidationError as exc:
        if from_csv:  # "line 5: ..." for each bad line of the file
            errors = (counts.csv_errors_by_line(exc, lines) if lines else dict(exc.fields)) \
                or {"file": exc.message}
            return _count_form(location_id, errors=errors, status=422)
        errors = pages.errors_by_field(exc, lines) or {"lines": exc.message}
        return _count_form(location_id, values=request.form, errors=errors, status=422)
    return render_template("erp/inventory/count_preview.html", location=location,
                           lines=counted)


@bp.post("/counts/confirm")
@require("stock_moves", "write")
def confirm_count():
    lines = [{"product_id": pid, "counted_qty": qty}
             for pid, qty in zip(request.form.getlist("product_id"),
                                 request.form.getlist("counted_qty"), strict=False)]
    data = {"location_id": request.form.get("location_id"), "lines": lines}
    try:
        count, moves = counts.confirm_count(data, user_id=current_user.id)
    except DomainError as exc:
        try:
            location, counted = counts.preview_count(data)
        except DomainError:
            raise exc from None
        return render_template("erp/inventory/count_preview.html", location=location,
                               lines=counted, error=exc), exc.status
    flash(_("Count %(number)s confirmed: %(n)d adjustment moves.", number=count.number,
            n=len(moves)), "success")
    return redirect(url_for("inventory.list_moves", reference=count.number))


# --------------------------------------------------------------------------- product page


def stock_panel(product):
    """The product page's stock panel: levels per location, and the latest moves for those
    who may read the ledger."""
    if product.type == "service" or not can("stock_levels", "read"):
        return None
    with_moves = can("stock_moves", "read")
    return ("erp/inventory/_product_panel.html",
            {"product": product, "with_moves": with_moves,
             **pages.product_panel(product.id, with_moves=with_moves)})


def forecast_panel(product):
    """The product page's forecast: demand of the last 30 and 90 days, days of cover and
    the expected stock-out, for those who read forecasts (three queries)."""
    if product.type == "service" or not can("forecast", "read"):
        return None
    return ("erp/inventory/_forecast_panel.html", {"forecast": forecast.forecast(product.id)})


def home_cards() -> list[HomeCard]:
    """Products at or below their reorder point, for those who may read stock."""
    if not can("stock_levels", "read"):
        return []
    low = reorder.low_stock_count()
    return [HomeCard(_("Products to reorder"), str(low), url_for("inventory.low_stock"),
                     attention=low > 0)]

