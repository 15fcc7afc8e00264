"""User administration, sign-in checks and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from shared.db import in_unit_of_work, transactional, utcnow
from shared.errors import Duplicate, InvalidState, NotFound, ValidationError
from shared.extensions import db
from shared.users import throttle
from shared.users.models import ROLES, TOKEN_SCOPES, ApiToken, User, UserRole, UserSession
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
    """Every cookie session and API token of this user stops working at once (the session
    doing the change too: a password reset signs the user out everywhere)."""
    user.session_version += 1
    now = utcnow()
    db.session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)).values(ended_at=now))
    for token in user_tokens(user.id):  # one by one, so that each is on the user's history
        token.revoked_at = now


@transactional
def set_locale(user_id: int, locale: str) -> None:
    if locale not in LOCALES:
        raise ValidationError(fields={"locale": _("Unknown language.")})
    get_user(user_id).locale = locale


# --------------------------------------------------------------------------- sign-in


def check_credentials(email: str, password: str, ip: str,
                      known_user_id: int | None = None) -> User | None:
    """The active user with these credentials, or None (and the failure is counted).

    Unknown emails, wrong passwords and disabled accounts get the same answer and take the
    same time. Throttled is raised when the email has too many recent failures, or the address
    has and `known_user_id` (the browser's known-device cookie) is not this account's
    (shared/users/throttle.py explains both limits).
    """
    email = normalize_email(email or "")[:254]
    if not in_unit_of_work():  # read the counts and the user as committed now, not as a
        db.session.rollback()  # read transaction begun earlier in this context saw them
    throttle.email_locked(email)
    flooding = throttle.address_flooding(ip)
    user = find_user_by_email(email) if email else None
    if flooding is not None and (user is None or user.id != known_user_id):
        raise flooding
    if user is None:
        burn_time(password or "")
        ok = False
    else:
        ok = verify_password(user.password_hash, password or "") and user.active
    if not ok:
        throttle.record_failure(email, ip)
        return None
    return _signed_in(user.id, email)


@transactional
def _signed_in(user_id: int, email: str) -> User:
    throttle.clear_email(email)
    user = get_user(user_id)
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


# --------------------------------------------------------------------------- sessions

# How stale a session's last_seen_at may be before a request writes it again; and how long
# an ended or unused session row is kept.
SESSION_SEEN_PRECISION = timedelta(minutes=1)
SESSION_KEEP = timedelta(days=30)


@transactional
def start_session(user_id: int) -> str:
    """A new server-side session of the user; its id goes into the session cookie. The
    user's ended sessions and those unused for SESSION_KEEP are deleted."""
    now = utcnow()
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user_id,
        or_(UserSession.ended_at.is_not(None), UserSession.last_seen_at < now - SESSION_KEEP)))
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=token, user_id=user_id, created_at=now, last_seen_at=now))
    return token


@transactional
def end_session(token: str) -> None:
    """Signing out: this session's cookie signs nobody in any more (others stay)."""
    db.session.execute(update(UserSession).where(
        UserSession.id == token, UserSession.ended_at.is_(None)).values(ended_at=utcnow()))


def load_session_user(token: str) -> User | None:
    """The active user of a live session (one indexed lookup, the roles aside). Its last use
    is written at most once a minute."""
    if not token or len(token) > 64:
        return None
    now = utcnow()
    row = db.session.execute(
        select(User, UserSession.last_seen_at).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id == token, UserSession.ended_at.is_(None),
               UserSession.last_seen_at >= now - SESSION_KEEP, User.active.is_(True))).first()
    if row is None:
        return None
    user, last_seen = row
    if last_seen < now - SESSION_SEEN_PRECISION:
        _touch_session(token, now)
    user.session_token = token
    return user


@transactional
def _touch_session(token: str, now: datetime) -> None:
    db.session.execute(update(UserSession).where(
        UserSession.id == token, UserSession.last_seen_at < now - SESSION_SEEN_PRECISION)
        .values(last_seen_at=now))
