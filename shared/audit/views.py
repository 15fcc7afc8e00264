"""The audit trail pages: recent changes, and one record's history."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from shared.api import paginate
from shared.audit.models import AuditEntry
from shared.extensions import db
from shared.permissions import require
from shared.users.models import User

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _with_user_names(entries: list[AuditEntry]) -> dict[int, str]:
    ids = {e.user_id for e in entries if e.user_id}
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(
        select(User.id, User.name).where(User.id.in_(ids)))}


@bp.get("/")
@require("audit", "read")
def recent_changes():
    table = request.args.get("table", "")
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if table:
        stmt = stmt.where(AuditEntry.table_name == table)
    page = paginate(stmt)
    return render_template("shared/audit/list.html", page=page, table=table, record_id=None,
                           user_names=_with_user_names(page.items))


@bp.get("/<table>/<record_id>")
@require("audit", "read")
def record_history(table: str, record_id: str):
    stmt = select(AuditEntry).where(AuditEntry.table_name == table,
                                    AuditEntry.record_id == record_id) \
        .order_by(AuditEntry.id.desc())
    page = paginate(stmt)
    return render_template("shared/audit/list.html", page=page, table=table, record_id=record_id,
                           user_names=_with_user_names(page.items))
