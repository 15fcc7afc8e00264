"""Domain errors. Services raise them; app.py maps each once to HTML and to the JSON envelope."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("The request could not be processed.")

    def __init__(self, message: str | None = None, *, fields: dict[str, str] | None = None,
                 code: str | None = None, **extra: Any) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra


class ValidationError(DomainError):
    status = 422
    code = "validation_error"
    default_message = _l("Some fields are missing or invalid.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Duplicate(Conflict):
    code = "duplicate"
    default_message = _l("A record with the same value already exists.")

    def __init__(self, message: str | None = None, *, existing_id: int | None = None,
                 field: str | None = None, **extra: Any) -> None:
        super().__init__(message, existing_id=existing_id, **extra)
        self.existing_id = existing_id
        self.field = field


class InvalidState(Conflict):
    code = "invalid_state"
    default_message = _l("This action is not allowed in the record's current state.")


class Immutable(Conflict):
    code = "immutable"
    default_message = _l("This record can no longer be changed.")


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = _l("Not enough stock available.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("Your role does not allow this.")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _l("Sign in first.")


class Throttled(DomainError):
    status = 429
    code = "too_many_attempts"
    default_message = _l("Too many failed attempts. Try again later.")


class AuthenticationFailed(DomainError):
    status = 401
    code = "invalid_credentials"
    default_message = _l("Invalid email or password.")
