"""Benchmark: do the partner and product lists stay fast as master data grows?

Builds two databases, one with SMALL and one with LARGE partners and products (bulk inserts),
then times the API list calls on each in the same run and prints the ratio large/small. A ratio
near 1 means the cost does not grow with the table. SQLite files by default; with
BENCH_DATABASE_URL=postgresql+psycopg://user@host/db two scratch databases are created on that
server. Run:  .venv/bin/python bench/master_data.py [--small 100] [--large 100000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from app import create_app
from config import TestConfig
from shared.extensions import db
from shared.partners.models import Partner
from shared.products.models import Product
from shared.reference import load_reference_data
from shared.users import services as user_services

CALLS = {
    "partners page 1": "/api/v1/partners",
    "partners page 20": "/api/v1/partners?page=20",
    "partners customers filter": "/api/v1/partners?is_customer=true",
    "products page 1": "/api/v1/products",
    "product by sku": "/api/v1/products?sku=SKU-000050",
    "partners text search": "/api/v1/partners?q=4242",
    "partners 2-word search": "/api/v1/partners?q=trading%204242",
}


CITIES = ["杭州", "上海", "深圳", "北京", "Singapore", "London", "广州", "宁波", "苏州", "Roma"]


def build(url: str, size: int):
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PASSWORD_HASH_FAST = True

    app = create_app(Bench)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_reference_data()
        user_services.create_user({"email": "bench@example.com", "password": "bench-password",
                                   "roles": ["admin"]})
        for start in range(0, size, 10_000):
            rows = range(start, min(size, start + 10_000))
            db.session.execute(insert(Partner), [
                {"code": f"B{i:07d}", "name": f"Partner {i} Trading", "kind": "company",
                 "is_customer": i % 3 != 0, "is_supplier": i % 3 == 0,
                 "payment_term_days": 30, "email": f"buyer{i}@customer{i % 997}.example.com",
                 "email_key": f"buyer{i}@customer{i % 997}.example.com",
                 "phone": f"+86 571 {i:08d}", "city": CITIES[i % len(CITIES)]} for i in rows])
            db.session.execute(insert(Product), [
                {"sku": f"SKU-{i:06d}", "name": f"Product {i}", "type": "stockable",
                 "uom": "unit", "list_price": 10, "cost_price": 5, "tax_rate": 13,
                 "reorder_qty": 0, "active": True} for i in rows])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:  # fresh statistics, as autovacuum would give
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "bench@example.com",
                                                    "password": "bench-password"}).json["token"]
    return app, client, {"Authorization": f"Bearer {token}"}


def scratch_postgres(base_url: str, name: str) -> str:
    """An empty database `name` on the server of `base_url` (dropped first if it exists);
    every bench script makes its PostgreSQL databases here."""
    drop_postgres(base_url, name)
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres(base_url: str, name: str) -> None:
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def median_ms(client, headers, path: str, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.json
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        setups = {}
        for label, size in (("small", args.small), ("large", args.large)):
            url = scratch_postgres(base, f"bench_{label}") if base \
                else f"sqlite:///{tmp}/{label}.sqlite3"
            started = time.perf_counter()
            setups[label] = build(url, size)
            print(f"built {label} ({size} partners + {size} products) in "
                  f"{time.perf_counter() - started:.1f}s", flush=True)
        print(f"{'call':<28}{'small ms':>10}{'large ms':>10}{'ratio':>8}")
        for name, path in CALLS.items():
            small = median_ms(setups["small"][1], setups["small"][2], path, args.repeat)
            large = median_ms(setups["large"][1], setups["large"][2], path, args.repeat)
            print(f"{name:<28}{small:>10.2f}{large:>10.2f}{large / small:>8.2f}")


if __name__ == "__main__":
    main()
