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
    created, changed = entries("users", user.id)  # one entry per change of the user
    [role] = [value for key, value in created.changes.items() if key.startswith("user_roles#")]
    assert created.action == "insert" and role == [None, "sales"]
    assert sorted(changed.changes.values(), key=lambda pair: str(pair[0])) == [
        [None, "finance"], ["sales", None]]


def test_a_rolled_back_change_leaves_no_audit_entry(ctx):
    partner = partner_services.create_partner({"name": "A", "email": "a@example.com"})
    partner_services.create_partner({"name": "B", "email": "b@example.com"})
    with pytest.raises(Duplicate):
        partner_services.update_partner(partner.id, {"email": "b@example.com", "name": "changed"})
    assert [e.action for e in entries("partners", partner.id)] == ["insert"]


def test_login_failures_are_not_audited_and_tokens_only_on_their_user(ctx):
    user = user_services.create_user({"email": "a@example.com", "roles": ["sales"],
                                      "password": "long enough"})
    raw, token = user_services.issue_token(user_id=user.id)
    user_services.check_credentials("a@example.com", "wrong", "127.0.0.1")
    tables = set(db.session.scalars(select(AuditEntry.table_name)))
    assert "users" in tables and not tables & {"api_tokens", "login_failures"}
    changes = [e.changes for e in entries("users", user.id)]
    assert any(f"api_tokens#{token.id}.scope" in c for c in changes)
    assert raw not in str(changes) and token.token_hash not in str(changes)


def test_one_change_of_an_order_and_its_lines_is_one_entry(app, shop, sales):
    """Issue 16 item 5: confirming wrote one entry for the order and one per line."""
    order = shop.order(sales, (shop.lamp, 2), (shop.chair, 1))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    with app.app_context():
        created, confirmed = entries("sales_orders", order["id"])
    assert created.action == "insert"
    assert sum(key.endswith(".quantity") for key in created.changes) == 2  # both lines
    assert confirmed.changes["state"] == ["draft", "confirmed"]
    reserved = sorted(v for k, v in confirmed.changes.items() if k.endswith(".reserved_qty"))
    assert reserved == [["0.000", "1.000"], ["0.000", "2.000"]]


def test_switching_the_language_writes_no_entry(app, client, login_as):
    from tests.conftest import csrf_token

    user_id, _ = login_as("sales")
    with app.app_context():
        before = len(entries("users", user_id))
    client.post("/language", data={"locale": "zh", "next": "/",
                                   "csrf_token": csrf_token(client, "/")})
    with app.app_context():
        assert len(entries("users", user_id)) == before


def test_entries_read_as_people_read_them(app, client, login_as, shop, sales):
    """Record names that link to the record, translated field labels, formatted values."""
    from flask_babel import force_locale

    from shared.audit.views import history_of

    order = shop.order(sales, (shop.lamp, 50))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    with app.test_request_context(), force_locale("en"):
        confirmed, created = history_of("sales_orders", order["id"])
        assert (confirmed.action_label, confirmed.record.kind, confirmed.record.name) == (
            "Changed", "Sales order", order["number"])
        assert confirmed.record.url == f"/sales/orders/{order['id']}"
        changes = {change.label: (change.old, change.new) for change in confirmed.changes}
        assert changes["State"] == ("Quotation", "Confirmed")
        assert changes["Order line LED 台灯 Desk Lamp · Reserved"] == ("0", "10")  # 10 on hand
        assert "2026" in changes["Confirmed"][1] or changes["Confirmed"][1][-2:] in "AMPM"
        labels = {change.label for change in created.changes}
        assert {"Customer", "Total", "Order line LED 台灯 Desk Lamp · Quantity"} <= labels
        created_values = {change.label: change.new for change in created.changes}
        assert created_values["Customer"] == "杭州西湖贸易有限公司"  # a name, not an id
    with app.test_request_context(), force_locale("zh"):
        confirmed = history_of("sales_orders", order["id"])[0]
        assert confirmed.record.kind == "销售订单" and confirmed.action_label == "修改"
        assert "订单明细 LED 台灯 Desk Lamp · 已预留" in {c.label for c in confirmed.changes}


def test_sessions_and_batch_jobs_are_not_audited(ctx):
    from erp.invoicing import batch

    user = user_services.create_user({"email": "s@example.com", "roles": ["finance"],
                                      "password": "long enough"})
    token = user_services.start_session(user.id)
    user_services.end_session(token)
    batch._create([1], user.id)
    tables = set(db.session.scalars(select(AuditEntry.table_name)))
    assert not tables & {"user_sessions", "pdf_batch_jobs"}
