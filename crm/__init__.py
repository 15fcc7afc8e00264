"""The front office: leads, pipeline, activities, tickets, the customer page.
Depends on erp/ and shared/; erp/ tells it things through blinker signals.

Each area is a package (models, services, forms, views, api) whose blueprints are listed in
BLUEPRINTS for app.create_app to register. Importing the package also registers the CRM's
reference data, demo seeders and seed-scale generators.
"""
from flask import Blueprint

from crm.activities import api as activities_api
from crm.leads import api as leads_api
from crm.pipeline import api as pipeline_api

BLUEPRINTS: list[Blueprint] = [leads_api.bp, pipeline_api.bp, activities_api.bp]
