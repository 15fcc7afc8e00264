from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)

from shared.forms import MultiCheckboxField, ServiceForm
from shared.users.models import ROLES

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "sales": _l("Sales"),
    "warehouse": _l("Warehouse"),
    "finance": _l("Finance"),
    "support": _l("Support"),
}


TOKEN_SCOPE_LABELS = {"full": _l("Full access"), "read": _l("Read only")}


class LoginForm(ServiceForm):
    email = EmailField(_l("Email"), render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class UserForm(ServiceForm):
    email = EmailField(_l("Email"))
    name = StringField(_l("Name"))
    roles = MultiCheckboxField(_l("Roles"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        values = super().values()
        if not values.get("password"):
            values.pop("password")  # editing: an empty password keeps the current one
        return values


class EmptyForm(ServiceForm):
    """A form with only its CSRF token, for action buttons."""


class TokenForm(ServiceForm):
    """A new API token of one's own: what it may do and for how many days."""

    scope = SelectField(_l("Access"), choices=list(TOKEN_SCOPE_LABELS.items()),
                        validate_choice=False)
    expires_in_days = StringField(
        _l("Expires after (days)"), render_kw={"inputmode": "numeric"},
        description=_l("From 1 to 3650 days; leave empty for a token that lasts until you "
                       "revoke it."))
    submit = SubmitField(_l("Create token"))
