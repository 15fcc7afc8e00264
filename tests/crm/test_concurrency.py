"""Concurrent conversions and moves: the state guards hold whatever runs at the same time."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from crm.pipeline.models import Opportunity
from shared.extensions import db


def parallel_posts(app, token: str, path: str, bodies: list[dict]):
    def post(body):
        client = app.test_client()  # each thread: its own request, session and connection
        return client.post(f"/api/v1{path}", json=body,
                           headers={"Authorization": f"Bearer {token}"})

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def test_a_lead_converted_eight_times_at_once_makes_one_opportunity(app, api_as):
    sales = api_as("sales")
    lead = sales.post("/leads", json={"title": "Race", "email": "race@example.com"}).json
    responses = parallel_posts(app, sales.token, f"/leads/{lead['id']}/convert", [{}] * 8)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert {r.json["error"]["code"] for r in responses if r.status_code == 409} == {
        "already_converted"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 1


def test_win_and_lose_at_once_close_the_opportunity_once(app, api_as):
    sales = api_as("sales")
    opp = sales.post("/opportunities", json={"title": "Race"}).json
    won = parallel_posts(app, sales.token, f"/opportunities/{opp['id']}/win", [{}] * 4)
    lost = parallel_posts(app, sales.token, f"/opportunities/{opp['id']}/lose",
                          [{"reason": "late"}])
    assert sorted(r.status_code for r in won) == [200, 409, 409, 409]
    assert lost[0].status_code == 409
    assert sales.get(f"/opportunities/{opp['id']}").json["status"] == "won"
