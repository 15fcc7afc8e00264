"""The front office: leads, pipeline, activities, tickets, the customer page.
Depends on erp/ and shared/; erp/ tells it things through blinker signals.

Each area is a package (models, services, forms, views, api) whose blueprints are listed in
BLUEPRINTS for app.create_app to register.
"""
from flask import Blueprint

BLUEPRINTS: list[Blueprint] = []
