"""The CRM's row-level limit, in one place.

When the company setting `sales_see_own_only` is on, a salesperson (a user with the sales role
and not admin) sees only the leads, opportunities and activities they own. Every list, the
board, the exports, the pipeline figures, search and single-record reads go through
`visible()`, so the rule cannot be forgotten in one of them.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from shared.queries import own_only_setting, row_limit_user_id

__all__ = ["may_see", "own_only_setting", "restricted_owner_id", "visible"]


def restricted_owner_id(user: Any = None) -> int | None:
    """The owner id lists must be limited to for `user` (default: the signed-in user), or
    None when they see everything (the rule is shared: `shared.queries.row_limit_user_id`)."""
    return row_limit_user_id(user)


def visible(stmt: Select, model: type, user: Any = None) -> Select:
    """`stmt` limited to the rows of `model` the user may see (see the module docstring)."""
    owner_id = restricted_owner_id(user)
    if owner_id is None:
        return stmt
    return stmt.where(model.owner_id == owner_id)


def may_see(record: Any, user: Any = None) -> bool:
    owner_id = restricted_owner_id(user)
    return owner_id is None or record.owner_id == owner_id
