"""The sales order's rules that need no database: its transitions with the actions a user may
take now (Tryton's `_transitions` beside its `_buttons`), the delivery state and invoice
status its lines imply, and the credit check's figures. Services, views, templates and the
API all ask these functions, so no rule is written twice and no template spells a state;
tests/unit/test_sales_rules.py checks them on plain objects.

    draft --confirm--> confirmed --deliver--> partially_delivered --deliver--> delivered
    draft|confirmed --cancel--> cancelled      (not once anything is delivered or invoiced)
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from erp.sales.models import (
    CANCELLED,
    CONFIRMED,
    DELIVERED,
    DRAFT,
    INVOICED,
    NOTHING,
    PARTIALLY_DELIVERED,
    PARTIALLY_INVOICED,
    TO_INVOICE,
)
from shared.permissions import allowed

# Which states each action starts from; anything else is refused with InvalidState.
TRANSITIONS = {
    "edit": {DRAFT},
    "confirm": {DRAFT},
    "override_credit": {DRAFT},  # confirm past the customer's credit limit
    "reserve": {CONFIRMED, PARTIALLY_DELIVERED},
    "deliver": {CONFIRMED, PARTIALLY_DELIVERED},
    "invoice": {CONFIRMED, PARTIALLY_DELIVERED, DELIVERED},
    "cancel": {DRAFT, CONFIRMED},
}

# The permission each action needs (shared/permissions.csv, area sales_orders).
PERMISSIONS = {"edit": "write", "confirm": "write", "override_credit": "credit_override",
               "reserve": "reserve", "deliver": "deliver", "invoice": "invoice",
               "cancel": "write"}


def _has_work(order: Any, action: str) -> bool:
    """Whether the order's lines leave something for `action` to do."""
    lines = order.lines
    if action in ("confirm", "override_credit"):
        return bool(lines)
    if action == "reserve":
        return any(line.waiting_qty > 0 for line in lines)
    if action == "invoice":
        return any(line.to_invoice_qty > 0 for line in lines)
    if action == "cancel":
        return not any(line.delivered_qty > 0 or line.invoiced_qty > 0 for line in lines)
    return True


def allowed_actions(order: Any, user: Any) -> frozenset[str]:
    """The actions `user` may take on `order` now: its state allows them, the user's roles
    allow them, and its lines leave something to do. Buttons and API links come from here."""
    roles = user.roles if user is not None else ()
    return frozenset(
        action for action, states in TRANSITIONS.items()
        if order.state in states and allowed(roles, "sales_orders", PERMISSIONS[action])
        and _has_work(order, action))


def delivery_state(order: Any) -> str:
    """The state the goods lines' delivered quantities imply (drafts and cancelled orders
    keep theirs)."""
    if order.state in (DRAFT, CANCELLED):
        return order.state
    goods = [line for line in order.lines if not line.is_service]
    if any(line.delivered_qty > 0 for line in goods):
        done = all(line.delivered_qty >= line.quantity for line in goods)
        return DELIVERED if done else PARTIALLY_DELIVERED
    return CONFIRMED


def invoice_status(order: Any) -> str:
    """API.md: `to_invoice` while something invoiceable is not invoiced; `invoiced` once all
    ordered quantity is; `partially_invoiced` when all invoiceable is but not all ordered."""
    if order.state in (DRAFT, CANCELLED) or not order.lines:
        return NOTHING
    if all(line.invoiced_qty >= line.quantity for line in order.lines):
        return INVOICED
    if any(line.to_invoice_qty > 0 for line in order.lines):
        return TO_INVOICE
    if any(line.invoiced_qty > 0 for line in order.lines):
        return PARTIALLY_INVOICED
    return NOTHING


@dataclass(frozen=True)
class CreditPosition:
    """The credit check's figures: open receivables plus this order is the exposure, which
    exceeds the limit when it passes it (never without a limit)."""

    open_receivables: Decimal
    order_total: Decimal
    credit_limit: Decimal | None

    @property
    def exposure(self) -> Decimal:
        return self.open_receivables + self.order_total

    @property
    def exceeded(self) -> bool:
        return self.credit_limit is not None and self.exposure > self.credit_limit

    def as_dict(self) -> dict[str, Any]:
        return {"open_receivables": self.open_receivables, "order_total": self.order_total,
                "exposure": self.exposure, "credit_limit": self.credit_limit,
                "exceeded": self.exceeded}
