"""Tickets created at the same moment by several processes (as gunicorn workers would):
round robin and least open still spread them evenly, and the numbers stay gapless.
Meaningful on PostgreSQL (row locks); on SQLite the writers queue on the database lock."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.race import race

WORKERS = 9


def _race_creations(app, database_url, desk, api, count):
    body = {"partner_id": desk.customer, "subject": "Race 并发"}
    outcomes = race(app, database_url, [(api.token, "/tickets", body)] * count)
    assert [o.status for o in outcomes] == [201] * count, outcomes
    return [o for o in outcomes]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["round_robin", "least_open"])
def test_concurrent_creations_spread_evenly_and_numbers_stay_gapless(
        app, database_url, admin_api, api_as, desk, support, mode):
    agents = [support, api_as("support"), api_as("support"), api_as("support", "sales")]
    assert admin_api.patch("/company", json={"ticket_assignment": mode}).status_code == 200
    creator = agents[0]
    _race_creations(app, database_url, desk, creator, WORKERS)
    _race_creations(app, database_url, desk, creator, WORKERS - 2)
    items = creator.get("/tickets?per_page=200").json["items"]
    assert len(items) == 2 * WORKERS - 2
    counts = Counter(t["assignee_id"] for t in items)
    assert set(counts) == {a.user_id for a in agents}
    assert max(counts.values()) - min(counts.values()) <= 1, counts
    numbers = sorted(t["number"] for t in items)
    assert numbers == [f"TCK-{n:05d}" for n in range(1, len(items) + 1)]
