"""Benchmark: the CRM's hot paths.

1. The lead -> conversion path through the HTTP API, per lead: create the lead, convert it,
   move the opportunity, win it (4 calls). The quotation action needs sales orders (a later
   issue) and is not measured.
2. The pipeline board, the pipeline figures and the lead list with SMALL vs LARGE leads
   (seed-scale --leads: about 20 % become open opportunities), in the same run, with the
   number of SQL statements per request. A ratio near 1 means the cost does not grow with
   the data.

SQLite files by default; BENCH_DATABASE_URL=postgresql+psycopg://user@host/db creates scratch
databases on that server. Run:
    .venv/bin/python bench/crm.py [--small 100] [--large 100000] [--leads-per-run 200]
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

from sqlalchemy import event, text

from app import create_app
from bench.master_data import scratch_postgres
from config import TestConfig
from shared import scale
from shared.db import transactional
from shared.extensions import db
from shared.reference import load_reference_data
from shared.users import services as user_services

EMAIL, PASSWORD = "bench-sales@example.com", "bench-password"

CALLS = {
    "board page (HTML)": "/pipeline/",
    "board, one owner": "/pipeline/?owner_id=1",
    "pipeline figures API": "/api/v1/pipeline",
    "lead list page (HTML)": "/leads/",
    "lead list page 50": "/leads/?page=50",
    "leads API status filter": "/api/v1/leads?status=qualified",
    "leads API owner filter": "/api/v1/leads?owner_id=1",
    "leads API text search": "/api/v1/leads?q=4242",
    "opportunities API open": "/api/v1/opportunities?status=open",
}


def build(url: str, leads: int):
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PASSWORD_HASH_FAST = True
        WTF_CSRF_ENABLED = False

    app = create_app(Bench)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_reference_data()
        user_services.create_user({"email": EMAIL, "password": PASSWORD, "roles": ["sales"],
                                   "name": "Bench"})
        context = scale.ScaleContext(rng=random.Random(1), quiet=True)
        transactional(scale.SCALE_GENERATORS["partners"])(max(10, leads // 10), context)
        transactional(scale.SCALE_GENERATORS["leads"])(leads, context)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}
                        ).json["token"]
    client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    return app, client, {"Authorization": f"Bearer {token}"}


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
    for _ in range(repeat):
        counter.count = 0
        started = time.perf_counter()
        response = client.get(path, headers=headers if path.startswith("/api/") else {})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        statements = counter.count
    return statistics.median(timings), statements


def conversion_path(client, headers, stages: dict[str, int], runs: int) -> list[float]:
    timings = []
    for n in range(runs):
        started = time.perf_counter()
        lead = client.post("/api/v1/leads", headers=headers, json={
            "title": f"Bench lead {n}", "company_name": f"Bench Co {n}",
            "email": f"bench{n}@bench.example.com", "expected_revenue": "1234.56"}).json
        ids = client.post(f"/api/v1/leads/{lead['id']}/convert", headers=headers, json={}).json
        client.post(f"/api/v1/opportunities/{ids['opportunity_id']}/move", headers=headers,
                    json={"stage_id": stages["Proposal"]})
        won = client.post(f"/api/v1/opportunities/{ids['opportunity_id']}/win", headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert won.status_code == 200 and won.json["status"] == "won", won.json
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--leads-per-run", type=int, default=200)
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        setups = {}
        for label, size in (("small", args.small), ("large", args.large)):
            url = scratch_postgres(base, f"bench_crm_{label}") if base \
                else f"sqlite:///{tmp}/{label}.sqlite3"
            started = time.perf_counter()
            setups[label] = build(url, size)
            print(f"built {label}: {size} leads (~{size // 5} open opportunities) in "
                  f"{time.perf_counter() - started:.1f}s", flush=True)
        print(f"\n{'call':<26}{'small ms':>10}{'large ms':>10}{'ratio':>8}{'SQL small':>11}"
              f"{'SQL large':>11}")
        for name, path in CALLS.items():
            small, small_sql = measure(*setups["small"], path, args.repeat)
            large, large_sql = measure(*setups["large"], path, args.repeat)
            print(f"{name:<26}{small:>10.2f}{large:>10.2f}{large / small:>8.2f}"
                  f"{small_sql:>11}{large_sql:>11}")
        _app, client, headers = setups["large"]
        stages = {s["name"]: s["id"] for s in
                  client.get("/api/v1/pipeline/stages", headers=headers).json["items"]}
        timings = conversion_path(client, headers, stages, args.leads_per_run)
        print(f"\nlead -> convert -> move -> win over the HTTP API (4 calls), on the large "
              f"database, {len(timings)} leads: median {statistics.median(timings):.1f} ms, "
              f"mean {statistics.mean(timings):.1f} ms, "
              f"p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms per lead")


if __name__ == "__main__":
    main()
