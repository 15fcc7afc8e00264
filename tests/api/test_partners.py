"""API.md, Shared master data: partners and their duplicate rules."""
from __future__ import annotations

from shared.partners.models import Partner
from tests.conftest import row_count

FIELDS = {"id", "code", "name", "kind", "email", "phone", "tax_id", "street", "city",
          "postal_code", "country", "is_customer", "is_supplier", "payment_term_days",
          "credit_limit", "notes"}


def test_create_returns_201_with_defaults_and_a_generated_code(api_as):
    api = api_as("sales")
    response = api.post("/partners", json={"name": "上海明辉电子有限公司", "credit_limit": 5000})
    assert response.status_code == 201
    body = response.json
    assert set(body) >= FIELDS
    assert body["code"] == "P00001" and body["kind"] == "company"
    assert body["is_customer"] is True and body["is_supplier"] is False
    assert body["payment_term_days"] == 30 and body["credit_limit"] == "5000.00"
    second = api.post("/partners", json={"name": "Second"}).json
    assert second["code"] == "P00002"


def test_given_code_is_kept_and_must_be_unique(api_as):
    api = api_as("sales")
    assert api.post("/partners", json={"name": "A", "code": "CUST-9"}).json["code"] == "CUST-9"
    again = api.post("/partners", json={"name": "B", "code": "CUST-9"})
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate"


def test_duplicate_email_ignores_case_and_spaces(app, api_as):
    api = api_as("sales")
    first = api.post("/partners", json={"name": "A", "email": "Buyer@Example.com"}).json
    response = api.post("/partners", json={"name": "B", "email": "  buyer@EXAMPLE.com "})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "duplicate"
    assert response.json["error"]["existing_id"] == first["id"]
    assert row_count(app, Partner) == 1


def test_duplicate_tax_id_ignores_case_and_all_spaces(app, api_as):
    api = api_as("finance")
    first = api.post("/partners", json={"name": "A", "tax_id": "91310115MA1K3X4Y5Z"}).json
    response = api.post("/partners", json={"name": "B", "tax_id": "9131 0115 ma1k 3x4y 5z"})
    assert response.status_code == 409
    assert response.json["error"]["existing_id"] == first["id"]


def test_allow_duplicate_creates_anyway(app, api_as):
    api = api_as("sales")
    api.post("/partners", json={"name": "A", "email": "same@example.com"})
    response = api.post("/partners", json={"name": "B", "email": "same@example.com",
                                           "allow_duplicate": True})
    assert response.status_code == 201
    assert row_count(app, Partner) == 2


def test_patch_into_another_partners_email_is_a_duplicate(api_as):
    api = api_as("sales")
    a = api.post("/partners", json={"name": "A", "email": "a@example.com"}).json
    b = api.post("/partners", json={"name": "B", "email": "b@example.com"}).json
    response = api.patch(f"/partners/{b['id']}", json={"email": "A@example.com"})
    assert response.status_code == 409 and response.json["error"]["existing_id"] == a["id"]
    same = api.patch(f"/partners/{a['id']}", json={"email": "a@example.com", "name": "A2"})
    assert same.status_code == 200 and same.json["name"] == "A2"


def test_validation_errors_name_every_bad_field_and_write_nothing(app, api_as):
    api = api_as("sales")
    response = api.post("/partners", json={
        "email": "not-an-email", "kind": "alien", "payment_term_days": "abc",
        "credit_limit": "-5", "is_customer": "maybe", "phone": "call me"})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"name", "email", "kind", "payment_term_days", "credit_limit",
                           "is_customer", "phone"}
    assert row_count(app, Partner) == 0


def test_money_input_rejects_floats_with_too_many_places_nan_and_infinity(api_as):
    api = api_as("sales")
    for bad in ("NaN", "Infinity", "1.005", 1.005, True, [1]):
        response = api.post("/partners", json={"name": "X", "credit_limit": bad})
        assert response.status_code == 422, bad
        assert "credit_limit" in response.json["error"]["fields"]
    ok = api.post("/partners", json={"name": "X", "credit_limit": 1234.5})
    assert ok.json["credit_limit"] == "1234.50"


def test_get_and_patch_and_404(api_as):
    api = api_as("sales")
    created = api.post("/partners", json={"name": "A"}).json
    assert api.get(f"/partners/{created['id']}").json == created
    patched = api.patch(f"/partners/{created['id']}", json={"city": "杭州", "is_supplier": True})
    assert patched.status_code == 200
    assert patched.json["city"] == "杭州" and patched.json["is_supplier"] is True
    assert patched.json["name"] == "A"
    assert api.get("/partners/999").status_code == 404
    assert api.get("/partners/999").json["error"]["code"] == "not_found"
    assert api.patch("/partners/999", json={"name": "Z"}).status_code == 404


def test_patch_cannot_blank_the_name(api_as):
    api = api_as("sales")
    created = api.post("/partners", json={"name": "A"}).json
    response = api.patch(f"/partners/{created['id']}", json={"name": "  "})
    assert response.status_code == 422 and "name" in response.json["error"]["fields"]


def test_list_is_paginated_newest_first_and_searchable(api_as):
    api = api_as("sales")
    for i in range(7):
        api.post("/partners", json={"name": f"Partner {i}", "city": "杭州" if i % 2 else "上海",
                                    "is_supplier": i == 3})
    page = api.get("/partners?per_page=3&page=2").json
    assert page["total"] == 7 and page["page"] == 2 and page["per_page"] == 3
    assert [p["name"] for p in page["items"]] == ["Partner 3", "Partner 2", "Partner 1"]
    assert api.get("/partners?q=杭州").json["total"] == 3
    assert api.get("/partners?q=partner%205").json["items"][0]["name"] == "Partner 5"
    assert [p["name"] for p in api.get("/partners?is_supplier=true").json["items"]] == ["Partner 3"]
    assert api.get("/partners?per_page=1000").json["per_page"] == 200
    assert api.get("/partners?page=0").status_code == 422
    assert api.get("/partners?is_customer=perhaps").status_code == 422


def test_search_treats_wildcards_literally(api_as):
    api = api_as("sales")
    api.post("/partners", json={"name": "100% Cotton Ltd"})
    api.post("/partners", json={"name": "1000 Cotton Ltd"})
    assert api.get("/partners?q=100%25").json["total"] == 1


def test_roles_that_may_not_write_partners_get_403_and_nothing_is_written(app, api_as):
    for role in ("warehouse", "support"):
        api = api_as(role)
        assert api.get("/partners").status_code == 200
        response = api.post("/partners", json={"name": "Nope"})
        assert response.status_code == 403
    assert row_count(app, Partner) == 0
