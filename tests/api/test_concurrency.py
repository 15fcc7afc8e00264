"""Concurrent writers: numbers stay unique and an Idempotency-Key runs its request once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from shared.extensions import db
from shared.partners.models import Partner


def parallel(app, token: str, calls: list[dict], workers: int = 8):
    def post(call):
        client = app.test_client()  # each thread: its own request, session and connection
        return client.post("/api/v1/partners", json=call["json"],
                           headers={"Authorization": f"Bearer {token}", **call.get("headers", {})})

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(post, calls))


def test_concurrent_creates_get_unique_gapless_codes(app, api_as):
    api = api_as("sales")
    responses = parallel(app, api.token, [{"json": {"name": f"P{i}"}} for i in range(24)])
    assert [r.status_code for r in responses] == [201] * 24
    codes = sorted(r.json["code"] for r in responses)
    assert codes == [f"P{i:05d}" for i in range(1, 25)]


def test_concurrent_retries_with_one_key_create_one_record(app, api_as):
    api = api_as("sales")
    call = {"json": {"name": "Only once"}, "headers": {"Idempotency-Key": "same-key"}}
    responses = parallel(app, api.token, [call] * 12)
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409} and 201 in statuses
    assert {r.json["error"]["code"] for r in responses if r.status_code == 409} <= {
        "idempotency_in_progress"}
    assert len({r.json["id"] for r in responses if r.status_code == 201}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Partner)) == 1
