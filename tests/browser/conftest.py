"""A real browser (Debian's chromium, driven by Playwright) against the app served on
loopback with the demo data. Skipped with the reason where chromium is absent; in CI
(TRACKER_TEST_REQUIRE_ALL=1) that is a failure instead."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import TODAY, copy_database, free_port, make_app, unavailable

CHROMIUM = Path("/usr/bin/chromium")
# What chromium needs as root on these machines, and no calls home from a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(tmp_path: Path, demo_template: Path) -> Iterator[str]:
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=copy_database(demo_template, tmp_path, "browser.sqlite"),
        TESTING=False,
        # The day the demo template was loaded on (its own deadlines count from it).
        TRACKER_TODAY=TODAY.isoformat(),
    )
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    """One chromium for the module's tests; each test signs in with contexts of its own."""
    if not CHROMIUM.exists():
        unavailable(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(browser, base_url: str, email: str, password: str):
    """A new browser context (its own cookies), signed in; returns its page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="hy-AM")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    # Where the role's work is: the dashboard, or an officer's tasks.
    page.wait_for_url(re.compile(rf"{re.escape(base_url)}/(tasks|dashboard)$"))
    return page
