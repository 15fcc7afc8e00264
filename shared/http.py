"""Small request helpers shared by the platform."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import redirect, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from shared.validation import MAX_INT

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def client_ip() -> str:
    return (request.remote_addr or "unknown")[:45]


def local_path(target: str | None) -> str | None:
    """`target` when it is a path of this site ("/invoices/7?x=1"), else None.

    Browsers forgive a lot: they drop tabs and newlines inside a URL ("/\t/evil.example/"
    becomes "//evil.example/", another host), read a backslash as a slash and follow
    "//host" and "scheme:" anywhere. So a target is accepted only when it starts with one
    "/", has no control character or backslash (raw or %-encoded) nor a raw space, and names
    no host or scheme once parsed."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    decoded = unquote(target)
    if " " in target or any("\\" in text or any(ord(ch) < 32 or ord(ch) == 127 for ch in text)
                            for text in (target, decoded)):
        return None
    if decoded.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def safe_redirect(target: str | None, fallback: str) -> Response:
    """Redirect to `target` if it is a path of this site, else to `fallback` (the one way
    every page follows a `next` or a Referer)."""
    return redirect(local_path(target) or fallback)


def same_site_referrer() -> str | None:
    """The Referer's path when it is a page of this site (scheme and host included), else
    None: an error redirects back to it, never to another host."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return local_path(path)


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
