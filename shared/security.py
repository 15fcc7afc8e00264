"""Security headers on every answer, set in one place (issue 15 item 1).

The Content-Security-Policy allows scripts only from this site's own files (no inline script
or on...= handler: JavaScript lives in static/js), and frames, forms and the base URL only from
this site. Inline style attributes stay allowed: templates and libraries set widths and
heights with them, and a style cannot run code. Images may be data: URIs (the company logo
in previews). The page may be framed only by itself (the invoice page previews its PDF), and
HSTS is sent when cookies are Secure, i.e. behind the TLS proxy of a production set-up.
"""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
))
HSTS = "max-age=31536000; includeSubDomains"


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
