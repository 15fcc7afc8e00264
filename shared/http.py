"""Small request helpers shared by the platform."""
from __future__ import annotations

from flask import request

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def client_ip() -> str:
    return (request.remote_addr or "unknown")[:45]
