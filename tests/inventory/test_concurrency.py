"""Several processes race for the last units: stock never goes below zero, exactly what was
there leaves, and every loser is told why (409 insufficient_stock, never a 500).

Each worker is its own process with its own application, engine and connection, as gunicorn
workers are; they all post at once through the HTTP API.
"""
from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest

from shared.extensions import db

WORKERS = 16
ON_HAND = 10
QUANTITIES = [1 + n % 3 for n in range(WORKERS)]  # 1, 2, 3, 1, ... asks for 32 in all


def _post(database_url: str, token: str, path: str, body: dict, barrier, results) -> None:
    from app import create_app
    from config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/me", headers=headers)  # connect and warm up before the start line
    barrier.wait(timeout=60)
    response = client.post("/api/v1" + path, json=body, headers=headers)
    code = (response.get_json() or {}).get("error", {}).get("code")
    results.put((body.get("quantity"), response.status_code, code))


def _race(app, database_url, token, path, bodies) -> list[tuple[str, int, str | None]]:
    """POST each body to `path` from its own process, all released at the same moment."""
    with app.app_context():
        db.engine.dispose()  # no connection is shared with the children
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(bodies)), context.Queue()
    workers = [context.Process(target=_post, args=(database_url, token, path, body, barrier,
                                                    results)) for body in bodies]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return outcomes


@pytest.mark.slow
def test_processes_racing_for_the_last_units(app, database_url, stock, api_as):
    lamp = stock.product("LAMP")
    stock.receive(lamp, ON_HAND)
    clerk = api_as("warehouse")
    bodies = [{"product_id": lamp, "quantity": str(q), "from_location_id": stock.loc["WH/Stock"],
               "to_location_id": stock.loc["Customers"]} for q in QUANTITIES]

    outcomes = _race(app, database_url, clerk.token, "/stock/moves", bodies)

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

    outcomes = _race(app, database_url, clerk.token, f"/stock/moves/{receipt['id']}/reverse",
                     [{}] * 6)

    statuses = sorted(status for _, status, _ in outcomes)
    assert statuses == [201] + [409] * 5, outcomes
    assert {code for _, status, code in outcomes if status == 409} == {"invalid_state"}
    assert stock.level(lamp)[0] == 0
