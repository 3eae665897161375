"""The progress report's PDF (tracker/reporting/pdf.py), read back with pypdf: the text in
both languages (Armenian extracted exactly, through the fonts' ToUnicode maps), the header
row repeated on every page of a long table, page numbers, links, embedded fonts, and text
that would break a naive layout (nothing lost, nothing cut off)."""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject
from sqlalchemy import select

from tests.conftest import TODAY, copy_database, make_app
from tracker.auth.services import find_user_by_email
from tracker.dashboard.trends import DepartmentTrend, Trend, TrendPoint
from tracker.extensions import db
from tracker.models import ExtensionStatus, Report, Task, TaskStatus
from tracker.reporting.model import (
    Change,
    Changes,
    EvidenceLink,
    ExtensionLine,
    HeadlineFigures,
    ProgressReport,
    RecommendationLine,
    ReportScope,
    ReportSection,
)
from tracker.reporting.pdf import (
    BODY_SIZE,
    CHUNK_LINES,
    FALLBACK_FONT,
    FONT,
    MARGIN,
    MAX_CELL_LINES,
    SECTION_WIDTHS,
    Piece,
    _close_fonts,
    _deal,
    _font_paths,
    _Lines,
    _LinkedLines,
    _run_heights,
    _surely_short,
    _wrapped,
    clean,
    render_pdf,
)
from tracker.reporting.periods import Period
from tracker.reporting.progress import build_progress, report_name

JUNE = Period.containing("month", date(2026, 6, 1))
BASE = "https://tracker.example.am"
TITLE = "Վերանորոգել Երևանի թիվ 5 դպրոցի տանիքը"
OWNER = "Արամ Պետրոսյան"
SECOND_OWNER = "Anna Smith"
REPORT_TITLE = "Մարզպետի այցը Գյումրի"
MM = 72 / 25.4  # points
A4_LANDSCAPE_WIDTH = 297.0


def recommendation(task_id: int = 1, **changes: Any) -> RecommendationLine:
    line = RecommendationLine(
        task_id=task_id,
        url=f"{BASE}/tasks/{task_id}",
        title=TITLE,
        owners=(OWNER, SECOND_OWNER),
        deadline=date(2026, 5, 1),
        deadline_text="մինչև մայիսի 1-ը",
        status=TaskStatus.OPEN,
        completed_on=None,
        completion_note=None,
        expected_result="Տանիքը չի կաթում",
        cancel_reason=None,
        days_overdue=45,
        done_late=False,
        evidence=(
            EvidenceLink("akt.pdf", f"{BASE}/tasks/{task_id}/files/1"),
            EvidenceLink("https://gov.am/news/1", "https://gov.am/news/1"),
        ),
        extensions=(
            ExtensionLine(
                requested_on=date(2026, 4, 20),
                requested_by=OWNER,
                current_deadline=date(2026, 5, 1),
                proposed_deadline=date(2026, 7, 1),
                reason="Կապալառուն ուշացավ",
                status=ExtensionStatus.REFUSED,
                decided_on=date(2026, 4, 22),
                decided_by="Վարդան Գրիգորյան",
                decision_note="Ոչ",
            ),
        ),
    )
    return replace(line, **changes)


def point(month: int, overdue: int = 3) -> TrendPoint:
    return TrendPoint(
        date(2026, month, 1), recommendations=20, cancelled=2, done=9, overdue=overdue
    )


def progress_report(language: str = "hy", **changes: Any) -> ProgressReport:
    figures = HeadlineFigures(
        recommendations=137,
        done_on_time=52,
        done_late=18,
        open=41,
        overdue=23,
        awaiting_acceptance=9,
        cancelled=17,
    )
    report = ProgressReport(
        scope=ReportScope(JUNE),
        scope_label="Երևանի քաղաքապետարան",
        as_of=date(2026, 6, 15),
        generated_at=datetime(2026, 6, 15, 8, 30, tzinfo=UTC),
        language=language,
        figures=figures,
        sections=(
            ReportSection(
                report_id=7,
                title=REPORT_TITLE,
                destination="Գյումրի",
                trip_start=date(2026, 1, 12),
                trip_end=date(2026, 1, 13),
                lines=(recommendation(1), recommendation(2, status=TaskStatus.DONE)),
            ),
        ),
        changes=Changes(
            previous_period=JUNE.previous(),
            previous=replace(figures, recommendations=130, done_on_time=40),
            events=(Change("completed", date(2026, 6, 3), 2, TITLE, "Ավարտված է"),),
            events_total=1,
        ),
        trend=Trend(
            tuple(point(month) for month in range(1, 7)),
            (
                DepartmentTrend(
                    3, "Ֆինանսների վարչություն", tuple(point(m, 1) for m in range(1, 7))
                ),
            ),
        ),
        lines_total=2,
        most_overdue=(recommendation(1),),
    )
    return replace(report, **changes)


def pages_of(document: bytes) -> list[str]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]
    for text in pages:
        # Glyphs read through the wrong font's map come back as control characters.
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text), text
    return pages


def columns_of(document: bytes, language: str = "hy") -> list[str]:
    """The text of each column of the recommendation tables, top to bottom and page after
    page: a cell's wrapped lines read as one, whatever the cells beside it hold (the plain
    extraction reads a table line by line across its columns)."""
    pages = [page_columns(page, language) for page in PdfReader(io.BytesIO(document)).pages]
    return ["".join(column) for column in zip(*pages, strict=True)]


def page_columns(page: PageObject, language: str = "hy") -> list[str]:
    """A page's text by column of the recommendation tables on it, each table's columns
    found where its header row's cells start (a table narrows the columns it leaves empty)."""
    with force_locale(language):
        first_heading = gettext("Recommendation")
    runs: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        runs.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text))

    page.extract_text(visitor_text=visit)
    runs.sort(key=lambda run: -run[1])
    left = (MARGIN + 3) * MM  # a table's first cell starts within the margin and padding
    header_rows = [y for x, y, text in runs if text.strip() == first_heading and x < left]
    columns: list[list[str]] = [[] for _ in SECTION_WIDTHS]
    edges: list[float] = []
    for x, y, text in runs:
        if header_rows and y <= header_rows[0] + 0.5:
            header = header_rows.pop(0)
            edges = sorted({run[0] for run in runs if abs(run[1] - header) < 0.5})
        if edges:
            columns[max(bisect_right(edges, x + 0.5) - 1, 0)].append(text)
    return ["".join(column) for column in columns]


def squeezed(text: str) -> str:
    """The text without its white space: a title wrapped over lines reads as one."""
    return "".join(text.split())


def uris(document: bytes) -> list[str]:
    found = []
    for page in PdfReader(io.BytesIO(document)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


@pytest.fixture
def hy_pdf(app: Flask) -> bytes:
    return render_pdf(progress_report("hy"))


# --- The text, in both languages -------------------------------------------------------------


def test_armenian_titles_owners_and_figures_come_back_exactly(hy_pdf: bytes) -> None:
    pages = pages_of(hy_pdf)
    text = "\n".join(pages)
    # Words as drawn, through the ToUnicode map ("և" is one letter, not "եւ").
    for word in ("Երևան", "Երևանի", "Պետրոսյան", "Գյումրի", "Ֆինանսների", "Կապալառուն"):
        assert word in text
    assert "եւ" not in text
    assert REPORT_TITLE in text
    assert "Երևանի քաղաքապետարան" in pages[0]
    titles, owners = columns_of(hy_pdf)[:2]
    assert squeezed(TITLE) in squeezed(titles)
    assert squeezed("Տանիքը չի կաթում") in squeezed(titles)
    for name in (OWNER, SECOND_OWNER):
        assert name in owners
    # The headline figures, in the order of their labels, on the cover.
    assert re.search(r"137\s+52\s+18\s+41\s+23\s+9\s+17\s+58%", pages[0])


def test_the_report_reads_in_armenian(hy_pdf: bytes) -> None:
    cover = pages_of(hy_pdf)[0]
    assert "Առաջընթացի հաշվետվություն" in cover
    assert "Հիմնական ցուցանիշներ" in cover
    assert "Կատարման մակարդակ" in cover
    assert "15 հնս, 2026 թ." in cover  # as of: Babel's Armenian medium date
    assert "2026 թ\u2024 հունիս" in cover  # the period (Babel's "թ" with a one-dot leader)
    assert "Progress report" not in cover
    text = "\n".join(pages_of(hy_pdf))
    assert "Ապացույցներ" in text
    assert "մերժվել է" in text  # the refused request for more time


def test_the_cover_names_the_reader_it_was_made_for_as_the_page_does(app: Flask) -> None:
    cover = pages_of(render_pdf(progress_report("hy", generated_by=OWNER)))[0]
    assert re.search(rf"Կազմվել է:[^\n]*2026 թ\.[^\n]*, {OWNER}", cover), cover[:600]
    assert OWNER not in pages_of(render_pdf(progress_report("hy")))[0]


def test_the_report_reads_in_english(app: Flask) -> None:
    document = render_pdf(progress_report("en"))
    pages = pages_of(document)
    cover = pages[0]
    for words in ("Progress report", "Headline figures", "Done on time", "Implementation rate"):
        assert words in cover
    assert "Jun 15, 2026" in cover
    assert "June 2026" in cover
    text = "\n".join(pages)
    # The reader's data stays as written; the words around it are English.
    titles, owners = columns_of(document, "en")[:2]
    assert OWNER in owners
    assert squeezed(TITLE) in squeezed(titles)
    for words in ("Evidence", "More time", "What was done", "Days overdue", "refused"):
        assert squeezed(words) in squeezed(text)
    assert "Առաջընթացի" not in text


def test_status_labels_are_the_task_pages_own(app: Flask) -> None:
    """The status column names a status as the templates' status_label macro does."""
    lines = (recommendation(1, status=TaskStatus.AWAITING_ACCEPTANCE, days_overdue=0),)
    report = progress_report(sections=(replace(progress_report().sections[0], lines=lines),))
    for language, label in (("hy", "Սպասում է ընդունման"), ("en", "Awaiting acceptance")):
        text = "\n".join(pages_of(render_pdf(replace(report, language=language))))
        assert label in text


def test_latin_ligatures_do_not_replace_letters(app: Flask) -> None:
    """No text shaping: "fi" and "ffl" stay letters, so a search for "office" finds it."""
    title = "Official file of the office: ffl fi fl"
    text = "\n".join(
        pages_of(render_pdf(progress_report(most_overdue=(recommendation(title=title),))))
    )
    assert title in text


# --- Pages ------------------------------------------------------------------------------------


def long_report(lines: int = 90) -> ProgressReport:
    section = progress_report().sections[0]
    many = tuple(
        recommendation(number, title=f"{TITLE} {number}") for number in range(1, lines + 1)
    )
    return progress_report(sections=(replace(section, lines=many),), lines_total=lines)


def test_the_table_header_repeats_on_every_page(app: Flask) -> None:
    document = render_pdf(long_report())
    with force_locale("hy"):
        headings = [gettext(words) for words in ("Recommendation", "Evidence", "More time")]
    first_heading = squeezed(headings[0])
    numbered = re.compile(rf"{re.escape(squeezed(TITLE))}\d+")
    table_pages = 0
    for page in PdfReader(io.BytesIO(document)).pages:
        titles = squeezed(page_columns(page)[0])
        found = numbered.search(titles)
        if found is None:
            continue
        table_pages += 1
        # The header row is on the page, above its first line.
        assert first_heading in titles[: found.start()]
        for heading in headings:
            assert squeezed(heading) in squeezed(page.extract_text())
    assert table_pages >= 4
    titles = squeezed(columns_of(document)[0])
    for number in range(1, 91):
        assert squeezed(f"{TITLE} {number}") in titles


def test_every_page_is_numbered_n_of_total(app: Flask) -> None:
    pages = pages_of(render_pdf(long_report()))
    total = len(pages)
    assert total > 3
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {total}" in text


def test_document_metadata(hy_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(hy_pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Առաջընթացի հաշվետվություն: Երևանի քաղաքապետարան"
    assert str(reader.root_object["/Lang"]) == "hy"
    assert len(reader.pages) > 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape


def test_titles_and_evidence_are_links(hy_pdf: bytes) -> None:
    found = uris(hy_pdf)
    assert f"{BASE}/tasks/1" in found
    assert f"{BASE}/tasks/2" in found
    # Each piece of evidence is a link of its own.
    assert f"{BASE}/tasks/1/files/1" in found
    assert f"{BASE}/tasks/2/files/1" in found
    assert "https://gov.am/news/1" in found


def link_rects(document: bytes, page: int) -> dict[str, list[tuple[float, ...]]]:
    rects: dict[str, list[tuple[float, ...]]] = {}
    for annotation in PdfReader(io.BytesIO(document)).pages[page].get("/Annots") or []:
        annotation = annotation.get_object()
        uri = str(annotation["/A"]["/URI"])
        rects.setdefault(uri, []).append(tuple(float(value) for value in annotation["/Rect"]))
    return rects


@pytest.mark.parametrize(
    "long_label",
    [
        "Արձանագրություն",  # the list fits a cell: one cell, a link per line
        "Արձանագրություն " * 6,  # taller: a table row per piece of evidence
    ],
)
def test_each_piece_of_evidence_opens_its_own_address(app: Flask, long_label: str) -> None:
    """Each line of the evidence opens its own piece's address; a label that wraps over
    several lines links from each of them."""
    evidence = (
        EvidenceLink("akt.pdf", f"{BASE}/files/1"),
        EvidenceLink(long_label.strip(), f"{BASE}/files/2"),
        EvidenceLink("foto.jpg", f"{BASE}/files/3"),
    )
    report = progress_report(most_overdue=(recommendation(evidence=evidence),))
    document = render_pdf(report)
    rects = link_rects(document, 1)
    first, second, third = (rects[link.url] for link in evidence)
    assert len(first) == len(third) == 1
    assert len(second) >= (2 if " " in long_label.strip() else 1)
    # Top to bottom, in one column (PDF y grows upwards).
    tops = [rect[1] for rect in first + second + third]
    assert tops == sorted(tops, reverse=True)
    assert len({rect[0] for rect in first + second + third}) == 1
    evidence_column = squeezed(page_columns(PdfReader(io.BytesIO(document)).pages[1])[6])
    assert squeezed(f"akt.pdf{long_label}foto.jpg") in evidence_column


def test_fonts_are_embedded(hy_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(hy_pdf))
    fonts: dict[str, DictionaryObject] = {}
    for page in reader.pages:
        resources = cast(DictionaryObject, page["/Resources"])
        for font in cast(DictionaryObject, resources["/Font"]).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descendant = descendant.get_object()
                fonts[str(descendant["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
            assert "/ToUnicode" in font
    names = {name.split("+", 1)[-1] for name in fonts}
    assert {"NotoSans", "NotoSansBold", "NotoSansArmenian", "NotoSansArmenianBold"} <= names
    for descriptor in fonts.values():
        assert "/FontFile2" in descriptor


# --- Text that would break a naive layout ------------------------------------------------


def test_nothing_is_lost_from_hostile_text(app: Flask) -> None:
    """A title without a space longer than a page, a note of thousands of words, empty
    fields, no dates: every letter is in the PDF, spread over continuation rows."""
    endless = "Ֆ" * 6000  # a letter no heading or footer holds
    words = "բառ " * 3000
    lines = (
        recommendation(1, title=endless, completion_note=words, owners=(), evidence=()),
        recommendation(
            2,
            title="",
            deadline=None,
            deadline_text=None,
            expected_result="",
            completion_note="",
            completed_on=None,
            extensions=(
                ExtensionLine(
                    requested_on=date(2026, 5, 2),
                    requested_by=None,
                    current_deadline=None,
                    proposed_deadline=date(2026, 8, 1),
                    reason="",
                    status=ExtensionStatus.PENDING,
                ),
            ),
            evidence=(EvidenceLink("", f"{BASE}/x"),) * 12,
            days_overdue=0,
        ),
    )
    section = replace(
        progress_report().sections[0],
        title="X" * 3000,
        destination=None,
        trip_start=None,
        trip_end=None,
        lines=lines,
    )
    report = progress_report(sections=(section,), most_overdue=())
    document = render_pdf(report)
    text = "\n".join(pages_of(document))
    blank = replace(lines[0], title="", completion_note="")
    without = "\n".join(
        pages_of(
            render_pdf(
                replace(report, sections=(replace(section, title="", lines=(blank, lines[1])),))
            )
        )
    )
    assert text.count("Ֆ") - without.count("Ֆ") == 6000
    assert text.count("բառ") - without.count("բառ") == 3000
    assert text.count("X") - without.count("X") == 3000
    assert uris(document).count(f"{BASE}/x") == 12
    with force_locale("hy"):
        pending = gettext("waiting for a decision")
    assert squeezed(pending) in squeezed(text)  # a request with no one and no dates on it


def test_an_empty_report_renders(app: Flask) -> None:
    report = progress_report(
        figures=HeadlineFigures(),
        sections=(),
        changes=Changes(JUNE.previous(), HeadlineFigures(), (), 0),
        trend=Trend(()),
        lines_total=0,
        most_overdue=(),
        scope_label="",
    )
    pages = pages_of(render_pdf(report))
    text = "\n".join(pages)
    assert re.search(r"0\s+0\s+0\s+0\s+0\s+0\s+0\s+—", pages[0])  # no rate without tasks
    assert "Այստեղ առաջարկություններ չկան։" in text
    assert "Այս ժամանակահատվածում փոփոխություններ չեն եղել։" in text
    assert f"{len(pages)} / {len(pages)}" in pages[-1]


def test_a_truncated_report_says_so(app: Flask) -> None:
    report = long_report(5)
    text = "\n".join(pages_of(render_pdf(replace(report, lines_total=2500, truncated=True))))
    assert "2500" in squeezed(text)


def test_letters_no_font_draws_are_shown_not_dropped(app: Flask) -> None:
    assert clean("2026-05-01 → 2026-06-01") == "2026-05-01 -> 2026-06-01"
    assert clean("done ✓ 😀 漢") == "done + \ufffd \ufffd"
    assert clean("a\r\nb\tc\x00d\x1b") == "a\nb cd"
    assert clean(None) == ""
    note = "Deadline → July 😀"
    text = "\n".join(
        pages_of(render_pdf(progress_report(most_overdue=(recommendation(completion_note=note),))))
    )
    assert "Deadline -> July \ufffd" in text


def test_a_tall_cell_flows_over_rows_that_each_fit_a_page(app: Flask) -> None:
    """A cell of 400 lines: fpdf2 refuses a row taller than a page, the report splits it."""
    note = "\n".join(f"line {number}" for number in range(400))
    text = "\n".join(
        pages_of(render_pdf(progress_report(most_overdue=(recommendation(completion_note=note),))))
    )
    assert all(f"line {number}" in text for number in range(400))
    assert CHUNK_LINES < 400


# --- The demo, as the governor would print it --------------------------------------------------


@pytest.fixture
def demo_app(tmp_path: Path, demo_template: Path) -> Iterator[Flask]:
    """The demo as `tracker demo` leaves it, on the `clock` fixture's day."""
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=copy_database(demo_template, tmp_path),
        TRACKER_TODAY=TODAY.isoformat(),
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("language", ["hy", "en"])
def test_the_demo_report_as_pdf_holds_its_titles_figures_and_owners(
    demo_app: Flask, language: str
) -> None:
    admin = find_user_by_email("admin@demo.am")
    assert admin is not None
    report = build_progress(
        admin,
        ReportScope(Period.containing("month", TODAY)),
        today=TODAY,
        timezone="Asia/Yerevan",
        language=language,
        base_url=BASE,
        now=datetime.combine(TODAY, time(8), tzinfo=UTC),
    )
    document = render_pdf(report)
    pages = pages_of(document)
    text = "\n".join(pages)
    titles, owners = columns_of(document, language)[:2]

    # Every recommendation of the demo (drafts aside), as the database holds it.
    tasks = db.session.scalars(select(Task).where(Task.status != TaskStatus.DRAFT)).all()
    assert len(tasks) > 10
    assert any(re.search("[\u0531-\u058f]", task.title) for task in tasks)
    for task in tasks:
        assert squeezed(task.title) in squeezed(titles), task.title
        for owner in task.owners:
            assert owner.name in owners, owner.name
    # The trip reports' names head their tables (those with a recommendation confirmed).
    confirmed = Report.tasks.any(Task.status != TaskStatus.DRAFT)
    trip_reports = db.session.scalars(select(Report).where(confirmed)).all()
    assert trip_reports
    for trip_report in trip_reports:
        assert squeezed(report_name(trip_report)) in squeezed(text)

    # The headline figures, counted here from the database, on the cover in their order.
    counted = Counter(task.status for task in tasks)
    figures = report.figures
    assert figures.recommendations == len(tasks)
    assert figures.done == counted[TaskStatus.DONE]
    assert figures.open == counted[TaskStatus.OPEN] + counted[TaskStatus.IN_PROGRESS]
    assert figures.awaiting_acceptance == counted[TaskStatus.AWAITING_ACCEPTANCE]
    assert figures.cancelled == counted[TaskStatus.CANCELLED]
    assert figures.overdue == sum(task.is_overdue(TODAY) for task in tasks)
    assert figures.overdue > 0
    rate = round(100 * figures.done / (figures.recommendations - figures.cancelled))
    values = [
        figures.recommendations,
        figures.done_on_time,
        figures.done_late,
        figures.open,
        figures.overdue,
        figures.awaiting_acceptance,
        figures.cancelled,
    ]
    row = r"\s+".join([*(str(value) for value in values), f"{rate}%"])
    assert re.search(row, pages[0]), pages[0]

    words = {
        "hy": ("Առաջընթացի հաշվետվություն", "Հիմնական ցուցանիշներ"),
        "en": ("Progress report", "Headline figures"),
    }
    for heading in words[language]:
        assert heading in pages[0]


# --- The pieces of the layout, directly -------------------------------------------------------


AKT, FOTO = Piece("akt.pdf", "a"), Piece("foto.jpg", "c")


@pytest.mark.parametrize(
    ("pieces", "lines", "addresses"),
    [
        ([AKT, FOTO], ["akt.pdf", "foto.jpg"], ["a", "c"]),
        # A label wrapped over lines: each of its lines opens its address.
        (
            [AKT, Piece("Արձանագրություն Արձանագրություն", "b"), FOTO],
            ["akt.pdf", "Արձանագրություն", "Արձանագրություն", "foto.jpg"],
            ["a", "b", "b", "c"],
        ),
        # A word broken inside, for want of a space.
        ([Piece("abcdefghijkl", "e")], ["abcdefgh", "ijkl"], ["e", "e"]),
        # Two pieces alike, two addresses.
        ([AKT, Piece("akt.pdf", "z")], ["akt.pdf", "akt.pdf"], ["a", "z"]),
        # More lines than pieces (never drawn so): no address rather than a wrong one.
        ([AKT, FOTO], ["akt.pdf", "foto.jpg", "extra"], ["a", "c", None]),
    ],
)
def test_linked_lines_follow_their_pieces(
    pieces: list[Piece], lines: list[str], addresses: list[str | None]
) -> None:
    linked = _LinkedLines(pieces)
    assert [linked.address(line) for line in lines] == addresses


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("", True),
        ("akt.pdf", True),
        ("word " * 20, True),
        ("word " * 400, False),
        ("\n" * 40, False),
        ("Ֆ" * 5000, False),
    ],
)
def test_surely_short_never_says_short_of_a_tall_cell(text: str, short: bool) -> None:
    assert _surely_short(text, 40.0) is short


def test_a_cell_taller_than_a_row_is_dealt_over_rows() -> None:
    """Heights of a run: a row per piece of a column of links, then rows of CHUNK_LINES."""
    flowing = [_Lines(tuple(f"line {n}" for n in range(20)), None)]
    links = [_Lines(("a",), "x"), _Lines(("b", "b2"), "y")]
    heights = _run_heights([flowing, links])
    assert heights[:2] == [1, 2]
    assert sum(heights) >= 20
    assert all(height <= CHUNK_LINES for height in heights)
    dealt = _deal(flowing, heights)
    assert "\n".join(piece.text for piece in dealt if piece.text).split("\n") == list(
        flowing[0].lines
    )
    assert [piece.link for piece in _deal(links, heights)][:3] == ["x", "y", None]


@pytest.fixture(scope="module")
def measuring_pdf() -> Iterator[FPDF]:
    """A page set as the report's tables are, to measure a cell's lines on."""
    with ExitStack() as files:
        pdf = FPDF()
        for (family, style), path in _font_paths(files).items():
            pdf.add_font(family, style, path)
        pdf.set_fallback_fonts([FALLBACK_FONT], exact_match=False)
        pdf.c_margin = 0
        pdf.add_page()
        pdf.set_font(FONT, size=BODY_SIZE)
        yield pdf
        _close_fonts(pdf)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("Wwi. -—\nԵրևանՖՇՄ0123456789")), max_size=1200),
    width=st.floats(min_value=8, max_value=120),
)
def test_a_cell_said_short_wraps_in_no_more_lines_than_a_row_holds(
    measuring_pdf: FPDF, text: str, width: float
) -> None:
    """Whatever the letters and the width: when the cheap estimate says a cell fits one row,
    fpdf2's own wrapping agrees."""
    if _surely_short(text, width):
        assert len(_wrapped(measuring_pdf, text, width)) <= MAX_CELL_LINES
