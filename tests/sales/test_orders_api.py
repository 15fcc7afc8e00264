"""The /sales-orders contract of API.md: fields, states, invoice status, errors, roles."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import row_count
from tests.sales.conftest import line_of


def test_a_quotation_has_its_number_at_creation_and_defaults_from_the_product(shop, sales):
    order = shop.order(sales, (shop.lamp, 2), (shop.setup, 1))
    assert order["number"] == "SO00001"
    assert order["state"] == "draft" and order["invoice_status"] == "nothing"
    lamp = line_of(order, shop.lamp)
    assert (lamp["description"], lamp["unit_price"], lamp["tax_rate"]) == \
        ("LED 台灯 Desk Lamp", "199.00", "13.00")
    assert (lamp["subtotal"], lamp["tax"], lamp["total"]) == ("398.00", "51.74", "449.74")
    assert (order["untaxed_amount"], order["tax_amount"], order["total"]) == \
        ("698.00", "69.74", "767.74")
    assert shop.order(sales, (shop.lamp, 1))["number"] == "SO00002"
    assert sales.get(f"/sales-orders/{order['id']}").json == order


def test_discounts_round_half_up_per_line(shop, sales):
    r = sales.post("/sales-orders", json={"partner_id": shop.customer, "lines": [
        {"product_id": shop.lamp, "quantity": "3", "unit_price": "33.33",
         "discount_pct": "12.5", "tax_rate": "13"}]})
    line = r.json["lines"][0]
    # 3 x 33.33 = 99.99, less 12.5 % = 87.49125 -> 87.49; tax 11.3737 -> 11.37
    assert (line["subtotal"], line["tax"], line["total"]) == ("87.49", "11.37", "98.86")


@pytest.mark.parametrize("bad_line, field, why", [
    ({"quantity": "0"}, "lines.0.quantity", "greater than"),
    ({"quantity": "-2"}, "lines.0.quantity", "greater than"),
    ({"quantity": "abc"}, "lines.0.quantity", ""),
    ({"product_id": 999999}, "lines.0.product_id", "No such product"),
    ({"discount_pct": "101"}, "lines.0.discount_pct", ""),
])
def test_bad_lines_are_422_and_nothing_is_written(app, shop, sales, bad_line, field, why):
    from erp.sales.models import SalesOrder
    line = {"product_id": shop.lamp, "quantity": "1", **bad_line}
    r = sales.post("/sales-orders", json={"partner_id": shop.customer, "lines": [line]})
    assert r.status_code == 422, r.json
    assert field in r.json["error"]["fields"]
    assert why in r.json["error"]["fields"][field]
    assert row_count(app, SalesOrder) == 0


def test_every_bad_line_is_reported_at_once(shop, sales):
    r = sales.post("/sales-orders", json={"partner_id": shop.customer, "lines": [
        {"product_id": shop.lamp, "quantity": "0"}, {"product_id": shop.lamp, "quantity": "1"},
        {"product_id": 424242, "quantity": "1"}]})
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"lines.0.quantity", "lines.2.product_id"}


def test_archived_products_and_non_customers_are_refused(app, shop, sales, admin_api):
    from erp.sales.models import SalesOrder
    assert admin_api.patch(f"/products/{shop.chair}", json={"active": False}).status_code == 200
    r = sales.post("/sales-orders", json={"partner_id": shop.customer,
                                          "lines": [{"product_id": shop.chair, "quantity": 1}]})
    assert r.status_code == 422
    assert "archived" in r.json["error"]["fields"]["lines.0.product_id"]
    supplier = shop.partner("Nordic Paper AB", is_customer=False, is_supplier=True)
    r = sales.post("/sales-orders", json={"partner_id": supplier, "lines": []})
    assert r.status_code == 422
    assert r.json["error"]["fields"]["partner_id"] == "Nordic Paper AB is not a customer."
    assert row_count(app, SalesOrder) == 0


def test_a_draft_is_edited_and_a_confirmed_order_is_immutable(shop, sales):
    order = shop.order(sales, (shop.lamp, 1))
    r = sales.patch(f"/sales-orders/{order['id']}", json={
        "customer_reference": "PO-7781", "lines": [{"product_id": shop.chair, "quantity": 2}]})
    assert r.status_code == 200, r.json
    assert r.json["customer_reference"] == "PO-7781"
    assert [(li["product_id"], li["quantity"]) for li in r.json["lines"]] == \
        [(shop.chair, "2.000")]
    assert r.json["total"] == "1017.00"
    assert sales.post(f"/sales-orders/{order['id']}/confirm").status_code == 200
    r = sales.patch(f"/sales-orders/{order['id']}", json={"notes": "late change"})
    assert r.status_code == 409 and r.json["error"]["code"] == "immutable"
    assert sales.get(f"/sales-orders/{order['id']}").json["notes"] is None


def test_confirm_reserves_what_is_available_and_the_rest_waits(shop, sales):
    order = shop.order(sales, (shop.lamp, 4), (shop.chair, 8), (shop.setup, 1))
    r = sales.post(f"/sales-orders/{order['id']}/confirm")
    assert r.status_code == 200, r.json
    order = r.json
    assert order["state"] == "confirmed"
    assert line_of(order, shop.lamp)["reserved_qty"] == "4.000"
    assert line_of(order, shop.chair)["reserved_qty"] == "5.000"
    assert line_of(order, shop.setup)["reserved_qty"] == "0.000"
    assert order["invoice_status"] == "to_invoice"  # the service is invoiceable at once
    assert shop.level(shop.lamp) == (Decimal(10), Decimal(4), Decimal(6))
    assert shop.level(shop.chair) == (Decimal(5), Decimal(5), Decimal(0))
    r = sales.post(f"/sales-orders/{order['id']}/confirm")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"
    assert shop.level(shop.chair) == (Decimal(5), Decimal(5), Decimal(0))


def test_an_empty_quotation_cannot_be_confirmed(shop, sales):
    order = shop.order(sales)
    r = sales.post(f"/sales-orders/{order['id']}/confirm")
    assert r.status_code == 422 and "lines" in r.json["error"]["fields"]


def test_reserve_again_gives_arrivals_to_the_backorder(shop, sales):
    order = shop.order(sales, (shop.chair, 8))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    shop.receive(shop.chair, 2)
    r = sales.post(f"/sales-orders/{order['id']}/reserve")
    assert r.status_code == 200
    assert r.json["lines"][0]["reserved_qty"] == "7.000"
    assert shop.level(shop.chair) == (Decimal(7), Decimal(7), Decimal(0))


def test_deliver_defaults_to_what_is_reserved_and_leaves_a_backorder(shop, sales, warehouse):
    order = shop.order(sales, (shop.lamp, 4), (shop.chair, 8))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    r = warehouse.post(f"/sales-orders/{order['id']}/deliver")
    assert r.status_code == 200, r.json
    order = r.json
    assert order["state"] == "partially_delivered"
    chair = line_of(order, shop.chair)
    assert (chair["delivered_qty"], chair["reserved_qty"]) == ("5.000", "0.000")
    assert line_of(order, shop.lamp)["delivered_qty"] == "4.000"
    assert shop.level(shop.chair) == (Decimal(0), Decimal(0), Decimal(0))
    assert shop.level(shop.lamp) == (Decimal(6), Decimal(0), Decimal(6))
    moves = warehouse.get(f"/stock/moves?reference={order['number']}").json
    assert {(m["product_id"], m["quantity"]) for m in moves["items"]} == \
        {(shop.lamp, "4.000"), (shop.chair, "5.000")}
    assert {m["note"] for m in moves["items"]} == {"WH/OUT/00001"}
    deliveries = warehouse.get(f"/sales-orders/{order['id']}/deliveries").json["items"]
    assert [d["number"] for d in deliveries] == ["WH/OUT/00001"]
    shop.receive(shop.chair, 3)
    r = warehouse.post(f"/sales-orders/{order['id']}/deliver",
                       json={"lines": [{"line_id": chair["id"], "quantity": "3"}]})
    assert r.status_code == 200, r.json
    assert r.json["state"] == "delivered"


def test_delivering_more_than_ordered_or_on_hand_is_refused(app, shop, sales, warehouse):
    from erp.inventory.models import StockMove
    order = shop.order(sales, (shop.chair, 8))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    line_id = order["lines"][0]["id"]
    moves = row_count(app, StockMove)
    r = warehouse.post(f"/sales-orders/{order['id']}/deliver",
                       json={"lines": [{"line_id": line_id, "quantity": "9"}]})
    assert r.status_code == 422
    assert r.json["error"]["fields"]["lines.0.quantity"] == \
        "Only 8 of CHAIR are left to deliver."
    r = warehouse.post(f"/sales-orders/{order['id']}/deliver",
                       json={"lines": [{"line_id": line_id, "quantity": "6"}]})
    assert r.status_code == 409 and r.json["error"]["code"] == "insufficient_stock"
    assert "CHAIR" in r.json["error"]["message"]
    assert row_count(app, StockMove) == moves
    after = sales.get(f"/sales-orders/{order['id']}").json
    assert after["lines"][0]["reserved_qty"] == "5.000" and after["state"] == "confirmed"


def test_a_draft_cannot_be_delivered_or_invoiced(shop, sales, warehouse, finance):
    order = shop.order(sales, (shop.lamp, 1))
    r = warehouse.post(f"/sales-orders/{order['id']}/deliver")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"
    r = finance.post(f"/sales-orders/{order['id']}/invoice")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"


def test_invoice_status_follows_deliveries_and_invoices(shop, sales, warehouse, finance):
    order = shop.order(sales, (shop.lamp, 4), (shop.chair, 8))
    oid = order["id"]
    sales.post(f"/sales-orders/{oid}/confirm")
    assert sales.get(f"/sales-orders/{oid}").json["invoice_status"] == "nothing"
    r = finance.post(f"/sales-orders/{oid}/invoice")
    assert r.status_code == 409 and r.json["error"]["code"] == "nothing_to_invoice"
    warehouse.post(f"/sales-orders/{oid}/deliver")
    assert sales.get(f"/sales-orders/{oid}").json["invoice_status"] == "to_invoice"
    r = finance.post(f"/sales-orders/{oid}/invoice")
    assert r.status_code == 201
    invoice = finance.get(f"/invoices/{r.json['invoice_id']}").json
    assert invoice["sales_order_id"] == oid and invoice["state"] == "draft"
    listed = finance.get(f"/invoices?sales_order_id={oid}").json["items"]
    assert [i["id"] for i in listed] == [invoice["id"]]
    assert [(li["description"], li["quantity"]) for li in invoice["lines"]] == \
        [("LED 台灯 Desk Lamp", "4.000"), ("Office Chair 办公椅", "5.000")]
    order = sales.get(f"/sales-orders/{oid}").json
    assert order["invoice_status"] == "partially_invoiced"
    assert line_of(order, shop.chair)["invoiced_qty"] == "5.000"
    r = finance.post(f"/sales-orders/{oid}/invoice")
    assert r.status_code == 409 and r.json["error"]["code"] == "nothing_to_invoice"
    # Cancelling the draft invoice gives the quantities back to the order.
    assert finance.post(f"/invoices/{invoice['id']}/cancel").status_code == 200
    assert sales.get(f"/sales-orders/{oid}").json["invoice_status"] == "to_invoice"
    r = finance.post(f"/sales-orders/{oid}/invoice")
    assert r.status_code == 201
    shop.receive(shop.chair, 3)
    warehouse.post(f"/sales-orders/{oid}/deliver",
                   json={"lines": [{"line_id": line_of(order, shop.chair)["id"],
                                    "quantity": "3"}]})
    assert finance.post(f"/sales-orders/{oid}/invoice").status_code == 201
    order = sales.get(f"/sales-orders/{oid}").json
    assert (order["state"], order["invoice_status"]) == ("delivered", "invoiced")


def test_a_credit_note_lets_the_credited_quantity_be_invoiced_again(shop, sales, warehouse,
                                                                   finance):
    order = shop.order(sales, (shop.lamp, 2))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    warehouse.post(f"/sales-orders/{order['id']}/deliver")
    invoice_id = finance.post(f"/sales-orders/{order['id']}/invoice").json["invoice_id"]
    finance.post(f"/invoices/{invoice_id}/post")
    line = finance.get(f"/invoices/{invoice_id}").json["lines"][0]
    r = finance.post(f"/invoices/{invoice_id}/credit-note",
                     json={"lines": [{"invoice_line_id": line["id"], "quantity": "1"}]})
    assert r.status_code == 201, r.json
    after = sales.get(f"/sales-orders/{order['id']}").json
    assert after["lines"][0]["invoiced_qty"] == "1.000"
    assert after["invoice_status"] == "to_invoice"


def test_editing_a_draft_invoice_keeps_its_link_to_the_order_line(shop, sales, warehouse,
                                                                 finance):
    order = shop.order(sales, (shop.lamp, 2))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    warehouse.post(f"/sales-orders/{order['id']}/deliver")
    invoice_id = finance.post(f"/sales-orders/{order['id']}/invoice").json["invoice_id"]
    line = finance.get(f"/invoices/{invoice_id}").json["lines"][0]
    r = finance.patch(f"/invoices/{invoice_id}", json={"lines": [
        {"description": line["description"], "quantity": "1", "unit_price": "180.00",
         "sales_order_line_id": line["sales_order_line_id"]}]})
    assert r.status_code == 200, r.json
    after = sales.get(f"/sales-orders/{order['id']}").json
    assert after["lines"][0]["invoiced_qty"] == "1.000"
    r = finance.patch(f"/invoices/{invoice_id}", json={"lines": [
        {"description": "x", "quantity": "1", "unit_price": "1", "sales_order_line_id": 99999}]})
    assert r.status_code == 422
    assert "lines.0.sales_order_line_id" in r.json["error"]["fields"]


def test_cancel_releases_reservations_and_is_refused_after_a_delivery(shop, sales, warehouse):
    order = shop.order(sales, (shop.lamp, 3))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    assert shop.level(shop.lamp) == (Decimal(10), Decimal(3), Decimal(7))
    r = sales.post(f"/sales-orders/{order['id']}/cancel")
    assert r.status_code == 200 and r.json["state"] == "cancelled"
    assert r.json["lines"][0]["reserved_qty"] == "0.000"
    assert shop.level(shop.lamp) == (Decimal(10), Decimal(0), Decimal(10))
    delivered = shop.order(sales, (shop.lamp, 3))
    sales.post(f"/sales-orders/{delivered['id']}/confirm")
    warehouse.post(f"/sales-orders/{delivered['id']}/deliver",
                   json={"lines": [{"line_id": delivered["lines"][0]["id"], "quantity": 1}]})
    r = sales.post(f"/sales-orders/{delivered['id']}/cancel")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"
    assert "deliveries" in r.json["error"]["message"]
    assert shop.level(shop.lamp) == (Decimal(9), Decimal(2), Decimal(7))


def test_list_filters_and_search(shop, sales):
    first = shop.order(sales, (shop.lamp, 1), customer_reference="PO-4410")
    other = shop.partner("Harbor Lights Retail Ltd")
    second = shop.order(sales, (shop.lamp, 1), partner_id=other)
    sales.post(f"/sales-orders/{second['id']}/confirm")
    items = sales.get("/sales-orders").json
    assert items["total"] == 2 and [o["id"] for o in items["items"]] == [second["id"],
                                                                          first["id"]]
    assert [o["id"] for o in sales.get("/sales-orders?state=confirmed").json["items"]] == \
        [second["id"]]
    assert [o["id"] for o in sales.get("/sales-orders?q=harbor").json["items"]] == \
        [second["id"]]
    assert [o["id"] for o in sales.get("/sales-orders?q=PO-4410").json["items"]] == \
        [first["id"]]
    assert [o["id"] for o in sales.get(f"/sales-orders?partner_id={other}").json["items"]] \
        == [second["id"]]
    assert sales.get("/sales-orders?state=bogus").status_code == 422


def test_the_to_deliver_queue_is_oldest_first(shop, sales, warehouse):
    first = shop.order(sales, (shop.lamp, 1))
    second = shop.order(sales, (shop.lamp, 1))
    waiting = shop.order(sales, (shop.chair, 9))
    for order in (second, first, waiting):
        sales.post(f"/sales-orders/{order['id']}/confirm")
    shop.order(sales, (shop.lamp, 1))  # a draft is not in the queue
    queue = warehouse.get("/sales-orders/to-deliver").json["items"]
    assert [o["id"] for o in queue] == [second["id"], first["id"], waiting["id"]]
    warehouse.post(f"/sales-orders/{second['id']}/deliver")
    queue = warehouse.get("/sales-orders/to-deliver").json["items"]
    assert [o["id"] for o in queue] == [first["id"], waiting["id"]]


@pytest.mark.parametrize("role, method, path, body", [
    ("warehouse", "post", "/sales-orders", {}),
    ("finance", "post", "/sales-orders", {}),
    ("support", "post", "/sales-orders", {}),
    ("sales", "post", "/sales-orders/1/deliver", None),
    ("finance", "post", "/sales-orders/1/deliver", None),
    ("sales", "post", "/sales-orders/1/invoice", None),
    ("warehouse", "post", "/sales-orders/1/invoice", None),
    ("warehouse", "post", "/sales-orders/1/confirm", None),
    ("support", "post", "/sales-orders/1/confirm", None),
    ("finance", "post", "/sales-orders/1/confirm", None),  # only with the credit override
    ("warehouse", "patch", "/sales-orders/1", {}),
    ("finance", "post", "/sales-orders/1/cancel", None),
    ("finance", "post", "/sales-orders/1/reserve", None),
    ("support", "post", "/sales-orders/1/reserve", None),
])
def test_roles(shop, sales, api_as, role, method, path, body):
    shop.order(sales, (shop.lamp, 1))
    r = getattr(api_as(role), method)(path, json=body)
    assert r.status_code == 403, r.json
    assert sales.get("/sales-orders/1").json["state"] == "draft"


def test_every_role_reads_orders(shop, sales, api_as):
    shop.order(sales, (shop.lamp, 1))
    for role in ("admin", "sales", "warehouse", "finance", "support"):
        assert api_as(role).get("/sales-orders").json["total"] == 1


def test_unknown_order_is_404(sales):
    assert sales.get("/sales-orders/4242").status_code == 404
    assert sales.post("/sales-orders/4242/confirm").status_code == 404


def test_idempotent_creation(app, shop, sales):
    from erp.sales.models import SalesOrder
    body = {"partner_id": shop.customer, "lines": [{"product_id": shop.lamp, "quantity": 1}]}
    first = sales.post("/sales-orders", json=body, headers={"Idempotency-Key": "so-1"})
    again = sales.post("/sales-orders", json=body, headers={"Idempotency-Key": "so-1"})
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"]
    assert row_count(app, SalesOrder) == 1


def test_the_list_does_not_query_per_order(app, shop, sales):
    from tests.conftest import sql_statements
    for _ in range(3):
        shop.order(sales, (shop.lamp, 1), (shop.chair, 1))
    _, few = sql_statements(app, lambda: sales.get("/sales-orders"))
    for _ in range(6):
        shop.order(sales, (shop.lamp, 1), (shop.setup, 2))
    _, many = sql_statements(app, lambda: sales.get("/sales-orders"))
    assert len(many) == len(few)


def test_reserve_waiting_serves_the_oldest_orders_first(shop, sales, warehouse, api_as):
    older = shop.order(sales, (shop.chair, 4))
    newer = shop.order(sales, (shop.chair, 4), (shop.lamp, 1))
    sales.post(f"/sales-orders/{older['id']}/confirm")  # takes 4 of the 5 chairs
    sales.post(f"/sales-orders/{newer['id']}/confirm")  # 1 chair; 3 wait
    warehouse.post(f"/sales-orders/{older['id']}/deliver")
    shop.receive(shop.chair, 5)
    r = warehouse.post("/sales-orders/reserve-waiting")
    assert r.status_code == 200
    assert [o["id"] for o in r.json["items"]] == [newer["id"]]
    assert line_of(r.json["items"][0], shop.chair)["reserved_qty"] == "4.000"
    assert shop.level(shop.chair) == (Decimal(6), Decimal(4), Decimal(2))
    assert warehouse.post("/sales-orders/reserve-waiting").json["items"] == []
    for role in ("finance", "support"):
        assert api_as(role).post("/sales-orders/reserve-waiting").status_code == 403


def test_an_unknown_opportunity_or_salesperson_is_422(app, shop, sales):
    from erp.sales.models import SalesOrder
    r = sales.post("/sales-orders", json={"partner_id": shop.customer, "opportunity_id": 777})
    assert r.status_code == 422 and "opportunity_id" in r.json["error"]["fields"]
    r = sales.post("/sales-orders", json={"partner_id": shop.customer, "salesperson_id": 777})
    assert r.status_code == 422 and "salesperson_id" in r.json["error"]["fields"]
    assert row_count(app, SalesOrder) == 0
