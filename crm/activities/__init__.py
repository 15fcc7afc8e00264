"""Activities: calls, e-mails, meetings and tasks on leads, opportunities and partners."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from crm.activities import api, forms, views
    from shared.registry import registry_of

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    registry_of(app).add_record_kind("activities", _l("Activity"), name_column="subject",
                                     values={"kind": forms.KIND_LABELS})
