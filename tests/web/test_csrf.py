"""CSRF: every state-changing form route refuses a POST without a valid token (400) and writes
nothing; bearer-token API calls need no token."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token, make_user, sign_in, table_counts
from tests.web.test_permissions import STATIC_ENDPOINTS, sample_url

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}

# Plausible form data, so that only the missing token stops the write.
FORM_DATA = {"name": "CSRF Test Co", "email": "csrf@example.com", "sku": "CSRF-1",
             "roles": "sales", "password": "long enough pw", "kind": "company",
             "type": "stockable", "currency": "CNY", "locale": "zh", "is_customer": "y",
             "list_price": "1", "payment_term_days": "30"}


def form_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS or rule.rule.startswith("/api/"):
            continue
        for method in sorted(set(rule.methods) & STATE_CHANGING):
            yield rule, method


def test_there_are_form_routes_to_check(app):
    assert len(list(form_routes(app))) >= 8


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_state_changing_form_posts_need_a_valid_token(app, client, token):
    _, email = make_user(app, "admin")
    sign_in(client, email)
    with app.app_context():
        before = table_counts()
    for rule, method in form_routes(app):
        data = dict(FORM_DATA)
        if token:
            data["csrf_token"] = token
        response = client.open(sample_url(app, rule), method=method, data=data)
        assert response.status_code == 400, (method, rule.rule, response.status_code)
    with app.app_context():
        assert table_counts() == before
    # Still signed in: the refused posts (logout included) changed nothing.
    assert client.get("/").status_code == 200


def test_sign_in_without_a_token_is_refused(app, client):
    _, email = make_user(app, "sales")
    response = client.post("/login", data={"email": email, "password": "correct horse 1"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_a_token_from_another_session_is_refused(app, client):
    _, email = make_user(app, "admin")
    other = app.test_client()
    foreign = csrf_token(other)
    sign_in(client, email)
    response = client.post("/partners/new", data={**FORM_DATA, "csrf_token": foreign})
    assert response.status_code == 400


def test_bearer_api_calls_need_no_csrf_token(api_as):
    api = api_as("sales")
    response = api.post("/partners", json={"name": "No CSRF needed Ltd"})
    assert response.status_code == 201


def test_a_valid_token_is_accepted(app, client):
    _, email = make_user(app, "admin")
    sign_in(client, email)
    response = client.post("/partners/new", data={**FORM_DATA, "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
