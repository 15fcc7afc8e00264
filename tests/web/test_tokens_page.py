"""Each user's own API tokens page: list, create with a scope and an expiry (the secret shown
once), revoke; another user's token is not theirs to revoke."""
from __future__ import annotations

import re

from shared.users.models import ApiToken
from tests.conftest import PASSWORD, csrf_token, make_user, row_count


def create(client, **fields):
    token = csrf_token(client, "/account/tokens")
    return client.post("/account/tokens", data={"csrf_token": token, **fields})


def test_a_user_creates_lists_and_revokes_their_tokens(app, client, login_as):
    login_as("warehouse")
    assert "You have no API tokens." in client.get("/account/tokens").get_data(as_text=True)
    response = create(client, scope="read", expires_in_days="30")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'readonly value="([^"]+)"', html).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/partners", json={"name": "x"}, headers=headers).status_code == 403
    page = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in page  # shown once
    assert page.count('data-testid="token-row"') == 1 and "Read only" in page
    token_id = int(re.search(r"/account/tokens/(\d+)/revoke", page).group(1))
    revoked = client.post(f"/account/tokens/{token_id}/revoke",
                          data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert revoked.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert 'data-testid="token-row"' not in client.get("/account/tokens").get_data(as_text=True)


def test_a_bad_lifetime_is_shown_beside_the_field_and_creates_nothing(app, client, login_as):
    login_as("sales")
    for days in ("0", "3651", "soon"):
        html = create(client, scope="full", expires_in_days=days).get_data(as_text=True)
        assert re.search(r'name="expires_in_days"[^>]*>\s*<div class="invalid-feedback', html)
    assert "invalid-feedback" in create(client, scope="admin").get_data(as_text=True)
    assert row_count(app, ApiToken) == 0


def test_another_users_token_cannot_be_revoked_from_the_page(app, client, login_as):
    _, other_email = make_user(app, "sales")
    body = client.post("/api/v1/auth/token", json={"email": other_email, "password": PASSWORD}
                       ).json
    login_as("admin")
    response = client.post(f"/account/tokens/{body['id']}/revoke",
                           data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {body['token']}"}).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/account/tokens").status_code == 302
