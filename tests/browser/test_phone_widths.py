"""Every page fits a phone (#10 item 2): at 390x844 no page is wider than the window, for
each role that may open it, in both languages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_in_chromium import DOCS
from tests.conftest import make_app
from tracker.extensions import db
from tracker.models import OutboxMessage, OutboxStatus

PHONE = {"width": 390, "height": 844}

ROLES = {
    "officer": ("officer@demo.am", "demo-officer"),
    "manager": ("manager@demo.am", "demo-manager"),
    "staff": ("staff@demo.am", "demo-staff"),
    "admin": ("admin@demo.am", "demo-admin"),
}

# The pages each role may open; "a task", "a report", ... are found by following links.
PAGES = {
    "officer": ["/tasks", "my task", "/settings"],
    "manager": ["/tasks", "/tasks?scope=all", "a task", "/dashboard", "/settings"],
    "staff": [
        "/tasks",
        "/tasks?scope=all",
        "a task",
        "/dashboard",
        "/reports",
        "a report",
        "a review",
        "/settings",
    ],
    "admin": [
        "/tasks",
        "/tasks?scope=all",
        "a task",
        "/dashboard",
        "/reports",
        "a report",
        "a review",
        "/settings",
        "/admin/users",
        "/admin/departments",
        "/admin/outbox",
        "an outbox message",
    ],
}

# Where the page that is found by a link is linked from, and by which link.
FOUND_BY = {
    "my task": ("/tasks", "a[href*='/tasks/']"),
    "a task": ("/tasks?scope=all", "a[href*='/tasks/']"),
    "a report": ("/reports", "a[href*='/reports/']"),
    "a review": ("/reports", "a[href$='/review']"),
    "an outbox message": ("/admin/outbox", "a[href*='/admin/outbox/']"),
}

# The widest element and the page's width; an element is described by tag, id and classes.
MEASURE = """() => {
  const width = window.innerWidth;
  let widest = null, right = 0;
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.right > right + 0.5) { right = box.right; widest = element; }
  }
  const describe = (element) => element ? element.tagName.toLowerCase()
    + (element.id ? '#' + element.id : '')
    + [...element.classList].map((name) => '.' + name).join('') : '';
  const path = [];
  for (let at = widest; at && at !== document.body; at = at.parentElement) {
    path.unshift(describe(at));
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
          widest: path.join(' > '), right: Math.round(right)};
}"""


def _sign_in(browser, base_url: str, role: str, language: str):
    email, password = ROLES[role]
    context = browser.new_context(viewport=PHONE, locale="hy-AM")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    if page.locator("html").get_attribute("lang") != language:
        page.click(f"button[data-language={language}]")
        page.wait_for_selector(f"html[lang={language}]")
    return page


def _address(page, base_url: str, name: str) -> str:
    if name.startswith("/"):
        return name
    source, selector = FOUND_BY[name]
    page.goto(f"{base_url}{source}")
    for link in page.locator(f"main {selector}").all():
        href = link.get_attribute("href") or ""
        if name == "a review" or ("?" not in href and href.rstrip("/").split("/")[-1].isdigit()):
            return href
    raise AssertionError(f"no link to {name} on {source}")


@pytest.fixture
def mail_in_outbox(live_server: str, tmp_path: Path) -> str:
    """The demo writes no email until its scheduler runs: one, with a long link, as a digest
    would have, in the live server's database."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.sqlite'}")
    link = "http://127.0.0.1:5000/dashboard?digest=overdue&department=12&owner=34&page=2"
    with app.app_context():
        db.session.add(
            OutboxMessage(
                to_address="ani.sargsyan.international.cooperation@demo.am",
                language="hy",
                subject="Հիշեցում․ ժամկետանց առաջադրանքներ Միջազգային համագործակցության բաժնում",
                body_text=f"Բարև Անի,\n{link}",
                body_html=f'<p>Բարև Անի,</p><p><a href="{link}">{link}</a></p>',
                message_id="<phone.1@tracker.test>",
                status=OutboxStatus.FAILED,
                attempts=6,
                last_error="SMTPRecipientsRefused: mailbox-full-ani.sargsyan.international@demo.am",
            )
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return live_server


def test_every_page_fits_a_phone(browser, mail_in_outbox) -> None:
    live_server = mail_in_outbox
    too_wide = []
    for role, pages in PAGES.items():
        for language in ("hy", "en"):
            page = _sign_in(browser, live_server, role, language)
            for name in pages:
                address = _address(page, live_server, name)
                response = page.goto(f"{live_server}{address}")
                assert response is not None and response.ok, (role, address)
                found = page.evaluate(MEASURE)
                if found["scrollWidth"] > found["innerWidth"]:
                    too_wide.append(
                        f"{role}/{language} {address}: {found['scrollWidth']}px, widest "
                        f"{found['widest']} (to {found['right']}px)"
                    )
            page.context.close()
    assert not too_wide, "wider than a 390px phone:\n" + "\n".join(too_wide)


def test_the_dashboard_on_a_phone(browser, live_server, tmp_path: Path) -> None:
    """The phone picture in the README: the figures come before the filters."""
    page = _sign_in(browser, live_server, "staff", "hy")
    page.goto(f"{live_server}/dashboard")
    figures = page.locator("section.figures").bounding_box()
    filters = page.locator("#filters").bounding_box()
    assert figures is not None and filters is not None
    assert figures["y"] < filters["y"]
    shot = page.screenshot(full_page=True)
    target = DOCS if os.environ.get("TRACKER_UPDATE_SCREENSHOTS") == "1" else tmp_path
    (target / "dashboard-phone.png").write_bytes(shot)
    page.context.close()
