"""/api/v1/auth/token, /me and /users."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from sqlalchemy import select

from shared.api import api_blueprint, json_body, page_json, paginate
from shared.errors import AuthenticationFailed
from shared.http import client_ip
from shared.permissions import public, require, signed_in
from shared.queries import search
from shared.users import services
from shared.users.auth import remember_actor
from shared.users.models import ApiToken, User

bp = api_blueprint("users_api", __name__)


def user_json(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "roles": user.roles,
            "active": user.active, "locale": user.locale, "created_at": user.created_at,
            "last_login_at": user.last_login_at}


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


def token_json(token: ApiToken) -> dict:
    return {"id": token.id, "scope": token.scope, "created_at": token.created_at,
            "expires_at": token.expires_at, "last_used_at": token.last_used_at}


@bp.post("/auth/token")
@public
def create_token():
    body = json_body()
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        raise AuthenticationFailed()
    options = services.token_options(body)  # a bad scope or lifetime: 422 before signing in
    user = services.check_credentials(email, password, client_ip())  # same throttle as /login
    if user is None:
        raise AuthenticationFailed()
    remember_actor(user)  # the token's creation is the user's own, on their history
    raw, token = services.issue_token(options, user_id=user.id)
    return {"token": raw, **token_json(token), "user": user_json(user)}, 201


@bp.delete("/auth/token")
@signed_in
def delete_token():
    services.revoke_token_in_use(services.hash_token(_bearer_token()), user_id=current_user.id)
    return "", 204


@bp.get("/auth/tokens")
@signed_in
def list_tokens():
    return {"items": [token_json(token) for token in services.user_tokens(current_user.id)]}


@bp.delete("/auth/tokens/<int:token_id>")
@signed_in
def delete_token_by_id(token_id: int):
    services.revoke_token(token_id, user_id=current_user.id)
    return "", 204


@bp.get("/me")
@signed_in
def me():
    return user_json(current_user)


@bp.get("/users")
@require("users", "read")
def list_users():
    stmt = search(select(User).order_by(User.id.desc()), request.args.get("q"),
                  [User.email, User.name])
    page = paginate(stmt)
    return page_json(page, [user_json(user) for user in page.items])


@bp.post("/users")
@require("users", "write")
def create_user():
    return user_json(services.create_user(json_body())), 201


@bp.get("/users/<int:user_id>")
@require("users", "read")
def get_user(user_id: int):
    return user_json(services.get_user(user_id))


@bp.patch("/users/<int:user_id>")
@require("users", "write")
def patch_user(user_id: int):
    return user_json(services.update_user(user_id, json_body()))
