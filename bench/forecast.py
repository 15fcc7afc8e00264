"""Benchmark: product forecasts over a long move history.

Builds a database with `seed-scale --moves N` (default 1,000,000 moves over 1,000 products,
a year of history), or reuses one given with --url (seeded the same way), lifts the reorder
point of --low products (default 300) just above their available stock so the low-stock page
lists them, and times, median of REPEAT calls through the WSGI app: the forecast of one
product (API and product page), the reorder suggestions with their days of cover (API), the
low-stock page (one page of them) and `forecasts()` for all the low products in one call.
With --compare-index it times the same calls again without the index the forecast reads
(ix_stock_moves_product_to_location_created), then puts it back.

SQLite by default; BENCH_DATABASE_URL=postgresql+psycopg://user@host/db makes the scratch
database on that server instead. Run:  .venv/bin/python bench/forecast.py [--moves N]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text, update  # noqa: E402

from app import create_app  # noqa: E402
from bench.inventory import signed_in_clients  # noqa: E402
from bench.master_data import scratch_postgres  # noqa: E402
from config import TestConfig  # noqa: E402
from erp.inventory import forecast  # noqa: E402
from erp.inventory.models import StockBalance, StockMove  # noqa: E402
from shared.extensions import db  # noqa: E402
from shared.products.models import Product  # noqa: E402
from shared.users import services as user_services  # noqa: E402
from shared.users.models import User  # noqa: E402

REPEAT = 20
INDEX = "ix_stock_moves_product_to_location_created"
EMAIL, PASSWORD = "bench@example.com", "bench-password"


def make_app(url: str):
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Bench)


def build(url: str, moves: int) -> None:
    runner = make_app(url).test_cli_runner()
    for args in (["init-db"], ["seed-scale", "--moves", str(moves), "--quiet", "--seed", "1"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output


def prepare(app, low: int) -> tuple[int, list[int]]:
    """The bench user, `low` products just below their reorder point; returns the product
    with the latest move and the low products."""
    with app.app_context():
        if not db.session.scalar(select(User.id).where(User.email == EMAIL)):
            user_services.create_user({"email": EMAIL, "password": PASSWORD,
                                       "roles": ["admin"]})
        available = dict(db.session.execute(
            select(StockBalance.product_id,
                   func.sum(StockBalance.on_hand - StockBalance.reserved))
            .group_by(StockBalance.product_id)).all())
        stocked = sorted(db.session.scalars(select(Product.id).where(
            Product.type == "stockable", Product.id.in_(list(available)))))
        chosen = sorted(random.Random(7).sample(stocked, min(low, len(stocked))))
        for pid in chosen:
            db.session.execute(update(Product).where(Product.id == pid).values(
                reorder_point=available[pid] + 10, reorder_qty=50, active=True))
        product = db.session.scalar(select(StockMove.product_id)
                                    .order_by(StockMove.id.desc()).limit(1))
        db.session.commit()
        return product, chosen


def median_ms(call, repeat: int = REPEAT) -> float:
    call()  # warm the caches
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(app, product: int, low: list[int]) -> dict[str, float]:
    api, headers, web = signed_in_clients(app)

    def ok(response):
        assert response.status_code == 200, (response.status_code, response.data[:200])
        return response

    def in_context(call):
        def run():
            with app.app_context():
                call()
        return run

    return {
        "forecast() of one product": median_ms(in_context(lambda: forecast.forecast(product))),
        f"forecasts() of the {len(low)} low products": median_ms(
            in_context(lambda: forecast.forecasts(low))),
        "GET /products/{id}/forecast": median_ms(lambda: ok(api.get(
            f"/api/v1/products/{product}/forecast", headers=headers))),
        "product page (HTML)": median_ms(lambda: ok(web.get(f"/products/{product}"))),
        f"GET /stock/reorder-suggestions ({len(low)})": median_ms(lambda: ok(api.get(
            "/api/v1/stock/reorder-suggestions", headers=headers))),
        "low-stock page (HTML, first page)": median_ms(lambda: ok(
            web.get("/inventory/low-stock"))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--low", type=int, default=300)
    parser.add_argument("--url", help="a database seeded with seed-scale --moves already")
    parser.add_argument("--compare-index", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = args.url
        if not url:
            base = os.environ.get("BENCH_DATABASE_URL")
            url = scratch_postgres(base, "bench_forecast") if base \
                else f"sqlite:///{Path(workdir) / 'forecast.sqlite3'}"
            started = time.perf_counter()
            build(url, args.moves)
            print(f"built {args.moves:,} moves in {time.perf_counter() - started:.1f} s")
        app = make_app(url)
        product, low = prepare(app, args.low)
        with app.app_context():
            count = db.session.scalar(select(func.count()).select_from(StockMove))
            backend = db.engine.dialect.name
        results = {"with the index": measure(app, product, low)}
        if args.compare_index:
            with app.app_context():
                db.session.execute(text(f"DROP INDEX {INDEX}"))
                db.session.commit()
            try:
                results["without it"] = measure(app, product, low)
            finally:
                with app.app_context():
                    db.session.execute(text(f"CREATE INDEX {INDEX} ON stock_moves "
                                            "(product_id, to_location_id, created_at)"))
                    db.session.commit()
        print(f"\n{backend}, {count:,} moves: median ms of {REPEAT} calls")
        print("call".ljust(45) + "".join(f"{name:>16}" for name in results))
        for call in results["with the index"]:
            print(call.ljust(45) + "".join(f"{r[call]:>16.1f}" for r in results.values()))
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
