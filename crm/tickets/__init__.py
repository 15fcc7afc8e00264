"""Service tickets: the helpdesk with SLAs, beside the customer's orders, deliveries and
invoices from the one database. CRM owns the links from a ticket to an order, an invoice and a
product (and from an activity to a ticket); ERP pages get their "Open ticket" link through the
registry's page_links, so ERP never imports this package."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprints, the TCK- sequence, the default SLA policies, demo tickets,
    seed-scale tickets, the tickets SLA report, the support home's cards, weekly chart and
    dashboard widgets, the "Open ticket" links on ERP pages, and the template globals of the
    status and priority badges."""
    from crm.tickets import api, dashboard, reports, scale, seed, services, views
    from shared.registry import registry_of

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)

    registry = registry_of(app)
    registry.add_sequence("ticket", "TCK-", padding=5)
    registry.reference_loaders.append(services.ensure_defaults)
    registry.demo_steps.append(seed.seed_tickets)
    registry.add_scale_generator("tickets", scale.scale_tickets)
    registry.add_report(reports.SPEC)
    registry.home_cards.append(views.home_cards)
    dashboard.register(registry)  # its widgets on the role dashboards
    registry.home_panels.append(views.home_chart)
    for kind, link in views.PAGE_LINKS.items():
        registry.add_page_link(kind, link)
    app.jinja_env.globals.update(
        ticket_status_labels=services.STATUS_LABELS, ticket_status_badges=services.STATUS_BADGES,
        ticket_priority_labels=services.PRIORITY_LABELS,
        ticket_priority_badges=services.PRIORITY_BADGES)
