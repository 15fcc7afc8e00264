"""Benchmark: does reading stock stay as fast with a million moves in history, and how many
moves a second does the HTTP API record?

For each history size (default 1k, 100k, 1M moves over 2,000 products) it builds a database
with `seed-scale`, then times in the same run, median of REPEAT calls through the WSGI app:
stock levels of one product, the product (API and HTML page), the ledger's first page and a
page deep in it (keyset `before_id`, and OFFSET for comparison), and the ledger HTML page.
Then it serves the largest database with gunicorn and records moves one at a time over a
kept-alive HTTP connection. Ratios against the smallest history are printed; ~1.0 means the
history does not matter.

SQLite files by default; BENCH_DATABASE_URL=postgresql+psycopg://user@host/db makes scratch
databases on that server instead. Run:  .venv/bin/python bench/inventory.py [--sizes ...]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from bench.master_data import drop_postgres, scratch_postgres  # noqa: E402
from config import TestConfig  # noqa: E402
from erp.inventory.models import StockMove  # noqa: E402
from shared.extensions import db  # noqa: E402
from shared.users import services as user_services  # noqa: E402

PRODUCTS = 2_000
REPEAT = 40
EMAIL, PASSWORD = "bench@example.com", "bench-password"


def database_url(label: str, workdir: Path) -> str:
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{workdir / f'{label}.sqlite3'}"
    return scratch_postgres(base, f"bench_inventory_{label}")


def build(url: str, moves: int):
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Bench)
    runner = app.test_cli_runner()
    for args in (["init-db"], ["seed-scale", "--products", str(PRODUCTS), "--moves", str(moves),
                               "--quiet", "--seed", "1"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        user_services.create_user({"email": EMAIL, "password": PASSWORD, "roles": ["admin"]})
        middle = db.session.execute(select(StockMove.id, StockMove.product_id)
                                    .order_by(StockMove.id).offset(moves // 2).limit(1)).one()
    return app, middle


def signed_in_clients(app):
    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    web = app.test_client()
    page = web.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    web.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf})
    return api, headers, web


def timed_ms(call) -> float:
    start = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (response.status_code, response.data[:300])
    return elapsed


def interleaved_medians(calls: dict[int, dict]) -> dict[int, dict[str, float]]:
    """Median ms per size and call. The sizes take turns call by call, so load from other
    work on the machine falls on all of them alike and the ratios stay fair."""
    sizes = list(calls)
    times = {size: {name: [] for name in calls[size]} for size in sizes}
    for name in calls[sizes[0]]:
        for size in sizes:
            timed_ms(calls[size][name])  # warm the caches this path uses
        for _ in range(REPEAT):
            for size in sizes:
                times[size][name].append(timed_ms(calls[size][name]))
    return {size: {name: statistics.median(values) for name, values in by_name.items()}
            for size, by_name in times.items()}


def read_calls(app, middle, moves: int) -> dict:
    """The calls to time; `middle` is the move halfway through the history and its product
    (one with moves at every size, so each page shows the same kind of content)."""
    api, headers, web = signed_in_clients(app)
    middle_move, product = middle
    calls = {
        "GET /stock/levels?product_id": lambda: api.get(
            f"/api/v1/stock/levels?product_id={product}", headers=headers),
        "GET /products/{id} (API)": lambda: api.get(f"/api/v1/products/{product}",
                                                    headers=headers),
        "product page (HTML)": lambda: web.get(f"/products/{product}"),
        "ledger API, first page": lambda: api.get("/api/v1/stock/moves", headers=headers),
        "ledger API, deep page (before_id)": lambda: api.get(
            f"/api/v1/stock/moves?before_id={middle_move}", headers=headers),
        "ledger API, deep page (?page=, OFFSET)": lambda: api.get(
            f"/api/v1/stock/moves?page={max(1, moves // 100)}", headers=headers),
        "ledger API, one product": lambda: api.get(
            f"/api/v1/stock/moves?product_id={product}", headers=headers),
    }
    if "inventory.list_moves" in app.view_functions:
        calls["ledger page (HTML), first"] = lambda: web.get("/inventory/moves")
        calls["ledger page (HTML), deep"] = lambda: web.get(
            f"/inventory/moves?before_id={middle_move}")
    return calls


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def record_rate(url: str, count: int) -> tuple[float, float]:
    """Moves a second through gunicorn over one kept-alive connection; and the median ms."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "APP_CONFIG": "development"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--worker-class", "gthread",
         "--threads", "2", "--keep-alive", "30", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(100):
            try:
                conn.request("POST", "/api/v1/auth/token",
                             json.dumps({"email": EMAIL, "password": PASSWORD}),
                             {"Content-Type": "application/json"})
                token = json.loads(conn.getresponse().read())["token"]
                break
            except (ConnectionError, OSError):
                conn.close()
                time.sleep(0.1)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        body = json.dumps({"product_id": 1, "quantity": "1", "from_location_id": 2,
                           "to_location_id": 1, "reference": "BENCH"})
        times = []
        start = time.perf_counter()
        for _ in range(count):
            began = time.perf_counter()
            conn.request("POST", "/api/v1/stock/moves", body, headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 201, response.status
            times.append((time.perf_counter() - began) * 1000)
        elapsed = time.perf_counter() - start
        return count / elapsed, statistics.median(times)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--record", type=int, default=500, help="moves to record over HTTP")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    backend = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    with tempfile.TemporaryDirectory() as workdir:
        calls, urls, apps = {}, {}, []
        for size in sizes:
            urls[size] = database_url(f"m{size}", Path(workdir))
            started = time.perf_counter()
            app, middle = build(urls[size], size)
            print(f"built {size:,} moves in {time.perf_counter() - started:.1f} s", flush=True)
            calls[size] = read_calls(app, middle, size)
            apps.append(app)
        results = interleaved_medians(calls)
        for app in apps:
            with app.app_context():
                db.engine.dispose()
        print(f"\n{backend}: median ms of {REPEAT} calls (ratio to {sizes[0]:,} moves)")
        header = "call".ljust(40) + "".join(f"{size:>16,}" for size in sizes)
        print(header)
        for name in results[sizes[0]]:
            base = results[sizes[0]][name]
            cells = "".join(f"{results[s][name]:>8.2f} ({results[s][name] / base:4.2f})"
                            for s in sizes)
            print(name.ljust(40) + cells)
        rate, median = record_rate(urls[sizes[-1]], args.record)
        print(f"\nrecording moves over HTTP (gunicorn, 1 worker, keep-alive), "
              f"{sizes[-1]:,} moves in history: {rate:.0f} moves/s, median {median:.2f} ms")
        base = os.environ.get("BENCH_DATABASE_URL")
        for size in sizes if base else ():
            drop_postgres(base, f"bench_inventory_m{size}")


if __name__ == "__main__":
    main()
