"""The CRM's row-level limit, in one place.

When the company setting `sales_see_own_only` is on, a salesperson (a user with the sales role
and not admin) sees only the leads, opportunities and activities they own. Every list, the
board, the exports, the pipeline figures, search and single-record reads go through
`visible()`, so the rule cannot be forgotten in one of them.
"""
from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Select, select

from shared.company.models import COMPANY_ID, Company
from shared.extensions import db


def own_only_setting() -> bool:
    """The company setting, read once per request."""
    if has_request_context() and "crm_own_only" in g:
        return g.crm_own_only
    value = bool(db.session.scalar(
        select(Company.sales_see_own_only).where(Company.id == COMPANY_ID)))
    if has_request_context():
        g.crm_own_only = value
    return value


def restricted_owner_id(user: Any = None) -> int | None:
    """The owner id lists must be limited to for `user` (default: the signed-in user), or
    None when they see everything."""
    user = user if user is not None else (current_user if has_request_context() else None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    roles = set(user.roles)
    if "sales" not in roles or "admin" in roles:
        return None
    return user.id if own_only_setting() else None


def visible(stmt: Select, model: type, user: Any = None) -> Select:
    """`stmt` limited to the rows of `model` the user may see (see the module docstring)."""
    owner_id = restricted_owner_id(user)
    if owner_id is None:
        return stmt
    return stmt.where(model.owner_id == owner_id)


def may_see(record: Any, user: Any = None) -> bool:
    owner_id = restricted_owner_id(user)
    return owner_id is None or record.owner_id == owner_id
