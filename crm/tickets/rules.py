"""The ticket's rules that need no database: the status moves of API.md and the actions a
user may take now (Tryton's `_transitions` beside its `_buttons`). The services guard with
TRANSITIONS; the ticket page's buttons and the API's `allowed_actions` come from
`allowed_actions`.

    new      -> open | pending | resolved | closed
    open     -> pending | resolved | closed
    pending  -> open | resolved | closed
    resolved -> open | closed
    closed   -> (nothing; a public reply or note reopens it, API.md "Tickets, further")

Setting the current status again changes nothing (it is not a move, and not refused).
"""
from __future__ import annotations

from typing import Any

from crm.tickets.models import CLOSED, NEW, OPEN, PENDING, RESOLVED
from shared.permissions import allowed

TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({OPEN, PENDING, RESOLVED, CLOSED}),
    OPEN: frozenset({PENDING, RESOLVED, CLOSED}),
    PENDING: frozenset({OPEN, RESOLVED, CLOSED}),
    RESOLVED: frozenset({OPEN, CLOSED}),
    CLOSED: frozenset(),
}

# The page's buttons: action name -> the status it moves to.
MOVE_ACTIONS = {"start": OPEN, "pending": PENDING, "resolve": RESOLVED, "close": CLOSED}
# Other actions, with the permission (tickets area) each needs; moves need "write".
PERMISSIONS = {"edit": "write", "comment": "write", "assign": "write", "link": "write",
               **dict.fromkeys(MOVE_ACTIONS, "write")}


def may_move(current: str, target: str) -> bool:
    """Whether the table allows `current -> target` (the same status is no move)."""
    return target == current or target in TRANSITIONS[current]


def allowed_actions(ticket: Any, user: Any) -> frozenset[str]:
    """The actions `user` may take on `ticket` now. A resolved ticket's "start" is shown as
    Reopen."""
    roles = user.roles if user is not None else ()
    moves = {action for action, target in MOVE_ACTIONS.items()
             if target in TRANSITIONS[ticket.status]}
    return frozenset(action for action in (*moves, "edit", "comment", "assign", "link")
                     if allowed(roles, "tickets", PERMISSIONS[action]))
