"""The progress report printed by chromium (#14): A4 pages numbered "n / N", each table's
header repeated on every page it runs across, nothing wider than the paper; the picture of
its first page for the README (TRACKER_UPDATE_SCREENSHOTS=1 writes docs/progress-report.png)."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.browser.test_in_chromium import DOCS
from tests.conftest import TODAY, make_app
from tracker.extensions import db
from tracker.models import Report, ReportStatus, Task, User
from tracker.tasks.services import create_task, mark_done

# A4 at 96 px an inch, less the report's @page margins (12 mm each side): what a line of
# the printed page may hold.
A4_WIDTH_PX = 210 / 25.4 * 96
PRINTED_WIDTH_PX = (210 - 24) / 25.4 * 96
# The header of a recommendations table, in Armenian, as pypdf reads it from the page.
HEADER_WORDS = (
    "Առաջարկություն",
    "Պատասխանատուներ",
    "Կարգավիճակ",
    "Ինչ է արվել",
    "Լրացուցիչ ժամանակ",
)
# A word no line can break between spaces, and an address as long: the print must wrap them.
LONG_WORD = "փաստաթղթաշրջանառության" * 4
LONG_ADDRESS = "https://shirak.mtad.am/documents/" + "a1b2c3d4e5" * 12


@pytest.fixture
def crowded_server(live_server: str, tmp_path: Path) -> str:
    """The demo with 80 more recommendations in its first confirmed trip report, some with
    a long note, an unbreakable word and a long evidence address: enough for several pages."""
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.sqlite'}",
        TRACKER_TODAY=TODAY.isoformat(),
        TRACKER_REQUIRE_ACCEPTANCE=False,
    )
    with app.app_context():
        officer = db.session.scalars(select(User).where(User.email == "officer@demo.am")).one()
        staff = db.session.scalars(select(User).where(User.email == "staff@demo.am")).one()
        report = db.session.scalars(
            select(Report).where(Report.status == ReportStatus.CONFIRMED).order_by(Report.id)
        ).first()
        assert report is not None
        for number in range(80):
            task = create_task(
                f"Առաջարկություն {number + 1}․ մշակել և ներդնել {LONG_WORD} համակարգ",
                [officer],
                actor=None,
                deadline=TODAY - timedelta(days=number % 40 - 10),
                deadline_text="մինչև տարեվերջ",
            )
            task.report = report
            task.position = 1000 + number
            if number % 3 == 0:
                mark_done(task, staff, f"Կատարված է․ {LONG_WORD}", evidence_url=LONG_ADDRESS)
        db.session.commit()
        assert (db.session.scalar(select(db.func.count(Task.id))) or 0) >= 80
        db.session.remove()
        db.engine.dispose()
    return live_server


# Under print media: how wide the document is, and each table's right edge.
MEASURE_PRINT = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  tables: [...document.querySelectorAll('table')].map(
    (table) => table.getBoundingClientRect().right),
  // An SVG clips what it draws: its own box counts, not its texts'.
  widest: [...document.querySelectorAll('.progress-report *')].filter(
    (element) => element.tagName === 'svg' || !element.closest('svg')).reduce((found, element) => {
    const right = element.getBoundingClientRect().right;
    return right > found.right ? {right, tag: element.tagName + '.' + element.className} : found;
  }, {right: 0, tag: ''}),
})"""


def test_the_printed_report_repeats_its_headers_numbers_its_pages_and_fits_a4(
    browser, crowded_server
) -> None:
    page = sign_in(browser, crowded_server, "staff@demo.am", "demo-staff")
    page.set_viewport_size({"width": round(PRINTED_WIDTH_PX), "height": 1000})
    page.goto(f"{crowded_server}/reports/progress")
    assert page.locator("h1").inner_text() == "Առաջընթացի հաշվետվություն"
    page.emulate_media(media="print")

    measured = page.evaluate(MEASURE_PRINT)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert measured["tables"], "no table printed"
    assert all(right <= measured["clientWidth"] + 0.5 for right in measured["tables"]), measured
    assert measured["widest"]["right"] <= measured["clientWidth"] + 0.5, measured
    # What the print leaves out: the menu, the scope form and the buttons.
    for hidden in ("header.topbar", "form#scope", "a[data-pdf]"):
        assert not page.locator(hidden).is_visible(), hidden

    document = PdfReader(io.BytesIO(page.pdf(format="A4")))
    pages = [sheet.extract_text() for sheet in document.pages]
    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"(?<!\d){number}\s*/\s*{total}(?!\d)", text), (number, text[-200:])
    # The recommendations' tables come last and run over several pages: every page from
    # the first that holds one repeats the header.
    flat = [" ".join(text.split()) for text in pages]
    holding = [all(word in text for word in HEADER_WORDS) for text in flat]
    first = holding.index(True)
    assert total - first >= 3, (first, total)
    assert all(holding[first:]), [number for number, held in enumerate(holding, 1) if not held]
    width, height = (float(value) for value in document.pages[0].mediabox.upper_right)
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1.5  # A4 in points
    page.context.close()


def test_the_first_page_of_the_demos_report(browser, live_server, tmp_path: Path) -> None:
    """The picture in the README: the report's first page as printed on A4 (print media at
    the paper's width, with the paper's margins around it)."""
    width, height = round(A4_WIDTH_PX), round(297 / 25.4 * 96)
    # CSP bypassed only to draw the paper's margins around the page for the picture.
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="hy-AM", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "staff@demo.am")
    page.fill("input[name=password]", "demo-staff")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard$"))
    page.goto(f"{live_server}/reports/progress")
    page.emulate_media(media="print")
    page.add_style_tag(content="body { padding: 14mm 12mm; }")
    assert page.locator('[data-figure="recommendations"] dd').inner_text() != "0"
    shot = page.screenshot(full_page=False)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    target = DOCS if os.environ.get("TRACKER_UPDATE_SCREENSHOTS") == "1" else tmp_path
    (target / "progress-report.png").write_bytes(shot)
    context.close()


# Each cell of "What changed" that a word would overflow if it could not break inside it.
WORDS_BROKEN = """() => [...document.querySelectorAll('.report-compare th, .report-compare td')]
  .filter((cell) => cell.offsetParent !== null).filter((cell) => {
    cell.style.overflowWrap = 'normal';
    cell.style.wordBreak = 'normal';
    return cell.scrollWidth > cell.clientWidth + 1;
  }).map((cell) => cell.textContent.trim())"""


def test_on_a_phone_what_changed_breaks_no_armenian_word(browser, live_server) -> None:
    page = sign_in(browser, live_server, "staff@demo.am", "demo-staff")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/reports/progress")
    compare = page.locator(".report-compare")
    assert "Առաջարկություններ" in compare.inner_text()
    # Each figure with its values, labelled: the period's end, now and the change.
    row = compare.locator("tbody tr").first
    assert (
        row.locator("td")
        .first.evaluate("(cell) => getComputedStyle(cell, '::before').content")
        .startswith('"2026')
    )
    assert page.evaluate(WORDS_BROKEN) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
