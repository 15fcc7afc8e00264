"""The credit check at confirmation and its audited override by finance or an admin."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select


@pytest.fixture
def indebted(shop, finance):
    """A customer with a 1,000.00 limit who owes 678.00 on a posted invoice."""
    customer = shop.partner("宁波港湾物流有限公司", credit_limit="1000.00")
    r = finance.post("/invoices", json={"partner_id": customer, "lines": [
        {"description": "Freight", "quantity": "1", "unit_price": "600.00", "tax_rate": "13"}]})
    assert finance.post(f"/invoices/{r.json['id']}/post").json["amount_due"] == "678.00"
    return customer


def test_confirming_past_the_limit_is_refused_with_the_figures(shop, sales, indebted):
    order = shop.order(sales, (shop.lamp, 2), partner_id=indebted)  # 449.74
    r = sales.post(f"/sales-orders/{order['id']}/confirm")
    assert r.status_code == 409
    error = r.json["error"]
    assert error["code"] == "credit_limit_exceeded"
    assert error["message"] == (
        "Credit limit exceeded for 宁波港湾物流有限公司: open receivables 678.00 + this order "
        "449.74 = 1127.74, above the limit of 1000.00.")
    after = sales.get(f"/sales-orders/{order['id']}").json
    assert after["state"] == "draft" and after["lines"][0]["reserved_qty"] == "0.000"
    assert shop.level(shop.lamp) == (Decimal(10), Decimal(0), Decimal(10))


def test_within_the_limit_or_without_one_confirms(shop, sales, indebted):
    order = shop.order(sales, (shop.lamp, 1), partner_id=indebted)  # 678.00 + 224.87
    assert sales.post(f"/sales-orders/{order['id']}/confirm").json["state"] == "confirmed"
    unlimited = shop.order(sales, (shop.chair, 5))  # the shop's customer has no limit
    assert sales.post(f"/sales-orders/{unlimited['id']}/confirm").status_code == 200


def test_sales_cannot_override(shop, sales, indebted):
    order = shop.order(sales, (shop.lamp, 2), partner_id=indebted)
    r = sales.post(f"/sales-orders/{order['id']}/confirm",
                   json={"override_credit_limit": True, "override_reason": "good customer"})
    assert r.status_code == 409
    assert "Only finance or an administrator may override" in r.json["error"]["message"]
    assert sales.get(f"/sales-orders/{order['id']}").json["state"] == "draft"


def test_finance_confirms_only_with_the_override(shop, sales, finance, indebted):
    order = shop.order(sales, (shop.lamp, 2), partner_id=indebted)
    r = finance.post(f"/sales-orders/{order['id']}/confirm")
    assert r.status_code == 403
    r = finance.post(f"/sales-orders/{order['id']}/confirm",
                     json={"override_credit_limit": True,
                           "override_reason": "Paid by wire today, see bank"})
    assert r.status_code == 200, r.json
    assert r.json["state"] == "confirmed"
    assert r.json["credit_override_by_id"] == finance.user_id
    assert r.json["credit_override_reason"] == "Paid by wire today, see bank"
    assert r.json["lines"][0]["reserved_qty"] == "2.000"


def test_the_override_is_in_the_audit_trail(app, shop, sales, admin_api, indebted):
    from shared.audit.models import AuditEntry
    from shared.extensions import db
    order = shop.order(sales, (shop.lamp, 2), partner_id=indebted)
    r = admin_api.post(f"/sales-orders/{order['id']}/confirm",
                       json={"override_credit_limit": True, "override_reason": "CEO approved"})
    assert r.status_code == 200
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.table_name == "sales_orders",
            AuditEntry.record_id == str(order["id"]), AuditEntry.action == "update")).all()
    overrides = [e for e in entries if "credit_override_by_id" in e.changes]
    assert len(overrides) == 1
    assert overrides[0].user_id == admin_api.user_id
    assert overrides[0].changes["credit_override_by_id"] == [None, admin_api.user_id]
    assert overrides[0].changes["credit_override_reason"] == [None, "CEO approved"]
    confirmations = [e for e in entries if "state" in e.changes]
    assert [(e.user_id, e.changes["state"]) for e in confirmations] == \
        [(admin_api.user_id, ["draft", "confirmed"])]


def test_an_override_is_not_recorded_when_it_is_not_needed(shop, admin_api):
    order = shop.order(admin_api, (shop.lamp, 1))
    r = admin_api.post(f"/sales-orders/{order['id']}/confirm",
                       json={"override_credit_limit": True})
    assert r.status_code == 200 and r.json["credit_override_by_id"] is None
