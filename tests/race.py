"""Several processes call the HTTP API at the same moment, as gunicorn workers would.

Each worker is its own process (fork) with its own application, engine and connection; they
connect first, then wait at a barrier, so the calls really overlap. Used by the concurrency
tests of inventory and sales.
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass

from shared.extensions import db


@dataclass(frozen=True)
class Outcome:
    path: str
    body: dict | None
    status: int
    code: str | None  # the error envelope's code, if any
    message: str | None


def _call(database_url: str, token: str, path: str, body: dict | None, barrier,
          results) -> None:
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
    error = (response.get_json() or {}).get("error", {})
    results.put(Outcome(path, body, response.status_code, error.get("code"),
                        error.get("message")))


def race(app, database_url: str, calls: list[tuple[str, str, dict | None]]) -> list[Outcome]:
    """POST each (token, path, body) from its own process, all released together."""
    with app.app_context():
        db.engine.dispose()  # no connection is shared with the children
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(calls)), context.Queue()
    workers = [context.Process(target=_call, args=(database_url, token, path, body, barrier,
                                                    results)) for token, path, body in calls]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return outcomes
