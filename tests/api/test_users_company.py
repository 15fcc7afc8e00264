"""API.md, Roles: /users and /company (admin only)."""
from __future__ import annotations

from tests.conftest import PASSWORD


def test_admin_creates_lists_and_edits_users(admin_api):
    created = admin_api.post("/users", json={"email": "Li.Na@Example.com", "name": "李娜",
                                             "roles": ["sales", "support"], "password": "s3cret-pw"})
    assert created.status_code == 201
    user = created.json
    assert user["email"] == "li.na@example.com" and user["roles"] == ["sales", "support"]
    assert "password" not in user and "password_hash" not in user
    listed = admin_api.get("/users?q=李娜").json
    assert listed["total"] == 1 and listed["items"][0]["id"] == user["id"]
    patched = admin_api.patch(f"/users/{user['id']}", json={"roles": ["finance"], "name": "Li"})
    assert patched.json["roles"] == ["finance"] and patched.json["name"] == "Li"


def test_user_validation_and_duplicates(admin_api):
    bad = admin_api.post("/users", json={"email": "x", "roles": ["boss"], "password": "short"})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"email", "roles", "password"}
    admin_api.post("/users", json={"email": "a@example.com", "roles": ["sales"],
                                   "password": "long enough"})
    dup = admin_api.post("/users", json={"email": "A@example.com", "roles": ["sales"],
                                         "password": "long enough"})
    assert dup.status_code == 409 and dup.json["error"]["code"] == "duplicate"


def test_password_reset_ends_old_tokens_and_the_new_password_works(client, admin_api, api_as):
    sales = api_as("sales")
    me = sales.get("/me").json
    assert admin_api.patch(f"/users/{me['id']}", json={"password": "brand new pw"}).status_code == 200
    assert sales.get("/me").status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": me["email"], "password": PASSWORD}
                       ).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": me["email"],
                                                   "password": "brand new pw"}).status_code == 201


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(admin_api):
    me = admin_api.get("/me").json
    demote = admin_api.patch(f"/users/{me['id']}", json={"roles": ["sales"]})
    assert demote.status_code == 409 and demote.json["error"]["code"] == "invalid_state"
    assert admin_api.patch(f"/users/{me['id']}", json={"active": False}).status_code == 409
    other = admin_api.post("/users", json={"email": "b@example.com", "roles": ["admin"],
                                           "password": "long enough"}).json
    assert admin_api.patch(f"/users/{other['id']}", json={"active": False}).status_code == 200


def test_only_admin_reaches_users_and_company(api_as):
    for role in ("sales", "warehouse", "finance", "support"):
        api = api_as(role)
        assert api.get("/users").status_code == 403
        assert api.post("/users", json={}).status_code == 403
        assert api.get("/company").status_code == 403
        assert api.patch("/company", json={"name": "X"}).status_code == 403


def test_company_settings(admin_api):
    company = admin_api.get("/company").json
    assert company["currency"] == "CNY" and company["has_logo"] is False
    patched = admin_api.patch("/company", json={
        "name": "杭州西湖贸易有限公司", "street": "文三路 90 号", "city": "杭州",
        "postal_code": "310012", "country": "中国", "tax_id": "91330106MA2B1C2D3E",
        "currency": "usd", "bank_details": "ICBC 1202", "invoice_footer": "谢谢"})
    assert patched.status_code == 200
    assert patched.json["currency"] == "USD" and patched.json["city"] == "杭州"
    assert admin_api.get("/company").json == patched.json
    bad = admin_api.patch("/company", json={"currency": "US1", "name": ""})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"currency", "name"}
    assert admin_api.get("/company").json["currency"] == "USD"
