"""Sign-in throttling, kept in the database so that every worker and every server counts the
same failures (a process-local counter would let each of four gunicorn workers allow its own
share).

Each failed sign-in (web form or `POST /api/v1/auth/token`) is one `login_failures` row with
the email asked for and the client address; both columns are indexed with the time. Two limits
apply, separately, inside one sliding window (`LOGIN_FAILURE_WINDOW_SECONDS`):

* Per account (the email, known or not, so that the answer never tells which emails exist):
  `LOGIN_MAX_FAILURES` failures lock that email only, whatever the password and wherever the
  attempt comes from. This is what stops guessing one user's password.
* Per client address: `LOGIN_MAX_FAILURES_PER_ADDRESS` failures (set much higher) mark the
  address as spraying many accounts. From then on, until the window has passed, attempts from
  that address are refused without checking the password, EXCEPT from a browser that carries
  the "known device" cookie of the very account it signs in to: the cookie is signed with the
  SECRET_KEY and set after a successful sign-in on that browser (OWASP's device cookies). So a
  flood of made-up emails never locks a real account (the per-email counts of real accounts do
  not move), a user who has signed in on this browser before still gets in with the right
  password, and a sprayer still cannot go on guessing from that address. A first sign-in on a
  new browser from a flooding address waits for the window; programs asking for an API token
  send no cookie and wait too.

Which address: `request.remote_addr`, which is the proxy's own address behind a TLS proxy
unless `TRUSTED_PROXY_HOPS` (config.py) tells the application to take the client's address
from that many X-Forwarded-For entries (Werkzeug's ProxyFix). Without it every user behind
the proxy shares one address, and only known devices get past a flood.

The checks read the counts before the password is verified and the failure is written after,
each in its own short transaction (no database lock is held while the password hash runs).
Concurrent attempts may therefore pass the limit by the number running at the same moment.
Expired rows of the email and the address are deleted as new failures are written (and, once
in PRUNE_ALL_ONE_IN failures, every expired row), and a success deletes its email's failures.
"""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select

from shared.db import transactional, utcnow
from shared.errors import Throttled
from shared.extensions import db
from shared.users.models import LoginFailure

DEVICE_COOKIE = "known_device"
_DEVICE_SALT = "known-device"


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])


def _failures(column, value: str, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = db.session.execute(
        select(func.count(), func.min(LoginFailure.created_at))
        .where(column == value, LoginFailure.created_at >= since)).one()
    return count or 0, oldest  # min() keeps the column's type: read back timezone-aware


def _throttled(oldest: datetime | None, now: datetime) -> Throttled:
    seconds = _window().total_seconds()
    if oldest is not None:
        seconds = (oldest + _window() - now).total_seconds()
    return Throttled(_("Too many failed sign-in attempts. Try again in a few minutes."),
                     retry_after=max(1, math.ceil(seconds)))


def email_locked(email: str) -> None:
    """Raise Throttled when the email has reached its own limit."""
    now = utcnow()
    count, oldest = _failures(LoginFailure.email, email, now - _window())
    if count >= current_app.config["LOGIN_MAX_FAILURES"]:
        raise _throttled(oldest, now)


def address_flooding(ip: str) -> Throttled | None:
    """The Throttled error to raise when the address has reached its limit, else None."""
    now = utcnow()
    count, oldest = _failures(LoginFailure.ip, ip, now - _window())
    if count >= current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        return _throttled(oldest, now)
    return None


# One failure in this many also deletes every expired row (emails and addresses that never
# come back), not only its own email's and address's.
PRUNE_ALL_ONE_IN = 100


@transactional
def record_failure(email: str, ip: str) -> None:
    now = utcnow()
    expired = LoginFailure.created_at < now - _window()
    if random.randrange(PRUNE_ALL_ONE_IN) == 0:
        db.session.execute(delete(LoginFailure).where(expired))
    else:
        db.session.execute(delete(LoginFailure).where(
            or_(LoginFailure.email == email, LoginFailure.ip == ip), expired))
    db.session.add(LoginFailure(email=email, ip=ip, created_at=now))


def clear_email(email: str) -> None:
    """Within the caller's transaction: a success forgets its email's failures."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))


# --------------------------------------------------------------------------- device cookie


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)


def device_cookie_value(user_id: int) -> str:
    return _serializer().dumps(user_id)


def device_cookie_max_age() -> int:
    return current_app.config["KNOWN_DEVICE_DAYS"] * 86400


def known_device_user(cookie: str | None) -> int | None:
    """The user id a known-device cookie was set for, if its signature and age hold."""
    if not cookie:
        return None
    try:
        value = _serializer().loads(cookie, max_age=device_cookie_max_age())
    except BadSignature:
        return None
    return value if isinstance(value, int) else None
