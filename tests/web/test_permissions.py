"""Permissions are data (ARCHITECTURE.md rule 8): every route is covered by permissions.csv,
and every role gets 403 wherever the table does not allow it, on the API and in the UI."""
from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from shared.permissions import PERMISSIONS, PUBLIC, SIGNED_IN, allowed
from shared.users.models import ROLES
from tests.conftest import PASSWORD, csrf_token, make_user, sign_in

STATIC_ENDPOINTS = {"static", "bootstrap.static"}  # files, not application routes
EXPECTED_PUBLIC = {"users.login", "users_api.create_token", "ui.set_language"}
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        yield rule, app.view_functions[rule.endpoint]


def sample_url(app, rule) -> str:
    values = {name: (1 if isinstance(rule._converters[name], IntegerConverter) else "x")
              for name in rule.arguments}
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values)


def sign_in_both_ways(app, client, role: str) -> str:
    """Sign the client's cookie session in as a new user with `role`; return an API token."""
    _, email = make_user(app, role)
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}
                        ).json["token"]
    sign_in(client, email)
    return token


def test_every_route_declares_a_permission_the_table_knows(app):
    undeclared = [rule.rule for rule, view in routes(app) if not hasattr(view, "permission")]
    assert not undeclared, f"routes without @require/@signed_in/@public: {undeclared}"
    unknown = [(rule.rule, view.permission) for rule, view in routes(app)
               if view.permission not in (PUBLIC, SIGNED_IN) and view.permission not in PERMISSIONS]
    assert not unknown, f"permissions missing from permissions.csv: {unknown}"


def test_only_the_sign_in_routes_are_public(app):
    public = {rule.endpoint for rule, view in routes(app) if view.permission == PUBLIC}
    assert public == EXPECTED_PUBLIC


def test_unknown_permission_is_denied_to_everyone():
    assert not any(allowed([role], "no_such_area", "read") for role in ROLES)


def test_the_table_matches_api_md_for_master_data():
    def who(area, action):
        return {r for r in ROLES if allowed([r], area, action)}

    everyone = set(ROLES)
    assert who("partners", "read") == everyone
    assert who("partners", "write") == {"admin", "sales", "finance"}
    assert who("products", "read") == everyone
    assert who("products", "write") == {"admin", "warehouse"}
    assert who("users", "write") == who("company", "write") == {"admin"}
    assert who("sales_orders", "deliver") == {"admin", "warehouse"}
    assert who("sales_orders", "invoice") == {"admin", "finance"}
    assert who("tickets", "create") == {"admin", "sales", "support"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_403_wherever_the_table_says_no(app, client, role):
    token = sign_in_both_ways(app, client, role)
    form_token = csrf_token(client, "/")
    checked = 0
    for rule, view in routes(app):
        if view.permission in (PUBLIC, SIGNED_IN) or allowed([role], *view.permission):
            continue
        url = sample_url(app, rule)
        for method in sorted(set(rule.methods) & set(METHODS)):
            if url.startswith("/api/"):
                response = client.open(url, method=method, json={},
                                       headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 403, (method, url)
                assert response.json["error"]["code"] == "forbidden"
            else:
                response = client.open(url, method=method, data={"csrf_token": form_token})
                assert response.status_code == 403, (method, url)
            checked += 1
    if role != "admin":
        assert checked > 0


@pytest.mark.parametrize("role", ROLES)
def test_allowed_routes_are_not_403(app, client, role):
    token = sign_in_both_ways(app, client, role)
    for rule, view in routes(app):
        if "GET" not in rule.methods or view.permission in (PUBLIC,):
            continue
        if view.permission != SIGNED_IN and not allowed([role], *view.permission):
            continue
        url = sample_url(app, rule)
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        assert client.get(url, headers=headers).status_code != 403, url


NAV = {"Customers": ("partners", "read"), "Products": ("products", "read"),
       "Users": ("users", "read"), "Company": ("company", "write"),
       "Audit trail": ("audit", "read")}


@pytest.mark.parametrize("role", ROLES)
def test_menu_shows_only_what_the_role_may_use(app, client, role):
    _, email = make_user(app, role)
    sign_in(client, email)
    html = client.get("/").get_data(as_text=True)
    nav = html.split('data-testid="main-nav"')[1].split("</ul>\n      {%")[0]
    for label, permission in NAV.items():
        assert (f">{label}<" in nav) == allowed([role], *permission), (role, label)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/partners/")
    assert response.status_code == 302 and "/login" in response.location
