"""The back office: inventory, sales, purchasing, invoicing. Depends on shared/, never on crm/.

Each area is a package (models, services, forms, views, api) whose blueprints are listed in
BLUEPRINTS for app.create_app to register.
"""
from flask import Blueprint

BLUEPRINTS: list[Blueprint] = []
