"""Password hashing with Argon2id (argon2-cffi)."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> PasswordHasher:
    # Tests use the same algorithm with a small cost so the suite stays fast.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast \
        else PasswordHasher()


def hasher() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("PASSWORD_HASH_FAST")))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: dict[bool, str] = {}


def burn_time(password: str) -> None:
    """Spend what a real check costs, so an unknown email is not faster to refuse."""
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _DUMMY_HASH:
        _DUMMY_HASH[fast] = hasher().hash("dummy password")
    verify_password(_DUMMY_HASH[fast], password)
