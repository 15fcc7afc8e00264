"""INSERT ... ON CONFLICT DO NOTHING for both supported databases."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from shared.extensions import db


def dialect_insert(model: type):
    """An INSERT with the ON CONFLICT clauses of the database in use."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def insert_ignore(model: type, values: dict[str, Any] | list[dict[str, Any]],
                  conflict_columns: list[str]):
    return dialect_insert(model).values(values).on_conflict_do_nothing(
        index_elements=conflict_columns)


def insert_or_add(model: type, values: dict[str, Any], conflict_columns: list[str],
                  add_columns: list[str]):
    """INSERT `values`, or, when the row exists, add their `add_columns` to it (an atomic
    increment: concurrent writers queue on the row instead of losing an update)."""
    stmt = dialect_insert(model).values(values)
    table = model.__table__
    return stmt.on_conflict_do_update(
        index_elements=conflict_columns,
        set_={name: table.c[name] + stmt.excluded[name] for name in add_columns})
