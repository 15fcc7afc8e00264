"""Benchmark: the whole order-to-cash path through the JSON API, one order at a time.

Each order is six calls: create a sales order with 3 lines (two stockable products that have
stock, one service) -> confirm -> deliver -> invoice -> post the invoice -> pay it in full
(POST /payments with an allocation). The database is prepared the way production is: `flask
--app app init-db` and `create-user` from the command line, then the customer, products and
enough stock through the API. The app is served by gunicorn (1 sync worker, APP_CONFIG=
production) on a free port of 127.0.0.1 and driven over one kept-alive http.client connection
with a bearer token. The same path also runs in-process through Flask's test client on the same
database; the two take turns in blocks of orders, so load from elsewhere on the machine falls on
both alike and their ratio is fair. Prints orders per second and the median ms of each step,
then the SQL statements each step runs (counted in-process with SQLAlchemy events); --profile N
adds a cProfile of N in-process orders.

Reference: Tryton 8.2 does the same path at about 0.5 orders/s in-process (~2 s an order); the
aim here is >= 15 orders/s through HTTP.

SQLite file (in a temp dir) by default; BENCH_DATABASE_URL=postgresql+psycopg://user@host/db
uses a scratch database on that server. Run:
    .venv/bin/python bench/order_to_cash.py [--orders 200] [--block 10] [--profile 20]
"""
from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.master_data import drop_postgres, scratch_postgres  # noqa: E402

EMAIL, PASSWORD = "bench-o2c@example.com", "bench-o2c-password"
STEPS = ("create", "confirm", "deliver", "invoice", "post", "pay")
TRYTON_ORDERS_PER_S = 0.5
TARGET_ORDERS_PER_S = 15.0
WARM_UP = 5


def database_url(workdir: Path) -> tuple[str, str, callable]:
    base = os.environ.get("BENCH_DATABASE_URL")
    if base:
        name = f"bench_o2c_{uuid.uuid4().hex[:6]}"
        return "PostgreSQL", scratch_postgres(base, name), lambda: drop_postgres(base, name)
    return "SQLite", f"sqlite:///{workdir / 'o2c.sqlite3'}", lambda: None


def production_env(url: str) -> dict[str, str]:
    """The environment README.md gives production, on this scratch database."""
    return {**os.environ, "DATABASE_URL": url, "APP_CONFIG": "production",
            "SECRET_KEY": secrets.token_hex(32), "SESSION_COOKIE_SECURE": "0"}


def flask_cli(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "app", *args], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, (args, result.stdout, result.stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- the two clients


class HttpClient:
    """JSON over one kept-alive HTTP/1.1 connection to the gunicorn server."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body) if body is not None else None
        self.conn.request(method, "/api/v1" + path, data, self.headers)
        response = self.conn.getresponse()
        return response.status, json.loads(response.read())

    def close(self) -> None:
        self.conn.close()


class TestClient:
    """The same calls in-process through Flask's test client (no socket, no server)."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        self.headers: dict[str, str] = {}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        response = self.client.open("/api/v1" + path, method=method, json=body,
                                    headers=self.headers)
        return response.status_code, response.get_json()

    def close(self) -> None:
        pass


def sign_in(client) -> None:
    status, body = client.call("POST", "/auth/token", {"email": EMAIL, "password": PASSWORD})
    assert status == 201, (status, body)
    client.headers["Authorization"] = f"Bearer {body['token']}"


def expect(status: int, body: dict, wanted: int, step: str) -> dict:
    assert status == wanted, (step, status, body)
    return body


def seed(client, orders: int) -> dict:
    """A customer (with a credit limit, so confirming runs the credit check), two stockable
    products with stock for every order and a margin, and a service."""
    locations = {loc["code"]: loc["id"] for loc in client.call("GET", "/locations")[1]["items"]}
    customer = expect(*client.call("POST", "/partners", {
        "name": "西湖贸易 Westlake Trading Co.", "is_customer": True,
        "credit_limit": "100000000.00", "payment_term_days": 30}), 201, "partner")["id"]
    products = []
    for sku, name, price, kind, tax in (
            ("O2C-LAMP", "LED 台灯 Desk Lamp", "199.00", "stockable", "13.00"),
            ("O2C-CHAIR", "Office Chair 办公椅", "450.00", "stockable", "13.00"),
            ("O2C-SETUP", "Installation 安装服务", "300.00", "service", "6.00")):
        products.append(expect(*client.call("POST", "/products", {
            "sku": sku, "name": name, "type": kind, "list_price": price,
            "tax_rate": tax}), 201, "product")["id"])
    for product_id in products[:2]:
        expect(*client.call("POST", "/stock/moves", {
            "product_id": product_id, "quantity": str(orders * 3 + 1000),
            "from_location_id": locations["Suppliers"],
            "to_location_id": locations["WH/Stock"], "reference": "O2C bench"}), 201, "stock")
    return {"partner_id": customer, "lines": [
        {"product_id": products[0], "quantity": "2"},
        {"product_id": products[1], "quantity": "1", "discount_pct": "5"},
        {"product_id": products[2], "quantity": "1"}]}


def one_order(client, order: dict, times: dict[str, list[float]] | None = None) -> tuple:
    """Run the six steps of one order; add each step's ms to `times` when given."""
    clock = time.perf_counter
    marks = [clock()]
    created = expect(*client.call("POST", "/sales-orders", order), 201, "create")
    marks.append(clock())
    order_id = created["id"]
    confirmed = expect(*client.call("POST", f"/sales-orders/{order_id}/confirm"), 200,
                       "confirm")
    marks.append(clock())
    delivered = expect(*client.call("POST", f"/sales-orders/{order_id}/deliver"), 200,
                       "deliver")
    marks.append(clock())
    invoice_id = expect(*client.call("POST", f"/sales-orders/{order_id}/invoice"), 201,
                        "invoice")["invoice_id"]
    marks.append(clock())
    posted = expect(*client.call("POST", f"/invoices/{invoice_id}/post"), 200, "post")
    marks.append(clock())
    due = posted["amount_due"]
    expect(*client.call("POST", "/payments", {
        "partner_id": order["partner_id"], "amount": due, "method": "bank",
        "reference": posted["number"],
        "allocations": [{"invoice_id": invoice_id, "amount": due}]}), 201, "pay")
    marks.append(clock())
    assert confirmed["state"] == "confirmed" and delivered["state"] == "delivered", delivered
    assert Decimal(due) == Decimal(created["total"]) > 0, (due, created["total"])
    if times is not None:
        for step, began, ended in zip(STEPS, marks, marks[1:], strict=False):
            times[step].append((ended - began) * 1000)
    return order_id, invoice_id


def check_done(client, order_id: int, invoice_id: int) -> None:
    """The last order ends delivered and invoiced, its invoice paid with nothing due."""
    order = expect(*client.call("GET", f"/sales-orders/{order_id}"), 200, "check order")
    invoice = expect(*client.call("GET", f"/invoices/{invoice_id}"), 200, "check invoice")
    assert (order["state"], order["invoice_status"]) == ("delivered", "invoiced"), order
    assert invoice["state"] == "paid" and Decimal(invoice["amount_due"]) == 0, invoice


# --------------------------------------------------------------------------- measuring


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (gunicorn's
    master and worker), read from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    total = 0.0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def run_blocks(clients: dict, cpu_clocks: dict, order: dict, total: int, block: int) -> dict:
    """`total` orders per client, the clients taking turns `block` orders at a time. Besides
    wall-clock time, each client's CPU time is measured (`cpu_clocks`: the processes that do
    its work), which other load on a shared machine does not inflate."""
    times = {name: defaultdict(list) for name in clients}
    elapsed = dict.fromkeys(clients, 0.0)
    cpu = dict.fromkeys(clients, 0.0)
    last = {}
    done = 0
    while done < total:
        size = min(block, total - done)
        for name, client in clients.items():
            started, cpu_started = time.perf_counter(), cpu_clocks[name]()
            for _ in range(size):
                last[name] = one_order(client, order, times[name])
            elapsed[name] += time.perf_counter() - started
            cpu[name] += cpu_clocks[name]() - cpu_started
        done += size
    for name, client in clients.items():
        check_done(client, *last[name])
    return {name: {"rate": total / elapsed[name],
                   "steps": {step: statistics.median(times[name][step]) for step in STEPS},
                   "order_ms": elapsed[name] / total * 1000,
                   "cpu_ms": cpu[name] / total * 1000}
            for name in clients}


def statement_counts(app, client, order: dict, repeat: int = 3) -> dict[str, Counter]:
    """SQL statements per step (in-process), by kind, for the last of `repeat` orders."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    class Counting:
        headers = client.headers

        def call(self, method, path, body=None):
            seen.clear()
            result = client.call(method, path, body)
            per_call.append(Counter(seen))
            return result

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            per_call: list[Counter] = []
            one_order(Counting(), order)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return dict(zip(STEPS, per_call, strict=True))


def profile_orders(client, order: dict, count: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        one_order(client, order)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(25)
    stats.sort_stats("cumulative").print_stats(45)
    return out.getvalue()


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--worker-class", "sync",
         "--keep-alive", "30", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "app:create_app()"], cwd=ROOT, env=env)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited at start") from None
            time.sleep(0.05)
    server.terminate()
    raise RuntimeError("gunicorn did not start listening")


def in_process_app(env: dict[str, str]):
    """The production app in this process, on the same database as the server."""
    os.environ["SECRET_KEY"] = env["SECRET_KEY"]
    os.environ["SESSION_COOKIE_SECURE"] = "0"
    from app import create_app
    from config import ProductionConfig

    config = ProductionConfig()
    config.SQLALCHEMY_DATABASE_URI = env["DATABASE_URL"]
    return create_app(config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200, help="timed orders per client")
    parser.add_argument("--block", type=int, default=10,
                        help="orders in a row before the other client takes its turn")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also cProfile N in-process orders")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-o2c-") as workdir:
        backend, url, drop = database_url(Path(workdir))
        env = production_env(url)
        server = None
        try:
            started = time.perf_counter()
            flask_cli(env, "init-db")
            flask_cli(env, "create-user", EMAIL, "--password", PASSWORD, "--role", "admin",
                      "--name", "O2C Bench")
            server, port = start_server(env)
            clients = {"HTTP (gunicorn)": HttpClient(port)}
            sign_in(clients["HTTP (gunicorn)"])
            order = seed(clients["HTTP (gunicorn)"],
                         (args.orders + WARM_UP) * 2 + 10 + args.profile)
            app = in_process_app(env)
            clients["in-process (test client)"] = TestClient(app)
            sign_in(clients["in-process (test client)"])
            for client in clients.values():
                for _ in range(WARM_UP):
                    one_order(client, order)
            print(f"{backend}: database, users and master data ready in "
                  f"{time.perf_counter() - started:.1f} s; {args.orders} orders per client, "
                  f"alternating in blocks of {args.block}", flush=True)
            cpu_clocks = {
                "HTTP (gunicorn)": lambda: process_tree_cpu(server.pid) + time.process_time(),
                "in-process (test client)": time.process_time}
            results = run_blocks(clients, cpu_clocks, order, args.orders, args.block)
            counts = statement_counts(app, clients["in-process (test client)"], order)
            profile = profile_orders(clients["in-process (test client)"], order,
                                     args.profile) if args.profile else ""
        finally:
            for client in locals().get("clients", {}).values():
                client.close()
            if server is not None:
                server.terminate()
                server.wait(timeout=10)
            if "app" in locals():
                with app.app_context():
                    app.extensions["sqlalchemy"].engine.dispose()
            drop()
    report(backend, args.orders, results, counts)
    if profile:
        print(f"\ncProfile of {args.profile} in-process orders\n{profile}")


def report(backend: str, orders: int, results: dict, counts: dict[str, Counter]) -> None:
    http_name, local_name = list(results)
    http, local = results[http_name], results[local_name]
    print(f"\n{backend}, order-to-cash, {orders} orders each, one at a time")
    print(f"{'':26}{'orders/s':>10}{'ms/order':>10}" + "".join(f"{s:>9}" for s in STEPS))
    for name, result in results.items():
        print(f"{name:26}{result['rate']:>10.1f}{result['order_ms']:>10.1f}"
              + "".join(f"{result['steps'][s]:>9.2f}" for s in STEPS))
    print(f"{'  (step columns: median ms)':26}")
    print("CPU per order (the app's processes and the client; "
          + ("the PostgreSQL server's own CPU is not included" if backend != "SQLite"
             else "SQLite runs inside the app") + "):")
    for name, result in results.items():
        print(f"  {name:24}{result['cpu_ms']:>8.1f} ms  -> {1000 / result['cpu_ms']:.1f} "
              "orders per CPU-second (what one free core would do)")
    print(f"HTTP / in-process time per order: {http['order_ms'] / local['order_ms']:.2f}x; "
          f"HTTP vs Tryton 8.2 in-process ({TRYTON_ORDERS_PER_S} orders/s): "
          f"{http['rate'] / TRYTON_ORDERS_PER_S:.0f}x; target {TARGET_ORDERS_PER_S:.0f} "
          f"orders/s: {'met' if http['rate'] >= TARGET_ORDERS_PER_S else 'NOT met'}")
    kinds = ("SELECT", "INSERT", "UPDATE", "DELETE")
    print("\nSQL statements per step (in-process, one order)")
    print(f"{'step':10}{'total':>7}" + "".join(f"{k:>8}" for k in kinds) + f"{'other':>8}")
    for step in STEPS:
        c = counts[step]
        other = sum(c.values()) - sum(c[k] for k in kinds)
        print(f"{step:10}{sum(c.values()):>7}" + "".join(f"{c[k]:>8}" for k in kinds)
              + f"{other:>8}")
    total = sum((counts[s] for s in STEPS), Counter())
    print(f"{'order':10}{sum(total.values()):>7}" + "".join(f"{total[k]:>8}" for k in kinds)
          + f"{sum(total.values()) - sum(total[k] for k in kinds):>8}")


if __name__ == "__main__":
    main()
