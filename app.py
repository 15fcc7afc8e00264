"""create_app: extensions, blueprints, command line and error handlers; nothing else."""
from __future__ import annotations

import logging

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

import crm
import erp
import shared
from config import INSTANCE_DIR, Config, config_from_env
from shared import api as api_plumbing
from shared import ui
from shared.api import ApiAwareSessionInterface, ApiJSONProvider, error_envelope
from shared.audit.hooks import install_audit_hook
from shared.db import configure_engine
from shared.errors import DomainError, Forbidden, NotAuthenticated
from shared.extensions import babel, bootstrap, csrf, db, migrate
from shared.http import install_id_converter, is_api_request, same_site_referrer
from shared.registry import install_registry
from shared.security import install_security_headers
from shared.users.auth import init_login

# The areas in dependency order (crm -> erp -> shared): each init_app wires what its area
# adds (blueprints, commands, event subscribers, seed steps, home cards; shared/registry.py).
AREAS = (shared, erp, crm)

log = logging.getLogger(__name__)


def create_app(config: type[Config] | Config | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or config_from_env())
    INSTANCE_DIR.mkdir(exist_ok=True)
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:  # the client's address and scheme from that many proxies' headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.json = ApiJSONProvider(app)
    app.session_interface = ApiAwareSessionInterface()
    install_id_converter(app)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    init_login(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=ui.select_locale)
    bootstrap.init_app(app)
    install_audit_hook()
    api_plumbing.install_input_checks(app)  # before the idempotency keys: nothing reserved
    api_plumbing.install_idempotency(app)
    install_security_headers(app)
    ui.install_template_helpers(app)

    install_registry(app)
    for area in AREAS:
        area.init_app(app)
    register_error_handlers(app)
    return app


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if is_api_request():
            extra = {"existing_id": exc.extra.get("existing_id")}
            response = error_envelope(exc.code, exc.message, exc.fields, **extra)
            if exc.extra.get("retry_after"):
                return response, exc.status, {"Retry-After": str(exc.extra["retry_after"])}
            return response, exc.status
        if isinstance(exc, NotAuthenticated):
            return redirect(url_for("users.login", next=request.full_path.rstrip("?")))
        if isinstance(exc, Forbidden) or exc.status == 404:
            return render_template("error.html", status=exc.status, message=exc.message), \
                exc.status
        flash(exc.message, "danger")
        return redirect(same_site_referrer() or url_for("ui.home"))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_template("error.html", status=400, message=exc.description), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if is_api_request():
            code = (exc.name or "error").lower().replace(" ", "_")
            return error_envelope(code, exc.description or exc.name), status
        return render_template("error.html", status=status, message=exc.description), status

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        message = _("Something went wrong on our side; nothing was saved.")
        if is_api_request():
            return error_envelope("internal_error", message), 500
        return render_template("error.html", status=500, message=message), 500
