"""User administration, sign-in checks and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from shared.db import transactional, utcnow
from shared.errors import Duplicate, InvalidState, NotFound, Throttled, ValidationError
from shared.extensions import db
from shared.users.models import ROLES, TOKEN_SCOPES, ApiToken, LoginFailure, User, UserRole
from shared.users.passwords import burn_time, hash_password, verify_password
from shared.validation import (
    Boolean,
    Choice,
    ChoiceList,
    Email,
    FieldError,
    Integer,
    Text,
    clean,
)

LOCALES = ("en", "zh")
MIN_PASSWORD_LENGTH = 8
MAX_TOKEN_DAYS = 3650


class Password(Text):
    def convert(self, value):
        text = super().convert(value)
        if len(text) < MIN_PASSWORD_LENGTH:
            raise FieldError(_("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
        return text


USER_SPEC = {
    "email": Email(required=True, max_length=254),
    "name": Text(max_length=120),
    "roles": ChoiceList(ROLES, required=True),
    "active": Boolean(default=True),
    "password": Password(required=True, max_length=200),
}


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _ensure_email_free(email: str, except_id: int | None = None) -> None:
    existing = find_user_by_email(email)
    if existing is not None and existing.id != except_id:
        raise Duplicate(_("A user with this email already exists."), existing_id=existing.id,
                        field="email", fields={"email": _("Already in use.")})


@transactional
def create_user(data: dict) -> User:
    values = clean(USER_SPEC, data)
    email = normalize_email(values["email"])
    _ensure_email_free(email)
    user = User(email=email, name=values.get("name") or email.split("@")[0],
                password_hash=hash_password(values["password"]), active=values["active"],
                role_rows=[UserRole(role=r) for r in values["roles"]])
    db.session.add(user)
    db.session.flush()
    return user


def _active_admin_count(except_id: int) -> int:
    return db.session.scalar(
        select(func.count(User.id.distinct())).join(UserRole)
        .where(UserRole.role == "admin", User.active.is_(True), User.id != except_id)) or 0


@transactional
def update_user(user_id: int, data: dict) -> User:
    user = get_user(user_id)
    spec = {**USER_SPEC, "password": Password(max_length=200)}
    values = clean(spec, data, partial=True)
    if "email" in values:
        email = normalize_email(values["email"])
        _ensure_email_free(email, except_id=user.id)
        user.email = email
    if values.get("name"):
        user.name = values["name"]
    losing_admin = ("roles" in values and "admin" not in values["roles"]) or \
        values.get("active") is False
    if losing_admin and user.has_role("admin") and _active_admin_count(user.id) == 0:
        raise InvalidState(_("The last active administrator cannot lose that role."))
    if "roles" in values:
        _set_roles(user, values["roles"])
    if values.get("password"):
        user.password_hash = hash_password(values["password"])
        _end_sessions(user)
    if "active" in values and values["active"] is not None and values["active"] != user.active:
        user.active = values["active"]
        if not user.active:
            _end_sessions(user)
    return user


def _set_roles(user: User, roles: list[str]) -> None:
    keep = [row for row in user.role_rows if row.role in roles]
    have = {row.role for row in keep}
    user.role_rows = keep + [UserRole(role=r) for r in roles if r not in have]


def _end_sessions(user: User) -> None:
    """Every cookie session and API token of this user stops working at once."""
    user.session_version += 1
    now = utcnow()
    for token in user_tokens(user.id):  # one by one, so that each is on the user's history
        token.revoked_at = now


@transactional
def set_locale(user_id: int, locale: str) -> None:
    if locale not in LOCALES:
        raise ValidationError(fields={"locale": _("Unknown language.")})
    get_user(user_id).locale = locale


# --------------------------------------------------------------------------- sign-in


def _check_throttle(email: str, ip: str) -> None:
    config = current_app.config
    since = utcnow() - timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    limit = config["LOGIN_MAX_FAILURES"]
    by_email = db.session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.email == email, LoginFailure.created_at >= since))
    by_ip = db.session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.ip == ip, LoginFailure.created_at >= since))
    if by_email >= limit or by_ip >= limit * 4:
        raise Throttled(_("Too many failed sign-in attempts. Try again in a few minutes."))


@transactional
def check_credentials(email: str, password: str, ip: str) -> User | None:
    """The active user with these credentials, or None (and the failure is counted).

    Unknown emails, wrong passwords and disabled accounts get the same answer and take the
    same time. Too many recent failures for the email or the address raise Throttled.
    """
    email = normalize_email(email or "")[:254]
    _check_throttle(email, ip)
    user = find_user_by_email(email) if email else None
    if user is None:
        burn_time(password or "")
        ok = False
    else:
        ok = verify_password(user.password_hash, password or "") and user.active
    if not ok:
        db.session.add(LoginFailure(email=email, ip=ip))
        return None
    db.session.execute(LoginFailure.__table__.delete().where(LoginFailure.email == email))
    user.last_login_at = utcnow()
    return user


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


TOKEN_SPEC = {
    "scope": Choice(TOKEN_SCOPES, default="full"),
    "expires_in_days": Integer(min_value=1, max_value=MAX_TOKEN_DAYS),
}
# How stale a token's last use may be before a call writes it again (one write a minute at
# most, not one per call).
LAST_USED_PRECISION = timedelta(minutes=1)


def token_options(data: dict | None) -> dict:
    """The scope and lifetime a new token is asked for, checked (API.md, "Tokens, further")."""
    return clean(TOKEN_SPEC, data or {})


@transactional
def issue_token(data: dict | None = None, *, user_id: int) -> tuple[str, ApiToken]:
    """A new API token (256 random bits) of the user `user_id`, with the scope (`full` or
    `read`) and the lifetime in days that `data` asks for; only its hash is stored. The
    secret is returned once, here."""
    values = token_options(data)
    raw = secrets.token_urlsafe(32)
    days = values.get("expires_in_days")
    now = utcnow()
    token = ApiToken(user_id=user_id, token_hash=hash_token(raw), scope=values["scope"],
                     created_at=now, expires_at=now + timedelta(days=days) if days else None)
    db.session.add(token)
    db.session.flush()
    return raw, token


def user_tokens(user_id: int) -> list[ApiToken]:
    """The user's tokens that are not revoked (expired ones too), newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())))


def is_expired(token: ApiToken, now: datetime | None = None) -> bool:
    return token.expires_at is not None and token.expires_at <= (now or utcnow())


@transactional
def revoke_token(token_id: int, *, user_id: int) -> None:
    """Revoke one of the user's own tokens; another user's, or one already revoked, is not
    found."""
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)))
    if token is None:
        raise NotFound(_("No such token."))
    token.revoked_at = utcnow()


@transactional
def revoke_token_in_use(token_hash: str, *, user_id: int) -> None:
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == token_hash, ApiToken.user_id == user_id,
        ApiToken.revoked_at.is_(None)))
    if token is not None:
        token.revoked_at = utcnow()


def token_in_use(raw: str) -> ApiToken | None:
    """The live token behind a bearer secret (not revoked, not expired, of an active user),
    with its user and roles, in one query (every API call runs it). Its last use is written
    at most once a minute."""
    now = utcnow()
    token = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(raw),
                               ApiToken.revoked_at.is_(None),
                               or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))).unique().first()
    if token is None or not token.user.active:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        _touch_token(token.id, now)
    return token


@transactional
def _touch_token(token_id: int, now: datetime) -> None:
    db.session.execute(update(ApiToken).where(
        ApiToken.id == token_id,
        or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_PRECISION))
        .values(last_used_at=now))


def load_session_user(session_id: str) -> User | None:
    """The user behind a session cookie's id ("<id>:<version>"), if still valid."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
