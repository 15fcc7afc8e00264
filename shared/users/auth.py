"""Flask-Login wiring: cookie sessions for the web UI, bearer tokens for the API."""
from __future__ import annotations

from flask import g

from shared.extensions import login_manager
from shared.http import is_api_request
from shared.users import services
from shared.users.models import User


def remember_actor(user: User | None) -> User | None:
    if user is not None:
        g.actor_id = user.id  # the audit hook reads this; no ORM access during a flush
    return user


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return remember_actor(services.load_session_user(session_id))


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    if not is_api_request():
        return None
    header = req.headers.get("Authorization", "")
    if header[:7].lower() != "bearer " or not header[7:].strip():
        return None
    token = services.token_in_use(header[7:].strip())
    if token is None:
        return None
    g.token_scope = token.scope  # shared/permissions.py lets a `read` token only GET
    return remember_actor(token.user)


def init_login(app) -> None:
    # Access checks are shared/permissions.py's decorators; a signed-out visitor gets the
    # NotAuthenticated error, which app.py answers with the sign-in page or a 401.
    login_manager.session_protection = "basic"
    login_manager.init_app(app)
