"""Fixtures for the browser tests: Debian's Chromium through pytest-playwright, and a live
server that serves the same Flask application object as the rest of the suite.

Never run `playwright install`: the browser is /usr/bin/chromium.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.sales.conftest import shop  # noqa: F401  (the order-to-cash story's products)

BROWSER_DIR = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test, whatever its module says."""
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "headless": True, "args": CHROMIUM_ARGS}


class InFlight:
    """WSGI middleware that counts the requests being answered, so the server can be
    stopped only once none is left (a slow PDF preview must not outlive its test and
    its database)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.count = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.count += 1
        try:
            return list(self.app(environ, start_response))  # answered before it counts down
        finally:
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    def wait_until_idle(self, timeout: float) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count == 0, timeout)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test application (empty tables, reference data) served on a free local port."""
    in_flight = InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        in_flight.wait_until_idle(timeout=30)
        server.server_close()
        thread.join(timeout=10)


def sign_in(page: Page, live_server: str, email: str) -> None:
    """Sign in through the login form and wait for the signed-in page (test_smoke.py
    checks the form itself)."""
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    page.wait_for_load_state("load")  # Bootstrap's script is there (menus open on a click)
