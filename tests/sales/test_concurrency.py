"""Processes confirming and delivering orders that compete for the same last units.

Each worker is its own process with its own application and connection, as gunicorn workers
are, and they all call the HTTP API at the same moment. Whatever the interleaving:
reservations never exceed what is on hand, stock never goes negative, the balance's reserved
equals the sum of the order lines' reservations, and every loser is told why.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from tests.race import race

ON_HAND = 10


def _reserved_on_lines(app, product_id: int) -> Decimal:
    from erp.sales.models import SalesOrderLine
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.sum(SalesOrderLine.reserved_qty), 0))
                                 .where(SalesOrderLine.product_id == product_id))


def _check_invariants(app, shop, product_id: int) -> tuple[Decimal, Decimal]:
    on_hand, reserved, available = shop.level(product_id)
    assert on_hand >= 0 and 0 <= reserved <= on_hand and available >= 0
    assert _reserved_on_lines(app, product_id) == reserved
    return on_hand, reserved


@pytest.mark.slow
def test_confirm_and_deliver_race_for_the_last_units(app, database_url, shop, api_as):
    lamp = shop.product("RACE", "Last lamps", "99.00", stock=ON_HAND)
    sales, warehouse = api_as("sales"), api_as("warehouse")

    # Round 1: eight orders of 2 (16 wanted, 10 there) are confirmed at the same moment.
    orders = [shop.order(sales, (lamp, 2)) for _ in range(8)]
    outcomes = race(app, database_url, [(sales.token, f"/sales-orders/{o['id']}/confirm", None)
                                         for o in orders])
    assert [o.status for o in outcomes] == [200] * 8, outcomes
    on_hand, reserved = _check_invariants(app, shop, lamp)
    assert (on_hand, reserved) == (ON_HAND, ON_HAND)
    reserved_by_order = {o["id"]: Decimal(sales.get(f"/sales-orders/{o['id']}").json
                                          ["lines"][0]["reserved_qty"]) for o in orders}
    assert sorted(reserved_by_order.values()).count(Decimal(2)) == 5

    # Round 2: three more arrive. Every order is delivered in full (2 each) while four new
    # orders are confirmed: deliveries short of their reservation compete with the
    # confirmations for the 3 free units.
    shop.receive(lamp, 3)
    late = [shop.order(sales, (lamp, 2)) for _ in range(4)]
    calls = [(warehouse.token, f"/sales-orders/{o['id']}/deliver",
              {"lines": [{"line_id": o["lines"][0]["id"], "quantity": "2"}]}) for o in orders]
    calls += [(sales.token, f"/sales-orders/{o['id']}/confirm", None) for o in late]
    outcomes = race(app, database_url, calls)

    delivered = [o.path for o in outcomes if "deliver" in o.path and o.status == 200]
    refused = [o for o in outcomes if o.status != 200]
    assert all("deliver" in o.path and o.code == "insufficient_stock" and "RACE" in o.message
               for o in refused), refused
    assert [o.status for o in outcomes if "confirm" in o.path] == [200] * 4
    # The five fully reserved orders always go out; 3 free units serve at most one more.
    assert 5 <= len(delivered) <= 6
    on_hand, reserved = _check_invariants(app, shop, lamp)
    assert on_hand == ON_HAND + 3 - 2 * len(delivered)
    for order in orders:
        after = sales.get(f"/sales-orders/{order['id']}").json
        line = after["lines"][0]
        was_delivered = f"/sales-orders/{order['id']}/deliver" in delivered
        assert line["delivered_qty"] == ("2.000" if was_delivered else "0.000")
        assert after["state"] == ("delivered" if was_delivered else "confirmed")
        if not was_delivered:  # a refused delivery left its reservation as it was
            assert Decimal(line["reserved_qty"]) == reserved_by_order[order["id"]]
    result = app.test_cli_runner().invoke(args=["stock-check"])
    assert result.exit_code == 0, result.output
