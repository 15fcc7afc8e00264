"""Several processes race for the last units: stock never goes below zero, exactly what was
there leaves, and every loser is told why (409 insufficient_stock, never a 500).

Each worker is its own process with its own application, engine and connection, as gunicorn
workers are; they all post at once through the HTTP API.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.race import race

WORKERS = 16
ON_HAND = 10
QUANTITIES = [1 + n % 3 for n in range(WORKERS)]  # 1, 2, 3, 1, ... asks for 32 in all


@pytest.mark.slow
def test_processes_racing_for_the_last_units(app, database_url, stock, api_as):
    lamp = stock.product("LAMP")
    stock.receive(lamp, ON_HAND)
    clerk = api_as("warehouse")
    bodies = [{"product_id": lamp, "quantity": str(q), "from_location_id": stock.loc["WH/Stock"],
               "to_location_id": stock.loc["Customers"]} for q in QUANTITIES]

    outcomes = [(o.body["quantity"], o.status, o.code)
                for o in race(app, database_url, [(clerk.token, "/stock/moves", body)
                                                  for body in bodies])]

    assert {status for _, status, _ in outcomes} <= {201, 409}, outcomes
    taken = sum(Decimal(q) for q, status, _ in outcomes if status == 201)
    losers = [Decimal(q) for q, status, _ in outcomes if status == 409]
    assert {code for _, status, code in outcomes if status == 409} == {"insufficient_stock"}
    on_hand = stock.level(lamp)[0]
    assert on_hand >= 0 and taken + on_hand == ON_HAND
    # Nobody was refused wrongly: stock only fell, so each loser asked for more than is left.
    assert losers and all(q > on_hand for q in losers)
    moves = stock.api.get(f"/stock/moves?product_id={lamp}&per_page=200").json["items"]
    assert len(moves) == 1 + len(outcomes) - len(losers)


@pytest.mark.slow
def test_processes_reversing_the_same_move_reverse_it_once(app, database_url, stock, api_as):
    lamp = stock.product("LAMP")
    receipt = stock.receive(lamp, 5)
    clerk = api_as("warehouse")

    path = f"/stock/moves/{receipt['id']}/reverse"
    outcomes = [(None, o.status, o.code)
                for o in race(app, database_url, [(clerk.token, path, {})] * 6)]

    statuses = sorted(status for _, status, _ in outcomes)
    assert statuses == [201] + [409] * 5, outcomes
    assert {code for _, status, code in outcomes if status == 409} == {"invalid_state"}
    assert stock.level(lamp)[0] == 0
