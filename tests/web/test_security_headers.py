"""Security headers on every answer (issue 15 item 1): a Content-Security-Policy without
inline script, no framing by other sites, no MIME sniffing, a same-origin Referer, and HSTS
when cookies are Secure (production behind TLS)."""
from __future__ import annotations

import pytest

from app import create_app
from config import TestConfig


@pytest.mark.parametrize("path", ["/login", "/api/v1/me", "/static/css/app.css", "/nope"])
def test_every_answer_carries_the_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["frame-ancestors"] == "'self'" and directives["object-src"] == "'none'"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP in development


def test_hsts_when_cookies_are_secure(app_session):
    class Secure(TestConfig):
        SQLALCHEMY_DATABASE_URI = app_session.config["SQLALCHEMY_DATABASE_URI"]
        SESSION_COOKIE_SECURE = True

    response = create_app(Secure).test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
