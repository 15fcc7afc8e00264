"""Small request helpers shared by the platform."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from shared.validation import MAX_INT

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def client_ip() -> str:
    return (request.remote_addr or "unknown")[:45]


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: Werkzeug's, but a number larger than the database stores
    (2^63 crashed SQLite's driver) is a 400 with the error envelope, not a 500."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_INT:
            raise BadRequest(_("This id is out of range."))
        return number


def install_id_converter(app) -> None:
    """Before any route is added: routes compile their converters when registered."""
    app.url_map.converters["int"] = IdConverter
