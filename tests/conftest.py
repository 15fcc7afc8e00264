"""Fixtures shared by the whole suite.

The database is SQLite (a file in a temporary folder) unless TEST_DATABASE_URL names a
PostgreSQL server, in which case a fresh database is created on it for this run. The schema is
built once per run by the Alembic migrations, and every test starts from empty tables with the
reference data loaded.
"""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from config import TestConfig
from shared.drift import find_all_drift
from shared.extensions import db
from shared.i18n import compile_translations
from shared.reference import load_reference_data
from shared.registry import registry_of
from shared.users import services as user_services

PASSWORD = "correct horse 1"


def today() -> date:
    """The company's today (its time zone, as the application computes it): tests compare
    dates with this, never with the server clock's date.today()."""
    return datetime.now(ZoneInfo(TestConfig.BABEL_DEFAULT_TIMEZONE)).date()


def _postgres_database(base_url: str) -> Iterator[str]:
    """A fresh database on the server of `base_url`, dropped afterwards."""
    url = make_url(base_url)
    name = f"erp_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app_session(database_url: str) -> Iterator[Flask]:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    compile_translations()  # before the app loads any catalogue
    application = create_app(Config)
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def another_app(app: Flask, database_url: str) -> Iterator[Callable[..., Flask]]:
    """another_app(**settings): one more application instance on the test database, as
    another gunicorn worker or server would be (with `settings` on top of TestConfig)."""
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                **settings})
        made.append(create_app(config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(app_session: Flask) -> Iterator[Flask]:
    """The application with empty tables and reference data loaded. Every test ends with
    stock-check clean: each stock balance equals what its ledger says, and each sales and cash
    summary what the invoices and payments say."""
    with app_session.app_context():
        _empty_all_tables()
        load_reference_data()
    yield app_session
    with app_session.app_context():
        drift = [f"{name}: {item}" for name, item in find_all_drift()]
    assert drift == [], f"kept tables drifted from their ledgers: {drift}"


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An application context for tests that call services directly."""
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@contextmanager
def migrated_app(path) -> Iterator[Flask]:
    """An application on its own SQLite file at `path`, upgraded through every migration
    with the reference data loaded, inside its app context (the migration tests downgrade
    and upgrade it again)."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    app = create_app(Config)
    with app.app_context():
        upgrade()
        load_reference_data()
        try:
            yield app
        finally:
            db.engine.dispose()


@contextmanager
def subscribed(app: Flask, event_type: type, handler: Callable[[Any], None], *,
               after_commit: bool = False) -> Iterator[None]:
    """`handler` receives `event_type` for the duration of the block, as a subscriber an
    area wires in its init_app would."""
    registry = registry_of(app)
    registry.subscribe(event_type, handler, after_commit=after_commit)
    try:
        yield
    finally:
        registry.subscribers[event_type].pop()


@contextmanager
def replaced(app: Flask, attribute: str, value: Any) -> Iterator[None]:
    """The registry's `attribute` (a provider) is `value` for the duration of the block."""
    registry = registry_of(app)
    previous = getattr(registry, attribute)
    setattr(registry, attribute, value)
    try:
        yield
    finally:
        setattr(registry, attribute, previous)


def make_user(app: Flask, *roles: str, email: str | None = None, **extra: Any):
    with app.app_context():
        user = user_services.create_user({
            "email": email or f"{'-'.join(roles) or 'nobody'}-{uuid.uuid4().hex[:6]}@example.com",
            "password": PASSWORD, "roles": list(roles), "name": extra.pop("name", None), **extra})
        return user.id, user.email


def row_count(app: Flask, model: Any) -> int:
    """How many rows `model` (a class or a Table) has, from a fresh application context."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def sql_statements(app: Flask, fetch) -> tuple[Any, list[str]]:
    """Call `fetch()` and return its result with the SQL statements it ran."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        return fetch(), statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def table_counts() -> dict[str, int]:
    """Rows per table, inside the caller's application context."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client)})


@pytest.fixture
def login_as(app: Flask, client: FlaskClient):
    """login_as("sales") signs the test client in as a new user with those roles."""

    def login(*roles: str, **extra: Any) -> tuple[int, str]:
        user_id, email = make_user(app, *roles, **extra)
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user_id, email

    return login


class ApiClient:
    """The JSON API as one user: paths are relative to /api/v1."""

    def __init__(self, client: FlaskClient, token: str, user_id: int) -> None:
        self.client = client
        self.token = token
        self.user_id = user_id
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, headers: dict | None = None, **kw):
        return self.client.open("/api/v1" + path, method=method,
                                headers={**self.headers, **(headers or {})}, **kw)

    def get(self, path: str, **kw):
        return self._call("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw):
        return self._call("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw):
        return self._call("PATCH", path, json=json, **kw)

    def delete(self, path: str, **kw):
        return self._call("DELETE", path, **kw)


@pytest.fixture
def api_as(app: Flask, client: FlaskClient):
    """api_as("finance") is an ApiClient for a new user with those roles."""

    def make(*roles: str, **extra: Any) -> ApiClient:
        user_id, email = make_user(app, *roles, **extra)
        response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        assert response.status_code == 201, response.json
        return ApiClient(client, response.json["token"], user_id)

    return make


@pytest.fixture
def admin_api(api_as) -> ApiClient:
    return api_as("admin")
