"""Application configuration, read from environment variables.

`Config` is the development default (SQLite under instance/), `TestConfig` is used by the
test-suite and `ProductionConfig` refuses to start without a real SECRET_KEY.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _default_sqlite_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'erp.sqlite3'}"


DEV_SECRET_KEY = "dev-only-not-secret"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_sqlite_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    COMPANY_CURRENCY = os.environ.get("COMPANY_CURRENCY", "CNY")

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TZ_NAME", "Asia/Shanghai")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "shared" / "translations")
    LANGUAGES = {"en": "English", "zh": "中文"}

    BOOTSTRAP_SERVE_LOCAL = True  # Bootstrap-Flask serves its own copy: no CDN
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # Sign-in throttling (shared/users/throttle.py): this many failures for one email inside
    # the window lock that email; this many from one client address stop that address except
    # on browsers where the account signed in before (a signed "known device" cookie, kept
    # this many days).
    LOGIN_MAX_FAILURES = 10
    LOGIN_MAX_FAILURES_PER_ADDRESS = 50
    LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
    KNOWN_DEVICE_DAYS = 90
    # How many proxies in front of the application set X-Forwarded-For/-Proto (a TLS proxy:
    # 1). 0 (the default) trusts no such header: the client address is the connection's.
    # Set it only when every request goes through those proxies, or clients can forge it.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0") or 0)
    IDEMPOTENCY_KEY_HOURS = 24
    PER_PAGE_DEFAULT = 50
    PER_PAGE_MAX = 200
    # The home page's company-wide dashboard widgets (sums over every invoice, the aging...)
    # are reused this long per process and language; the "my ..." widgets never are.
    DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))
    TESTING = False


class TestConfig(Config):
    TESTING = True
    DASHBOARD_CACHE_SECONDS = 0  # tests read the figures as they change
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite:///:memory:"
    # Argon2 stays the algorithm; tests only make it cheaper.
    PASSWORD_HASH_FAST = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"

    def __init__(self) -> None:
        secret = os.environ.get("SECRET_KEY")
        if not secret or secret == DEV_SECRET_KEY:
            raise RuntimeError("ProductionConfig needs the SECRET_KEY environment variable")
        self.SECRET_KEY = secret


def config_from_env() -> type[Config] | Config:
    """The configuration named by APP_CONFIG (development by default)."""
    name = os.environ.get("APP_CONFIG", "development")
    if name == "production":
        return ProductionConfig()
    if name == "testing":
        return TestConfig
    return Config
