"""One set of SQLAlchemy hooks writes the audit trail for every insert, update and delete.

Mapper events see every row the flush writes (cascaded and orphan deletes included) while the
attribute history still holds the old values; the entries of a whole transaction are written
in one statement just before it commits (after its last flush), on the same connection, so
they commit or roll back with the change itself and a unit of work that flushes several
times still writes its trail once.
Tables opt out with `__audited__ = False`; secret columns are listed in `__audit_exclude__`.
A child table may set `__audit_as__ = (parent_table, fk_column)` to be recorded in its
parent's history (a user's roles appear on the user), as "child_table#child_id.column".
The entries of one transaction are merged into one per record (`merged`).
"""
from __future__ import annotations

import contextvars
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, object_session

from shared.audit.models import AuditEntry
from shared.db import Base, utcnow

PENDING = "audit_pending"

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


_COLUMN_KEYS: dict[Any, tuple[str, ...]] = {}


def _column_keys(mapper: Any) -> tuple[str, ...]:
    keys = _COLUMN_KEYS.get(mapper)
    if keys is None:
        keys = _COLUMN_KEYS[mapper] = tuple(attr.key for attr in mapper.column_attrs)
    return keys


def _changes(target: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(target)
    excluded = getattr(target, "__audit_exclude__", frozenset())
    changes: dict[str, list[Any]] = {}
    columns = _column_keys(state.mapper)
    # An update can only have changed the attributes the session saw modified.
    keys = [key for key in state.committed_state if key in columns] if action == "update" \
        else columns
    for key in keys:
        if key in excluded:
            continue
        if action == "update":
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[key] = [_jsonable(old), _jsonable(new)]
        else:
            value = state.dict.get(key)
            if value is not None:
                pair = [None, _jsonable(value)]
                changes[key] = pair if action == "insert" else pair[::-1]
    return changes


def _queue(action: str, target: Any) -> None:
    if not getattr(target, "__audited__", False):
        return
    changes = _changes(target, action)
    if not changes:
        return
    audit_as = getattr(target, "__audit_as__", None)
    if audit_as:
        table, fk = audit_as
        record_id = str(getattr(target, fk))
        child = ",".join(str(v) for v in inspect(target).mapper.primary_key_from_instance(target))
        # "sales_order_lines#12.reserved_qty": each child row keeps its own changes
        changes = {f"{target.__tablename__}#{child}.{k}": v for k, v in changes.items()
                   if k != fk}
        action = "update"
    else:
        table = target.__tablename__
        pk = inspect(target).mapper.primary_key_from_instance(target)
        record_id = ",".join(str(v) for v in pk)
    session = object_session(target)
    if session is not None:
        session.info.setdefault(PENDING, []).append({
            "at": utcnow(), "user_id": current_actor_id(), "action": action,
            "table_name": table, "record_id": record_id, "changes": changes})


def _after_insert(_mapper, _connection, target) -> None:
    _queue("insert", target)


def _after_update(_mapper, _connection, target) -> None:
    _queue("update", target)


def _after_delete(_mapper, _connection, target) -> None:
    _queue("delete", target)


def merged(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per record and transaction (a confirmation that touches an order and each of
    its lines is one change of the order): a field keeps its first old and last new value,
    a field that ended where it began is left out, and a record created and deleted in the
    same transaction leaves nothing."""
    by_record: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        key = (entry["table_name"], entry["record_id"])
        first = by_record.get(key)
        if first is None:
            by_record[key] = {**entry, "changes": {k: list(v) for k, v in
                                                   entry["changes"].items()}}
            continue
        for column, (old, new) in entry["changes"].items():
            if column in first["changes"]:
                first["changes"][column][1] = new
            else:
                first["changes"][column] = [old, new]
        if entry["action"] == "delete":
            first["action"] = "gone" if first["action"] == "insert" else "delete"
    result = []
    for entry in by_record.values():
        if entry["action"] == "update":
            entry["changes"] = {k: v for k, v in entry["changes"].items() if v[0] != v[1]}
        if entry["action"] != "gone" and entry["changes"]:
            result.append(entry)
    return result


def _write_entries(session: Session) -> None:
    session.flush()  # the last changes queue their entries too
    entries = merged(session.info.pop(PENDING, None) or [])
    if entries:
        session.connection().execute(AuditEntry.__table__.insert(), entries)


def _forget_entries(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def install_audit_hook() -> None:
    for name, handler in (("after_insert", _after_insert), ("after_update", _after_update),
                          ("after_delete", _after_delete)):
        if not event.contains(Base, name, handler):
            event.listen(Base, name, handler, propagate=True)
    if not event.contains(Session, "before_commit", _write_entries):
        event.listen(Session, "before_commit", _write_entries)
        event.listen(Session, "after_soft_rollback", _forget_entries)
