"""Permissions are data: permissions.csv says which role may do what in each area.

Every view and API handler declares what it needs with exactly one of
`@require(area, action)`, `@signed_in` (any user who is signed in) or `@public`; a test walks
the URL map and fails on a route without one. Anything the table does not list is denied.
"""
from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from shared.errors import Forbidden, NotAuthenticated
from shared.users.models import ROLES

TABLE_PATH = Path(__file__).with_name("permissions.csv")

PUBLIC = ("public", "")
SIGNED_IN = ("signed_in", "")


def load_table(path: Path = TABLE_PATH) -> dict[tuple[str, str], frozenset[str]]:
    table: dict[tuple[str, str], frozenset[str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table[(row["area"], row["action"])] = frozenset(
                role for role in ROLES if row.get(role, "").strip().lower() == "x")
    return table


PERMISSIONS = load_table()


def allowed(roles: list[str] | frozenset[str], area: str, action: str) -> bool:
    return bool(PERMISSIONS.get((area, action), frozenset()) & set(roles))


def user_allowed(user_id: int | None, area: str, action: str) -> bool:
    """For services that apply a role rule of their own: may this user do it? No user is
    the system itself (the command line, seed-demo), which may."""
    if user_id is None:
        return True
    from shared.extensions import db
    from shared.users.models import User

    user = db.session.get(User, user_id)  # the request's user: answered by the identity map
    return user is not None and allowed(user.roles, area, action)


def can(area: str, action: str = "read") -> bool:
    """For templates and code: may the current user do this?"""
    return current_user.is_authenticated and allowed(current_user.roles, area, action)


def _mark(fn: Callable, permission: tuple[str, str], check: Callable[[], None]) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        check()
        return fn(*args, **kwargs)

    wrapper.permission = permission  # type: ignore[attr-defined]
    return wrapper


# What a read-only API token may do (HEAD is a GET without its body).
READ_METHODS = frozenset({"GET", "HEAD"})


def _require_sign_in() -> None:
    if not current_user.is_authenticated:
        raise NotAuthenticated()
    if g.get("token_scope") == "read" and request.method not in READ_METHODS:
        raise Forbidden(_("This API token may only read."))


def require(area: str, action: str) -> Callable[[Callable], Callable]:
    if (area, action) not in PERMISSIONS:
        raise KeyError(f"{area}/{action} is not in permissions.csv")

    def check() -> None:
        _require_sign_in()
        if not allowed(current_user.roles, area, action):
            raise Forbidden()

    return lambda fn: _mark(fn, (area, action), check)


def signed_in(fn: Callable) -> Callable:
    return _mark(fn, SIGNED_IN, _require_sign_in)


def public(fn: Callable) -> Callable:
    return _mark(fn, PUBLIC, lambda: None)
