"""shared/db.py: the unit of work, retries, SQLite settings, and migrations == models."""
from __future__ import annotations

import functools
import sqlite3
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from shared import db as db_module
from shared.db import transactional
from shared.extensions import db
from shared.partners.models import Partner


class FakeDriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def names(ctx) -> list[str]:
    return db.session.scalars(select(Partner.name).order_by(Partner.id)).all()


def test_commits_on_success(ctx):
    @transactional
    def add():
        db.session.add(Partner(code="A", name="A"))

    add()
    db.session.rollback()
    assert names(ctx) == ["A"]


def test_rolls_back_everything_on_error(ctx):
    @transactional
    def add_then_fail():
        db.session.add(Partner(code="A", name="A"))
        db.session.flush()
        raise ValueError("boom")

    with pytest.raises(ValueError):
        add_then_fail()
    assert names(ctx) == []


def test_nested_calls_join_the_outer_transaction(ctx):
    @transactional
    def inner():
        db.session.add(Partner(code="I", name="inner"))

    @transactional
    def outer():
        inner()
        raise ValueError("outer fails after inner ran")

    with pytest.raises(ValueError):
        outer()
    assert names(ctx) == []


@pytest.mark.parametrize("state", ["40001", "40P01"])
def test_serialization_failures_and_deadlocks_are_retried(ctx, monkeypatch, state):
    monkeypatch.setattr(db_module, "_backoff", lambda attempt: None)
    attempts = []

    @transactional
    def flaky():
        attempts.append(1)
        db.session.add(Partner(code=f"C{len(attempts)}", name="try"))
        db.session.flush()
        if len(attempts) < 3:
            raise OperationalError("UPDATE ...", {}, FakeDriverError(state))
        return "done"

    assert flaky() == "done"
    assert len(attempts) == 3
    assert names(ctx) == ["try"]  # the failed attempts left nothing behind


def test_retries_stop_after_five_attempts(ctx, monkeypatch):
    monkeypatch.setattr(db_module, "_backoff", lambda attempt: None)
    attempts = []

    @transactional
    def always_fails():
        attempts.append(1)
        raise OperationalError("UPDATE ...", {}, FakeDriverError("40001"))

    with pytest.raises(OperationalError):
        always_fails()
    assert len(attempts) == db_module.MAX_ATTEMPTS == 5


def test_other_database_errors_are_not_retried(ctx):
    attempts = []

    @transactional
    def fails():
        attempts.append(1)
        raise OperationalError("SELECT", {}, FakeDriverError("42P01"))

    with pytest.raises(OperationalError):
        fails()
    assert len(attempts) == 1


@pytest.mark.postgres
def test_a_real_serialization_failure_is_retried_on_postgres(ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    db.session.add(Partner(code="S", name="start"))
    db.session.commit()
    attempts = []
    engine = db.engine  # the thread has no application context

    def concurrent_rename():
        with engine.connect() as other:
            other.execute(text("UPDATE partners SET name = 'other' WHERE code = 'S'"))
            other.commit()

    @transactional
    def rename():
        attempts.append(1)
        db.session.execute(text("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"))
        db.session.execute(text("SELECT name FROM partners WHERE code = 'S'")).scalar_one()
        if len(attempts) == 1:
            thread = threading.Thread(target=concurrent_rename)
            thread.start()
            thread.join()
        db.session.execute(text("UPDATE partners SET name = name || '+mine' WHERE code = 'S'"))

    rename()
    assert len(attempts) == 2
    assert names(ctx) == ["other+mine"]


def test_sqlite_connection_settings(ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    conn = db.session.connection()
    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_sqlite_write_transactions_take_the_write_lock_at_begin(ctx):
    """BEGIN IMMEDIATE: while a unit of work is open, another writer cannot start, even
    before the first one has written anything."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    path = db.engine.url.database
    outcome = {}

    @transactional
    def hold_the_lock():
        db.session.execute(select(Partner.id)).all()  # a read only, no write yet
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            outcome["other"] = "got the lock"
        except sqlite3.OperationalError as exc:
            outcome["other"] = str(exc)
        finally:
            other.close()

    hold_the_lock()
    assert outcome["other"] == "database is locked"


def test_foreign_keys_are_enforced(ctx):
    from sqlalchemy.exc import IntegrityError

    from shared.products.models import Product

    db.session.add(Product(sku="X", name="X", default_supplier_id=999))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_migrations_produce_exactly_the_models_schema(ctx):
    """The test database was built by `flask db upgrade`; nothing may differ from the models."""
    with db.engine.connect() as conn:
        include = functools.partial(db_module.include_in_schema, dialect=conn.dialect.name)
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True,
                                                         "include_object": include})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
