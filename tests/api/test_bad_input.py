"""Issue 15 item 6: malformed input is a 400 or 422 with the error envelope, never a 500:
deeply nested JSON, integers of 2^63 or more, a NUL character, a `next` with a newline;
"-0" is stored as 0."""
from __future__ import annotations

import pytest

from shared.partners.models import Partner
from tests.conftest import PASSWORD, csrf_token, make_user, row_count

HUGE = 2**63
DEEP = "[" * 100_000 + "]" * 100_000


def envelope(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.status_code, response.data[:300])
    error = response.json["error"]
    assert error["code"] and error["message"]
    return error


@pytest.mark.parametrize("body", [DEEP, '{"name": ' + DEEP + "}",
                                  '{"name": "x", "tags": ' + "[" * 900 + "]" * 900 + "}"],
                         ids=["array", "object", "900-deep"])
def test_deeply_nested_json_is_400(client, admin_api, body):
    for path in ("/api/v1/auth/token", "/api/v1/partners"):
        response = client.post(path, data=body, content_type="application/json",
                               headers=admin_api.headers)
        assert envelope(response, 400)["code"] == "invalid_json"


@pytest.mark.parametrize("path", [f"/partners/{HUGE}", f"/products/{HUGE}",
                                  f"/partners/{HUGE * 10**20}", f"/partners?page={HUGE}",
                                  f"/partners?per_page={HUGE}", f"/products?page={HUGE}"])
def test_integers_of_2_63_or_more_in_urls_are_4xx(admin_api, path):
    envelope(admin_api.get(path), 400, 422)


def test_an_id_of_2_63_on_a_page_is_400(client, login_as):
    login_as("admin")
    assert client.get(f"/partners/{HUGE}").status_code == 400
    assert client.get(f"/partners/{2**31 - 1}").status_code == 404


def test_integer_fields_of_2_63_or_more_are_422(app, admin_api):
    for value in (HUGE, -HUGE - 1, str(HUGE)):
        response = admin_api.post("/products", json={"sku": "L1", "name": "Lamp",
                                                     "default_supplier_id": value})
        assert "default_supplier_id" in envelope(response, 422)["fields"]
    response = admin_api.patch(f"/partners/{HUGE}", json={"name": "x"})
    envelope(response, 400)


def test_a_nul_character_anywhere_is_400(app, client, admin_api, login_as):
    for body in ({"name": "Lotus\x00Retail"}, {"name": "Lotus", "notes\x00": "x"},
                 {"name": "Lotus", "lines": [{"description": ["\x00"]}]}):
        response = admin_api.post("/partners", json=body)
        assert envelope(response, 400)["code"] == "invalid_input"
    assert row_count(app, Partner) == 0
    assert envelope(admin_api.get("/partners?q=a%00b"), 400)["code"] == "invalid_input"
    login_as("admin")
    page = client.post("/partners/new", data={"csrf_token": csrf_token(client, "/partners/new"),
                                              "name": "Lotus\x00Retail"})
    assert page.status_code in (302, 400)
    assert row_count(app, Partner) == 0


def test_a_nul_character_in_a_sign_in_is_refused(app, client):
    response = client.post("/api/v1/auth/token", json={"email": "a\x00@example.com",
                                                       "password": "x\x00"})
    envelope(response, 400, 401, 422)


def test_a_next_with_a_newline_after_sign_in_goes_home(app, client):
    _, email = make_user(app, "sales")
    response = client.post("/login?next=/%0d%0aSet-Cookie:%20x=1", data={
        "email": email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "Set-Cookie" not in str(
        response.headers.get("Location"))


def test_minus_zero_is_zero(admin_api):
    product = admin_api.post("/products", json={"sku": "F1", "name": "Free", "list_price": "-0",
                                                "cost_price": "-0.000"})
    assert product.status_code == 201
    assert product.json["list_price"] == "0.00" and product.json["cost_price"] == "0.0000"
    again = admin_api.get(f"/products/{product.json['id']}").json
    assert again["list_price"] == "0.00" and again["cost_price"] == "0.0000"
