"""API.md, Conventions: the error envelope, 400/404/405, Idempotency-Key."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from shared.db import utcnow
from shared.extensions import db
from shared.idempotency import IdempotencyKey
from shared.partners.models import Partner
from tests.conftest import row_count


def test_error_envelope_shape(api_as):
    api = api_as("sales")
    body = api.post("/partners", json={}).json
    assert set(body) == {"error"}
    assert body["error"]["code"] == "validation_error"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["error"]["fields"] == {"name": "This field is required."}


def test_a_body_that_is_not_a_json_object_is_400(api_as):
    api = api_as("sales")
    for data in ("[1]", "not json", '"text"', ""):
        response = api.post("/partners", data=data, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, data
        assert response.json["error"]["code"] == "invalid_json"


def test_unknown_api_route_and_wrong_method_answer_in_the_envelope(api_as):
    api = api_as("sales")
    missing = api.get("/no-such-thing")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = api.delete("/partners")
    assert wrong.status_code == 405 and "error" in wrong.json


def test_403_comes_before_the_record_is_looked_up(api_as):
    support = api_as("support")
    assert support.patch("/partners/424242", json={"name": "x"}).status_code == 403


def test_idempotency_key_replays_the_first_response_and_writes_once(app, api_as):
    api = api_as("sales")
    headers = {"Idempotency-Key": "order-abc-1"}
    first = api.post("/partners", json={"name": "Once Ltd"}, headers=headers)
    again = api.post("/partners", json={"name": "Once Ltd"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json == again.json
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert row_count(app, Partner) == 1


def test_same_key_with_another_body_is_422(app, api_as):
    api = api_as("sales")
    headers = {"Idempotency-Key": "k-1"}
    api.post("/partners", json={"name": "One"}, headers=headers)
    response = api.post("/partners", json={"name": "Two"}, headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "idempotency_key_reused"
    assert row_count(app, Partner) == 1


def test_keys_are_per_user(app, api_as):
    alice, bob = api_as("sales"), api_as("sales")
    headers = {"Idempotency-Key": "shared-key"}
    assert alice.post("/partners", json={"name": "A"}, headers=headers).status_code == 201
    assert bob.post("/partners", json={"name": "A"}, headers=headers).status_code == 201
    assert row_count(app, Partner) == 2


def test_an_error_response_is_replayed_too(app, api_as):
    api = api_as("sales")
    headers = {"Idempotency-Key": "bad-1"}
    first = api.post("/partners", json={"email": "nope"}, headers=headers)
    second = api.post("/partners", json={"email": "nope"}, headers=headers)
    assert first.status_code == second.status_code == 422
    assert first.json == second.json


def test_keys_expire_after_24_hours(app, api_as):
    api = api_as("sales")
    headers = {"Idempotency-Key": "old"}
    api.post("/partners", json={"name": "A"}, headers=headers)
    with app.app_context():
        db.session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    assert api.post("/partners", json={"name": "A", "allow_duplicate": True},
                    headers=headers).status_code == 201
    assert row_count(app, Partner) == 2


def test_decimals_are_strings_and_timestamps_iso(api_as):
    api = api_as("sales")
    body = api.post("/partners", json={"name": "A", "credit_limit": 10}).json
    assert body["credit_limit"] == "10.00"
    assert "T" in body["created_at"] and body["created_at"].endswith("+00:00")
