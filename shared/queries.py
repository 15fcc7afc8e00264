"""Query helpers shared by lists, exports, reports and the API."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, or_, select


def search(stmt: Select, q: str | None, columns: Sequence[Any]) -> Select:
    """Free-text ?q=: every word must appear in one of `columns` (case-insensitive)."""
    for word in (q or "").split()[:5]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(or_(*(col.ilike(f"%{escaped}%", escape="\\") for col in columns)))
    return stmt


def own_only_setting() -> bool:
    """The company setting `sales_see_own_only`, read once per request."""
    from flask import g, has_request_context

    from shared.company.models import COMPANY_ID, Company
    from shared.extensions import db

    if has_request_context() and "sales_own_only" in g:
        return g.sales_own_only
    value = bool(db.session.scalar(
        select(Company.sales_see_own_only).where(Company.id == COMPANY_ID)))
    if has_request_context():
        g.sales_own_only = value
    return value


def row_limit_user_id(user: Any = None) -> int | None:
    """The row-level limit of ARCHITECTURE.md: the user id the rows `user` (default: the
    signed-in user) sees must be limited to, or None when they see everything. When the
    company setting `sales_see_own_only` is on, a salesperson (the sales role and not admin)
    is limited to their own records; CRM lists and the reports of every area apply it."""
    from flask import has_request_context
    from flask_login import current_user

    user = user if user is not None else (current_user if has_request_context() else None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    roles = set(user.roles)
    if "sales" not in roles or "admin" in roles:
        return None
    return user.id if own_only_setting() else None
