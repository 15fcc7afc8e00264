"""The back office: inventory, sales, purchasing, invoicing. Depends on shared/, never on crm/.

Each area is a package (models, services, forms, views, api) whose blueprints are listed in
BLUEPRINTS for app.create_app to register.
"""
from flask import Blueprint

from erp.invoicing import api as invoicing_api
from erp.invoicing import scale as invoicing_scale  # noqa: F401  (registers seed-scale --invoices)
from erp.invoicing import seed as invoicing_seed  # noqa: F401  (registers its seed-demo step)
from erp.invoicing import views as invoicing_views

BLUEPRINTS: list[Blueprint] = [invoicing_views.bp, invoicing_api.bp]
