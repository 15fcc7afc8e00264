"""Benchmark: invoice PDFs and the invoice list / AR aging at 100,000 invoices.

Prints: the PDF render time of a one-page invoice in Latin only and in Chinese (warm, the
median of several renders; the process's very first render is shown apart), the first
download of a posted invoice (render + store) and its stored re-download, the throughput of
a 200-invoice batch ZIP (parallel, one process per core), and the API and page times of the
invoice list and the AR aging report with --invoices invoices (seed-scale's generator).
SQLite file by default; BENCH_DATABASE_URL=postgresql+psycopg://user@host/db uses a scratch
database on that server. Run:  .venv/bin/python bench/invoicing.py [--invoices 100000]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app import create_app
from bench.master_data import drop_postgres, scratch_postgres
from config import TestConfig
from erp.invoicing import pdf, services
from erp.invoicing.scale import scale_invoices
from shared.company.services import update_company
from shared.db import transactional
from shared.extensions import db
from shared.partners.services import create_partner
from shared.reference import load_reference_data
from shared.scale import ScaleContext
from shared.seed import COMPANY
from shared.users import services as user_services

LINES_ZH = [("人体工学办公椅 Ergonomic Office Chair", "4", "1299.00", "13"),
            ("LED 护眼台灯", "10", "199.00", "13"), ("上门安装服务", "1", "300.00", "6"),
            ("A4 复印纸 500 张", "20", "32.00", "13")]
LINES_EN = [("Ergonomic Office Chair", "4", "1299.00", "13"),
            ("LED Desk Lamp", "10", "199.00", "13"), ("On-site Installation", "1", "300.00", "6"),
            ("A4 Copy Paper (500 sheets)", "20", "32.00", "13")]


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def scratch_url() -> tuple[str, callable]:
    base = os.environ.get("BENCH_DATABASE_URL")
    if base:
        name = f"bench_invoicing_{uuid.uuid4().hex[:6]}"
        return scratch_postgres(base, name), lambda: drop_postgres(base, name)
    folder = tempfile.mkdtemp(prefix="bench-invoicing-")
    return f"sqlite:///{folder}/bench.sqlite3", lambda: None


def make_invoice(partner_id: int, lines) -> int:
    invoice = services.create_invoice({"partner_id": partner_id, "lines": [
        {"description": d, "quantity": q, "unit_price": p, "tax_rate": t}
        for d, q, p, t in lines]})
    return services.post_invoice(invoice.id).id


def pdf_figures(app) -> None:
    with app.app_context(), app.test_request_context():
        zh = create_partner({"name": "上海明辉电子有限公司", "locale": "zh",
                             "street": "浦东新区张江路 188 号", "city": "上海", "country": "中国"})
        en = create_partner({"name": "Harbor Lights Retail Ltd", "locale": "en",
                             "street": "12 Wharf Road", "city": "London"})
        zh_id, en_id = make_invoice(zh.id, LINES_ZH), make_invoice(en.id, LINES_EN)
        cold, _ = timed(lambda: pdf.html_to_pdf(pdf.invoice_html(services.get_invoice(en_id))))
        print(f"PDF first render in a fresh process (fonts loaded): {cold * 1000:7.1f} ms")
        for label, invoice_id in (("Latin only", en_id), ("Chinese", zh_id)):
            warm, content = timed(lambda i=invoice_id: pdf.html_to_pdf(
                pdf.invoice_html(services.get_invoice(i))), repeat=7)
            print(f"PDF render, one page, {label:10s} (median of 7): {warm * 1000:7.1f} ms"
                  f"  ({len(content) // 1024} KiB)")
        first, content = timed(lambda: pdf.invoice_pdf(zh_id))
        again, stored = timed(lambda: pdf.invoice_pdf(zh_id), repeat=50)
        assert stored == content
        print(f"Posted Chinese invoice, first download (render + store): {first * 1000:7.1f} ms")
        print(f"Posted Chinese invoice, stored re-download (median of 50): {again * 1000:7.2f} ms")
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"email": "bench@example.com",
                                                        "password": "bench-password"}).json
        headers = {"Authorization": f"Bearer {token['token']}"}
        http, _ = timed(lambda: client.get(f"/api/v1/invoices/{zh_id}/pdf", headers=headers),
                        repeat=50)
        print(f"  same through GET /api/v1/invoices/{{id}}/pdf (median of 50): "
              f"{http * 1000:7.2f} ms")

        ids = [make_invoice(zh.id if n % 2 else en.id, LINES_ZH if n % 2 else LINES_EN)
               for n in range(200)]
        pdf.render_pool().submit(pdf.warm_up).result()  # start the workers
        batch, archive = timed(lambda: pdf.batch_zip(ids))
        print(f"Batch ZIP of 200 new invoices on {os.cpu_count()} cores: {batch:6.2f} s "
              f"({200 / batch:5.1f} invoices/s, {len(archive) // 1024} KiB)")
        again, _ = timed(lambda: pdf.batch_zip(ids))
        print(f"Same batch again (all stored): {again:6.2f} s")


LIST_CALLS = {
    "GET /invoices (page 1)": "/api/v1/invoices",
    "GET /invoices?page=100": "/api/v1/invoices?page=100",
    "GET /invoices?overdue=true": "/api/v1/invoices?overdue=true",
    "GET /invoices?state=posted&partner_id=7": "/api/v1/invoices?state=posted&partner_id=7",
    "GET /invoices?date_from&date_to": "/api/v1/invoices?date_from=2026-01-01&date_to=2026-01-31",
    "GET /invoices?q=INV/2026/0004": "/api/v1/invoices?q=INV/2026/0004",
    "GET /reports/ar-aging": "/api/v1/reports/ar-aging",
    "page /invoices/": "/invoices/",
    "page /invoices/?overdue=true": "/invoices/?overdue=true",
    "page /reports/ar-aging": "/reports/ar-aging",
}


def list_figures(app, count: int) -> None:
    with app.app_context():
        from shared.scale import SCALE_GENERATORS

        ctx = ScaleContext(rng=random.Random(1), quiet=True)
        started = time.perf_counter()
        transactional(SCALE_GENERATORS["partners"])(2000, ctx)
        transactional(scale_invoices)(count, ctx)
        print(f"seed-scale --invoices {count}: {time.perf_counter() - started:6.1f} s")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "bench@example.com",
                                                    "password": "bench-password"}).json["token"]
    from tests.conftest import sign_in

    with app.app_context():
        user_services.create_user({"email": "pages@example.com", "password": "bench-password",
                                   "roles": ["finance"]})
    sign_in(client, "pages@example.com", "bench-password")
    for label, path in LIST_CALLS.items():
        headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api") else {}
        client.get(path, headers=headers)  # warm
        median, response = timed(lambda p=path, h=headers: client.get(p, headers=h), repeat=5)
        assert response.status_code == 200, (path, response.status_code)
        print(f"{label:45s} {median * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--skip-pdf", action="store_true")
    args = parser.parse_args()
    url, drop = scratch_url()

    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PASSWORD_HASH_FAST = True

    app = create_app(Bench)
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            load_reference_data()
            update_company(COMPANY)
            user_services.create_user({"email": "bench@example.com",
                                       "password": "bench-password", "roles": ["admin"]})
        print(f"database: {url.split(':')[0]}")
        if not args.skip_pdf:
            pdf_figures(app)
        if args.invoices:
            list_figures(app, args.invoices)
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
