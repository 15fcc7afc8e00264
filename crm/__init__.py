"""The front office: leads, pipeline, activities, tickets, the customer page.
Depends on erp/ and shared/; erp/ tells it things through blinker signals.

Each area is a package (models, services, forms, views, api) whose blueprints are listed in
BLUEPRINTS for app.create_app to register. Importing the package also registers the CRM's
reference data, demo seeders and seed-scale generators.
"""
from flask import Blueprint

from crm import seed  # noqa: F401  (registers the seed-demo step)
from crm.activities import api as activities_api
from crm.activities import views as activities_views
from crm.customers import api as customers_api
from crm.customers import views as customers_views
from crm.leads import api as leads_api
from crm.leads import scale  # noqa: F401  (registers seed-scale --leads)
from crm.leads import views as leads_views
from crm.pipeline import api as pipeline_api  # also subscribes to sales' order_confirmed
from crm.pipeline import views as pipeline_views

BLUEPRINTS: list[Blueprint] = [
    leads_views.bp, leads_api.bp, pipeline_views.bp, pipeline_api.bp, activities_views.bp,
    activities_api.bp, customers_views.bp, customers_api.bp,
]
