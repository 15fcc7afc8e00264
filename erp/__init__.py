"""The back office: inventory, sales, purchasing, invoicing. Depends on shared/, never on crm/.

Each area is a package (models, services, forms, views, api) whose blueprints are listed in
BLUEPRINTS and commands in COMMANDS for app.create_app to register; importing the area's
modules here also registers its reference data, demo data and seed-scale generators.
"""
import click
from flask import Blueprint

from erp.inventory import api as inventory_api
from erp.inventory import cli as inventory_cli
from erp.inventory import scale as inventory_scale  # noqa: F401  (registers --moves)
from erp.inventory import seed as inventory_seed  # noqa: F401  (registers demo stock)
from erp.inventory import views as inventory_views
from erp.invoicing import api as invoicing_api
from erp.invoicing import scale as invoicing_scale  # noqa: F401  (registers --invoices)
from erp.invoicing import seed as invoicing_seed  # noqa: F401  (registers demo invoices)
from erp.invoicing import views as invoicing_views
from erp.sales import api as sales_api
from erp.sales import seed as sales_seed  # noqa: F401  (registers demo orders)
from erp.sales import views as sales_views

BLUEPRINTS: list[Blueprint] = [inventory_views.bp, inventory_api.bp, invoicing_views.bp,
                               invoicing_api.bp, sales_views.bp, sales_api.bp]
COMMANDS: list[click.Command] = [inventory_cli.stock_check_command]
