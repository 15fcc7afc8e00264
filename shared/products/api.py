"""/api/v1/products"""
from __future__ import annotations

from flask import request

from shared.api import api_blueprint, bool_arg, int_arg, json_body, page_json, paginate
from shared.permissions import require
from shared.products import services
from shared.products.models import Product

bp = api_blueprint("products_api", __name__)

PRODUCT_FIELDS = ("id", "sku", "barcode", "name", "type", "uom", "list_price", "cost_price",
                  "tax_rate", "reorder_point", "reorder_qty", "default_supplier_id", "active",
                  "created_at")


def products_json(products: list[Product]) -> list[dict]:
    """Products with their stock figures, read for the whole list in one go."""
    figures = services.stock_figures(p.id for p in products)
    return [{**{field: getattr(p, field) for field in PRODUCT_FIELDS},
             "on_hand": figures[p.id][0], "reserved": figures[p.id][1],
             "available": figures[p.id][2]} for p in products]


def product_json(product: Product) -> dict:
    return products_json([product])[0]


@bp.get("/products")
@require("products", "read")
def list_products():
    page = paginate(services.product_query(
        request.args.get("q"), type_=request.args.get("type") or None,
        active=bool_arg("active"), supplier_id=int_arg("supplier_id"),
        sku=request.args.get("sku") or None, barcode=request.args.get("barcode") or None))
    return page_json(page, products_json(page.items))


@bp.post("/products")
@require("products", "write")
def create_product():
    return product_json(services.create_product(json_body())), 201


@bp.get("/products/<int:product_id>")
@require("products", "read")
def get_product(product_id: int):
    return product_json(services.get_product(product_id))


@bp.patch("/products/<int:product_id>")
@require("products", "write")
def patch_product(product_id: int):
    return product_json(services.update_product(product_id, json_body()))
