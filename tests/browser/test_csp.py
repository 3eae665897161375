"""The pages keep to their Content-Security-Policy in chromium (#12 item 4): every page of the
every-page walk, for each role, reports no violation, neither as a `securitypolicyviolation`
event nor on the console. Our own scripts and stylesheets load from the site; a script or a
style attribute written into a page would be refused and reported here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import test_every_page as every_page
from tests.browser.conftest import sign_in
from tests.browser.test_every_page import PAGES, Demo, address_of, sign_in_as
from tests.conftest import TODAY, make_app
from tracker.extensions import db
from tracker.models import OutboxMessage, OutboxStatus

# Collects the violations of every frame (the outbox's email preview is one) from the start.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile || location.pathname}:${event.lineNumber}`
  );
});
"""
# The every-page walk's server: its fixture, registered here as `walked_demo`.
walked_demo = every_page.demo_server
CSP_CONSOLE = re.compile(r"Content Security Policy|Refused to", re.I)


@pytest.fixture
def styled_email(walked_demo: Demo, tmp_path: Path) -> str:
    """The every-page walk's server, and the address of an email in its outbox styled as ours
    are (inline styles, which only the preview's own policy allows)."""
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.sqlite'}",
        TRACKER_TODAY=TODAY.isoformat(),
    )
    with app.app_context():
        message = OutboxMessage(
            to_address="ani@demo.am",
            language="hy",
            subject="Հիշեցում",
            body_text="Բարև Անի",
            body_html='<body style="font-family: Arial"><p style="color: #b42318">'
            "Բարև Անի</p></body>",
            message_id="<csp.1@tracker.test>",
            status=OutboxStatus.FAILED,
            attempts=6,
        )
        db.session.add(message)
        db.session.commit()
        address = f"/admin/outbox/{message.id}"
        db.session.remove()
        db.engine.dispose()
    return address


def watched(page) -> list[str]:
    console: list[str] = []
    page.on(
        "console",
        lambda message: console.append(message.text) if CSP_CONSOLE.search(message.text) else None,
    )
    return console


def violations(page) -> list[str]:
    return [
        *page.evaluate("() => window.__cspViolations || []"),
        *(
            found
            for frame in page.frames[1:]
            for found in frame.evaluate("() => window.__cspViolations || []")
        ),
    ]


def test_no_page_breaks_the_content_security_policy(
    browser, walked_demo: Demo, styled_email: str
) -> None:
    base_url = walked_demo.base_url
    found: dict[str, list[str]] = {}
    opened = 0
    for role, pages in PAGES.items():
        page = sign_in_as(browser, base_url, role, "hy")
        page.context.add_init_script(RECORD_VIOLATIONS)
        console = watched(page)
        addresses = [
            walked_demo.links.get(name) or address_of(page, base_url, name) for name in pages
        ]
        if role == "admin":
            addresses.append(styled_email)
        for address in addresses:
            page.goto(f"{base_url}{address}")
            page.wait_for_load_state("load")
            opened += 1
            if seen := violations(page) + console:
                found[f"{role} {address}"] = list(seen)
            console.clear()
        page.context.close()

    assert opened == 1 + sum(len(pages) for pages in PAGES.values())
    assert not found, "CSP violations:\n" + "\n".join(
        f"  {where}: {'; '.join(what)}" for where, what in found.items()
    )


def test_the_watch_sees_a_violation(browser, live_server) -> None:
    """The check above can fail: a style attribute written into a page is refused, reported."""
    page = sign_in(browser, live_server, "staff@demo.am", "demo-staff")
    page.context.add_init_script(RECORD_VIOLATIONS)
    console = watched(page)
    page.goto(f"{live_server}/tasks")
    assert violations(page) == [] and console == []

    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<p id="styled" style="color: red">x</p>')"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")

    assert any(v.startswith("style-src") for v in violations(page))
    color = page.evaluate("() => getComputedStyle(document.getElementById('styled')).color")
    assert color != "rgb(255, 0, 0)"
    page.context.close()
