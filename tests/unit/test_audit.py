"""The audit hook: who, when, which record, old -> new, for every business table."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.audit.hooks import cli_actor_id
from shared.audit.models import AuditEntry
from shared.errors import Duplicate
from shared.extensions import db
from shared.partners import services as partner_services
from shared.products import services as product_services
from shared.users import services as user_services


def entries(table: str, record_id) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == table, AuditEntry.record_id == str(record_id))
        .order_by(AuditEntry.id)).all()


def test_insert_update_delete_are_recorded_with_old_and_new_values(ctx):
    partner = partner_services.create_partner({"name": "明辉", "credit_limit": "100"})
    partner_services.update_partner(partner.id, {"name": "明辉电子", "credit_limit": "250.50"})
    created, changed = entries("partners", partner.id)
    assert created.action == "insert"
    assert created.changes["name"] == [None, "明辉"]
    assert created.changes["credit_limit"] == [None, "100.00"]  # as stored
    assert changed.action == "update"
    assert changed.changes == {"name": ["明辉", "明辉电子"], "credit_limit": ["100.00", "250.50"]}
    assert changed.at is not None

    db.session.delete(db.session.get(type(partner), partner.id))
    db.session.commit()
    deleted = entries("partners", partner.id)[-1]
    assert deleted.action == "delete" and deleted.changes["name"] == ["明辉电子", None]


def test_an_unchanged_save_records_nothing(ctx):
    partner = partner_services.create_partner({"name": "A", "city": "杭州"})
    partner_services.update_partner(partner.id, {"city": "杭州"})
    assert [e.action for e in entries("partners", partner.id)] == ["insert"]


def test_the_actor_is_recorded(ctx):
    admin = user_services.create_user({"email": "boss@example.com", "roles": ["admin"],
                                       "password": "long enough"})
    token = cli_actor_id.set(admin.id)
    try:
        product = product_services.create_product({"sku": "A", "name": "A"})
    finally:
        cli_actor_id.reset(token)
    assert entries("products", product.id)[0].user_id == admin.id


def test_the_actor_of_an_api_call_is_recorded(app, api_as):
    api = api_as("sales")
    partner = api.post("/partners", json={"name": "Via API"}).json
    with app.app_context():
        assert entries("partners", partner["id"])[0].user_id == api.user_id


def test_secrets_are_never_written(ctx):
    user = user_services.create_user({"email": "a@example.com", "roles": ["sales"],
                                      "password": "secret password"})
    user_services.update_user(user.id, {"password": "another secret"})
    for entry in entries("users", user.id):
        assert "password_hash" not in entry.changes
        assert "secret" not in str(entry.changes)


def test_role_changes_appear_in_the_users_history(ctx):
    user = user_services.create_user({"email": "a@example.com", "roles": ["sales"],
                                      "password": "long enough"})
    user_services.update_user(user.id, {"roles": ["finance"]})
    changes = [e.changes for e in entries("users", user.id)]
    assert {"user_roles.role": [None, "sales"]} in changes
    assert {"user_roles.role": ["sales", None]} in changes
    assert {"user_roles.role": [None, "finance"]} in changes


def test_a_rolled_back_change_leaves_no_audit_entry(ctx):
    partner = partner_services.create_partner({"name": "A", "email": "a@example.com"})
    partner_services.create_partner({"name": "B", "email": "b@example.com"})
    with pytest.raises(Duplicate):
        partner_services.update_partner(partner.id, {"email": "b@example.com", "name": "changed"})
    assert [e.action for e in entries("partners", partner.id)] == ["insert"]


def test_tokens_and_login_failures_are_not_audited(ctx):
    user = user_services.create_user({"email": "a@example.com", "roles": ["sales"],
                                      "password": "long enough"})
    user_services.issue_token(user.id)
    user_services.check_credentials("a@example.com", "wrong", "127.0.0.1")
    tables = set(db.session.scalars(select(AuditEntry.table_name)))
    assert "users" in tables and not tables & {"api_tokens", "login_failures"}
