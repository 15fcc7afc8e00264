"""Invoicing: customer invoices and credit notes, vendor bills and credit notes, payments,
AR aging and the invoice PDF."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprints, the yearly number sequence of each invoice kind, demo and seed-scale
    invoices, and the home page's invoicing cards."""
    from flask_babel import lazy_gettext as _l

    from erp.invoicing import api, dashboard, forms, reports, scale, seed, summaries, views
    from erp.invoicing.models import NUMBER_PREFIXES
    from shared.registry import registry_of

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)

    registry = registry_of(app)
    for kind, prefix in NUMBER_PREFIXES.items():
        registry.add_sequence(kind, prefix, padding=5, yearly=True)
    registry.demo_steps.append(seed.seed_invoicing)
    registry.add_drift_check("sales and cash summaries", summaries.find_summary_drift,
                             summaries.rebuild_summaries)
    registry.add_scale_generator("invoices", scale.scale_invoices)
    registry.home_cards.append(views.home_cards)
    dashboard.register(registry)  # its widgets on the role dashboards
    reports.register_reports(registry)
    registry.add_record_kind("invoices", _l("Invoice"), "invoicing.show_invoice", "invoice_id",
                             "number", fields={"partner_id": _l("Partner")},
                             values={"state": forms.STATE_LABELS, "kind": forms.KIND_LABELS})
    registry.add_record_kind("invoice_lines", _l("Invoice line"),
                             name_column="description")
    registry.add_record_kind("payments", _l("Payment"), name_column="reference",
                             values={"method": forms.METHOD_LABELS,
                                     "state": {"posted": _l("Posted"), "reversed": _l("Reversed")}})
    registry.add_record_kind("payment_allocations", _l("Allocation"),
                             fields={"invoice_id": _l("Invoice")})
