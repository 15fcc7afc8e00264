"""The back office: inventory, sales, purchasing, invoicing. Depends on shared/, never on crm/.

Each area is a package (models, services, forms, views, api) whose `init_app(app)` wires what
it adds to the application (shared/registry.py); `create_app` calls `erp.init_app` after
`shared.init_app` and before `crm.init_app`.
"""
from __future__ import annotations

from flask import Flask

from erp import inventory, invoicing, purchasing, sales


def init_app(app: Flask) -> None:
    for area in (inventory, invoicing, sales, purchasing):
        area.init_app(app)
