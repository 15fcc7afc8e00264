"""The application's extension points, filled explicitly by each area's `init_app(app)`.

`create_app` makes one Registry per application and calls `shared.init_app`, `erp.init_app`
and `crm.init_app` in that order (the dependency order, so seed steps and home cards run and
show in it too). Each area's `init_app` is the one place that says what the area adds:
blueprints, commands, event subscribers, reference data, demo and seed-scale steps, document
sequences, home cards and panels, dashboard widgets per role (`add_widget`), product panels,
reports, drift checks (`add_drift_check`), links on other areas' pages (`page_links`, e.g.
the CRM's "Open ticket" on an ERP order or invoice page) and the stock figures it provides.
shared/ reads the registry and so never imports erp/ or crm/; nothing registers itself by
being imported.
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
# fn() -> (template name, context) or None: a panel below the home page's cards
HomePanel = Callable[[], "tuple[str, dict[str, Any]] | None"]
# fn() -> (template name, context) or None: one widget of a role's dashboard on the home page
WidgetBuild = Callable[[], "tuple[str, dict[str, Any]] | None"]
# fn(count, context): the generator of `seed-scale --<option> N`
ScaleGenerator = Callable[[int, Any], None]
# fn(record) -> (label, url) or None: a link an upper area puts on a lower area's page (CRM
# puts "Opportunity: ..." and "Open ticket" on a sales order), keyed by the page
PageLink = Callable[[Any], "tuple[str, str] | None"]


@dataclass(frozen=True)
class SequenceSpec:
    prefix: str  # may hold {year}
    padding: int = 5
    yearly: bool = False


@dataclass(frozen=True)
class RecordKind:
    """How the audit trail names a table's records: "Sales order SO00007", linked to its page
    (`url_for(endpoint, **{arg: id})`), with labels for the columns the shared list lacks."""

    label: Any  # a lazy string: "Sales order"
    endpoint: str | None = None
    arg: str = "id"
    name_column: str | None = None  # the column that names a record ("number", "name")
    fields: dict[str, Any] = field(default_factory=dict)  # column -> label
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # column -> value labels
    name_labels: dict[str, Any] = field(default_factory=dict)  # default names, translated


@dataclass(frozen=True)
class Widget:
    """A figure, chart or short list on the home page's section of each of `roles` ("admin"
    is the management section); `build` returns None when there is nothing to show."""

    key: str
    roles: tuple[str, ...]
    build: WidgetBuild
    order: int = 100  # lower first within a section
    # The same for every user of its roles (company-wide figures, no "my" and no row-level
    # limit), so the home page may reuse it for DASHBOARD_CACHE_SECONDS.
    shared: bool = False


@dataclass(frozen=True)
class DriftCheck:
    """A table kept in step with a ledger (the stock balances with the moves, the sales
    summaries with the invoices): `find()` lists where they differ (each item prints as a
    sentence), `repair()` sets the table to the ledger's figures and returns what differed.
    `flask stock-check [--repair]` runs them all; so does every test, on its way out."""

    name: str
    find: Callable[[], list[Any]]
    repair: Callable[[], list[Any]]


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
    home_panels: list[HomePanel] = field(default_factory=list)  # e.g. the support chart
    widgets: list[Widget] = field(default_factory=list)  # the role dashboards (add_widget)
    record_kinds: dict[str, RecordKind] = field(default_factory=dict)  # table -> kind
    sequences: dict[str, SequenceSpec] = field(default_factory=dict)
    subscribers: dict[type, list[Subscriber]] = field(default_factory=dict)
    # page kind ("sales_order", "invoice", "partner") -> links its page shows, e.g. CRM's
    # "Open ticket" on an order; read by the `page_links(kind, record)` template global.
    page_links: dict[str, list[PageLink]] = field(default_factory=dict)
    stock_provider: StockProvider | None = None
    incoming_provider: IncomingProvider | None = None
    incoming_detail_provider: IncomingDetailProvider | None = None
    incoming_query: IncomingQuery | None = None
    # name -> shared.reports.ReportSpec, in the order the areas add them (the /reports index)
    reports: dict[str, Any] = field(default_factory=dict)
    drift_checks: list[DriftCheck] = field(default_factory=list)  # add_drift_check

    def add_sequence(self, code: str, prefix: str, padding: int = 5,
                     yearly: bool = False) -> None:
        self.sequences[code] = SequenceSpec(prefix, padding, yearly)

    def add_scale_generator(self, option: str, generator: ScaleGenerator) -> None:
        from shared.scale import SCALE_OPTIONS

        if option not in SCALE_OPTIONS:
            raise KeyError(f"seed-scale has no --{option} option")
        self.scale_generators[option] = generator

    def add_record_kind(self, table: str, label: Any, endpoint: str | None = None,
                        arg: str = "id", name_column: str | None = None,
                        fields: dict[str, Any] | None = None,
                        values: dict[str, dict[str, Any]] | None = None,
                        name_labels: dict[str, Any] | None = None) -> None:
        """Name `table`'s records in the audit trail (and link them to their pages); `fields`
        labels its own columns, `values` the codes of a column ({"state": {"draft": ...}})."""
        self.record_kinds[table] = RecordKind(label, endpoint, arg, name_column, fields or {},
                                              values or {}, name_labels or {})

    def add_widget(self, key: str, roles: tuple[str, ...] | list[str], build: WidgetBuild,
                   order: int = 100, shared: bool = False) -> None:
        if any(widget.key == key for widget in self.widgets):
            raise KeyError(f"dashboard widget {key!r} is registered twice")
        self.widgets.append(Widget(key, tuple(roles), build, order, shared))

    def add_report(self, spec: Any) -> None:
        """A report (shared.reports.ReportSpec) served at /api/v1/reports/<name> and
        /reports/<name> and listed on /reports for those with `(spec.area, "read")`."""
        if spec.name in self.reports:
            raise KeyError(f"report {spec.name} is registered twice")
        self.reports[spec.name] = spec

    def add_drift_check(self, name: str, find: Callable[[], list[Any]],
                        repair: Callable[[], list[Any]]) -> None:
        self.drift_checks.append(DriftCheck(name, find, repair))

    def add_page_link(self, kind: str, link: PageLink) -> None:
        self.page_links.setdefault(kind, []).append(link)

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

