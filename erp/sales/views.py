"""Sales pages: the order list, the quotation form (product picker with stock, live totals),
the order page with the actions the state and the role allow, the warehouse's queue and
scanner-friendly delivery page, and the quotation PDF.

Views parse what the page posts, check the permission, call one service and render; the
services (erp/sales/services.py) change the orders.
"""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from erp.inventory.pages import user_names
from erp.inventory.services import find_product
from erp.invoicing.services import invoice_tax_summary
from erp.sales import pdf, rules, services
from erp.sales.forms import (
    INVOICE_STATUS_BADGES,
    INVOICE_STATUS_LABELS,
    STATE_BADGES,
    STATE_LABELS,
    OverrideForm,
    QuotationForm,
    customer_choices,
    delivery_quantities,
    parse_lines,
    service_lines,
)
from erp.sales.models import (
    DRAFT,
    INVOICE_STATUSES,
    ORDER_STATES,
    TO_INVOICE,
    SalesOrder,
)
from shared.api import paginate
from shared.company.services import get_company
from shared.dates import company_today
from shared.errors import DomainError
from shared.extensions import db
from shared.formatting import qty
from shared.forms import blank_choice
from shared.permissions import can, require
from shared.products.models import Product
from shared.products.services import product_query, stock_figures
from shared.registry import current_registry
from shared.ui import HomeCard, pdf_response
from shared.users.forms import EmptyForm
from shared.validation import id_or_none

bp = Blueprint("sales", __name__, url_prefix="/sales")

PICKER_LIMIT = 8


@bp.app_context_processor
def labels():
    return {"order_state_labels": STATE_LABELS, "order_state_badges": STATE_BADGES,
            "order_invoice_labels": INVOICE_STATUS_LABELS,
            "order_invoice_badges": INVOICE_STATUS_BADGES}


@bp.app_template_global("sales_order_number")
def sales_order_number(order_id: int | None) -> str | None:
    """For the invoice page: the number of the order an invoice came from."""
    if not order_id:
        return None
    return db.session.scalar(select(SalesOrder.number).where(SalesOrder.id == order_id))


def shortfalls(order: SalesOrder) -> list[str]:
    """Plain sentences for the goods lines still waiting for stock, e.g.
    "CHAIR: 5 of 8 reserved, 3 waiting"."""
    if order.state not in ("confirmed", "partially_delivered"):
        return []
    said = []
    for line in order.lines:
        if line.waiting_qty > 0:
            said.append(_("%(sku)s: %(reserved)s of %(wanted)s reserved, %(waiting)s waiting",
                          sku=line.product.sku, reserved=qty(line.reserved_qty),
                          wanted=qty(line.to_deliver_qty), waiting=qty(line.waiting_qty)))
    return said


def _qty(value: Decimal) -> str:
    """A quantity as a form field's value (plain digits: "1250", "2.5")."""
    return f"{Decimal(value).normalize():f}"


# --------------------------------------------------------------------------- list


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    """A filter from the query string; an unknown value is no filter."""
    value = request.args.get(name) or None
    return value if value in allowed else None


def _positive_int(name: str) -> int | None:
    """An id from the query string; anything but a positive whole number is no filter."""
    value = (request.args.get(name) or "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


@bp.get("/orders")
@require("sales_orders", "read")
def list_orders():
    filters = {"q": (request.args.get("q") or "").strip() or None,
               "state": _choice("state", ORDER_STATES),
               "invoice_status": _choice("invoice_status", INVOICE_STATUSES),
               "salesperson_id": _positive_int("salesperson_id")}
    page = paginate(services.order_query(**filters))
    template = "erp/sales/_table.html" if request.headers.get("HX-Request") \
        else "erp/sales/list.html"
    return render_template(template, page=page, filters=filters)


@bp.get("/to-deliver")
@require("sales_orders", "read")
def to_deliver():
    """The warehouse's queue: confirmed orders with reserved stock, oldest first."""
    page = paginate(services.to_deliver_query())
    services.with_lines(page.items)
    return render_template("erp/sales/to_deliver.html", page=page, form=EmptyForm())


@bp.post("/reserve-waiting")
@require("sales_orders", "reserve")
def reserve_waiting():
    """After a receipt: free stock goes to the waiting orders, oldest first."""
    if EmptyForm().validate_on_submit():
        helped = services.reserve_waiting()
        if helped:
            flash(_("Stock reserved for %(numbers)s.",
                    numbers=", ".join(order.number for order in helped)), "success")
        else:
            flash(_("No waiting order could get more stock."), "info")
    else:
        flash(_("The form expired; please try again."), "warning")
    return redirect(url_for("sales.to_deliver"))


# --------------------------------------------------------------------------- quotation form


def _product_labels(lines) -> dict[int, str]:
    """{product id: "SKU · name"} for the products the lines name, in one query."""
    ids = set()
    for line in lines:
        value = line.get("product_id") if isinstance(line, dict) else line.product_id
        if (product_id := id_or_none(value)) is not None:
            ids.add(product_id)
    if not ids:
        return {}
    rows = db.session.execute(select(Product.id, Product.sku, Product.name)
                              .where(Product.id.in_(ids))).all()
    return {pid: f"{sku} · {name}" for pid, sku, name in rows}


def _line_rows(lines) -> list[dict]:
    """The form's rows as dicts of strings, whether they come from the order or a post."""
    labels = _product_labels(lines)
    rows = []
    for line in lines:
        if isinstance(line, dict):
            row = dict(line)
        else:
            row = {"product_id": str(line.product_id), "description": line.description,
                   "quantity": _qty(line.quantity), "unit_price": str(line.unit_price),
                   "discount_pct": _qty(line.discount_pct) if line.discount_pct else "",
                   "tax_rate": _qty(line.tax_rate)}
        pid = id_or_none(row.get("product_id"))
        if pid in labels:
            row["product_search"] = labels[pid]
        rows.append(row)
    return rows


def _form_page(form: QuotationForm, order: SalesOrder | None, save,
               prefill: list[dict] | None = None):
    line_errors: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        values = form.values()
        lines = parse_lines(request.form)
        values["lines"] = service_lines(lines)
        try:
            saved = save(values)
        except DomainError as exc:
            line_errors = {k: v for k, v in exc.fields.items() if k.startswith("lines")}
            for i, line in enumerate(lines):  # typed in the picker but never picked
                if not line.get("product_id") and line.get("product_search"):
                    line_errors[f"lines.{i}.product_id"] = _("Pick a product from the list.")
            form.show_errors(exc)  # header fields beside them; else the message on top
            status = exc.status
        else:
            flash(_("Quotation %(number)s saved.", number=saved.number), "success")
            return redirect(url_for("sales.show_order", order_id=saved.id))
    elif request.method == "POST":
        status = 422
    lines = parse_lines(request.form) if request.method == "POST" else \
        (order.lines if order else prefill or [])
    rows = _line_rows(lines)
    preview = services.preview_totals(service_lines(rows))
    return render_template("erp/sales/form.html", form=form, order=order, rows=rows,
                           line_errors=line_errors, preview=preview,
                           currency=order.currency if order else get_company().currency), status


@bp.route("/orders/new", methods=["GET", "POST"])
@require("sales_orders", "write")
def new_order():
    """A new quotation, saved only when the user saves it. Prefilled from the query string
    when another page starts one: `partner_id`, `opportunity_id`, `salesperson_id` and
    lines as the form's own `line-product_id`, `line-quantity`, `line-unit_price`."""
    form = QuotationForm()
    form.partner_id.choices = [blank_choice(), *customer_choices()]
    if request.method == "GET":
        for name in ("partner_id", "opportunity_id", "salesperson_id"):
            form[name].data = request.args.get(name, "")
        form.order_date.data = company_today()
    return _form_page(form, None, lambda values: services.create_order(
        values, user_id=current_user.id), prefill=parse_lines(request.args))


@bp.route("/orders/<int:order_id>/edit", methods=["GET", "POST"])
@require("sales_orders", "write")
def edit_order(order_id: int):
    order = services.get_order(order_id)
    if not order.is_quotation:
        flash(_("Order %(number)s is confirmed; only a draft quotation can be changed.",
                number=order.number), "warning")
        return redirect(url_for("sales.show_order", order_id=order.id))
    form = QuotationForm(obj=order)
    form.partner_id.choices = customer_choices(order.partner_id)
    if request.method == "GET":
        form.partner_id.data = str(order.partner_id)
    return _form_page(form, order, lambda values: services.update_order(order_id, values))


@bp.post("/orders/totals")
@require("sales_orders", "write")
def live_totals():
    """htmx: the form's totals as the salesperson types (nothing is saved)."""
    preview = services.preview_totals(service_lines(parse_lines(request.form)))
    return render_template("erp/sales/_totals.html", preview=preview,
                           currency=get_company().currency)


@bp.get("/products/picker")
@require("sales_orders", "write")
def product_picker():
    """htmx: products matching what is typed in a line's product field, with their stock
    and what is incoming on purchase orders (one query each)."""
    q = (request.args.get("line-product_search") or request.args.get("q") or "").strip()
    products = list(db.session.scalars(product_query(q, active=True).limit(PICKER_LIMIT))) \
        if q else []
    ids = [p.id for p in products]
    provider = current_registry().incoming_detail_provider  # purchasing, when installed
    return render_template("erp/sales/_picker.html", products=products, q=q,
                           figures=stock_figures(ids),
                           incoming=provider(ids) if provider and ids else {})


# --------------------------------------------------------------------------- order page


def _credit(order: SalesOrder) -> dict | None:
    """The credit check's figures for a quotation whose customer has a limit."""
    if not order.is_quotation or order.partner.credit_limit is None:
        return None
    return services.credit_position(order.partner, order.total)


@bp.get("/orders/<int:order_id>")
@require("sales_orders", "read")
def show_order(order_id: int):
    order = services.get_order(order_id)
    deliveries = services.deliveries_of(order_id)
    names = user_names([order.salesperson_id, order.credit_override_by_id,
                        *(d.user_id for d in deliveries)])
    return render_template(
        "erp/sales/show.html", order=order, deliveries=deliveries,
        invoices=services.invoices_of(order_id) if can("invoices", "read") else None,
        figures=stock_figures({line.product_id for line in order.lines}),
        tax_rows=invoice_tax_summary(order), shortfalls=shortfalls(order),
        credit=_credit(order), names=names, override_form=OverrideForm(),
        actions=rules.allowed_actions(order, current_user))


def _checked_form(order_id: int) -> bool:
    if EmptyForm().validate_on_submit():
        return True
    flash(_("The form expired; please try again."), "warning")
    return False


@bp.post("/orders/<int:order_id>/confirm")
@require("sales_orders", "confirm")
def confirm_order(order_id: int):
    form = OverrideForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "warning")
        return redirect(url_for("sales.show_order", order_id=order_id))
    data = {"override_credit_limit": bool(form.override_credit_limit.data),
            "override_reason": form.override_reason.data}
    order = services.confirm_order(order_id, data, user_id=current_user.id)
    flash(_("Order %(number)s confirmed.", number=order.number), "success")
    waiting = shortfalls(order)
    if waiting:
        flash(_("Not everything is in stock yet:") + " " + "; ".join(waiting), "warning")
    return redirect(url_for("sales.show_order", order_id=order.id))


@bp.post("/orders/<int:order_id>/reserve")
@require("sales_orders", "reserve")
def reserve_order(order_id: int):
    if _checked_form(order_id):
        order = services.reserve_order(order_id)
        waiting = shortfalls(order)
        flash(_("Reserved what is in stock.") + (
            " " + _("Still waiting:") + " " + "; ".join(waiting) if waiting else ""),
            "warning" if waiting else "success")
    return redirect(url_for("sales.show_order", order_id=order_id))


@bp.post("/orders/<int:order_id>/invoice")
@require("sales_orders", "invoice")
def invoice_order(order_id: int):
    if not _checked_form(order_id):
        return redirect(url_for("sales.show_order", order_id=order_id))
    invoice = services.invoice_order(order_id, user_id=current_user.id)
    flash(_("Draft invoice created from the order."), "success")
    return redirect(url_for("invoicing.show_invoice", invoice_id=invoice.id))


@bp.post("/orders/<int:order_id>/cancel")
@require("sales_orders", "write")
def cancel_order(order_id: int):
    if _checked_form(order_id):
        order = services.cancel_order(order_id)
        flash(_("Order %(number)s cancelled.", number=order.number), "success")
    return redirect(url_for("sales.show_order", order_id=order_id))


@bp.get("/orders/<int:order_id>/pdf")
@require("sales_orders", "read")
def order_pdf(order_id: int):
    content, name = pdf.order_pdf(order_id)
    return pdf_response(content, name)


# --------------------------------------------------------------------------- delivery


def _scan(order: SalesOrder, typed: dict[int, str], code: str, amount: str) -> tuple[str, str]:
    """Add a scanned unit (or the typed quantity) to the line of the scanned product; returns
    (status, message). Nothing is written: the quantities go back into the page."""
    product = find_product(code=code)
    lines = [line for line in order.lines if not line.is_service and line.to_deliver_qty > 0]
    matching = [line for line in lines if product is not None and line.product_id == product.id]
    if product is None:
        return "error", _("Unknown barcode or SKU: %(code)s", code=code)
    if not matching:
        return "error", _("%(sku)s is not on this order (or all of it is delivered).",
                          sku=product.sku)
    try:
        step = Decimal(amount or "1")
    except ArithmeticError:
        return "error", _("Must be a number.")

    def current(line) -> Decimal:
        try:
            return Decimal(typed.get(line.id) or "0")
        except ArithmeticError:
            return Decimal("0")

    line = next((m for m in matching if current(m) < m.to_deliver_qty), matching[0])
    total = current(line) + step
    if total > line.to_deliver_qty:  # refused: the line keeps what it had
        return "error", _("%(sku)s: only %(left)s left to deliver; %(n)s already scanned.",
                          sku=line.product.sku, left=qty(line.to_deliver_qty),
                          n=qty(current(line)))
    typed[line.id] = _qty(total)
    return "success", _("%(sku)s: %(n)s of %(left)s", sku=line.product.sku, n=qty(total),
                        left=qty(line.to_deliver_qty))


@bp.route("/orders/<int:order_id>/deliver", methods=["GET", "POST"])
@require("sales_orders", "deliver")
def deliver_order(order_id: int):
    order = services.get_order(order_id)
    goods = [line for line in order.lines if not line.is_service]
    typed = {line.id: _qty(line.reserved_qty) if line.reserved_qty else "" for line in goods}
    errors: dict[int, str] = {}
    feedback: tuple[str, str] | None = None
    status = 200
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            flash(_("The form expired; please try again."), "warning")
            return redirect(url_for("sales.deliver_order", order_id=order_id))
        lines, typed = delivery_quantities(request.form, [line.id for line in goods])
        code = (request.form.get("code") or "").strip()
        if request.form.get("action") != "deliver":  # a scan (Enter in the code field)
            feedback = _scan(order, typed, code, request.form.get("scan_quantity", "")) \
                if code else ("error", _("Scan a barcode or SKU."))
        elif not lines:
            feedback = ("error", _("Scan or type at least one quantity to deliver."))
            status = 422
        else:
            try:
                order = services.deliver_order(order_id, {"lines": lines},
                                               user_id=current_user.id)
            except DomainError as exc:  # the service rolled its transaction back
                order = services.get_order(order_id)
                for key, message in exc.fields.items():
                    parts = key.split(".")
                    if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(lines):
                        errors[lines[int(parts[1])]["line_id"]] = message
                feedback = ("error", exc.message)
                status = exc.status
            else:
                delivered = ", ".join(f"{item['line'].product.sku} × {qty(item['qty'])}"
                                      for item in _delivered_lines(order, lines))
                flash(_("Delivered: %(what)s.", what=delivered), "success")
                return redirect(url_for("sales.show_order", order_id=order.id))
    return render_template("erp/sales/deliver.html", order=order, goods=goods, typed=typed,
                           errors=errors, feedback=feedback,
                           figures=stock_figures({line.product_id for line in goods})), status


def _delivered_lines(order: SalesOrder, lines: list[dict]) -> list[dict]:
    by_id = {line.id: line for line in order.lines}
    return [{"line": by_id[item["line_id"]], "qty": Decimal(item["quantity"])}
            for item in lines if item["line_id"] in by_id]


# --------------------------------------------------------------------------- home


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def home_cards() -> list[HomeCard]:
    """Warehouse: orders to deliver; finance: orders to invoice; sales: open quotations."""
    cards = []
    if can("sales_orders", "deliver"):
        n = _count(services.to_deliver_query())
        cards.append(HomeCard(_("Orders to deliver"), str(n), url_for("sales.to_deliver"),
                              attention=n > 0))
    if can("sales_orders", "invoice"):
        n = _count(services.order_query(invoice_status=TO_INVOICE))
        cards.append(HomeCard(_("Orders to invoice"), str(n),
                              url_for("sales.list_orders", invoice_status=TO_INVOICE),
                              attention=n > 0))
    if can("sales_orders", "write"):
        n = _count(services.order_query(state=DRAFT))
        cards.append(HomeCard(_("Quotations open"), str(n),
                              url_for("sales.list_orders", state=DRAFT)))
    return cards

