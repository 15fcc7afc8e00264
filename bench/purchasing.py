"""Benchmark: purchasing at scale. Does the reorder-suggestion page and the to-receive queue
stay as fast with a million moves in history, and how long does receiving a 20-line order
take end to end over HTTP?

For each history size (default 1k and 1M moves) it builds a database with `seed-scale`
(20,000 products, 5,000 open purchase orders, N moves), then times in the same run, median of
REPEAT calls through the WSGI app, the sizes taking turns call by call: the reorder
suggestions (API and the low-stock HTML page with its "Create purchase orders" action), the
to-receive queue (API and HTML), and the late purchase orders list. Ratios against the
smallest history are printed; ~1.0 means the history does not matter.

Then it serves the largest database with gunicorn and, over one kept-alive HTTP connection,
creates, confirms and receives (in one receipt) orders of 20 lines, timing each step, with
the server's and the client's CPU time per order (a shared machine's load inflates wall time,
not CPU time).

SQLite files by default; BENCH_DATABASE_URL=postgresql+psycopg://user@host/db makes scratch
databases on that server instead. Run:  .venv/bin/python bench/purchasing.py [--sizes ...]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from bench.inventory import free_port, interleaved_medians  # noqa: E402
from bench.master_data import drop_postgres, scratch_postgres  # noqa: E402
from bench.order_to_cash import process_tree_cpu  # noqa: E402
from config import TestConfig  # noqa: E402
from erp.inventory.models import StockMove  # noqa: E402
from erp.purchasing.models import OPEN_STATES, PurchaseOrder  # noqa: E402
from shared.extensions import db  # noqa: E402
from shared.partners.models import Partner  # noqa: E402
from shared.products.models import Product  # noqa: E402
from shared.users import services as user_services  # noqa: E402

PRODUCTS = 20_000
PURCHASE_ORDERS = 5_000
PARTNERS = 500  # about a fifth are suppliers
LINES = 20
EMAIL, PASSWORD = "bench@example.com", "bench-password"
FINANCE = "finance@example.com"  # no low-stock badge in the navigation (not a stock writer)


def database_url(label: str, workdir: Path) -> str:
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{workdir / f'{label}.sqlite3'}"
    return scratch_postgres(base, f"bench_purchasing_{label}")


def build(url: str, moves: int):
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Bench)
    runner = app.test_cli_runner()
    for args in (["init-db"], ["seed-scale", "--partners", str(PARTNERS), "--products",
                               str(PRODUCTS), "--moves", str(moves), "--purchase-orders",
                               str(PURCHASE_ORDERS), "--quiet", "--seed", "1"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        user_services.create_user({"email": EMAIL, "password": PASSWORD, "roles": ["admin"]})
        user_services.create_user({"email": FINANCE, "password": PASSWORD,
                                   "roles": ["finance"]})
        counts = (db.session.scalar(select(func.count()).select_from(Product)),
                  db.session.scalar(select(func.count()).select_from(PurchaseOrder)
                                    .where(PurchaseOrder.state.in_(OPEN_STATES))),
                  db.session.scalar(select(func.count()).select_from(StockMove)))
    return app, counts


def signed_in_clients(app, email: str = EMAIL):
    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    web = app.test_client()
    page = web.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    web.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf})
    return api, headers, web


def read_calls(app) -> dict:
    api, headers, web = signed_in_clients(app)
    _, _, finance = signed_in_clients(app, FINANCE)
    return {
        "GET /stock/reorder-suggestions": lambda: api.get(
            "/api/v1/stock/reorder-suggestions", headers=headers),
        "low-stock page (HTML)": lambda: web.get("/inventory/low-stock"),
        "GET /purchase-orders/to-receive": lambda: api.get(
            "/api/v1/purchase-orders/to-receive", headers=headers),
        "to-receive page (HTML)": lambda: web.get("/purchasing/to-receive"),
        "GET /purchase-orders?late=true": lambda: api.get(
            "/api/v1/purchase-orders?late=true", headers=headers),
        "purchase orders page, late (HTML)": lambda: web.get("/purchasing/orders?late=1"),
        # The pages above carry the navigation's low-stock badge (a COUNT over the stock
        # balances, which grow with the products that have stock, not with the moves).
        "to-receive page, finance (no badge)": lambda: finance.get("/purchasing/to-receive"),
        "orders page, late, finance (no badge)": lambda: finance.get(
            "/purchasing/orders?late=1"),
    }


def receive_orders(url: str, count: int) -> dict[str, float]:
    """Create, confirm and receive `count` orders of LINES lines through gunicorn over one
    kept-alive connection: median ms per step, and CPU ms per order (server + client)."""
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Bench)
    with app.app_context():
        supplier = db.session.scalar(select(Partner.id).where(Partner.is_supplier.is_(True))
                                     .order_by(Partner.id))
        products = list(db.session.scalars(select(Product.id).where(Product.type == "stockable")
                                           .order_by(Product.id).limit(LINES * 10)))
        db.engine.dispose()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "APP_CONFIG": "development"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--worker-class", "gthread",
         "--threads", "2", "--keep-alive", "30", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(200):
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

        def post(path: str, body: dict | None, expected: int) -> tuple[dict, float]:
            began = time.perf_counter()
            conn.request("POST", "/api/v1" + path, json.dumps(body) if body else None,
                         headers)
            response = conn.getresponse()
            data = json.loads(response.read())
            assert response.status == expected, (path, response.status, data)
            return data, (time.perf_counter() - began) * 1000

        steps = {"create (20 lines)": [], "confirm": [], "receive all 20 lines": [],
                 "whole order": []}
        cpu_start = process_tree_cpu(server.pid) + time.process_time()
        for n in range(count):
            lines = [{"product_id": products[(n * LINES + i) % len(products)],
                      "quantity": str(5 + i)} for i in range(LINES)]
            order, created = post("/purchase-orders", {"supplier_id": supplier,
                                                       "lines": lines}, 201)
            _, confirmed = post(f"/purchase-orders/{order['id']}/confirm", None, 200)
            received_order, received = post(f"/purchase-orders/{order['id']}/receive",
                                            None, 200)
            assert received_order["state"] == "received"
            for name, value in zip(steps, (created, confirmed, received,
                                           created + confirmed + received), strict=True):
                steps[name].append(value)
        cpu = process_tree_cpu(server.pid) + time.process_time() - cpu_start
        result = {name: statistics.median(values) for name, values in steps.items()}
        result["CPU per whole order (server + client)"] = cpu / count * 1000
        return result
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,1000000", help="moves in history")
    parser.add_argument("--orders", type=int, default=20, help="20-line orders to receive")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    backend = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    with tempfile.TemporaryDirectory() as workdir:
        calls, urls, apps = {}, {}, []
        for size in sizes:
            urls[size] = database_url(f"m{size}", Path(workdir))
            started = time.perf_counter()
            app, (products, open_orders, moves) = build(urls[size], size)
            print(f"built {products:,} products, {open_orders:,} open purchase orders, "
                  f"{moves:,} moves in {time.perf_counter() - started:.1f} s", flush=True)
            calls[size] = read_calls(app)
            apps.append(app)
        results = interleaved_medians(calls)
        for app in apps:
            with app.app_context():
                db.engine.dispose()
        print(f"\n{backend}: median ms (ratio to {sizes[0]:,} moves)")
        print("call".ljust(40) + "".join(f"{size:>18,}" for size in sizes))
        for name in results[sizes[0]]:
            base = results[sizes[0]][name]
            print(name.ljust(40) + "".join(
                f"{results[s][name]:>10.2f} ({results[s][name] / base:4.2f})" for s in sizes))
        timings = receive_orders(urls[sizes[-1]], args.orders)
        print(f"\n{args.orders} orders of {LINES} lines through gunicorn (1 worker, keep-alive),"
              f" {sizes[-1]:,} moves in history: median ms")
        for name, value in timings.items():
            print(f"  {name.ljust(40)}{value:>10.1f}")
        base = os.environ.get("BENCH_DATABASE_URL")
        for size in sizes if base else ():
            drop_postgres(base, f"bench_purchasing_m{size}")


if __name__ == "__main__":
    main()
