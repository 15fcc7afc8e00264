"""API.md, "Tokens, further": a read-only scope, an expiry, the user's own list of tokens,
revoking one by id; creation and revocation on the user's history, never the secret."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from shared.audit.models import AuditEntry
from shared.db import utcnow
from shared.extensions import db
from shared.partners.models import Partner
from shared.users.models import ApiToken
from tests.conftest import PASSWORD, ApiClient, make_user, row_count

TOKEN_KEYS = {"id", "scope", "created_at", "expires_at", "last_used_at"}


def token_for(client, email: str, **options) -> dict:
    response = client.post("/api/v1/auth/token",
                           json={"email": email, "password": PASSWORD, **options})
    assert response.status_code == 201, response.json
    return response.json


def api(client, body: dict, user_id: int) -> ApiClient:
    return ApiClient(client, body["token"], user_id)


def test_a_token_is_full_and_lasts_until_revoked_by_default(app, client):
    user_id, email = make_user(app, "sales")
    body = token_for(client, email)
    assert body["scope"] == "full" and body["expires_at"] is None
    sales = api(client, body, user_id)
    assert sales.post("/partners", json={"name": "Lotus"}).status_code == 201


def test_a_read_token_may_only_get(app, client):
    user_id, email = make_user(app, "sales")
    reader = api(client, token_for(client, email, scope="read"), user_id)
    writer = api(client, token_for(client, email), user_id)
    partner = writer.post("/partners", json={"name": "Lotus"}).json
    assert reader.get("/me").status_code == 200
    assert reader.get(f"/partners/{partner['id']}").json["name"] == "Lotus"
    assert reader.client.head("/api/v1/me", headers=reader.headers).status_code == 200
    for method, path, body in (("POST", "/partners", {"name": "New"}),
                               ("PATCH", f"/partners/{partner['id']}", {"name": "Changed"}),
                               ("PUT", f"/partners/{partner['id']}", {"name": "Changed"}),
                               ("DELETE", "/auth/token", None),
                               ("DELETE", f"/auth/tokens/{reader.user_id}", None)):
        response = reader._call(method, path, json=body)
        assert response.status_code in (403, 405), (method, path)
        if response.status_code == 403:
            assert response.json["error"]["code"] == "forbidden"
    assert reader.post("/partners", json={"name": "New"}).json["error"]["message"] == \
        "This API token may only read."
    assert row_count(app, Partner) == 1
    assert writer.get(f"/partners/{partner['id']}").json["name"] == "Lotus"
    assert reader.get("/me").status_code == 200  # still valid: DELETE /auth/token refused


def test_an_expired_token_is_401(app, client):
    user_id, email = make_user(app, "sales")
    body = token_for(client, email, expires_in_days=30)
    expires = body["expires_at"]
    assert expires is not None
    sales = api(client, body, user_id)
    assert sales.get("/me").status_code == 200
    with app.app_context():
        db.session.execute(update(ApiToken).where(ApiToken.id == body["id"])
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = sales.get("/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "not_authenticated"


def test_the_expiry_is_the_days_asked_for(app, client):
    _, email = make_user(app, "sales")
    before = utcnow()
    body = token_for(client, email, expires_in_days=3650, scope="read")
    with app.app_context():
        token = db.session.get(ApiToken, body["id"])
        assert token.scope == "read"
        assert timedelta(days=3650) <= token.expires_at - before < timedelta(days=3650,
                                                                              minutes=1)


@pytest.mark.parametrize("options, field", [
    ({"scope": "admin"}, "scope"), ({"scope": 1}, "scope"),
    ({"expires_in_days": 0}, "expires_in_days"), ({"expires_in_days": 3651}, "expires_in_days"),
    ({"expires_in_days": "soon"}, "expires_in_days"), ({"expires_in_days": True},
                                                       "expires_in_days"),
    ({"expires_in_days": 1.5}, "expires_in_days")])
def test_a_bad_scope_or_lifetime_is_422_and_issues_nothing(app, client, options, field):
    _, email = make_user(app, "sales")
    response = client.post("/api/v1/auth/token",
                           json={"email": email, "password": PASSWORD, **options})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {field}
    assert row_count(app, ApiToken) == 0


def test_the_list_shows_the_users_own_tokens_without_secrets(app, client):
    user_id, email = make_user(app, "sales")
    _, other_email = make_user(app, "sales")
    first = token_for(client, email)
    second = token_for(client, email, scope="read", expires_in_days=7)
    token_for(client, other_email)
    revoked = token_for(client, email)
    sales = api(client, first, user_id)
    assert sales.delete(f"/auth/tokens/{revoked['id']}").status_code == 204
    items = sales.get("/auth/tokens").json["items"]
    assert [item["id"] for item in items] == [second["id"], first["id"]]  # newest first
    assert all(set(item) == TOKEN_KEYS for item in items)
    assert items[0]["scope"] == "read" and items[0]["expires_at"] is not None
    assert items[0]["last_used_at"] is None and items[1]["last_used_at"] is not None
    text = json.dumps(items)
    assert first["token"] not in text and second["token"] not in text


def test_a_token_is_revoked_by_id_but_not_another_users(app, client):
    user_id, email = make_user(app, "sales")
    other_id, other_email = make_user(app, "sales")
    mine = api(client, token_for(client, email), user_id)
    spare = token_for(client, email)
    theirs = api(client, token_for(client, other_email), other_id)
    theirs_id = theirs.get("/auth/tokens").json["items"][0]["id"]
    refused = mine.delete(f"/auth/tokens/{theirs_id}")
    assert refused.status_code == 404 and refused.json["error"]["code"] == "not_found"
    assert theirs.get("/me").status_code == 200
    assert mine.delete(f"/auth/tokens/{spare['id']}").status_code == 204
    assert mine.delete(f"/auth/tokens/{spare['id']}").status_code == 404  # already revoked
    assert client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {spare['token']}"}).status_code == 401
    assert mine.get("/me").status_code == 200


def test_creation_and_revocation_are_on_the_users_history_without_the_secret(app, client):
    user_id, email = make_user(app, "sales")
    body = token_for(client, email, scope="read", expires_in_days=7)
    other = api(client, token_for(client, email), user_id)
    assert other.delete(f"/auth/tokens/{body['id']}").status_code == 204
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.table_name == "users", AuditEntry.record_id == str(user_id))
            .order_by(AuditEntry.id)).all()
        hashes = db.session.scalars(select(ApiToken.token_hash)).all()
    key = f"api_tokens#{body['id']}"
    created = [e for e in entries if f"{key}.scope" in e.changes]
    revoked = [e for e in entries if f"{key}.revoked_at" in e.changes]
    assert len(created) == 1 and created[0].changes[f"{key}.scope"] == [None, "read"]
    assert created[0].changes[f"{key}.expires_at"][1] is not None
    assert created[0].user_id == user_id
    assert len(revoked) == 1 and revoked[0].user_id == user_id
    logged = json.dumps([e.changes for e in entries])
    assert "token_hash" not in logged and "last_used_at" not in logged
    assert body["token"] not in logged and not any(h in logged for h in hashes)


def test_a_password_change_revokes_the_tokens_on_the_users_history(app, client, admin_api):
    user_id, email = make_user(app, "sales")
    body = token_for(client, email)
    assert admin_api.patch(f"/users/{user_id}", json={"password": "another secret"}
                           ).status_code == 200
    assert api(client, body, user_id).get("/me").status_code == 401
    with app.app_context():
        changes = db.session.scalars(select(AuditEntry.changes).where(
            AuditEntry.table_name == "users", AuditEntry.record_id == str(user_id),
            AuditEntry.user_id == admin_api.user_id)).all()
        assert any(f"api_tokens#{body['id']}.revoked_at" in c for c in changes)
        assert db.session.scalar(select(func.count()).select_from(ApiToken).where(
            ApiToken.revoked_at.is_(None), ApiToken.user_id == user_id)) == 0
