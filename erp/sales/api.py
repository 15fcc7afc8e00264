"""/api/v1/sales-orders: quotations and orders, and their actions (API.md)."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from erp.sales import pdf, rules, services
from erp.sales.models import SalesOrder
from shared.api import api_blueprint, int_arg, json_body, page_json, paginate
from shared.permissions import require
from shared.ui import pdf_response

bp = api_blueprint("sales_api", __name__)

ORDER_FIELDS = ("id", "number", "partner_id", "opportunity_id", "state", "invoice_status",
                "order_date", "currency", "untaxed_amount", "tax_amount", "total",
                "customer_reference", "notes", "salesperson_id", "created_at", "confirmed_at",
                "cancelled_at", "credit_override_by_id", "credit_override_at",
                "credit_override_reason")
LINE_FIELDS = ("id", "product_id", "description", "quantity", "unit_price", "discount_pct",
               "tax_rate", "reserved_qty", "delivered_qty", "invoiced_qty", "subtotal", "tax",
               "total")


def order_json(order: SalesOrder) -> dict:
    data = {field: getattr(order, field) for field in ORDER_FIELDS}
    data["partner_name"] = order.partner.name
    data["lines"] = [{**{field: getattr(line, field) for field in LINE_FIELDS},
                      "sku": line.product.sku, "product_type": line.product_type}
                     for line in order.lines]
    data["allowed_actions"] = sorted(rules.allowed_actions(order, current_user))
    return data


def optional_body() -> dict:
    """Actions take an optional JSON object: no body at all means {}."""
    return json_body() if request.get_data() else {}


@bp.get("/sales-orders")
@require("sales_orders", "read")
def list_orders():
    stmt = services.order_query(
        q=request.args.get("q") or None, state=request.args.get("state") or None,
        invoice_status=request.args.get("invoice_status") or None,
        partner_id=int_arg("partner_id"), opportunity_id=int_arg("opportunity_id"),
        salesperson_id=int_arg("salesperson_id"))
    page = paginate(stmt)
    services.with_lines(page.items)
    return page_json(page, [order_json(order) for order in page.items])


@bp.post("/sales-orders")
@require("sales_orders", "write")
def create_order():
    return order_json(services.create_order(json_body(), user_id=current_user.id)), 201


@bp.get("/sales-orders/<int:order_id>")
@require("sales_orders", "read")
def get_order(order_id: int):
    return order_json(services.get_order(order_id))


@bp.patch("/sales-orders/<int:order_id>")
@require("sales_orders", "write")
def patch_order(order_id: int):
    return order_json(services.update_order(order_id, json_body()))


@bp.post("/sales-orders/<int:order_id>/confirm")
@require("sales_orders", "confirm")
def confirm_order(order_id: int):
    """Sales and admins confirm; finance only to override the credit limit (the service
    says so)."""
    return order_json(services.confirm_order(order_id, optional_body(),
                                             user_id=current_user.id))


@bp.post("/sales-orders/<int:order_id>/reserve")
@require("sales_orders", "reserve")
def reserve_order(order_id: int):
    """Reserve again: stock that arrived since confirmation goes to this order."""
    return order_json(services.reserve_order(order_id))


@bp.post("/sales-orders/reserve-waiting")
@require("sales_orders", "reserve")
def reserve_waiting():
    """Give free stock to every waiting order, oldest first: {"items": [orders helped]}."""
    return {"items": [order_json(order) for order in services.reserve_waiting()]}


@bp.post("/sales-orders/<int:order_id>/deliver")
@require("sales_orders", "deliver")
def deliver_order(order_id: int):
    return order_json(services.deliver_order(order_id, optional_body(),
                                             user_id=current_user.id))


@bp.post("/sales-orders/<int:order_id>/invoice")
@require("sales_orders", "invoice")
def invoice_order(order_id: int):
    invoice = services.invoice_order(order_id, user_id=current_user.id)
    return {"invoice_id": invoice.id}, 201


@bp.post("/sales-orders/<int:order_id>/cancel")
@require("sales_orders", "write")
def cancel_order(order_id: int):
    return order_json(services.cancel_order(order_id))


@bp.get("/sales-orders/<int:order_id>/deliveries")
@require("sales_orders", "read")
def order_deliveries(order_id: int):
    services.get_order(order_id)
    return {"items": [{"id": d.id, "number": d.number, "created_at": d.created_at,
                       "user_id": d.user_id,
                       "lines": [{"line_id": dl.order_line_id, "move_id": dl.move_id,
                                  "quantity": dl.quantity} for dl in d.lines]}
                      for d in services.deliveries_of(order_id)]}


@bp.get("/sales-orders/to-deliver")
@require("sales_orders", "read")
def to_deliver():
    """The warehouse queue: confirmed orders with reserved stock, oldest first."""
    page = paginate(services.to_deliver_query())
    services.with_lines(page.items)
    return page_json(page, [order_json(order) for order in page.items])


@bp.get("/sales-orders/<int:order_id>/pdf")
@require("sales_orders", "read")
def order_pdf(order_id: int):
    """The quotation (a draft) or sales order as the customer receives it; never stored."""
    content, name = pdf.order_pdf(order_id)
    return pdf_response(content, name)
