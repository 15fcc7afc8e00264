"""Database foundations: the declarative base and the unit of work.

Every business operation runs inside `@transactional`: one transaction that commits on success,
rolls back on any error, and is retried when PostgreSQL reports a serialization failure or a
deadlock. On SQLite a write transaction starts with BEGIN IMMEDIATE, so two writers queue on
the database lock instead of failing half-way with "database is locked".
"""
from __future__ import annotations

import contextvars
import functools
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Index,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# Column types by meaning; models annotate with these so precision lives in one place.
Money = Annotated[Decimal, "money"]  # 2 places, e.g. a price or a total
Quantity = Annotated[Decimal, "quantity"]  # 3 places
Rate = Annotated[Decimal, "rate"]  # percentages such as a tax rate
Cost = Annotated[Decimal, "cost"]  # 4 places, e.g. a moving-average cost
JSONDict = Annotated[dict, "json"]


TYPE_MAP = {
    Decimal: Numeric(18, 4),
    Money: Numeric(18, 2),
    Quantity: Numeric(18, 3),
    Rate: Numeric(6, 2),
    Cost: Numeric(18, 4),
    datetime: UTCDateTime(),
    date: Date(),
    str: String(255),
    JSONDict: JSON(),
}


class Base(DeclarativeBase):
    # One registry carries the metadata and the type map (Flask-SQLAlchemy subclasses Base).
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map=TYPE_MAP)

    # Set to False on tables whose rows are not business records (tokens, audit log itself).
    __audited__: bool = True
    # Columns never written to the audit log (secrets).
    __audit_exclude__: frozenset[str] = frozenset()


def _decimal_scales(mapper: Any) -> list[tuple[str, Decimal]]:
    """[(attribute, exponent)] of the mapper's Numeric columns that have a scale."""
    scales = _SCALES.get(mapper)
    if scales is None:
        scales = _SCALES[mapper] = [
            (attr.key, Decimal(1).scaleb(-attr.columns[0].type.scale))
            for attr in mapper.column_attrs
            if isinstance(attr.columns[0].type, Numeric)
            and getattr(attr.columns[0].type, "scale", None) is not None]
    return scales


_SCALES: dict[Any, list[tuple[str, Decimal]]] = {}


@event.listens_for(Base, "after_insert", propagate=True)
@event.listens_for(Base, "after_update", propagate=True)
def _as_stored(mapper: Any, _connection: Any, target: Any) -> None:
    """Give a row's decimals the scale the database stored them with ("3" -> "3.000"), as
    reading them back would: objects are not expired at commit (`expire_on_commit=False`,
    which saves re-reading every record a service returns), so what a response shows
    after a write must already look like what a later read shows."""
    values = target.__dict__
    for key, exponent in _decimal_scales(mapper):
        value = values.get(key)
        if isinstance(value, Decimal) and value.as_tuple().exponent != exponent.as_tuple(
                ).exponent:
            values[key] = value.quantize(exponent)


def trigram_indexes(table: str, *columns: str) -> tuple[Index, ...]:
    """PostgreSQL GIN trigram indexes that make ILIKE '%word%' searches (shared/queries.py)
    use an index; other databases skip them (`ddl_if`, honoured by the migrations too)."""
    return tuple(
        Index(f"ix_{table}_{column}_trgm", column, postgresql_using="gin",
              postgresql_ops={column: "gin_trgm_ops"}).ddl_if(dialect="postgresql")
        for column in columns)


def include_in_schema(obj: Any, _name: str | None, _type: str, reflected: bool,
                      _compare_to: Any, *, dialect: str) -> bool:
    """Alembic's include_object: leave out the indexes and constraints that `ddl_if` reserves
    for another database."""
    ddl_if = getattr(obj, "_ddl_if", None)
    if not reflected and ddl_if is not None and ddl_if.dialect:
        return ddl_if.dialect == dialect
    return True


def utcnow() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- engine set-up

_write_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "write_transaction", default=False
)


def configure_engine(engine: Engine) -> None:
    """Connection settings that the unit of work relies on."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_transaction.get() else "BEGIN")


# --------------------------------------------------------------------------- unit of work

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
MAX_ATTEMPTS = 5

F = TypeVar("F", bound=Callable[..., Any])


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and sqlstate(exc) in RETRYABLE_SQLSTATES


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.01 * 2**attempt))  # full jitter, at most ~0.3 s


def transactional(fn: F) -> F:
    """Run `fn` as one unit of work (see the module docstring).

    A transactional function called from another joins the outer transaction, so services
    compose. Objects loaded before the call are expired (by the rollback that starts it) and
    reloaded inside the transaction. Objects are not expired at commit (the session's
    `expire_on_commit=False`), so the record a service returns is answered without reading
    it back; the decimals it holds already have their stored scale (`_as_stored`).
    Callbacks queued with `run_after_commit` (after-commit event subscribers) run once the
    commit has succeeded, and are dropped on a rollback.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from shared.extensions import db

        session = db.session
        if session.info.get("uow_depth"):
            return fn(*args, **kwargs)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            session.rollback()  # close the read transaction the request may have opened
            session.info["uow_depth"] = 1
            token = _write_transaction.set(True)
            try:
                result = fn(*args, **kwargs)
                session.commit()
            except DBAPIError as exc:
                session.info.pop(AFTER_COMMIT_KEY, None)
                session.rollback()
                if is_retryable(exc) and attempt < MAX_ATTEMPTS:
                    _backoff(attempt)
                    continue
                raise
            except BaseException:
                session.info.pop(AFTER_COMMIT_KEY, None)
                session.rollback()
                raise
            finally:
                session.info["uow_depth"] = 0
                _write_transaction.reset(token)
            for callback, argument in session.info.pop(AFTER_COMMIT_KEY, []):
                callback(argument)
            return result
        raise AssertionError("unreachable")

    return wrapper  # type: ignore[return-value]


AFTER_COMMIT_KEY = "after_commit"


def run_after_commit(callback: Callable[[Any], None], argument: Any) -> None:
    """Call `callback(argument)` once the current unit of work has committed (never if it
    rolls back); outside a unit of work, at once."""
    from shared.extensions import db

    if not in_unit_of_work():
        callback(argument)
        return
    db.session.info.setdefault(AFTER_COMMIT_KEY, []).append((callback, argument))


def in_unit_of_work() -> bool:
    from shared.extensions import db

    return bool(db.session.info.get("uow_depth"))


def flush_or_duplicate(message: str, field: str | None = None) -> None:
    """Flush, turning a UNIQUE violation that a concurrent writer won into Duplicate."""
    from sqlalchemy.exc import IntegrityError

    from shared.errors import Duplicate
    from shared.extensions import db

    try:
        db.session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) in (None, "23505") and "unique" in str(exc.orig).lower():
            raise Duplicate(message, field=field,
                            fields={field: message} if field else None) from exc
        raise
