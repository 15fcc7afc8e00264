"""Benchmark: every report of /reports and the product forecast on a large database.

Like bench/dashboards.py it does not build its data; fill a database first, e.g.

    DATABASE_URL=sqlite:////tmp/scale.db .venv/bin/flask --app app init-db
    DATABASE_URL=sqlite:////tmp/scale.db .venv/bin/flask --app app seed-demo
    DATABASE_URL=sqlite:////tmp/scale.db .venv/bin/flask --app app seed-scale --partners 2000 \\
        --invoices 100000 --moves 1000000 --leads 100000 --tickets 100000
    .venv/bin/python bench/reports.py --database-url sqlite:////tmp/scale.db

It signs in as the demo admin (password demo1234) and prints, per report request, the median
and worst time over --repeat requests of the JSON API and the SQL statements per request.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.dashboards import counted_app
from shared.extensions import db
from shared.products.models import Product


def requests_to_time(today: date, product_id: int) -> list[str]:
    year = f"from={today.year - 1}-01-01&to={today}"
    past = today - timedelta(days=180)
    return [f"/api/v1/reports/sales?{year}&group_by={group}"
            for group in ("month", "customer", "product", "salesperson")] + [
        "/api/v1/reports/stock-valuation",
        f"/api/v1/reports/stock-valuation?as_of={past}",
        "/api/v1/reports/at-risk-customers",
        f"/api/v1/reports/pipeline-conversion?{year}",
        f"/api/v1/reports/tickets-sla?{year}",
        "/api/v1/reports/ar-aging",
        "/api/v1/reports/ap-aging",
        f"/api/v1/products/{product_id}/forecast",
        "/api/v1/stock/reorder-suggestions",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="sqlite:////tmp/scale.db")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    app, statements = counted_app(args.database_url)
    with app.app_context():
        product_id = db.session.scalar(select(func.min(Product.id)))
    client = app.test_client()
    response = client.post("/api/v1/auth/token",
                           json={"email": "admin@example.com", "password": "demo1234"})
    assert response.status_code == 201, response.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    print(f"{'request':<78}{'median ms':>10}{'worst':>8}{'SQL':>5}{'rows':>7}")
    for url in requests_to_time(date.today(), product_id):
        client.get(url, headers=headers)  # warm up
        times = []
        for _ in range(args.repeat):
            statements[0] = 0
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        rows = len(response.get_json().get("items", [])) if "items" in response.get_json() else 1
        print(f"{url:<78}{statistics.median(times):>10.1f}{max(times):>8.1f}"
              f"{statements[0]:>5}{rows:>7}", flush=True)


if __name__ == "__main__":
    main()
