"""Domain events: every event one area tells the others, listed in this one module.

An area publishes a small frozen dataclass with `publish(event)`; the subscribers that the
areas wired in their `init_app` (`registry.subscribe(OrderConfirmed, handler)`) receive it
inside the publishing transaction, so what they write commits or rolls back with it, and an
exception they raise refuses the whole operation. A subscriber wired with
`after_commit=True` runs only once that transaction has committed (e-mail, webhooks).

This is how the back office tells the front office things without importing it
(ARCHITECTURE.md rule 1): erp/ publishes, crm/ subscribes. Events carry ids and values, never
ORM objects, so they can later leave the process (webhooks) unchanged; a subscriber reads a
record with `db.session.get`, which the identity map answers without a query.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.db import run_after_commit
from shared.registry import current_registry


@dataclass(frozen=True)
class Event:
    """Base of every domain event."""


# --------------------------------------------------------------------------- sales


@dataclass(frozen=True)
class OpportunityQuoted(Event):
    """A quotation is about to be saved naming the CRM opportunity it was quoted from.
    Published before anything is written: CRM owns the link (sales keeps a plain column, as
    Tryton's sale keeps an origin), and its subscriber refuses an unknown opportunity."""

    opportunity_id: int
    partner_id: int
    user_id: int | None


@dataclass(frozen=True)
class OrderConfirmed(Event):
    """A sales order was confirmed (its stock reserved as far as it goes)."""

    order_id: int
    partner_id: int
    opportunity_id: int | None
    total: Decimal
    user_id: int | None


@dataclass(frozen=True)
class DeliveryDone(Event):
    """Goods of a sales order left the warehouse (WH/OUT/00001)."""

    delivery_id: int
    order_id: int
    user_id: int | None


# --------------------------------------------------------------------------- purchasing


@dataclass(frozen=True)
class GoodsReceived(Event):
    """Goods of a purchase order arrived in WH/Stock (WH/IN/00001). Sales reserves them for
    the orders waiting for these products, oldest confirmation first, in the same
    transaction."""

    receipt_id: int
    order_id: int
    product_ids: tuple[int, ...]
    user_id: int | None


@dataclass(frozen=True)
class PurchaseOrderConfirmed(Event):
    """A purchase order was confirmed: its goods lines are incoming stock from now on."""

    order_id: int
    supplier_id: int
    total: Decimal
    user_id: int | None


# --------------------------------------------------------------------------- invoicing


@dataclass(frozen=True)
class InvoiceChanged(Event):
    """An invoice's lines may count differently towards its sales or purchase order: it was
    edited, cancelled or credited. Sales recounts the order's invoiced quantities, purchasing
    the purchase order's billed quantities."""

    invoice_id: int
    kind: str
    sales_order_id: int | None
    purchase_order_id: int | None = None


@dataclass(frozen=True)
class InvoicePosted(Event):
    """An invoice, bill or credit note was posted and numbered."""

    invoice_id: int
    kind: str
    number: str
    partner_id: int
    total: Decimal
    user_id: int | None


@dataclass(frozen=True)
class PaymentRecorded(Event):
    """A payment was recorded and allocated to invoices."""

    payment_id: int
    partner_id: int
    amount: Decimal
    invoice_ids: tuple[int, ...]
    user_id: int | None


# --------------------------------------------------------------------------- inventory


@dataclass(frozen=True)
class StockBelowReorderPoint(Event):
    """A move took a product's available stock (internal locations) from above its reorder
    point to at or below it."""

    product_id: int
    available: Decimal
    reorder_point: Decimal


# --------------------------------------------------------------------------- tickets


@dataclass(frozen=True)
class TicketCreated(Event):
    """A service ticket was opened (TCK-00001), possibly assigned automatically."""

    ticket_id: int
    number: str
    partner_id: int
    priority: str
    assignee_id: int | None
    user_id: int | None


@dataclass(frozen=True)
class TicketResolved(Event):
    """A ticket was resolved or closed; `late` when a deadline was missed."""

    ticket_id: int
    partner_id: int
    status: str
    late: bool
    user_id: int | None


# --------------------------------------------------------------------------- publishing


def publish(event: Event) -> None:
    """Hand `event` to its subscribers: now, inside the caller's transaction, or (those wired
    with after_commit) once it has committed."""
    for subscriber in current_registry().subscribers.get(type(event), ()):
        if subscriber.after_commit:
            run_after_commit(subscriber.handler, event)
        else:
            subscriber.handler(event)
