"""/api/v1/purchase-orders and /api/v1/.../supplier-prices (API.md, "Purchasing, further")."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from erp.purchasing import pdf, rules, services
from erp.purchasing.models import PurchaseOrder, SupplierPrice
from shared.api import api_blueprint, bool_arg, int_arg, json_body, page_json, paginate
from shared.dates import company_today
from shared.permissions import require
from shared.ui import pdf_response

bp = api_blueprint("purchasing_api", __name__)

ORDER_FIELDS = ("id", "number", "supplier_id", "state", "order_date", "expected_date",
                "currency", "untaxed_amount", "tax_amount", "total", "supplier_reference",
                "notes", "created_at", "confirmed_at", "received_at", "cancelled_at")
LINE_FIELDS = ("id", "product_id", "description", "quantity", "unit_price", "discount_pct",
               "tax_rate", "received_qty", "billed_qty", "subtotal", "tax", "total",
               "supplier_sku")
PRICE_FIELDS = ("id", "product_id", "supplier_id", "supplier_sku", "price", "min_qty",
                "lead_time_days")


def order_json(order: PurchaseOrder) -> dict:
    data = {field: getattr(order, field) for field in ORDER_FIELDS}
    data["supplier_name"] = order.supplier.name
    data["bill_status"] = order.bill_status
    data["late"] = order.is_late(company_today())
    data["lines"] = [{**{field: getattr(line, field) for field in LINE_FIELDS},
                      "sku": line.product.sku, "product_type": line.product_type,
                      "to_receive_qty": line.to_receive_qty, "to_bill_qty": line.to_bill_qty}
                     for line in order.lines]
    data["allowed_actions"] = sorted(rules.allowed_actions(order, current_user))
    return data


def price_json(price: SupplierPrice) -> dict:
    return {**{field: getattr(price, field) for field in PRICE_FIELDS},
            "supplier_name": price.supplier.name}


def optional_body() -> dict:
    """Actions take an optional JSON object: no body at all means {}."""
    return json_body() if request.get_data() else {}


# --------------------------------------------------------------------------- supplier prices


@bp.get("/products/<int:product_id>/supplier-prices")
@require("products", "read")
def list_supplier_prices(product_id: int):
    return {"items": [price_json(p) for p in services.supplier_prices_of(product_id)]}


@bp.post("/products/<int:product_id>/supplier-prices")
@require("products", "write")
def create_supplier_price(product_id: int):
    return price_json(services.create_supplier_price(product_id, json_body())), 201


@bp.patch("/supplier-prices/<int:price_id>")
@require("products", "write")
def patch_supplier_price(price_id: int):
    return price_json(services.update_supplier_price(price_id, json_body()))


@bp.delete("/supplier-prices/<int:price_id>")
@require("products", "write")
def delete_supplier_price(price_id: int):
    services.delete_supplier_price(price_id)
    return "", 204


# --------------------------------------------------------------------------- orders


@bp.get("/purchase-orders")
@require("purchase_orders", "read")
def list_orders():
    stmt = services.order_query(
        q=request.args.get("q") or None, state=request.args.get("state") or None,
        supplier_id=int_arg("supplier_id"), late=bool_arg("late"))
    page = paginate(stmt)
    services.with_lines(page.items)
    return page_json(page, [order_json(order) for order in page.items])


@bp.post("/purchase-orders")
@require("purchase_orders", "write")
def create_order():
    return order_json(services.create_order(json_body(), user_id=current_user.id)), 201


@bp.post("/purchase-orders/from-suggestions")
@require("purchase_orders", "replenish")
def from_suggestions():
    """One draft per default supplier from the reorder suggestions."""
    orders, skipped = services.create_from_suggestions(optional_body(),
                                                       user_id=current_user.id)
    return {"purchase_order_ids": [order.id for order in orders],
            "skipped_product_ids": skipped}, 201


@bp.get("/purchase-orders/to-receive")
@require("purchase_orders", "read")
def to_receive():
    """The warehouse queue: confirmed orders with goods to come, earliest expected first."""
    page = paginate(services.to_receive_query())
    services.with_lines(page.items)
    return page_json(page, [order_json(order) for order in page.items])


@bp.get("/purchase-orders/<int:order_id>")
@require("purchase_orders", "read")
def get_order(order_id: int):
    return order_json(services.get_order(order_id))


@bp.patch("/purchase-orders/<int:order_id>")
@require("purchase_orders", "write")
def patch_order(order_id: int):
    return order_json(services.update_order(order_id, json_body(), user_id=current_user.id))


@bp.post("/purchase-orders/<int:order_id>/confirm")
@require("purchase_orders", "write")
def confirm_order(order_id: int):
    return order_json(services.confirm_order(order_id, user_id=current_user.id))


@bp.post("/purchase-orders/<int:order_id>/receive")
@require("purchase_orders", "receive")
def receive_order(order_id: int):
    return order_json(services.receive_order(order_id, optional_body(),
                                             user_id=current_user.id))


@bp.post("/purchase-orders/<int:order_id>/bill")
@require("purchase_orders", "write")
def bill_order(order_id: int):
    invoice = services.bill_order(order_id, user_id=current_user.id)
    return {"invoice_id": invoice.id}, 201


@bp.post("/purchase-orders/<int:order_id>/cancel")
@require("purchase_orders", "write")
def cancel_order(order_id: int):
    return order_json(services.cancel_order(order_id, user_id=current_user.id))


@bp.get("/purchase-orders/<int:order_id>/receipts")
@require("purchase_orders", "read")
def order_receipts(order_id: int):
    services.get_order(order_id)
    return {"items": [{"id": r.id, "number": r.number, "created_at": r.created_at,
                       "user_id": r.user_id,
                       "lines": [{"line_id": rl.order_line_id, "move_id": rl.move_id,
                                  "quantity": rl.quantity, "unit_cost": rl.unit_cost}
                                 for rl in r.lines]}
                      for r in services.receipts_of(order_id)]}


@bp.get("/purchase-orders/<int:order_id>/pdf")
@require("purchase_orders", "read")
def order_pdf(order_id: int):
    """The order as the supplier receives it; never stored."""
    content, name = pdf.order_pdf(order_id)
    return pdf_response(content, name)
