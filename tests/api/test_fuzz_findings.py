"""The 500s the route fuzzer (test_fuzz_routes.py) found, each pinned by one request: a lone
surrogate in JSON, a NUL in the path, digits int() cannot read or too many of them, ids beyond
a column where a view read an id itself, dates Python's date arithmetic cannot shift, an
activity form that went back to a page by an id that was no number, and amounts beyond what
their columns store (PostgreSQL: numeric field overflow)."""
from __future__ import annotations

import pytest

from erp.sales.models import SalesOrder
from shared.partners.models import Partner
from shared.seed import seed_demo
from tests.conftest import csrf_token, row_count, table_counts

BAD_IDS = ["²", "9" * 5000, "99999999999999999999999", "9223372036854775808"]


def envelope(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.status_code, response.data[:300])
    return response.json["error"]


def test_a_lone_surrogate_in_json_is_400_and_nothing_is_written(app, client, admin_api):
    for body in ('{"name": "Lotus \\ud800"}', '{"name": "Lotus", "x\\udfff": 1}',
                 '{"name": "Lotus", "tags": [["\\udc00"]]}'):
        response = client.post("/api/v1/partners", data=body, content_type="application/json",
                               headers=admin_api.headers)
        assert envelope(response, 400)["code"] == "invalid_input"
    assert row_count(app, Partner) == 0
    good = client.post("/api/v1/partners", data='{"name": "Lotus \\ud83d\\ude00"}',
                       content_type="application/json", headers=admin_api.headers)
    assert good.status_code == 201 and good.json["name"] == "Lotus 😀"  # a pair is text


@pytest.mark.parametrize("bad", ["²", "9" * 5000])
def test_integer_fields_refuse_unreadable_digits_with_422(admin_api, bad):
    response = admin_api.post("/products", json={"sku": "L1", "name": "Lamp",
                                                 "default_supplier_id": bad})
    assert "default_supplier_id" in envelope(response, 422)["fields"]
    assert envelope(admin_api.get(f"/partners?page={bad}"), 422)["fields"]


@pytest.mark.parametrize("bad", BAD_IDS, ids=["superscript", "5000-digits", "1e23", "2^63"])
def test_ids_a_page_reads_itself_are_never_a_500(app, client, login_as, bad):
    login_as("admin")
    token = csrf_token(client, "/")
    for path in (f"/purchasing/orders?supplier_id={bad}",
                 f"/purchasing/orders/new?supplier_id={bad}",
                 f"/purchasing/orders/new?product_id={bad}"):
        assert client.get(path).status_code == 200, path
    for path in (f"/inventory/moves?product_id={bad}", f"/inventory/moves?location_id={bad}"):
        assert client.get(path).status_code in (200, 422), path
    posts = {
        "/invoices/batch-pdf": {"invoice_id": bad},
        "/purchasing/from-suggestions": {"product_id": bad},
        "/sales/orders/new": {"partner_id": "1", "line-product_id": bad, "line-quantity": "1"},
        "/purchasing/orders/new": {"supplier_id": bad, "line-product_id": bad,
                                   "line-quantity": "1"},
        "/tickets/new": {"partner_id": bad, "subject": "Broken"},
    }
    for path, data in posts.items():
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code < 500, (path, response.status_code)
    assert row_count(app, SalesOrder) == 0


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_beyond_what_arithmetic_takes_are_422(admin_api, day):
    for path, field in ((f"/leads?created_from={day}&created_to={day}", "created_from"),
                        (f"/stock/moves?since={day}", "since"),
                        (f"/stock/moves?until={day}T10:00:00", "until"),
                        (f"/reports/ar-aging?as_of={day}", "as_of"),
                        (f"/reports/ap-aging?as_of={day}", "as_of"),
                        (f"/invoices?date_from={day}", "date_from")):
        assert field in envelope(admin_api.get(path), 422)["fields"], path
    response = admin_api.post("/activities", json={"kind": "call", "subject": "Call",
                                                   "due_date": day})
    assert "due_date" in envelope(response, 422)["fields"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_pages_with_such_dates_answer_without_a_500(client, login_as, day):
    login_as("admin")
    for path in (f"/leads/?created_from={day}&created_to={day}",
                 f"/inventory/moves?date_from={day}&date_to={day}",
                 f"/reports/ar-aging?as_of={day}", f"/reports/ap-aging?as_of={day}"):
        assert client.get(path).status_code < 500, path


def test_a_refused_activity_goes_back_without_a_500(client, login_as):
    login_as("admin")
    token = csrf_token(client, "/activities/")
    response = client.post("/activities/new", data={
        "csrf_token": token, "opportunity_id": "1899-12-31", "partner_id": "²",
        "kind": "call", "subject": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/activities/")


def test_a_nul_in_the_path_is_refused_before_the_database_sees_it(client, login_as, admin_api):
    """PostgreSQL: "text fields cannot contain NUL" was a 500 on the audit history page."""
    response = admin_api.patch("/sla-policies/urgent%00", json={"first_response_hours": 4})
    assert envelope(response, 400)["code"] == "invalid_input"
    login_as("admin")
    for path in ("/admin/audit/partners/%00", "/admin/audit/%00/1",
                 "/invoices/batch-pdf/%00abc"):
        assert client.get(path).status_code in (302, 400), path


BIG_PRICE = "9999999999999999.99"  # the largest a price field takes


def test_document_amounts_beyond_a_money_column_are_422(app, admin_api):
    """A million units at the largest price passed every field rule, then overflowed the
    total's column (a 500 on PostgreSQL)."""
    with app.app_context():
        seed_demo()
        before = table_counts()
    line = {"product_id": 1, "description": "Lamp", "quantity": "1000000",
            "unit_price": BIG_PRICE}
    for path, body in (("/sales-orders", {"partner_id": 1}),
                       ("/invoices", {"kind": "customer_invoice", "partner_id": 1}),
                       ("/purchase-orders", {"supplier_id": 9})):
        response = admin_api.post(path, json={**body, "lines": [line]})
        assert "lines" in envelope(response, 422)["fields"] or \
            "lines.0.unit_price" in envelope(response, 422)["fields"], path
    with app.app_context():
        assert table_counts() == before


def test_a_purchase_price_is_at_most_what_a_unit_cost_stores(app, admin_api):
    """Received goods are booked at the order's price as a unit cost (14 digits before the
    point): a larger price was a 500 at receipt on PostgreSQL."""
    with app.app_context():
        seed_demo()
    line = {"product_id": 1, "quantity": "2", "unit_price": "5000000000000000.00",
            "tax_rate": "0"}
    response = admin_api.post("/purchase-orders", json={"supplier_id": 9, "lines": [line]})
    assert "lines.0.unit_price" in envelope(response, 422)["fields"]
    line["unit_price"] = "99999999999999.99"
    order = admin_api.post("/purchase-orders", json={"supplier_id": 9, "lines": [line]}).json
    assert admin_api.post(f"/purchase-orders/{order['id']}/confirm", json={}).status_code == 200
    received = admin_api.post(f"/purchase-orders/{order['id']}/receive", json={
        "lines": [{"line_id": order["lines"][0]["id"], "quantity": "2"}]})
    assert received.status_code in (200, 201), received.json


def test_a_patch_cannot_empty_a_field_that_always_has_a_value(app, admin_api):
    """A null flag in a PATCH (is_customer, is_lost) was set as NULL on a NOT NULL column: a
    500 the deeper fuzz run found. It is a 422 naming the field, and nothing changes."""
    partner = admin_api.post("/partners", json={"name": "Lotus"}).json
    for body in ({"is_customer": None}, {"is_supplier": ""}, {"name": "Renamed",
                                                              "is_customer": None}):
        response = admin_api.patch(f"/partners/{partner['id']}", json=body)
        assert set(envelope(response, 422)["fields"]) & {"is_customer", "is_supplier"}
    assert admin_api.get(f"/partners/{partner['id']}").json["name"] == "Lotus"
    stage = admin_api.get("/pipeline/stages").json["items"][0]
    response = admin_api.patch(f"/pipeline/stages/{stage['id']}", json={"is_lost": None})
    assert "is_lost" in envelope(response, 422)["fields"]
    # a field that may be empty still can be emptied
    assert admin_api.patch(f"/partners/{partner['id']}",
                           json={"credit_limit": None}).status_code == 200
