"""The application's extension points, filled explicitly by each area's `init_app(app)`.

`create_app` makes one Registry per application and calls `shared.init_app`, `erp.init_app`
and `crm.init_app` in that order (the dependency order, so seed steps and home cards run and
show in it too). Each area's `init_app` is the one place that says what the area adds:
blueprints, commands, event subscribers, reference data, demo and seed-scale steps, document
sequences, home cards, product panels and the stock figures it provides. shared/ reads the
registry and so never imports erp/ or crm/; nothing registers itself by being imported.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "westlake_registry"

# fn(product_ids) -> {product_id: (on_hand, reserved)} over internal locations (inventory)
StockProvider = Callable[[list[int]], dict[int, tuple[Decimal, Decimal]]]
# fn(product_ids) -> {product_id: quantity on confirmed purchase orders} (purchasing)
IncomingProvider = Callable[[list[int]], dict[int, Decimal]]
# fn() -> a SELECT of (product_id, qty) still to come on confirmed purchase orders, one row
# per product, that inventory joins into its reorder query (purchasing)
IncomingQuery = Callable[[], Any]
# fn(product_ids) -> {product_id: (quantity incoming, earliest expected date)} (purchasing)
IncomingDetailProvider = Callable[[list[int]], dict[int, tuple[Decimal, Any]]]
# fn(product) -> (template name, context) or None: a panel on the product page
ProductPanel = Callable[[Any], "tuple[str, dict[str, Any]] | None"]
# fn(count, context): the generator of `seed-scale --<option> N`
ScaleGenerator = Callable[[int, Any], None]


@dataclass(frozen=True)
class SequenceSpec:
    prefix: str  # may hold {year}
    padding: int = 5
    yearly: bool = False


@dataclass(frozen=True)
class Subscriber:
    handler: Callable[[Any], None]
    after_commit: bool = False  # run once the publishing transaction has committed


@dataclass
class Registry:
    reference_loaders: list[Callable[[], None]] = field(default_factory=list)
    demo_steps: list[Callable[[], None]] = field(default_factory=list)
    scale_generators: dict[str, ScaleGenerator] = field(default_factory=dict)
    home_cards: list[Callable[[], list[Any]]] = field(default_factory=list)
    product_panels: list[ProductPanel] = field(default_factory=list)
    sequences: dict[str, SequenceSpec] = field(default_factory=dict)
    subscribers: dict[type, list[Subscriber]] = field(default_factory=dict)
    stock_provider: StockProvider | None = None
    incoming_provider: IncomingProvider | None = None
    incoming_detail_provider: IncomingDetailProvider | None = None
    incoming_query: IncomingQuery | None = None

    def add_sequence(self, code: str, prefix: str, padding: int = 5,
                     yearly: bool = False) -> None:
        self.sequences[code] = SequenceSpec(prefix, padding, yearly)

    def add_scale_generator(self, option: str, generator: ScaleGenerator) -> None:
        from shared.scale import SCALE_OPTIONS

        if option not in SCALE_OPTIONS:
            raise KeyError(f"seed-scale has no --{option} option")
        self.scale_generators[option] = generator

    def subscribe(self, event_type: type, handler: Callable[[Any], None], *,
                  after_commit: bool = False) -> None:
        """Call `handler(event)` for every published `event_type`: inside the publishing
        transaction (an exception rolls it all back), or after it commits."""
        self.subscribers.setdefault(event_type, []).append(Subscriber(handler, after_commit))


def install_registry(app: Flask) -> Registry:
    registry = app.extensions[EXTENSION_KEY] = Registry()
    return registry


def registry_of(app: Flask) -> Registry:
    return app.extensions[EXTENSION_KEY]


def current_registry() -> Registry:
    return registry_of(current_app)
