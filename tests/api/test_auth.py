"""API.md, Conventions: tokens, /me, revocation, 401s, throttling."""
from __future__ import annotations

from sqlalchemy import func, select

from shared.extensions import db
from shared.users.models import ApiToken
from tests.conftest import PASSWORD, make_user


def test_token_is_issued_with_the_user(app, client):
    user_id, email = make_user(app, "sales", "support", name="Li Na 李娜")
    response = client.post("/api/v1/auth/token", json={"email": email.upper(), "password": PASSWORD})
    assert response.status_code == 201
    body = response.json
    assert len(body["token"]) >= 32
    assert body["user"] == {**body["user"], "id": user_id, "email": email, "name": "Li Na 李娜",
                            "roles": ["sales", "support"]}
    assert "password" not in body["user"] and "password_hash" not in body["user"]


def test_token_is_stored_hashed(app, api_as):
    api = api_as("sales")
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert api.token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_wrong_password_and_unknown_email_get_the_same_401(app, client):
    _, email = make_user(app, "sales")
    wrong = client.post("/api/v1/auth/token", json={"email": email, "password": "nope-nope"})
    unknown = client.post("/api/v1/auth/token",
                          json={"email": "ghost@example.com", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert wrong.json["error"]["code"] == "invalid_credentials"


def test_me_returns_the_token_user(api_as):
    api = api_as("finance")
    response = api.get("/me")
    assert response.status_code == 200
    assert response.json["id"] == api.user_id and response.json["roles"] == ["finance"]


def test_calls_without_a_valid_token_are_401(client, api_as):
    api = api_as("admin")
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": api.token}).status_code == 401
    body = client.get("/api/v1/partners").json
    assert body["error"]["code"] == "not_authenticated"


def test_revoked_token_stops_working(api_as):
    api = api_as("sales")
    assert api.delete("/auth/token").status_code == 204
    assert api.get("/me").status_code == 401


def test_revoking_one_token_keeps_the_others(app, client):
    _, email = make_user(app, "sales")
    tokens = [client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
              .json["token"] for _ in range(2)]
    client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {tokens[0]}"})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens[0]}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens[1]}"}).status_code == 200


def test_deactivated_users_token_stops_at_once(admin_api, api_as):
    sales = api_as("sales")
    assert sales.get("/me").status_code == 200
    assert admin_api.patch(f"/users/{sales.user_id}", json={"active": False}).status_code == 200
    assert sales.get("/me").status_code == 401


def test_deactivated_user_cannot_get_a_token(app, client, admin_api):
    user_id, email = make_user(app, "sales")
    admin_api.patch(f"/users/{user_id}", json={"active": False})
    response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 401


def test_repeated_failures_are_throttled_alike_for_known_and_unknown_emails(app, client):
    _, email = make_user(app, "sales")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for address in (email, "ghost@example.com"):
        for _ in range(limit):
            r = client.post("/api/v1/auth/token", json={"email": address, "password": "wrong-pw"})
            assert r.status_code == 401
        blocked = client.post("/api/v1/auth/token", json={"email": address, "password": "wrong-pw"})
        assert blocked.status_code == 429
        assert blocked.json["error"]["code"] == "too_many_attempts"
        assert 0 < int(blocked.headers["Retry-After"]) <= app.config[
            "LOGIN_FAILURE_WINDOW_SECONDS"]
    # Even the right password waits until the window has passed.
    right = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert right.status_code == 429


def test_a_success_clears_the_failure_count(app, client):
    _, email = make_user(app, "sales")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        client.post("/api/v1/auth/token", json={"email": email, "password": "wrong-pw"})
    assert client.post("/api/v1/auth/token",
                       json={"email": email, "password": PASSWORD}).status_code == 201
    for _ in range(limit - 1):
        client.post("/api/v1/auth/token", json={"email": email, "password": "wrong-pw"})
    assert client.post("/api/v1/auth/token",
                       json={"email": email, "password": PASSWORD}).status_code == 201


def test_a_token_request_that_is_not_an_object_is_400(client):
    response = client.post("/api/v1/auth/token", data="[1,2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_json"


def test_api_ignores_the_browser_session_cookie(app, client, login_as):
    login_as("admin")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers


def test_token_count_does_not_grow_on_failed_attempts(app, client):
    _, email = make_user(app, "sales")
    client.post("/api/v1/auth/token", json={"email": email, "password": "wrong-pw"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
