"""Purchasing pages: the order list, the order form (product picker with stock, incoming, the
reorder point and this supplier's price; live totals), the order page with the actions the
state and the role allow, the warehouse's to-receive queue and scanner-first receipt page,
replenishment from the low-stock list, the supplier page and the product page's supplier
prices.

Views parse what the page posts, check the permission, call one service and render; the
services (erp/purchasing/services.py) change the orders.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from erp.inventory.pages import user_names
from erp.inventory.services import find_product
from erp.invoicing.models import VENDOR_BILL
from erp.invoicing.payments import payment_query
from erp.invoicing.reports import partner_balance
from erp.invoicing.services import invoice_query, invoice_tax_summary
from erp.purchasing import pdf, rules, services
from erp.purchasing.forms import (
    BILL_STATUS_BADGES,
    BILL_STATUS_LABELS,
    STATE_BADGES,
    STATE_LABELS,
    PurchaseOrderForm,
    SupplierPriceForm,
    parse_lines,
    receipt_quantities,
    service_lines,
    supplier_choices,
)
from erp.purchasing.models import DRAFT, ORDER_STATES, PurchaseOrder
from shared.api import paginate
from shared.company.services import get_company
from shared.dates import company_today
from shared.errors import DomainError
from shared.extensions import db
from shared.forms import blank_choice
from shared.money import round_money
from shared.partners.models import Partner
from shared.permissions import can, require
from shared.products.models import Product
from shared.products.services import product_query, stock_figures
from shared.queries import search
from shared.ui import HomeCard, pdf_response
from shared.users.forms import EmptyForm
from shared.validation import id_or_none

bp = Blueprint("purchasing", __name__, url_prefix="/purchasing")

PICKER_LIMIT = 8


@bp.app_context_processor
def labels():
    return {"po_state_labels": STATE_LABELS, "po_state_badges": STATE_BADGES,
            "po_bill_labels": BILL_STATUS_LABELS, "po_bill_badges": BILL_STATUS_BADGES}


@bp.app_template_global("purchase_order_number")
def purchase_order_number(order_id: int | None) -> str | None:
    """For the bill page: the number of the order a bill came from."""
    if not order_id:
        return None
    return db.session.scalar(select(PurchaseOrder.number).where(PurchaseOrder.id == order_id))


def _qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


def _date_arg(name: str) -> date | None:
    """An ISO date from the query string; anything else is no filter."""
    try:
        return date.fromisoformat((request.args.get(name) or "").strip())
    except ValueError:
        return None


def _checked_form() -> bool:
    if EmptyForm().validate_on_submit():
        return True
    flash(_("The form expired; please try again."), "warning")
    return False


# --------------------------------------------------------------------------- list


@bp.get("/orders")
@require("purchase_orders", "read")
def list_orders():
    supplier = request.args.get("supplier_id") or ""
    filters = {"q": (request.args.get("q") or "").strip() or None,
               "state": _choice("state", ORDER_STATES),
               "supplier_id": id_or_none(supplier),
               "late": True if request.args.get("late") in ("1", "true", "on") else None,
               "due_by": _date_arg("due_by")}
    page = paginate(services.order_query(**filters))
    services.with_lines(page.items)  # the bill status badge reads them
    template = "erp/purchasing/_table.html" if request.headers.get("HX-Request") \
        else "erp/purchasing/list.html"
    return render_template(template, page=page, filters=filters, today=company_today(),
                           suppliers=supplier_choices(filters["supplier_id"]))


@bp.get("/to-receive")
@require("purchase_orders", "read")
def to_receive():
    """The warehouse's queue: confirmed orders with goods to come, earliest expected first."""
    page = paginate(services.to_receive_query())
    services.with_lines(page.items)
    return render_template("erp/purchasing/to_receive.html", page=page, today=company_today())


# --------------------------------------------------------------------------- order form


def _product_labels(lines) -> dict[int, str]:
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


def _supplier_of_form() -> int | None:
    return id_or_none(request.values.get("supplier_id"))


def _form_page(form: PurchaseOrderForm, order: PurchaseOrder | None, save):
    line_errors: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        values = form.values()
        if not values.get("expected_date"):
            values.pop("expected_date", None)
            if order is not None:
                values["expected_date"] = None  # back to the lead times
        lines = parse_lines(request.form)
        values["lines"] = service_lines(lines)
        try:
            saved = save(values)
        except DomainError as exc:
            line_errors = {k: v for k, v in exc.fields.items() if k.startswith("lines")}
            for i, line in enumerate(lines):  # typed in the picker but never picked
                if not line.get("product_id") and line.get("product_search"):
                    line_errors[f"lines.{i}.product_id"] = _("Pick a product from the list.")
            form.show_errors(exc)
            status = exc.status
        else:
            flash(_("Purchase order %(number)s saved.", number=saved.number), "success")
            return redirect(url_for("purchasing.show_order", order_id=saved.id))
    elif request.method == "POST":
        status = 422
    lines = parse_lines(request.form) if request.method == "POST" else \
        (order.lines if order else _prefilled_lines())
    rows = _line_rows(lines)
    preview = services.preview_totals(_supplier_of_form() or (order and order.supplier_id),
                                      service_lines(rows))
    return render_template("erp/purchasing/form.html", form=form, order=order, rows=rows,
                           line_errors=line_errors, preview=preview,
                           currency=order.currency if order else get_company().currency), status


def _prefilled_lines() -> list[dict]:
    """?product_id=&quantity= (a low-stock row's "Order" link) start the form with a line."""
    pid = request.args.get("product_id") or ""
    if id_or_none(pid) is None:
        return []
    return [{"product_id": pid, "quantity": request.args.get("quantity") or "1"}]


@bp.route("/orders/new", methods=["GET", "POST"])
@require("purchase_orders", "write")
def new_order():
    form = PurchaseOrderForm()
    form.supplier_id.choices = [blank_choice(), *supplier_choices()]
    if request.method == "GET":
        form.supplier_id.data = request.args.get("supplier_id", "")
        form.order_date.data = company_today()
    return _form_page(form, None, lambda values: services.create_order(
        values, user_id=current_user.id))


@bp.route("/orders/<int:order_id>/edit", methods=["GET", "POST"])
@require("purchase_orders", "write")
def edit_order(order_id: int):
    order = services.get_order(order_id)
    if "edit" not in rules.allowed_actions(order, current_user):
        flash(_("Purchase order %(number)s is confirmed; only a draft can be changed.",
                number=order.number), "warning")
        return redirect(url_for("purchasing.show_order", order_id=order.id))
    form = PurchaseOrderForm(obj=order)
    form.supplier_id.choices = supplier_choices(order.supplier_id)
    if request.method == "GET":
        form.supplier_id.data = str(order.supplier_id)
        if not order.expected_date_set:
            form.expected_date.data = None
    return _form_page(form, order, lambda values: services.update_order(
        order_id, values, user_id=current_user.id))


@bp.post("/orders/totals")
@require("purchase_orders", "write")
def live_totals():
    """htmx: the form's totals as the buyer types (nothing is saved)."""
    preview = services.preview_totals(_supplier_of_form(),
                                      service_lines(parse_lines(request.form)))
    return render_template("erp/purchasing/_totals.html", preview=preview,
                           currency=get_company().currency)


@bp.get("/products/picker")
@require("purchase_orders", "write")
def product_picker():
    """htmx: products matching what is typed, with on hand, available, incoming, the reorder
    point and the chosen supplier's price (a fixed number of queries for the whole list)."""
    q = (request.args.get("line-product_search") or request.args.get("q") or "").strip()
    products = list(db.session.scalars(product_query(q, active=True).limit(PICKER_LIMIT))) \
        if q else []
    ids = [p.id for p in products]
    supplier_id = _supplier_of_form()
    prices = services.best_prices(supplier_id, ids) if supplier_id else {}
    unit_prices = {}
    for product in products:
        price = services.price_for(prices.get(product.id, []), Decimal(1))
        unit_prices[product.id] = round_money(price.price if price is not None
                                              else product.cost_price)
    return render_template("erp/purchasing/_picker.html", products=products, q=q,
                           figures=stock_figures(ids), incoming=services.incoming(ids),
                           prices=unit_prices, supplier_prices=prices)


# --------------------------------------------------------------------------- order page


@bp.get("/orders/<int:order_id>")
@require("purchase_orders", "read")
def show_order(order_id: int):
    order = services.get_order(order_id)
    receipts = services.receipts_of(order_id)
    names = user_names([order.created_by_id, order.confirmed_by_id,
                        *(r.user_id for r in receipts)])
    return render_template(
        "erp/purchasing/show.html", order=order, receipts=receipts,
        bills=services.bills_of(order_id) if can("invoices", "read") else None,
        tax_rows=invoice_tax_summary(order), names=names, today=company_today(),
        actions=rules.allowed_actions(order, current_user), form=EmptyForm())


@bp.post("/orders/<int:order_id>/confirm")
@require("purchase_orders", "write")
def confirm_order(order_id: int):
    if _checked_form():
        order = services.confirm_order(order_id, user_id=current_user.id)
        flash(_("Purchase order %(number)s confirmed; expected on %(date)s.",
                number=order.number, date=order.expected_date.isoformat()), "success")
    return redirect(url_for("purchasing.show_order", order_id=order_id))


@bp.post("/orders/<int:order_id>/cancel")
@require("purchase_orders", "write")
def cancel_order(order_id: int):
    if _checked_form():
        order = services.cancel_order(order_id, user_id=current_user.id)
        flash(_("Purchase order %(number)s cancelled.", number=order.number), "success")
    return redirect(url_for("purchasing.show_order", order_id=order_id))


@bp.post("/orders/<int:order_id>/bill")
@require("purchase_orders", "write")
def bill_order(order_id: int):
    if not _checked_form():
        return redirect(url_for("purchasing.show_order", order_id=order_id))
    invoice = services.bill_order(order_id, user_id=current_user.id)
    flash(_("Draft vendor bill created from what was received."), "success")
    return redirect(url_for("invoicing.show_invoice", invoice_id=invoice.id))


@bp.get("/orders/<int:order_id>/pdf")
@require("purchase_orders", "read")
def order_pdf(order_id: int):
    content, name = pdf.order_pdf(order_id)
    return pdf_response(content, name)


# --------------------------------------------------------------------------- receiving


def _scan(order: PurchaseOrder, typed: dict[int, str], code: str,
          amount: str) -> tuple[str, str]:
    """Add a scanned unit (or the typed quantity) to the line of the scanned product
    (without JavaScript; static/js/line-scanner.js does the same in the page)."""
    product = find_product(code=code)
    if product is None:
        return "error", _("Unknown barcode or SKU: %(code)s", code=code)
    matching = [line for line in order.lines
                if line.product_id == product.id and line.to_receive_qty > 0]
    if not matching:
        return "error", _("%(sku)s is not on this order (or all of it is received).",
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

    line = next((m for m in matching if current(m) < m.to_receive_qty), matching[0])
    total = current(line) + step
    typed[line.id] = _qty(total)
    if total > line.to_receive_qty:
        return "error", _("%(sku)s: %(n)s scanned but only %(left)s outstanding.",
                          sku=line.product.sku, n=_qty(total), left=_qty(line.to_receive_qty))
    return "success", _("%(sku)s: %(n)s of %(left)s", sku=line.product.sku, n=_qty(total),
                        left=_qty(line.to_receive_qty))


@bp.route("/orders/<int:order_id>/receive", methods=["GET", "POST"])
@require("purchase_orders", "receive")
def receive_order(order_id: int):
    order = services.get_order(order_id)
    goods = [line for line in order.lines if not line.is_service]
    typed: dict[int, str] = {line.id: "" for line in goods}
    errors: dict[int, str] = {}
    feedback: tuple[str, str] | None = None
    status = 200
    if request.method == "POST":
        if not _checked_form():
            return redirect(url_for("purchasing.receive_order", order_id=order_id))
        lines, typed = receipt_quantities(request.form, [line.id for line in goods])
        action = request.form.get("action")
        code = (request.form.get("code") or "").strip()
        if action not in ("receive", "receive_all"):  # a scan (Enter in the code field)
            feedback = _scan(order, typed, code, request.form.get("scan_quantity", "")) \
                if code else ("error", _("Scan a barcode or SKU."))
        elif action == "receive" and not lines:
            feedback = ("error", _("Scan or type at least one quantity to receive."))
            status = 422
        else:
            try:
                order = services.receive_order(
                    order_id, {"lines": lines} if action == "receive" else {},
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
                receipt = services.receipts_of(order.id)[-1]
                by_id = {line.id: line for line in order.lines}
                received = ", ".join(f"{by_id[rl.order_line_id].product.sku} × {_qty(rl.quantity)}"
                                     for rl in receipt.lines)
                flash(_("Received %(number)s: %(what)s.", number=receipt.number,
                        what=received), "success")
                return redirect(url_for("purchasing.show_order", order_id=order.id))
    return render_template("erp/purchasing/receive.html", order=order, goods=goods,
                           typed=typed, errors=errors, feedback=feedback, form=EmptyForm(),
                           figures=stock_figures({line.product_id for line in goods})), status


# --------------------------------------------------------------------------- replenishment


@bp.post("/from-suggestions")
@require("purchase_orders", "replenish")
def from_suggestions():
    """The low-stock page's "Create purchase orders": one draft per default supplier."""
    if not _checked_form():
        return redirect(url_for("inventory.low_stock"))
    chosen = [i for i in map(id_or_none, request.form.getlist("product_id")) if i]
    orders, skipped = services.create_from_suggestions(
        {"product_ids": chosen} if chosen else {}, user_id=current_user.id)
    if orders:
        flash(_("Draft purchase orders created: %(numbers)s.",
                numbers=", ".join(order.number for order in orders)), "success")
    else:
        flash(_("No purchase order was created: no suggested product has a supplier."),
              "warning")
    if skipped:
        skus = db.session.scalars(select(Product.sku).where(Product.id.in_(skipped))
                                  .order_by(Product.sku)).all()
        flash(_("Left out, without a supplier: %(skus)s. Set a default supplier on these "
                "products.", skus=", ".join(skus)), "warning")
    if len(orders) == 1:
        return redirect(url_for("purchasing.show_order", order_id=orders[0].id))
    return redirect(url_for("purchasing.list_orders", state=DRAFT))


# --------------------------------------------------------------------------- suppliers


@bp.get("/suppliers")
@require("purchase_orders", "read")
def list_suppliers():
    q = (request.args.get("q") or "").strip()
    stmt = select(Partner).where(Partner.is_supplier.is_(True)).order_by(Partner.name)
    if q:
        stmt = search(stmt, q, (Partner.name, Partner.code, Partner.email))
    page = paginate(stmt)
    return render_template("erp/purchasing/suppliers.html", page=page, q=q)


@bp.get("/suppliers/<int:partner_id>")
@require("purchase_orders", "read")
def show_supplier(partner_id: int):
    """The supplier's whole picture: open orders with receipt and bill status, bills,
    payments, what we owe and what is overdue, promised versus actual lead time."""
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    orders = db.session.scalars(services.supplier_orders_query(partner_id).limit(100)).all()
    services.with_lines(list(orders))
    finance = can("invoices", "read")
    bills = db.session.scalars(invoice_query(kind=VENDOR_BILL, partner_id=partner_id)
                               .limit(50)).all() if finance else None
    payments = db.session.scalars(payment_query(partner_id).limit(50)).all() \
        if finance else None
    return render_template(
        "erp/purchasing/supplier.html", partner=partner, orders=orders, bills=bills,
        payments=payments, balance=partner_balance(partner_id) if finance else None,
        lead=services.lead_times(partner_id), today=company_today())


# --------------------------------------------------------------------------- supplier prices


def supplier_prices_panel(product):
    """The product page's supplier prices (registered as a product panel): read by whoever
    reads products, edited by whoever writes them (API.md: "Roles: as products")."""
    form = SupplierPriceForm()
    form.supplier_id.choices = [blank_choice(), *supplier_choices()]
    return ("erp/purchasing/_supplier_prices.html",
            {"product": product, "prices": services.supplier_prices_of(product.id),
             "form": form, "may_edit": can("products", "write")})


@bp.post("/products/<int:product_id>/supplier-prices")
@require("products", "write")
def add_supplier_price(product_id: int):
    form = SupplierPriceForm()
    form.supplier_id.choices = [blank_choice(), *supplier_choices()]
    if form.validate_on_submit():
        try:
            services.create_supplier_price(product_id, form.values())
        except DomainError as exc:
            flash(_("The supplier price was not saved: %(why)s", why="; ".join(
                f"{form[k].label.text if k in form else k}: {v}"
                for k, v in exc.fields.items()) or exc.message), "danger")
        else:
            flash(_("Supplier price added."), "success")
    else:
        flash(_("The form expired; please try again."), "warning")
    return redirect(url_for("products.show_product", product_id=product_id))


@bp.post("/supplier-prices/<int:price_id>/delete")
@require("products", "write")
def delete_supplier_price(price_id: int):
    price = services.get_supplier_price(price_id)
    product_id = price.product_id
    if _checked_form():
        services.delete_supplier_price(price_id)
        flash(_("Supplier price removed."), "success")
    return redirect(url_for("products.show_product", product_id=product_id))


# --------------------------------------------------------------------------- home


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def home_cards() -> list[HomeCard]:
    """Warehouse: orders to receive (late ones in red); buyers: late orders and drafts."""
    cards = []
    if can("purchase_orders", "receive"):
        n = _count(services.to_receive_query())
        late = _count(services.order_query(late=True))
        cards.append(HomeCard(_("Purchases to receive"), str(n),
                              url_for("purchasing.to_receive"), attention=late > 0))
    if can("purchase_orders", "write"):
        late = _count(services.order_query(late=True))
        cards.append(HomeCard(_("Late purchase orders"), str(late),
                              url_for("purchasing.list_orders", late=1), attention=late > 0))
    return cards
