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
    """Pages of 10, so the small database fills them too: the same rows are drawn at both
    sizes and only the data behind them grows."""
    return {
        "queue page (HTML)": "/tickets/?per_page=10",
        "queue, breached (HTML)": "/tickets/?view=breached&per_page=10",
        "queue, my tickets (HTML)": "/tickets/?view=mine&per_page=10",
        "queue, urgent (HTML)": "/tickets/?view=active&priority=urgent&per_page=5",
        "queue page 2 (HTML)": "/tickets/?page=2&per_page=10",
        "API breached=true": "/api/v1/tickets?breached=true&per_page=10",
        "API status=open": "/api/v1/tickets?status=open&per_page=5",
        "API newest first": "/api/v1/tickets?per_page=10",
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
                # what autovacuum does after a bulk load: statistics and the visibility map
                # (index-only scans)
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE"))
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


COUNTERS: dict[int, StatementCounter] = {}


def once(app, client, headers, path: str) -> tuple[float, int]:
    """One request: (ms, SQL statements)."""
    if id(app) not in COUNTERS:
        with app.app_context():
            COUNTERS[id(app)] = StatementCounter(db.engine)
    counter = COUNTERS[id(app)]
    counter.count = 0
    started = time.perf_counter()
    response = client.get(path, headers=headers if path.startswith("/api/") else {})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed, counter.count


def measure_pair(small, large, name: str, repeat: int) -> tuple[float, float, int, int]:
    """Small and large requests alternate, so a busy moment of a shared machine hits both;
    medians of `repeat` each."""
    small_path, large_path = calls(small[3])[name], calls(large[3])[name]
    once(*small[:3], small_path)  # warm up
    once(*large[:3], large_path)
    small_ms, large_ms = [], []
    for _ in range(repeat):
        ms, small_sql = once(*small[:3], small_path)
        small_ms.append(ms)
        ms, large_sql = once(*large[:3], large_path)
        large_ms.append(ms)
    return statistics.median(small_ms), statistics.median(large_ms), small_sql, large_sql


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=10, help="comments per ticket")
    parser.add_argument("--repeat", type=int, default=25)
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
            small, large, small_sql, large_sql = measure_pair(
                setups["small"], setups["large"], name, args.repeat)
            print(f"{name:<28}{small:>10.2f}{large:>10.2f}{large / small:>8.2f}"
                  f"{small_sql:>11}{large_sql:>11}", flush=True)
        for label in setups:
            with setups[label][0].app_context():
                db.engine.dispose()
            if base:
                drop_postgres(base, f"bench_tickets_{label}")


if __name__ == "__main__":
    main()
