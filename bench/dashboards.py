"""Benchmark: the home page of each role (its dashboard widgets) on a large database.

Unlike the other benchmarks this one does not build its data (100,000 invoices and 1,000,000
moves take minutes): point it at a database filled by the commands, e.g.

    DATABASE_URL=sqlite:////tmp/dash.db .venv/bin/flask --app app init-db
    DATABASE_URL=sqlite:////tmp/dash.db .venv/bin/flask --app app seed-demo
    DATABASE_URL=sqlite:////tmp/dash.db .venv/bin/flask --app app seed-scale \\
        --invoices 100000 --moves 1000000 --leads 100000 --tickets 100000
    .venv/bin/python bench/dashboards.py --database-url sqlite:////tmp/dash.db

It signs in as the demo users (one per role, password demo1234) and prints, per role, the
median and worst time of the home page over --repeat requests and the SQL statements per
request: without any widget (the cards and panels the page had before the dashboards), then
with every widget built afresh (DASHBOARD_CACHE_SECONDS=0, what the first visit
after a minute costs), then with the company-wide widgets reused (the default); then the
time of each widget's build alone (median, in ms).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask
from sqlalchemy import event, select

from app import create_app
from config import Config
from shared.extensions import db
from shared.registry import registry_of
from shared.users.models import User

ROLES = ("admin", "sales", "warehouse", "finance", "support")
PASSWORD = "demo1234"


def counted_app(database_url: str) -> tuple[Flask, list[int]]:
    """The application on `database_url` (filled by the commands above) and a one-item list
    that counts the SQL statements it sends (reset it before a request)."""

    class Bench(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = False
        SECRET_KEY = "bench"

    app = create_app(Bench)
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *_a: statements.__setitem__(0, statements[0] + 1))
    return app, statements


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="sqlite:////tmp/dash.db")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    app, statements = counted_app(args.database_url)
    with app.app_context():
        emails = {role: db.session.scalar(select(User.email).where(
            User.email == f"{role}@example.com")) for role in ROLES}
    print(f"{'role':<11}{'no widgets':>11}{'SQL':>5}{'fresh median':>14}{'worst':>8}{'SQL':>5}"
          f"{'cached median':>15}{'worst':>8}{'SQL':>5}")
    registry = registry_of(app)
    widgets = list(registry.widgets)
    for role in ROLES:
        if not emails[role]:
            print(f"{role:<11} no demo user {role}@example.com")
            continue
        client = app.test_client()
        response = client.post("/login", data={"email": emails[role], "password": PASSWORD})
        assert response.status_code in (200, 302), response.status_code
        figures = []
        for seconds in (None, 0, 60):
            # None: the home page without any widget (its cards and panels only)
            registry.widgets[:] = [] if seconds is None else widgets
            app.config["DASHBOARD_CACHE_SECONDS"] = seconds or 0
            client.get("/")  # warm up (and fill the cache)
            times = []
            for _ in range(args.repeat):
                statements[0] = 0
                started = time.perf_counter()
                response = client.get("/")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            figures += [statistics.median(times), max(times), statements[0]]
        print(f"{role:<11}{figures[0]:>11.1f}{figures[2]:>5}{figures[3]:>14.1f}{figures[4]:>8.1f}"
              f"{figures[5]:>5}{figures[6]:>15.1f}{figures[7]:>8.1f}{figures[8]:>5}", flush=True)
    print("\nwidgets built alone (median ms)")
    for role in ROLES:
        if emails[role]:
            print(f"{role:<11}" + ", ".join(f"{key} {ms:.1f}" for key, ms in
                                            per_widget(app, role, args.repeat)), flush=True)


def per_widget(app, role: str, repeat: int) -> list[tuple[str, float]]:
    """Each of the role's widgets built alone, as the signed-in user."""
    from flask import g

    results = []
    with app.test_request_context("/"):
        user = db.session.scalar(select(User).where(User.email == f"{role}@example.com"))
        g._login_user = user  # what Flask-Login's current_user reads (no session needed)
        for widget in registry_of(app).widgets:
            if role not in widget.roles:
                continue
            times = []
            for _ in range(max(3, repeat // 3)):
                started = time.perf_counter()
                widget.build()
                times.append((time.perf_counter() - started) * 1000)
            results.append((widget.key, statistics.median(times)))
    return results


if __name__ == "__main__":
    main()
