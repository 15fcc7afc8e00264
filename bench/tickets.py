"""Benchmark: the helpdesk's hot paths at SMALL vs LARGE tickets, in one run.

seed-scale --tickets writes tickets over the last year in every status and priority with
COMMENTS (default 10) comments each, so 100,000 tickets carry 1,000,000 comments. Measured,
with the number of SQL statements per request: the queue (HTML, nearest deadline first), the
breached queue and the API's breached filter, a deep queue page, the ticket page (its
conversation and the customer panel) and its comments API, and the support dashboard (the
home cards and the weekly chart). A ratio near 1 means the cost does not grow with the data.

SQLite files by default; BENCH_DATABASE_URL=postgresql+psycopg://user@host/db creates scratch
databases on that server. Run:
    .venv/bin/python bench/tickets.py [--small 1000] [--large 100000] [--comments 10]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select, text

from app import create_app
from bench.master_data import drop_postgres, scratch_postgres
from config import TestConfig
from shared import scale
from shared.db import transactional
from shared.extensions import db
from shared.reference import load_reference_data
from shared.registry import registry_of
from shared.users import services as user_services

EMAIL, PASSWORD = "bench-support@example.com", "bench-password"


def calls(ticket_id: int) -> dict[str, str]:
    return {
        "queue page (HTML)": "/tickets/",
        "queue, breached (HTML)": "/tickets/?view=breached",
        "queue, my tickets (HTML)": "/tickets/?view=mine",
        "queue, urgent (HTML)": "/tickets/?view=active&priority=urgent",
        "queue page 20 (HTML)": "/tickets/?page=20",
        "API breached=true": "/api/v1/tickets?breached=true",
        "API status=open": "/api/v1/tickets?status=open",
        "API newest first": "/api/v1/tickets",
        "ticket page (HTML)": f"/tickets/{ticket_id}",
        "ticket comments API": f"/api/v1/tickets/{ticket_id}/comments",
        "support dashboard": "/tickets/dashboard",
        "home page (cards)": "/",
    }


def build(url: str, tickets: int, comments: int):
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PASSWORD_HASH_FAST = True
        WTF_CSRF_ENABLED = False

    app = create_app(Bench)
    with app.app_context():
        from flask_migrate import upgrade

        from crm.tickets.models import Ticket
        from crm.tickets.scale import scale_tickets

        upgrade()
        load_reference_data()
        user_services.create_user({"email": EMAIL, "password": PASSWORD,
                                   "roles": ["support"], "name": "Bench"})
        for n in range(3):
            user_services.create_user({"email": f"agent{n}@example.com", "password": PASSWORD,
                                       "roles": ["support"], "name": f"Agent {n}"})
        context = scale.ScaleContext(rng=random.Random(1), quiet=True)
        generators = registry_of(app).scale_generators
        transactional(generators["partners"])(max(100, tickets // 10), context)
        transactional(scale_tickets)(tickets, context, comments)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        middle = db.session.scalar(select(func.max(Ticket.id))) // 2
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}
                        ).json["token"]
    client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    return app, client, {"Authorization": f"Bearer {token}"}, middle


class StatementCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.count += 1


def measure(app, client, headers, path: str, repeat: int) -> tuple[float, int]:
    with app.app_context():
        counter = StatementCounter(db.engine)
    timings, statements = [], 0
    client.get(path, headers=headers if path.startswith("/api/") else {})  # warm up
    for _ in range(repeat):
        counter.count = 0
        started = time.perf_counter()
        response = client.get(path, headers=headers if path.startswith("/api/") else {})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        statements = counter.count
    return statistics.median(timings), statements


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=10, help="comments per ticket")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        setups = {}
        for label, size in (("small", args.small), ("large", args.large)):
            url = scratch_postgres(base, f"bench_tickets_{label}") if base \
                else f"sqlite:///{tmp}/{label}.sqlite3"
            started = time.perf_counter()
            setups[label] = build(url, size, args.comments)
            print(f"built {label}: {size} tickets, {size * args.comments} comments in "
                  f"{time.perf_counter() - started:.1f}s", flush=True)
        print(f"\n{'call':<28}{'small ms':>10}{'large ms':>10}{'ratio':>8}{'SQL small':>11}"
              f"{'SQL large':>11}")
        for name in calls(0):
            small_app, small_client, small_headers, small_id = setups["small"]
            large_app, large_client, large_headers, large_id = setups["large"]
            small, small_sql = measure(small_app, small_client, small_headers,
                                       calls(small_id)[name], args.repeat)
            large, large_sql = measure(large_app, large_client, large_headers,
                                       calls(large_id)[name], args.repeat)
            print(f"{name:<28}{small:>10.2f}{large:>10.2f}{large / small:>8.2f}"
                  f"{small_sql:>11}{large_sql:>11}", flush=True)
        for label in setups:
            with setups[label][0].app_context():
                db.engine.dispose()
            if base:
                drop_postgres(base, f"bench_tickets_{label}")


if __name__ == "__main__":
    main()
