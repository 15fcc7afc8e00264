"""Processes receiving purchase orders at the same moment, and receipts racing sales
confirmations, through the HTTP API (tests/race.py: one process and connection each, all
released together, as gunicorn workers would be).

Whatever the interleaving: the moving-average cost is what receiving the orders one after
the other (in the order the moves were booked) gives, every move carries the cost of its
moment, the balances equal the ledger, and reservations never exceed what is on hand, nor
leave free stock while an order waits. On PostgreSQL the workers really overlap (row locks,
a deadlock retried); on SQLite they queue on the database lock.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from erp.purchasing.models import ReceiptLine
from shared.extensions import db
from tests.race import race


def _average(on_hand: Decimal, cost: Decimal, qty: Decimal, price: Decimal) -> Decimal:
    value = price if on_hand <= 0 else (on_hand * cost + qty * price) / (on_hand + qty)
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@pytest.mark.slow
def test_receipts_of_one_product_at_once_give_the_right_cost_and_balances(
        app, database_url, buy, finance, warehouse):
    prices = ["410.00", "395.50", "430.25", "380.10"]
    orders = [buy.confirmed(finance, (buy.chair, 3 + n, price))
              for n, price in enumerate(prices)]
    outcomes = race(app, database_url, [(warehouse.token, f"/purchase-orders/{o['id']}/receive",
                                         None) for o in orders])
    assert [o.status for o in outcomes] == [200] * len(orders), outcomes

    # Replay in the order the receipts were booked: the cost must follow exactly.
    with app.app_context():
        booked = db.session.execute(select(ReceiptLine.move_id, ReceiptLine.quantity,
                                           ReceiptLine.unit_cost, ReceiptLine.order_line_id)
                                    .order_by(ReceiptLine.move_id)).all()
    price_of = {line["id"]: Decimal(line["unit_price"])
                for o in orders for line in o["lines"]}
    on_hand, cost = Decimal(4), Decimal("400.0000")
    for _move_id, qty, unit_cost, order_line_id in booked:
        cost = _average(on_hand, cost, qty, price_of[order_line_id])
        on_hand += qty
        assert unit_cost == cost
    assert buy.cost(buy.chair) == cost
    assert buy.level(buy.chair) == (on_hand, Decimal(0), on_hand)
    assert on_hand == 4 + sum(3 + n for n in range(len(prices)))
    moves = warehouse.get(f"/stock/moves?product_id={buy.chair}").json["items"]
    assert moves[0]["unit_cost"] == str(cost)
    for order in orders:
        assert finance.get(f"/purchase-orders/{order['id']}").json["state"] == "received"
    result = app.test_cli_runner().invoke(args=["stock-check"])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_receipts_racing_confirmations_never_over_reserve(app, database_url, buy, finance,
                                                          warehouse, sales):
    lamp = buy.lamp  # nothing on hand

    def sale():
        r = sales.post("/sales-orders", json={"partner_id": buy.customer, "lines": [
            {"product_id": lamp, "quantity": "2"}]})
        assert r.status_code == 201, r.json
        return r.json

    waiting = [sale() for _ in range(3)]
    for order in waiting:
        assert sales.post(f"/sales-orders/{order['id']}/confirm").status_code == 200
    new = [sale() for _ in range(4)]
    purchases = [buy.confirmed(finance, (lamp, 2)) for _ in range(3)]
    calls = [(warehouse.token, f"/purchase-orders/{p['id']}/receive", None)
             for p in purchases]
    calls += [(sales.token, f"/sales-orders/{o['id']}/confirm", None) for o in new]
    outcomes = race(app, database_url, calls)
    assert [o.status for o in outcomes] == [200] * len(calls), outcomes

    on_hand, reserved, available = buy.level(lamp)
    assert on_hand == 6  # three receipts of 2
    # 14 wanted, 6 there: everything is reserved, never more
    assert reserved == 6 and available == 0
    from erp.sales.models import SalesOrderLine
    with app.app_context():
        on_lines = db.session.scalar(select(func.sum(SalesOrderLine.reserved_qty))
                                     .where(SalesOrderLine.product_id == lamp))
    assert on_lines == reserved
    # the orders confirmed before the receipts came first
    first = [Decimal(sales.get(f"/sales-orders/{o['id']}").json["lines"][0]["reserved_qty"])
             for o in waiting]
    assert sum(first) >= 2
    result = app.test_cli_runner().invoke(args=["stock-check"])
    assert result.exit_code == 0, result.output
