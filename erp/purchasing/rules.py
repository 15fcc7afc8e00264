"""The purchase order's rules that need no database: its transitions with the actions a user
may take now (Tryton's `_transitions` beside its `_buttons`), and the receipt state and bill
status its lines imply. Services, views, templates and the API all ask these functions, so no
rule is written twice and no template spells a state.

    draft --confirm--> confirmed --receive--> partially_received --receive--> received
    draft|confirmed --cancel--> cancelled      (not once anything is received or billed)
"""
from __future__ import annotations

from typing import Any

from erp.purchasing.models import (
    BILLED,
    CANCELLED,
    CONFIRMED,
    DRAFT,
    NOTHING_TO_BILL,
    PARTIALLY_BILLED,
    PARTIALLY_RECEIVED,
    RECEIVED,
    TO_BILL,
)
from shared.permissions import allowed

# Which states each action starts from; anything else is refused with InvalidState.
TRANSITIONS = {
    "edit": {DRAFT},
    "confirm": {DRAFT},
    "receive": {CONFIRMED, PARTIALLY_RECEIVED},
    "bill": {CONFIRMED, PARTIALLY_RECEIVED, RECEIVED},
    "cancel": {DRAFT, CONFIRMED},
}

# The permission each action needs (shared/permissions.csv, area purchase_orders).
PERMISSIONS = {"edit": "write", "confirm": "write", "receive": "receive", "bill": "write",
               "cancel": "write"}


def _has_work(order: Any, action: str) -> bool:
    lines = order.lines
    if action == "confirm":
        return bool(lines)
    if action == "receive":
        return any(line.to_receive_qty > 0 for line in lines)
    if action == "bill":
        return any(line.to_bill_qty > 0 for line in lines)
    if action == "cancel":
        return not any(line.received_qty > 0 or line.billed_qty > 0 for line in lines)
    return True


def allowed_actions(order: Any, user: Any) -> frozenset[str]:
    """The actions `user` may take on `order` now: its state and the user's roles allow
    them, and its lines leave something to do. Buttons and the API's list come from here."""
    roles = user.roles if user is not None else ()
    return frozenset(
        action for action, states in TRANSITIONS.items()
        if order.state in states and allowed(roles, "purchase_orders", PERMISSIONS[action])
        and _has_work(order, action))


def receipt_state(order: Any) -> str:
    """The state the goods lines' received quantities imply (drafts and cancelled orders keep
    theirs; an order of services only stays confirmed)."""
    if order.state in (DRAFT, CANCELLED):
        return order.state
    goods = [line for line in order.lines if not line.is_service]
    if any(line.received_qty > 0 for line in goods):
        done = all(line.received_qty >= line.quantity for line in goods)
        return RECEIVED if done else PARTIALLY_RECEIVED
    return CONFIRMED


def bill_status(order: Any) -> str:
    """`to_bill` while something received (or an ordered service) is not billed; `billed`
    once all ordered quantity is; `partially_billed` when all billable is but not all
    ordered."""
    if order.state in (DRAFT, CANCELLED) or not order.lines:
        return NOTHING_TO_BILL
    if all(line.billed_qty >= line.quantity for line in order.lines):
        return BILLED
    if any(line.to_bill_qty > 0 for line in order.lines):
        return TO_BILL
    if any(line.billed_qty > 0 for line in order.lines):
        return PARTIALLY_BILLED
    return NOTHING_TO_BILL
