"""INSERT ... ON CONFLICT DO NOTHING for both supported databases."""
from __future__ import annotations

import functools
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


def insert_or_add(model: type, conflict_columns: tuple[str, ...],
                  add_columns: tuple[str, ...]):
    """INSERT a row, or, when it exists, add its `add_columns` to the existing row (an atomic
    increment: concurrent writers queue on the row instead of losing an update). Execute the
    statement with the row's values, one dict or a list of them; it is built once per
    database kind, since building it costs more than running it."""
    return _insert_or_add(db.session.get_bind().dialect.name, model, conflict_columns,
                          add_columns)


@functools.cache
def _insert_or_add(dialect: str, model: type, conflict_columns: tuple[str, ...],
                   add_columns: tuple[str, ...]):
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(model)
    table = model.__table__
    return stmt.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={name: table.c[name] + stmt.excluded[name] for name in add_columns})
