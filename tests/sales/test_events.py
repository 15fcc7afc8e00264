"""Domain events (shared/events.py): what each service publishes, and how subscribers run.

Subscribers run inside the publishing transaction (an exception undoes everything), or, when
wired after_commit, once it has committed and never after a rollback.
"""
from __future__ import annotations

from contextlib import ExitStack
from decimal import Decimal

import pytest

from shared import events
from shared.db import transactional
from shared.errors import ValidationError
from shared.extensions import db
from shared.partners.models import Partner
from tests.conftest import subscribed

PUBLISHED = (events.OpportunityQuoted, events.OrderConfirmed, events.DeliveryDone,
             events.InvoiceChanged, events.InvoicePosted, events.PaymentRecorded,
             events.StockBelowReorderPoint)


@pytest.fixture
def published(app):
    """Every domain event published during the test, in order."""
    seen: list[events.Event] = []
    with ExitStack() as stack:
        for kind in PUBLISHED:
            stack.enter_context(subscribed(app, kind, seen.append))
        yield seen


def of(seen, kind):
    return [event for event in seen if isinstance(event, kind)]


def test_the_order_to_cash_path_publishes_its_events(app, shop, sales, warehouse, finance,
                                                       published):
    order = shop.order(sales, (shop.lamp, 2), (shop.setup, 1))
    assert sales.post(f"/sales-orders/{order['id']}/confirm").status_code == 200
    [confirmed] = of(published, events.OrderConfirmed)
    assert (confirmed.order_id, confirmed.partner_id, confirmed.opportunity_id) == \
        (order["id"], shop.customer, None)
    assert confirmed.total == Decimal(order["total"]) and confirmed.user_id == sales.user_id

    assert warehouse.post(f"/sales-orders/{order['id']}/deliver").status_code == 200
    [delivered] = of(published, events.DeliveryDone)
    assert delivered.order_id == order["id"] and delivered.user_id == warehouse.user_id

    invoice_id = finance.post(f"/sales-orders/{order['id']}/invoice").json["invoice_id"]
    posted = finance.post(f"/invoices/{invoice_id}/post").json
    [posted_event] = of(published, events.InvoicePosted)
    assert (posted_event.invoice_id, posted_event.number, posted_event.kind) == \
        (invoice_id, posted["number"], "customer_invoice")
    assert posted_event.total == Decimal(posted["total"])

    payment = finance.post("/payments", json={
        "partner_id": shop.customer, "amount": "100.00", "method": "bank",
        "allocations": [{"invoice_id": invoice_id, "amount": "100.00"}]}).json
    [paid] = of(published, events.PaymentRecorded)
    assert (paid.payment_id, paid.amount, paid.invoice_ids) == \
        (payment["id"], Decimal("100.00"), (invoice_id,))


def test_a_credit_note_tells_sales_to_recount(shop, sales, warehouse, finance, published):
    order = shop.order(sales, (shop.lamp, 1))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    warehouse.post(f"/sales-orders/{order['id']}/deliver")
    invoice_id = finance.post(f"/sales-orders/{order['id']}/invoice").json["invoice_id"]
    finance.post(f"/invoices/{invoice_id}/post")
    assert finance.post(f"/invoices/{invoice_id}/credit-note").status_code == 201
    assert [e.invoice_id for e in of(published, events.InvoiceChanged)] == [invoice_id]
    assert sales.get(f"/sales-orders/{order['id']}").json["invoice_status"] == "to_invoice"


def test_stock_below_reorder_point_is_published_once_when_crossing(shop, admin_api,
                                                                    published):
    admin_api.patch(f"/products/{shop.lamp}", json={"reorder_point": "6"})  # 10 on hand

    def deliver(quantity):
        r = admin_api.post("/stock/moves", json={
            "product_id": shop.lamp, "quantity": str(quantity),
            "from_location_id": shop.loc["WH/Stock"], "to_location_id": shop.loc["Customers"]})
        assert r.status_code == 201, r.json

    deliver(3)  # 10 -> 7: still above
    assert of(published, events.StockBelowReorderPoint) == []
    deliver(1)  # 7 -> 6: at the point
    deliver(2)  # 6 -> 4: already below, not again
    assert of(published, events.StockBelowReorderPoint) == [events.StockBelowReorderPoint(
        product_id=shop.lamp, available=Decimal("6.000"), reorder_point=Decimal("6.000"))]


def test_an_unknown_quoted_opportunity_is_refused_by_crm_before_anything_is_written(
        shop, sales):
    before = sales.get("/sales-orders").json["total"]
    r = sales.post("/sales-orders", json={"partner_id": shop.customer, "opportunity_id": 999,
                                          "lines": [{"product_id": shop.lamp, "quantity": 1}]})
    assert r.status_code == 422 and "opportunity_id" in r.json["error"]["fields"]
    assert sales.get("/sales-orders").json["total"] == before
    order = shop.order(sales, (shop.lamp, 1))
    r = sales.patch(f"/sales-orders/{order['id']}", json={"opportunity_id": 999})
    assert r.status_code == 422 and "opportunity_id" in r.json["error"]["fields"]
    assert order["number"] == "SO00001"  # the refused creation gave its number back


@pytest.mark.postgres
def test_the_database_refuses_an_order_naming_no_opportunity(ctx):
    """On PostgreSQL the link has a foreign key (declared by CRM)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite cannot add the key to an existing table")
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    db.session.add(Partner(code="C1", name="C", is_customer=True))
    db.session.flush()
    with pytest.raises(IntegrityError):
        db.session.execute(text(
            "INSERT INTO sales_orders (number, partner_id, opportunity_id, state, "
            "invoice_status, order_date, currency, untaxed_amount, tax_amount, total, "
            "created_at) SELECT 'SO9', id, 999, 'draft', 'nothing', CURRENT_DATE, 'CNY', 0, "
            "0, 0, CURRENT_TIMESTAMP FROM partners"))
    db.session.rollback()


# --------------------------------------------------------------------------- the mechanism


def add_partner(name):
    db.session.add(Partner(code=name, name=name))
    db.session.flush()


def test_an_after_commit_subscriber_runs_after_the_commit_and_never_after_a_rollback(ctx):
    ran: list[tuple[str, int]] = []

    def after(event):
        # Committed: a fresh session count sees the partner.
        ran.append((event.number, db.session.query(Partner).count()))

    @transactional
    def post(fail: bool):
        before = len(ran)
        add_partner(f"P{fail}")
        events.publish(events.InvoicePosted(invoice_id=1, kind="customer_invoice",
                                            number="INV/2026/00001", partner_id=1,
                                            total=Decimal("1.00"), user_id=None))
        assert len(ran) == before  # not yet: the transaction is still open
        if fail:
            raise ValidationError("refused")

    with subscribed(ctx, events.InvoicePosted, after, after_commit=True):
        post(False)
        with pytest.raises(ValidationError):
            post(True)
    assert ran == [("INV/2026/00001", 1)]
    assert db.session.query(Partner).count() == 1


def test_an_in_transaction_subscriber_that_raises_undoes_the_whole_operation(ctx):
    def refuse(_event):
        raise ValidationError("refused by a subscriber")

    @transactional
    def post():
        add_partner("X")
        events.publish(events.DeliveryDone(delivery_id=1, order_id=1, user_id=None))

    with subscribed(ctx, events.DeliveryDone, refuse), pytest.raises(ValidationError):
        post()
    assert db.session.query(Partner).count() == 0
