"""Activities: calls, e-mails, meetings and tasks on leads, opportunities and partners."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from crm.activities import api, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
