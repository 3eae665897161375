"""Every page, for every role, in both languages, at both sizes (#10): a desktop (1366x800)
and a phone (390x844). No page is wider than its window; an Armenian page shows no English
word and an English page no Armenian letter, once the people's names and what they typed are
taken out (the menu on one row at 1366 px: tests/browser/test_navigation.py). The dashboard's
pictures for the README."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.test_in_chromium import DOCS
from tests.conftest import TODAY, make_app
from tests.main.test_armenian_everywhere import english_words, user_data
from tracker.auth.links import PasswordLinkSigner, Purpose
from tracker.extensions import db
from tracker.models import (
    Department,
    ExtensionRequest,
    Notice,
    OutboxMessage,
    OutboxStatus,
    Report,
    Task,
    TaskComment,
    TaskStatus,
    User,
)
from tracker.tasks.comments import add_comment
from tracker.tasks.services import mark_done, request_extension

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
LANGUAGES = ("hy", "en")

OFFICER = "officer@demo.am"
# None: the pages before signing in.
ROLES: dict[str, tuple[str, str] | None] = {
    "anonymous": None,
    "officer": (OFFICER, "demo-officer"),
    "manager": ("manager@demo.am", "demo-manager"),
    "staff": ("staff@demo.am", "demo-staff"),
    "admin": ("admin@demo.am", "demo-admin"),
}

# A dashboard period that ends before it starts: the filter form says so beside the field.
REVERSED_PERIOD = "/dashboard?deadline_from=2026-07-01&deadline_to=2026-06-01"

# The pages each role may open: an address, or a name from FOUND_BY (a page found by
# following a link) or DERIVED. A new page goes at the end of the lists of the roles that may
# open it. (The pages of emailed links: test_the_pages_of_the_password_links.)
PAGES: dict[str, list[str]] = {
    "anonymous": ["/login", "/password/forgot"],
    "officer": [
        "/tasks",
        "my task",
        "/settings",
        "/nowhere",
        "/notifications",
        "/dashboard",
        "/dashboard/trends",
        "/settings/absences",
        "/settings/password",
        "/reports/progress",
    ],
    "manager": [
        "/tasks",
        "/tasks?scope=all",
        "a task",
        "/dashboard",
        "/dashboard?status=all",
        "/dashboard/without-owner",
        "/dashboard/trends",
        REVERSED_PERIOD,
        "/reports",
        "/settings",
        "/tasks/new",
        "/notifications",
        "/tasks/requests",
        "a task asked for more time",
        "a task awaiting acceptance",
        "/settings/absences",
        "/settings/password",
        "/reports/progress",
        "/reports/progress?kind=period&period=2026-Q2",
    ],
    "staff": [
        "/tasks",
        "/tasks?scope=all",
        "a task",
        "/dashboard",
        "/dashboard/trends",
        "/reports",
        "/reports/upload",
        "a report",
        "a review",
        "/settings",
        "/tasks/new",
        "/notifications",
        "/tasks/requests",
        "a task asked for more time",
        "a task awaiting acceptance",
        "a review's discard",
        "a recommendation added by hand",
        "/settings/absences",
        "/settings/password",
        "/reports/progress",
        "/reports/progress?period=2026-13",
    ],
    "admin": [
        "/tasks",
        "/tasks?scope=all",
        "a task",
        "/dashboard",
        "/dashboard?status=all",
        "/dashboard/trends",
        "/reports",
        "a report",
        "a review",
        "/settings",
        "/admin/users",
        "/admin/departments",
        "/admin/outbox",
        "an outbox message",
        "/tasks/new",
        "/notifications",
        "/tasks/requests",
        "a task asked for more time",
        "a task awaiting acceptance",
        "a review's discard",
        "a recommendation added by hand",
        "/settings/absences",
        "/settings/password",
        "/admin/policy",
        "a user",
        "a user's absences",
        "a department",
        "/admin/",
        "/admin/audit",
        "/reports/progress",
    ],
}

# The error pages the walk opens on purpose (every other page answers 200).
ERRORS = {
    ("officer", "/nowhere"): 404,
    ("officer", "/dashboard"): 403,
    ("officer", "/dashboard/trends"): 403,
    ("officer", "/reports/progress"): 403,
}

# Where a page found by a link is linked from, and by which link.
FOUND_BY = {
    "my task": ("/tasks", "a[href*='/tasks/']"),
    "a task": ("/tasks?scope=all", "a[href*='/tasks/']"),
    "a report": ("/reports", "a[href*='/reports/']"),
    "a review": ("/reports", "a[href$='/review']"),
    "an outbox message": ("/admin/outbox", "a[href*='/admin/outbox/']"),
    "a task asked for more time": ("/tasks/requests", "a[href*='/tasks/']"),
    "a task awaiting acceptance": (
        "/dashboard?status=awaiting_acceptance",
        "table.tasks a[href*='/tasks/']",
    ),
    "a review's discard": ("a review", "a[href$='/discard']"),
    "a user": ("/admin/users", "a[href*='/admin/users/']"),
    "a department": ("/admin/departments", "a[href*='/admin/departments/']"),
}
# Pages reached by a form's button: another page's address with its end replaced.
DERIVED = {
    "a recommendation added by hand": ("a review", "/review", "/recommendations/new"),
    "a user's absences": ("a user", "", "/absences"),
}

# What a page measures: its width against the window's, with the widest element (by tag, id
# and classes, from body down).
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

# What a person reads on the page: its visible text, its title, what the attributes say (a
# tooltip, a placeholder, a screen reader's label, an image's text), the buttons' words, the
# choices of every list, the charts' titles.
READ = """() => {
  const parts = [document.title, document.body.innerText];
  const attributes = ['title', 'placeholder', 'aria-label', 'alt'];
  for (const element of document.querySelectorAll(attributes.map((a) => `[${a}]`).join(','))) {
    for (const name of attributes) { parts.push(element.getAttribute(name) || ''); }
  }
  const buttons = 'input[type=submit], input[type=button], input[type=reset]';
  for (const element of document.querySelectorAll(buttons)) { parts.push(element.value); }
  for (const element of document.querySelectorAll('option, svg title')) {
    parts.push(element.textContent);
  }
  return parts.join('\\n');
}"""

ARMENIAN_LETTERS = re.compile(r"[\u0531-\u0587]+")
# The language switcher and the settings' choice name each language in itself ("Eng" and
# "English" are allowed the other way).
ARMENIAN_ALLOWED = {"Հայ", "Հայերեն"}
# The last (maybe partial) word before an ellipsis: a long value cut on the page.
CUT = re.compile(r"(\S+)…")


@dataclass
class Findings:
    """What the walk found, one line per page, size and language."""

    too_wide: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    armenian: list[str] = field(default_factory=list)

    def report(self) -> str:
        sections = {
            "wider than the window": self.too_wide,
            "English words on Armenian pages": self.english,
            "Armenian letters on English pages": self.armenian,
        }
        return "\n".join(
            f"{title}:\n  " + "\n  ".join(lines) for title, lines in sections.items() if lines
        )


# What people typed or the demo wrote, shown as it is (not translated), beyond what the
# Armenian page test collects.
TYPED: dict[type[Any], tuple[str, ...]] = {
    Department: ("name",),
    User: ("position",),
    Task: (
        "description",
        "source_note",
        "completion_note",
        "cancel_reason",
        "evidence_url",
        "evidence_filename",
    ),
    Report: (
        "title",
        "author_name",
        "author_position",
        "destination",
        "inviting_party",
        "purpose",
        "signatory",
    ),
    ExtensionRequest: ("reason", "decision_note"),
    TaskComment: ("body", "attachment_filename"),
    OutboxMessage: ("to_address", "subject", "body_text"),
}


def the_peoples_data() -> list[str]:
    """The Armenian page test's data, what TYPED names, the lines of the emails and what a
    notice quotes (old and new values, a reason, a comment's first words)."""
    values = user_data(None)  # type: ignore[arg-type]  # it reads the session only
    for model, columns in TYPED.items():
        for row in db.session.scalars(select(model)):
            values += [str(getattr(row, column) or "") for column in columns]
    for message in db.session.scalars(select(OutboxMessage)):
        values += message.body_text.splitlines()
    for notice in db.session.scalars(select(Notice)):
        values += [str(value) for value in notice.details.values()]
    return [value for value in values if value.strip()]


def without_cut_data(text: str, data: list[str]) -> str:
    """The text without the values that are cut on the page ("Միջազգային համագործա…", a
    chart's label, a quoted recommendation): what precedes an ellipsis is taken out when it is
    the start of a value, up to the word the cut falls in."""
    for match in reversed(list(CUT.finditer(text))):
        partial, cut_at = match.group(1), match.end(1)
        before = text[:cut_at]
        longest = 0
        for value in data:
            start = value.find(partial)
            while start != -1:
                head = value[: start + len(partial)]
                if len(head) > longest and before.endswith(head):
                    longest = len(head)
                start = value.find(partial, start + 1)
        if longest:
            text = f"{text[: cut_at - longest]} {text[cut_at + 1 :]}"
    return text


def armenian_words(text: str, data: list[str]) -> list[str]:
    """The Armenian words of an English page, without the given data."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return sorted(set(ARMENIAN_LETTERS.findall(text)) - ARMENIAN_ALLOWED)


def sign_in_as(browser, base_url: str, role: str, language: str):
    """A context of its own at the desktop size, signed in as the role (unless anonymous), the
    page in the language."""
    context = browser.new_context(viewport=DESKTOP, locale="hy-AM")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    account = ROLES[role]
    if account is not None:
        page.fill("input[name=email]", account[0])
        page.fill("input[name=password]", account[1])
        page.click("input[type=submit]")
        page.wait_for_load_state()
    choose_language(page, language)
    return page


def choose_language(page, language: str) -> None:
    """The language switch of the open page, as a person uses it (remembered for the user)."""
    if page.locator("html").get_attribute("lang") != language:
        page.click(f"button[data-language={language}]")
        page.wait_for_selector(f"html[lang={language}]")


def address_of(page, base_url: str, name: str) -> str:
    """A page's address: as written, another's with its end replaced (DERIVED), or the first
    link its FOUND_BY selector finds that ends as the selector says or in a number."""
    if name.startswith("/"):
        return name
    if name in DERIVED:
        base, end, new_end = DERIVED[name]
        return address_of(page, base_url, base).removesuffix(end) + new_end
    source, selector = FOUND_BY[name]
    page.goto(f"{base_url}{address_of(page, base_url, source)}")
    for link in page.locator(f"main {selector}").all():
        href = link.get_attribute("href") or ""
        if "$=" in selector or ("?" not in href and href.rstrip("/").split("/")[-1].isdigit()):
            return href
    raise AssertionError(f"no link to {name} on {source}")


def walk_page(page, where: str, language: str, data: list[str], findings: Findings) -> None:
    """The open page at both sizes: measured at each, read at each (a phone hides some text,
    a desktop other), the language checked once over both. Every fold is opened first: what
    it holds is read, and must fit too."""
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    text = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        found = page.evaluate(MEASURE)
        if found["scrollWidth"] > found["innerWidth"]:
            findings.too_wide.append(
                f"{where} {size}: {found['scrollWidth']}px, widest {found['widest']} "
                f"(to {found['right']}px)"
            )
        text.append(page.evaluate(READ))
    read = without_cut_data("\n".join(text), data)
    if language == "hy" and (words := english_words(read, data)):
        findings.english.append(f"{where}: {', '.join(words)}")
    if language == "en" and (words := armenian_words(read, data)):
        findings.armenian.append(f"{where}: {', '.join(words)}")


@dataclass
class Demo:
    """The live server, the people's data in its database, and the addresses of the pages an
    email's link opens (EMAILED)."""

    base_url: str
    data: list[str]
    links: dict[str, str]


def emailed_links(secret_key: str) -> dict[str, str]:
    """The officer's invitation and password reset links, as their emails carry them."""
    officer = db.session.scalars(select(User).where(User.email == OFFICER)).one()
    signer = PasswordLinkSigner(secret_key)
    return {
        "an invitation": f"/password/set/{signer.make(Purpose.INVITATION, officer)}",
        "a password reset": f"/password/reset/{signer.make(Purpose.RESET, officer)}",
    }


def live_in_the_demo() -> None:
    """What the demo leaves out, for the task page's panels, the requests list and the
    notifications: the officer asks for more time on their soonest task and comments on it,
    and reports the next one done (it awaits acceptance)."""
    officer = db.session.scalars(select(User).where(User.email == OFFICER)).one()
    soonest, next_one = db.session.scalars(
        select(Task)
        .where(Task.owners.any(User.id == officer.id), Task.status == TaskStatus.OPEN)
        .order_by(Task.deadline, Task.id)
        .limit(2)
    ).all()
    assert soonest.deadline is not None
    request_extension(
        soonest,
        officer,
        soonest.deadline + timedelta(days=45),
        "Գործընկերների պատասխանը դեռ չենք ստացել։",
    )
    add_comment(soonest, officer, "Նամակն ուղարկվել է, սպասում ենք պատասխանի։")
    mark_done(next_one, officer, "Հաշվետվությունը ներկայացվել է։")
    db.session.commit()


@pytest.fixture
def demo_server(live_server: str, tmp_path: Path) -> Iterator[Demo]:
    """The live server with one failed email in its outbox (the demo writes none until its
    scheduler runs: one with a long link and address, as a digest would have), and the
    people's data of its database."""
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.sqlite'}",
        TRACKER_TODAY=TODAY.isoformat(),
    )
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
        live_in_the_demo()
        data = the_peoples_data()
        links = emailed_links(app.config["SECRET_KEY"])
        db.session.remove()
        db.engine.dispose()
    yield Demo(live_server, data, links)


def test_every_page_for_every_role_in_both_languages_at_both_sizes(browser, demo_server) -> None:
    base_url, data = demo_server.base_url, demo_server.data
    findings = Findings()
    opened = 0
    for role, pages in PAGES.items():
        page = sign_in_as(browser, base_url, role, LANGUAGES[0])
        addresses = {name: address_of(page, base_url, name) for name in pages}
        for language in LANGUAGES:
            page.goto(f"{base_url}{addresses[pages[0]]}")
            choose_language(page, language)
            for name in pages:
                address = addresses[name]
                response = page.goto(f"{base_url}{address}")
                assert response is not None, (role, address)
                expected = ERRORS.get((role, address), 200)
                assert response.status == expected, (role, address, response.status)
                walk_page(page, f"{role}/{language} {address}", language, data, findings)
                opened += 1
        page.context.close()
    assert opened == 2 * sum(len(pages) for pages in PAGES.values())
    assert not any(vars(findings).values()), findings.report()


def test_the_pages_of_the_password_links(browser, demo_server) -> None:
    """An invitation's and a reset's page, opened from the email in its reader's language."""
    findings = Findings()
    page = browser.new_context(viewport=DESKTOP, locale="hy-AM").new_page()
    for name, address in demo_server.links.items():
        response = page.goto(f"{demo_server.base_url}{address}")
        assert response is not None and response.status == 200, name
        assert page.locator("html").get_attribute("lang") == "hy"
        walk_page(page, f"anonymous/hy {name}", "hy", demo_server.data, findings)
    page.context.close()
    assert not any(vars(findings).values()), findings.report()


def test_a_password_links_page_keeps_the_language_the_visitor_chose(browser, demo_server) -> None:
    page = sign_in_as(browser, demo_server.base_url, "anonymous", "en")
    page.goto(f"{demo_server.base_url}{demo_server.links['an invitation']}")
    try:
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        page.context.close()


def box(page, selector: str) -> dict[str, Any]:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found


def test_on_a_phone_the_figures_come_first_and_the_filters_fold(browser, live_server) -> None:
    page = sign_in_as(browser, live_server, "staff", "hy")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/dashboard")
    assert box(page, "section.figures")["y"] < box(page, "#filters")["y"]
    summary = page.locator("#filters > summary")
    assert summary.inner_text() == "Զտիչներ"
    assert not page.locator("#filters form").is_visible()
    summary.click()
    assert page.locator("select[name=owner]").is_visible()

    # Two filters set: open, and said so.
    page.select_option("select[name=owner]", label="Անի Սարգսյան")
    page.select_option("select[name=status]", value="all")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*owner=\d+.*"))
    assert summary.inner_text() == "Զտիչներ (2)"
    assert page.locator("#filters form").is_visible()

    # A period that ends before it starts: open, the error beside its field.
    page.goto(f"{live_server}{REVERSED_PERIOD}")
    assert page.locator("#filters[open] [data-error=deadline_to]").is_visible()
    page.context.close()


def test_on_a_desktop_the_filters_are_shown_without_their_summary(browser, live_server) -> None:
    page = sign_in_as(browser, live_server, "manager", "en")
    page.goto(f"{live_server}/dashboard")
    assert page.locator("#filters:not([open])").count() == 1
    assert not page.locator("#filters > summary").is_visible()
    assert page.locator("select[name=owner]").is_visible()
    assert box(page, "#filters")["y"] < box(page, "section.figures")["y"]
    page.context.close()


def test_the_dashboards_pictures(browser, live_server, tmp_path: Path) -> None:
    """The README's pictures, in Armenian, as the registry (staff) sees the demo: what the
    window shows first at each size (on a phone the figures, then the folded filters).
    TRACKER_UPDATE_SCREENSHOTS=1 writes them to docs/."""
    target = DOCS if os.environ.get("TRACKER_UPDATE_SCREENSHOTS") == "1" else tmp_path
    page = sign_in_as(browser, live_server, "staff", "hy")
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server}/dashboard")
        shot = page.screenshot()
        assert shot[:8] == b"\x89PNG\r\n\x1a\n"
        (target / f"dashboard-{size}.png").write_bytes(shot)
    page.context.close()


def test_the_checks_find_the_interfaces_words_and_leave_the_data() -> None:
    data = ["Միջազգային համագործակցության բաժին", "Republic of Moldova, Chisinau"]
    chart = "Overdue\nՄիջազգային համագործա…\t3\nReport: Republic of Moldova, Chisinau"
    assert armenian_words(without_cut_data(chart, data), data) == []
    # A cut that does not start a value, and a word of the interface left in Armenian.
    cut = without_cut_data("Overdue համագործա…\tԲաց", data)
    assert armenian_words(cut, data) == ["Բաց", "համագործա"]
    assert without_cut_data("Ժամկետանց Republic of Mol…", data).split() == ["Ժամկետանց"]
    assert english_words("Ժամկետանց Republic of Moldova, Chisinau Open", data) == ["Open"]
