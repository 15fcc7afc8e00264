"""Order to cash, CRM side: quoting an opportunity (with its expected lines), the opportunity
won when its order is confirmed, and GET /partners/{id}/summary."""
from __future__ import annotations

from datetime import timedelta

import pytest

from shared.errors import InvalidState
from shared.events import OrderConfirmed
from tests.conftest import sql_statements, subscribed, today

SUMMARY_KEYS = {"partner", "leads", "opportunities", "sales_orders", "invoices", "payments",
                "activities", "tickets", "totals", "counts", "hidden"}


def days_ago(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()


def opportunity(api, partner_id=None, lines=(), **extra):
    r = api.post("/opportunities", json={"title": "Lamps for the Hangzhou office",
                                         "partner_id": partner_id,
                                         "expected_revenue": "5000", "lines": list(lines),
                                         **extra})
    assert r.status_code == 201, r.json
    return r.json


def quote(api, opportunity_id):
    return api.post(f"/opportunities/{opportunity_id}/quote")


# --------------------------------------------------------------------------- lines


def test_opportunity_lines_are_created_replaced_and_validated(shop, sales):
    opp = opportunity(sales, shop.customer, lines=[
        {"product_id": shop.lamp, "quantity": "2"},
        {"product_id": shop.setup, "quantity": 1, "unit_price": "250"}])
    assert [(line["product_id"], line["quantity"], line["unit_price"], line["sku"])
            for line in opp["lines"]] == [(shop.lamp, "2.000", None, "LAMP"),
                                          (shop.setup, "1.000", "250.00", "SETUP")]
    got = sales.get(f"/opportunities/{opp['id']}").json
    assert got["lines"] == opp["lines"]
    listed = sales.get("/opportunities").json["items"][0]
    assert listed["lines"] == opp["lines"]
    r = sales.patch(f"/opportunities/{opp['id']}",
                    json={"lines": [{"product_id": shop.chair, "quantity": "3"}]})
    assert r.status_code == 200, r.json
    assert [(line["product_id"], line["quantity"]) for line in r.json["lines"]] == [
        (shop.chair, "3.000")]
    # a PATCH without `lines` keeps them
    r = sales.patch(f"/opportunities/{opp['id']}", json={"title": "Chairs"})
    assert len(r.json["lines"]) == 1
    bad = sales.patch(f"/opportunities/{opp['id']}", json={"lines": [
        {"product_id": 99999, "quantity": "1"}, {"product_id": shop.lamp, "quantity": "0"},
        {"product_id": shop.lamp, "quantity": "1", "unit_price": "-1"}]})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"lines.0.product_id", "lines.1.quantity",
                                                "lines.2.unit_price"}
    assert sales.patch(f"/opportunities/{opp['id']}", json={"lines": "x"}).status_code == 422
    assert len(sales.get(f"/opportunities/{opp['id']}").json["lines"]) == 1
    cleared = sales.patch(f"/opportunities/{opp['id']}", json={"lines": []}).json
    assert cleared["lines"] == []


# --------------------------------------------------------------------------- quote


def test_quote_makes_a_draft_order_with_the_expected_lines(shop, sales):
    opp = opportunity(sales, shop.customer, lines=[
        {"product_id": shop.lamp, "quantity": "2"},
        {"product_id": shop.setup, "quantity": "1", "unit_price": "250.00"}])
    r = quote(sales, opp["id"])
    assert r.status_code == 201, r.json
    assert set(r.json) == {"sales_order_id"}
    order = sales.get(f"/sales-orders/{r.json['sales_order_id']}").json
    assert order["state"] == "draft" and order["partner_id"] == shop.customer
    assert order["opportunity_id"] == opp["id"]
    assert order["salesperson_id"] == sales.user_id
    assert [(line["product_id"], line["quantity"], line["unit_price"])
            for line in order["lines"]] == [(shop.lamp, "2.000", "199.00"),
                                             (shop.setup, "1.000", "250.00")]
    assert order["untaxed_amount"] == "648.00"
    # the opportunity stays open until the order is confirmed; quoting again is allowed
    assert sales.get(f"/opportunities/{opp['id']}").json["status"] == "open"
    assert quote(sales, opp["id"]).status_code == 201


def test_quote_refuses_without_customer_lost_and_non_customers(shop, sales, admin_api):
    bare = opportunity(sales)
    r = quote(sales, bare["id"])
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"partner_id"}
    assert "customer" in r.json["error"]["message"]

    lost = opportunity(sales, shop.customer)
    sales.post(f"/opportunities/{lost['id']}/lose", json={"reason": "Too expensive"})
    r = quote(sales, lost["id"])
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"

    won = opportunity(sales, shop.customer, lines=[{"product_id": shop.lamp, "quantity": 1}])
    sales.post(f"/opportunities/{won['id']}/win")
    assert quote(sales, won["id"]).status_code == 201

    supplier = shop.partner("Nordic Paper AB", is_customer=False, is_supplier=True)
    vendor_opp = opportunity(sales, supplier)
    r = quote(sales, vendor_opp["id"])
    assert r.status_code == 422 and "partner_id" in r.json["error"]["fields"]
    assert quote(sales, 99999).status_code == 404
    assert sales.get("/sales-orders").json["total"] == 1


@pytest.mark.parametrize("role", ["warehouse", "finance", "support"])
def test_quote_is_for_sales_and_admins(shop, api_as, role):
    opp = opportunity(shop.api, shop.customer)
    assert quote(api_as(role), opp["id"]).status_code == 403
    assert quote(shop.api, opp["id"]).status_code == 201


# --------------------------------------------------------------------------- won on confirm


def test_confirming_the_quoted_order_wins_the_opportunity(shop, sales):
    opp = opportunity(sales, shop.customer, lines=[{"product_id": shop.lamp, "quantity": 2}])
    order_id = quote(sales, opp["id"]).json["sales_order_id"]
    r = sales.post(f"/sales-orders/{order_id}/confirm")
    assert r.status_code == 200, r.json
    got = sales.get(f"/opportunities/{opp['id']}").json
    assert got["status"] == "won" and got["probability"] == "100.00"
    # a second order of a won opportunity changes nothing
    second = quote(sales, opp["id"]).json["sales_order_id"]
    assert sales.post(f"/sales-orders/{second}/confirm").status_code == 200
    assert sales.get(f"/opportunities/{opp['id']}").json["closed_at"] == got["closed_at"]


def test_a_lost_opportunity_is_won_when_its_order_is_confirmed(shop, sales):
    opp = opportunity(sales, shop.customer, lines=[{"product_id": shop.lamp, "quantity": 1}])
    order_id = quote(sales, opp["id"]).json["sales_order_id"]
    sales.post(f"/opportunities/{opp['id']}/lose", json={"reason": "Went silent"})
    assert sales.post(f"/sales-orders/{order_id}/confirm").status_code == 200
    got = sales.get(f"/opportunities/{opp['id']}").json
    assert got["status"] == "won" and got["lost_reason"] is None


def test_a_failed_confirmation_leaves_the_opportunity_open(shop, sales, admin_api):
    opp = opportunity(sales, shop.customer, lines=[{"product_id": shop.lamp, "quantity": 2}])
    order_id = quote(sales, opp["id"]).json["sales_order_id"]
    admin_api.patch(f"/partners/{shop.customer}", json={"credit_limit": "1.00"})
    r = sales.post(f"/sales-orders/{order_id}/confirm")
    assert r.status_code == 409 and r.json["error"]["code"] == "credit_limit_exceeded"
    assert sales.get(f"/opportunities/{opp['id']}").json["status"] == "open"
    assert sales.get(f"/sales-orders/{order_id}").json["state"] == "draft"


def test_the_win_rolls_back_with_the_confirmation(app, shop, sales):
    """Whatever else fails in the confirming transaction undoes the win too."""
    opp = opportunity(sales, shop.customer, lines=[{"product_id": shop.lamp, "quantity": 1}])
    order_id = quote(sales, opp["id"]).json["sales_order_id"]

    def fail(_event):
        raise InvalidState("refused by a test receiver")

    with subscribed(app, OrderConfirmed, fail):
        r = sales.post(f"/sales-orders/{order_id}/confirm")
    assert r.status_code == 409
    assert sales.get(f"/opportunities/{opp['id']}").json["status"] == "open"
    assert sales.get(f"/sales-orders/{order_id}").json["state"] == "draft"


# --------------------------------------------------------------------------- summary


def order_to_cash(shop, sales, warehouse, finance):
    """lead -> opportunity -> quotation -> order -> delivery -> invoice (back-dated so it is
    overdue) -> a partial payment. Returns the ids."""
    lead = sales.post("/leads", json={"title": "Desk lamps", "company_name": "西湖贸易"}).json
    converted = sales.post(f"/leads/{lead['id']}/convert",
                           json={"partner_id": shop.customer}).json
    opp_id = converted["opportunity_id"]
    sales.patch(f"/opportunities/{opp_id}",
                json={"lines": [{"product_id": shop.lamp, "quantity": "2"}]})
    order_id = quote(sales, opp_id).json["sales_order_id"]
    assert sales.post(f"/sales-orders/{order_id}/confirm").status_code == 200
    assert warehouse.post(f"/sales-orders/{order_id}/deliver").status_code == 200
    invoice_id = finance.post(f"/sales-orders/{order_id}/invoice").json["invoice_id"]
    r = finance.patch(f"/invoices/{invoice_id}", json={"invoice_date": days_ago(40),
                                                       "due_date": days_ago(10)})
    assert r.status_code == 200, r.json
    assert finance.post(f"/invoices/{invoice_id}/post").status_code == 200
    payment = finance.post("/payments", json={
        "partner_id": shop.customer, "amount": "100.00", "date": today().isoformat(),
        "method": "bank", "reference": "BANK-1",
        "allocations": [{"invoice_id": invoice_id, "amount": "100.00"}]})
    assert payment.status_code == 201, payment.json
    return {"lead": lead["id"], "opportunity": opp_id, "order": order_id,
            "invoice": invoice_id, "payment": payment.json["id"]}


def test_summary_contract_after_invoice_and_partial_payment(shop, sales, warehouse, finance,
                                                            admin_api):
    ids = order_to_cash(shop, sales, warehouse, finance)
    r = admin_api.get(f"/partners/{shop.customer}/summary")
    assert r.status_code == 200, r.json
    body = r.json
    assert set(body) == SUMMARY_KEYS
    assert body["partner"] == admin_api.get(f"/partners/{shop.customer}").json
    assert body["leads"] == [admin_api.get(f"/leads/{ids['lead']}").json]
    assert body["opportunities"] == [admin_api.get(f"/opportunities/{ids['opportunity']}").json]
    assert body["opportunities"][0]["status"] == "won"
    assert body["sales_orders"] == [admin_api.get(f"/sales-orders/{ids['order']}").json]
    assert body["sales_orders"][0]["state"] == "delivered"
    assert body["sales_orders"][0]["invoice_status"] == "invoiced"
    assert body["invoices"] == [admin_api.get(f"/invoices/{ids['invoice']}").json]
    invoice = body["invoices"][0]
    assert (invoice["total"], invoice["amount_paid"], invoice["amount_due"]) == (
        "449.74", "100.00", "349.74")
    assert invoice["overdue"] is True
    assert [p["id"] for p in body["payments"]] == [ids["payment"]]
    assert body["payments"][0]["amount"] == "100.00"
    assert body["tickets"] == []
    assert body["totals"] == {"open_amount_due": "349.74", "overdue_amount": "349.74",
                              "lifetime_revenue": "398.00"}
    assert body["counts"] == {"leads": 1, "opportunities": 1, "sales_orders": 1,
                              "invoices": 1, "payments": 1, "activities": 0, "tickets": 0}
    assert body["hidden"] == []


def test_summary_of_a_new_customer_and_unknown_partner(shop, admin_api):
    body = admin_api.get(f"/partners/{shop.customer}/summary").json
    assert body["totals"] == {"open_amount_due": "0.00", "overdue_amount": "0.00",
                              "lifetime_revenue": "0.00"}
    assert all(body[key] == [] for key in ("leads", "opportunities", "sales_orders",
                                           "invoices", "payments", "tickets"))
    r = admin_api.get("/partners/99999/summary")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(("role", "hidden"), [
    ("sales", []),
    ("finance", []),
    ("warehouse", ["activities", "invoices", "leads", "opportunities", "payments", "tickets",
                   "totals"]),
    ("support", ["activities", "leads", "opportunities"]),
])
def test_summary_hides_what_the_role_may_not_read(shop, sales, warehouse, finance, api_as,
                                                  role, hidden):
    order_to_cash(shop, sales, warehouse, finance)
    r = api_as(role).get(f"/partners/{shop.customer}/summary")
    assert r.status_code == 200, r.json
    body = r.json
    assert set(body) == SUMMARY_KEYS
    assert body["hidden"] == hidden
    for section in ("leads", "opportunities", "invoices", "payments"):
        assert (body[section] == []) == (section in hidden), section
        assert (body["counts"][section] == 0) == (section in hidden), section
    assert len(body["sales_orders"]) == 1  # every role reads sales orders
    if "totals" in hidden:
        assert body["totals"] == {"open_amount_due": None, "overdue_amount": None,
                                  "lifetime_revenue": None}
    else:
        assert body["totals"]["open_amount_due"] == "349.74"


def test_summary_needs_sign_in(client, shop):
    assert client.get(f"/api/v1/partners/{shop.customer}/summary").status_code == 401


def test_summary_query_count_does_not_grow_with_the_records(app, shop, sales, finance,
                                                            admin_api):
    def add_records(n):
        for _ in range(n):
            opp = opportunity(sales, shop.customer,
                              lines=[{"product_id": shop.setup, "quantity": 1}])
            order_id = quote(sales, opp["id"]).json["sales_order_id"]
            assert sales.post(f"/sales-orders/{order_id}/confirm").status_code == 200
            invoice_id = finance.post(f"/sales-orders/{order_id}/invoice").json["invoice_id"]
            assert finance.post(f"/invoices/{invoice_id}/post").status_code == 200
            assert finance.post("/payments", json={
                "partner_id": shop.customer, "amount": "10.00",
                "date": today().isoformat(), "method": "cash",
                "allocations": [{"invoice_id": invoice_id, "amount": "10.00"}]}
            ).status_code == 201

    def count():
        body, statements = sql_statements(
            app, lambda: admin_api.get(f"/partners/{shop.customer}/summary").json)
        return body, len(statements)

    add_records(1)
    _, few = count()
    add_records(4)
    big, many = count()
    assert len(big["sales_orders"]) == 5 and len(big["invoices"]) == 5
    assert len(big["payments"]) == 5 and len(big["opportunities"]) == 5
    assert many == few, (few, many)
