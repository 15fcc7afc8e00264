"""JSON API plumbing every module uses: blueprints, body parsing, pagination, search,
Decimal-as-string serialisation, the error envelope and the Idempotency-Key hooks."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, select

from shared import idempotency
from shared.errors import DomainError
from shared.extensions import csrf, db
from shared.http import API_PREFIX, is_api_request
from shared.validation import Boolean, Field, Integer, clean


class ApiJSONProvider(DefaultJSONProvider):
    """Decimals as strings ("12.50"), dates and timestamps as ISO 8601; never floats."""

    ensure_ascii = False
    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


class ApiAwareSessionInterface(SecureCookieSessionInterface):
    """API calls authenticate with a bearer token only: they neither read nor set the session
    cookie, so a browser's cookie can never authorise an API call (no CSRF path)."""

    def open_session(self, app: Flask, request):
        if request.path.startswith(API_PREFIX + "/"):
            return self.null_session_class()
        return super().open_session(app, request)


def api_blueprint(name: str, import_name: str) -> Blueprint:
    blueprint = Blueprint(name, import_name, url_prefix=API_PREFIX)
    csrf.exempt(blueprint)
    return blueprint


MAX_JSON_DEPTH = 32  # the deepest API body is an object of lists of objects


class BadInput(DomainError):
    status = 400
    code = "invalid_input"


# A UTF-16 surrogate on its own: JSON's "\ud800" escape gives one, no UTF-8 text can hold it
# (the database driver failed on it with a 500).
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _too_deep_or_nul(data: Any) -> str | None:
    """What is wrong with a parsed JSON body that no field rule could take, if anything
    (walked without recursion, so no depth can crash the walk itself)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return "deep"
        if isinstance(value, str):
            if "\x00" in value:
                return "nul"
            if LONE_SURROGATE.search(value):
                return "surrogate"
        elif isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return None


def check_input() -> None:
    """Every request, before its view: refuse what no field rule can take. A NUL character
    anywhere in the path, the query, a form or a JSON body (PostgreSQL cannot store it), a lone
    surrogate in a JSON body, and JSON nested deeper than MAX_JSON_DEPTH (too deep for the
    parser answered 500) are a 400 with the error envelope."""
    texts = [request.path]  # a %00 in a <table> or <job_id> of the path
    texts += [text for key, values in request.args.lists() for text in (key, *values)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        texts += [text for key, values in request.form.lists() for text in (key, *values)]
        texts += [upload.filename or "" for upload in request.files.values()]
    problem = "nul" if any("\x00" in text for text in texts) else None
    if problem is None and request.is_json and request.content_length != 0:
        try:
            problem = _too_deep_or_nul(request.get_json(silent=True))
        except RecursionError:
            problem = "deep"
    if problem == "deep":
        raise BadInput(_("The request body is nested too deeply."), code="invalid_json")
    if problem == "nul":
        raise BadInput(_("The request contains a NUL character, which is not allowed."))
    if problem == "surrogate":
        raise BadInput(_("The request contains a character that is not valid text (a lone "
                         "surrogate)."))


def json_body() -> dict[str, Any]:
    """The request's JSON object; anything else is a 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_("The request body must be a JSON object."), code="invalid_json")
    return data


def error_envelope(code: str, message: str, fields: dict[str, str] | None = None,
                   **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "fields": fields or {}}
    error.update({k: v for k, v in extra.items() if v is not None})
    return {"error": error}


# --------------------------------------------------------------------------- lists


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def query_arg(name: str, field: Field) -> Any:
    """?name= cleaned by the same field rules as bodies and forms; None when absent or empty."""
    return clean({name: field}, request.args, partial=True).get(name)


def bool_arg(name: str) -> bool | None:
    return query_arg(name, Boolean())


def int_arg(name: str) -> int | None:
    return query_arg(name, Integer(min_value=1))


def paginate(stmt: Select, *, rows: bool = False) -> Page:
    """One page of `stmt` as asked by ?page= and ?per_page= (default 50, at most 200): its
    records, or its whole rows with rows=True (a select of several columns)."""
    config = current_app.config
    page = int_arg("page") or 1
    per_page = min(int_arg("per_page") or config["PER_PAGE_DEFAULT"], config["PER_PAGE_MAX"])
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = result.all() if rows else result.scalars().all()
    return Page(list(items), total or 0, page, per_page)


def page_json(page: Page, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A record list as API.md gives it; `items` are the page's records, serialised."""
    return {"items": items, "total": page.total, "page": page.page, "per_page": page.per_page}


# --------------------------------------------------------------------------- idempotency


def _idempotency_before() -> Response | None:
    key = request.headers.get("Idempotency-Key")
    if not (key is not None and request.method == "POST" and is_api_request()
            and current_user.is_authenticated):
        return None
    req_hash = idempotency.request_hash(request.method, request.path, request.get_data())
    stored = idempotency.reserve(current_user.id, key, req_hash)
    if stored is not None:
        return Response(stored.body, status=stored.status_code, mimetype="application/json",
                        headers={"Idempotent-Replayed": "true"})
    g.idempotency = (current_user.id, key)
    return None


def _idempotency_after(response: Response) -> Response:
    reserved = g.pop("idempotency", None)
    if reserved:
        if response.status_code >= 500:
            idempotency.release(*reserved)
        else:
            idempotency.store(*reserved, response.status_code, response.get_data(as_text=True))
    return response


def _idempotency_teardown(exc: BaseException | None) -> None:
    reserved = g.pop("idempotency", None)
    if reserved and exc is not None:
        db.session.rollback()
        idempotency.release(*reserved)


def install_input_checks(app: Flask) -> None:
    app.before_request(check_input)


def install_idempotency(app: Flask) -> None:
    app.before_request(_idempotency_before)
    app.after_request(_idempotency_after)
    app.teardown_request(_idempotency_teardown)
