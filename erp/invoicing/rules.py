"""The invoice's rules that need no database: its transitions and the actions a user may take
now (Tryton's `_transitions` beside its `_buttons`). The services guard with TRANSITIONS; the
invoice page and the API show what `allowed_actions` returns, so no template spells a state.

    draft --post--> posted --(payments, credit notes reach zero due)--> paid
    draft --cancel--> cancelled          (a posted invoice is corrected by a credit note)
"""
from __future__ import annotations

from typing import Any

from erp.invoicing.models import DRAFT, POSTED
from shared.permissions import allowed

# Which states each action starts from; anything else is refused.
TRANSITIONS = {"edit": {DRAFT}, "post": {DRAFT}, "cancel": {DRAFT}, "credit": {POSTED},
               "pay": {POSTED}}


def _has_work(invoice: Any, action: str) -> bool:
    if action in ("credit", "pay"):  # a credit note is neither credited nor paid
        return not invoice.is_credit_note and (action == "credit" or invoice.amount_due > 0)
    return True


def allowed_actions(invoice: Any, user: Any) -> frozenset[str]:
    """The actions `user` may take on `invoice` now: its state and the user's roles allow
    them, and there is something to do (a credit note is not credited or paid)."""
    roles = user.roles if user is not None else ()
    if not allowed(roles, "invoices", "write"):
        return frozenset()
    return frozenset(action for action, states in TRANSITIONS.items()
                     if invoice.state in states and _has_work(invoice, action))


# A payment is posted until it is reversed (its allocations given back to the invoices).
PAYMENT_TRANSITIONS = {"reverse": {"posted"}}


def payment_actions(payment: Any, user: Any) -> frozenset[str]:
    roles = user.roles if user is not None else ()
    if not allowed(roles, "invoices", "write"):
        return frozenset()
    return frozenset(action for action, states in PAYMENT_TRANSITIONS.items()
                     if payment.state in states)
