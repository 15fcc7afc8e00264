"""The audit trail pages: recent changes (administrators), and one record's history, which
each record's own page shows too (`history_of`, a template global)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from shared.api import paginate
from shared.audit.models import AuditEntry
from shared.audit.present import Entry, present
from shared.extensions import db
from shared.permissions import require
from shared.registry import current_registry
from shared.users.models import User

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

HISTORY_ON_PAGE = 20  # the newest changes a record's page shows; the rest on /admin/audit


def _user_names(entries: list[AuditEntry]) -> dict[int, str]:
    ids = {e.user_id for e in entries if e.user_id}
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(
        select(User.id, User.name).where(User.id.in_(ids)))}


def presented(entries: list[AuditEntry]) -> list[Entry]:
    return present(entries, _user_names(entries))


def history_of(table: str, record_id: int | str, limit: int = HISTORY_ON_PAGE
                   ) -> list[Entry]:
    """A record's newest changes as people read them, for the record's own page."""
    entries = list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == table,
                                 AuditEntry.record_id == str(record_id))
        .order_by(AuditEntry.id.desc()).limit(limit)))
    return presented(entries)


@bp.get("/")
@require("audit", "read")
def recent_changes():
    table = request.args.get("table", "")
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if table:
        stmt = stmt.where(AuditEntry.table_name == table)
    page = paginate(stmt)
    kinds = {name: str(kind.label) for name, kind in current_registry().record_kinds.items()}
    return render_template("shared/audit/list.html", page=page, table=table, record_id=None,
                           entries=presented(page.items),
                           kinds=dict(sorted(kinds.items(), key=lambda item: item[1])))


@bp.get("/<table>/<record_id>")
@require("audit", "read")
def record_history(table: str, record_id: str):
    stmt = select(AuditEntry).where(AuditEntry.table_name == table,
                                    AuditEntry.record_id == record_id) \
        .order_by(AuditEntry.id.desc())
    page = paginate(stmt)
    entries = presented(page.items)
    return render_template("shared/audit/list.html", page=page, table=table,
                           record_id=record_id, entries=entries, kinds={})
