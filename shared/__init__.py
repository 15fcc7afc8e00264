"""The platform: database, permissions, API plumbing and the master data every module uses."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the platform: its blueprints and commands, the partner sequence, the company row,
    the demo users and master data, and the seed-scale partners and products."""
    from shared import report_views, scale, seed, ui
    from shared.audit import views as audit_views
    from shared.cli import COMMANDS
    from shared.company import api as company_api
    from shared.company import views as company_views
    from shared.company.services import ensure_company
    from shared.partners import api as partners_api
    from shared.partners import views as partners_views
    from shared.products import api as products_api
    from shared.products import views as products_views
    from shared.registry import registry_of
    from shared.users import api as users_api
    from shared.users import views as users_views

    for blueprint in (ui.bp, users_views.bp, users_api.bp, partners_views.bp, partners_api.bp,
                      products_views.bp, products_api.bp, company_views.bp, company_api.bp,
                      audit_views.bp, report_views.bp, report_views.api_bp):
        app.register_blueprint(blueprint)
    for command in COMMANDS:
        app.cli.add_command(command)
    app.jinja_env.globals["history_of"] = audit_views.history_of
    app.jinja_env.globals["readable_reports"] = report_views.readable_reports

    registry = registry_of(app)
    registry.add_sequence("partner", "P", padding=5)
    registry.reference_loaders.append(ensure_company)
    registry.demo_steps.append(seed.seed_platform)
    registry.add_scale_generator("partners", scale.scale_partners)
    registry.add_scale_generator("products", scale.scale_products)
    _name_records(registry)


def _name_records(registry) -> None:
    """How the audit trail names the platform's records."""
    from flask_babel import lazy_gettext as _l

    from shared.formatting import UNIT_LABELS
    from shared.partners.forms import KIND_LABELS
    from shared.products.forms import TYPE_LABELS
    from shared.users.forms import ROLE_LABELS, TOKEN_SCOPE_LABELS

    registry.add_record_kind("partners", _l("Partner"), "partners.show_partner", "partner_id",
                             "name", values={"kind": KIND_LABELS})
    registry.add_record_kind("products", _l("Product"), "products.show_product", "product_id",
                             "name", values={"type": TYPE_LABELS, "uom": UNIT_LABELS})
    registry.add_record_kind("users", _l("User"), "users.edit_user", "user_id", "name")
    registry.add_record_kind("user_roles", _l("Role"), values={"role": ROLE_LABELS})
    registry.add_record_kind("api_tokens", _l("API token"),
                             fields={"scope": _l("Access"), "expires_at": _l("Expires"),
                                     "revoked_at": _l("Revoked")},
                             values={"scope": TOKEN_SCOPE_LABELS})
    registry.add_record_kind("company", _l("Company"), name_column="name")
