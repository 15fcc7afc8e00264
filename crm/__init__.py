"""The front office: leads, pipeline, activities, tickets, the customer page.
Depends on erp/ and shared/; erp/ tells it things through domain events (shared/events.py).

Each area is a package (models, services, forms, views, api) whose `init_app(app)` wires what
it adds to the application (shared/registry.py); `create_app` calls `crm.init_app` last.
"""
from __future__ import annotations

from flask import Flask

from crm import activities, customers, leads, pipeline, tickets


def init_app(app: Flask) -> None:
    from crm import seed
    from shared.registry import registry_of

    for area in (leads, pipeline, activities, customers, tickets):
        area.init_app(app)
    registry_of(app).demo_steps.append(seed.seed_crm)
