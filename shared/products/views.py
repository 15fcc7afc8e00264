"""Product pages: list with search and filters, detail, create and edit."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from shared.api import paginate
from shared.extensions import db
from shared.forms import run_form
from shared.partners.models import Partner
from shared.permissions import require
from shared.products import services
from shared.products.forms import TYPE_LABELS, ProductForm
from shared.registry import current_registry

bp = Blueprint("products", __name__, url_prefix="/products")

ACTIVE_FILTERS = {"active": True, "archived": False}

def product_panels(product) -> list[tuple[str, dict[str, Any]]]:
    """Panels other areas add to the product page (inventory: levels and moves), wired in
    their init_app so shared/ never imports them."""
    return [shown for panel in current_registry().product_panels
            if (shown := panel(product)) is not None]


@bp.get("/")
@require("products", "read")
def list_products():
    q = request.args.get("q", "")
    type_ = request.args.get("type", "")
    status = request.args.get("status", "active")
    page = paginate(services.product_query(q, type_=type_ or None,
                                           active=ACTIVE_FILTERS.get(status)))
    template = "shared/products/_table.html" if request.headers.get("HX-Request") \
        else "shared/products/list.html"
    return render_template(template, page=page, q=q, type_=type_, status=status,
                           figures=services.stock_figures(p.id for p in page.items),
                           type_labels=TYPE_LABELS)


@bp.get("/<int:product_id>")
@require("products", "read")
def show_product(product_id: int):
    product = services.get_product(product_id)
    supplier = db.session.get(Partner, product.default_supplier_id) \
        if product.default_supplier_id else None
    return render_template("shared/products/show.html", product=product, supplier=supplier,
                           figures=services.stock_figures([product.id])[product.id],
                           type_labels=TYPE_LABELS, panels=product_panels(product))


def _supplier_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Partner.id, Partner.name)
                              .where(Partner.is_supplier.is_(True))
                              .order_by(Partner.name).limit(500))
    return [(row.id, row.name) for row in rows]


def _form_page(form: ProductForm, product, save):
    form.set_supplier_choices(_supplier_choices())
    saved = run_form(form, save)
    if saved is not None:
        flash(_("Product %(sku)s saved.", sku=saved.sku), "success")
        return redirect(url_for("products.show_product", product_id=saved.id))
    return render_template("shared/products/form.html", form=form, product=product)


@bp.route("/new", methods=["GET", "POST"])
@require("products", "write")
def new_product():
    return _form_page(ProductForm(), None, services.create_product)


@bp.route("/<int:product_id>/edit", methods=["GET", "POST"])
@require("products", "write")
def edit_product(product_id: int):
    product = services.get_product(product_id)
    form = ProductForm(obj=product)
    if request.method == "GET":
        form.default_supplier_id.data = str(product.default_supplier_id or "")
    return _form_page(form, product,
                      lambda values: services.update_product(product_id, values))
