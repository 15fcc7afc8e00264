"""The opportunity's rules that need no database: which actions each status allows and which
of them a user may take now (Tryton's `_transitions` beside its `_buttons`). The services
guard with TRANSITIONS; the opportunity page shows what `allowed_actions` returns.

    open --move--> open;  open --win--> won;  open --lose--> lost
    open|won --quote--> a draft sales order (a won deal may need another quotation)
    any status --edit--> the same status (the stage changes only through move, win, lose)
"""
from __future__ import annotations

from typing import Any

from shared.permissions import allowed

OPEN, WON, LOST = "open", "won", "lost"

TRANSITIONS = {"edit": {OPEN, WON, LOST}, "move": {OPEN}, "win": {OPEN}, "lose": {OPEN},
               "quote": {OPEN, WON}}

# (area, action) in shared/permissions.csv that each action needs.
PERMISSIONS = {"edit": ("leads", "write"), "move": ("leads", "write"),
               "win": ("leads", "write"), "lose": ("leads", "write"),
               "quote": ("sales_orders", "write")}


def allowed_actions(opportunity: Any, user: Any) -> frozenset[str]:
    """The actions `user` may take on `opportunity` now (quoting needs its customer)."""
    roles = user.roles if user is not None else ()
    return frozenset(
        action for action, statuses in TRANSITIONS.items()
        if opportunity.status in statuses and allowed(roles, *PERMISSIONS[action])
        and (action != "quote" or opportunity.partner_id))
