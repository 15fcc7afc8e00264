"""INSERT ... ON CONFLICT DO NOTHING for both supported databases."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from shared.extensions import db


def insert_ignore(model: type, values: dict[str, Any] | list[dict[str, Any]],
                  conflict_columns: list[str]):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model).values(values).on_conflict_do_nothing(
        index_elements=conflict_columns)
