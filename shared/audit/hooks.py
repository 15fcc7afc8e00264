"""One SQLAlchemy hook writes the audit trail for every insert, update and delete.

It runs after each flush, when primary keys are known and attribute history still holds the old
values, and writes the entries with the same connection, so they commit or roll back with the
change itself. Tables opt out with `__audited__ = False`; secret columns are listed in
`__audit_exclude__`. A child table may set `__audit_as__ = (parent_table, fk_column)` to be
recorded in its parent's history (a user's roles appear on the user).
"""
from __future__ import annotations

import contextvars
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from shared.audit.models import AuditEntry
from shared.db import utcnow

# Who acts outside a request (the command line); requests use g.actor_id.
cli_actor_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("cli_actor_id",
                                                                          default=None)


def current_actor_id() -> int | None:
    if has_request_context() and getattr(g, "actor_id", None):
        return g.actor_id
    return cli_actor_id.get()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _audited_columns(obj: Any) -> list[str]:
    mapper = inspect(obj).mapper
    excluded = getattr(obj, "__audit_exclude__", frozenset())
    return [attr.key for attr in mapper.column_attrs if attr.key not in excluded]


def _changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for key in _audited_columns(obj):
        if action == "insert":
            value = state.dict.get(key)
            if value is not None:
                changes[key] = [None, _jsonable(value)]
        elif action == "delete":
            value = state.dict.get(key)
            if value is not None:
                changes[key] = [_jsonable(value), None]
        else:
            history = state.attrs[key].history
            if history.has_changes():
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                if old != new:
                    changes[key] = [_jsonable(old), _jsonable(new)]
    return changes


def _entry(obj: Any, action: str, actor: int | None) -> dict[str, Any] | None:
    changes = _changes(obj, action)
    if not changes:
        return None
    audit_as = getattr(obj, "__audit_as__", None)
    if audit_as:
        table, fk = audit_as
        record_id = str(getattr(obj, fk))
        changes = {f"{obj.__tablename__}.{k}": v for k, v in changes.items() if k != fk}
        action = "update"
    else:
        table = obj.__tablename__
        record_id = ",".join(str(v) for v in inspect(obj).identity or ())
    return {"at": utcnow(), "user_id": actor, "action": action, "table_name": table,
            "record_id": record_id, "changes": changes}


def _record_changes(session: Session, _flush_context) -> None:
    actor = current_actor_id()
    entries = []
    for action, objects in (("insert", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            if not getattr(obj, "__audited__", False):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            entry = _entry(obj, action, actor)
            if entry:
                entries.append(entry)
    if entries:
        session.connection().execute(AuditEntry.__table__.insert(), entries)


def install_audit_hook() -> None:
    if not event.contains(Session, "after_flush", _record_changes):
        event.listen(Session, "after_flush", _record_changes)
