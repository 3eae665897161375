"""The progress report as a PDF (#14), drawn on the server with fpdf2 from the report's
values (tracker.reporting.model), in the report's language.

A4 landscape throughout: the table of a trip report has nine columns (recommendation,
owners, deadline, status, completed, what was done, evidence, extension requests, days
overdue), and three of them hold free text; at 273 mm wide each keeps a readable width at
8 pt, where portrait's 186 mm would squeeze them to a word or two per line. One orientation
also prints the same on every printer (no page turned in the middle of the document).

Noto Sans draws the Latin text and Noto Sans Armenian, as fpdf2's fallback font, whatever
Noto Sans lacks, so a line that mixes both scripts renders in one pass. Both are embedded as
subsets with a ToUnicode map, so the text extracted from the PDF is the text of the report.
No text shaping: Armenian needs none, and without it no ligature ("fi") replaces letters.

Nothing is cut off: a table cell taller than what fits on a page is split into continuation
rows (fpdf2 refuses a row taller than a page), every evidence link gets a row of its own
(a table cell carries one link), and the header row repeats on every page.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, cast

from babel.dates import format_skeleton
from flask import get_template_attribute
from flask_babel import force_locale, format_date, format_percent, get_locale
from flask_babel import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import CellBordersLayout, MethodReturnValue, TableHeadingsDisplay, VAlign
from markupsafe import Markup

from tracker.dashboard.trends import TrendPoint
from tracker.display import when
from tracker.models import ExtensionStatus, TaskStatus
from tracker.reporting.model import (
    Change,
    Changes,
    ExtensionLine,
    HeadlineFigures,
    ProgressReport,
    RecommendationLine,
    ReportSection,
)
from tracker.reporting.periods import Period
from tracker.reporting.progress import change_label

FONT = "NotoSans"
FALLBACK_FONT = "NotoSansArmenian"
_FONT_FILES = {
    (FONT, ""): "NotoSans-Regular.ttf",
    (FONT, "B"): "NotoSans-Bold.ttf",
    (FALLBACK_FONT, ""): "NotoSansArmenian-Regular.ttf",
    (FALLBACK_FONT, "B"): "NotoSansArmenian-Bold.ttf",
}
MARGIN = 12.0  # mm, each side
BODY_SIZE = 8.0  # pt, the tables
LINE_HEIGHT = BODY_SIZE * 0.3528 * 1.3  # mm
CELL_PADDING = 1.2  # mm
# A table cell holds at most this many lines; the rest goes to continuation rows. A page
# holds about 48 lines of the body under the repeated header, so a row of this height
# always fits, wherever the lines of a longer cell would break anew.
MAX_CELL_LINES = 32
CHUNK_LINES = 6  # the rows of a longer cell: short, so that the page fills before a break
DASH = "—"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
HEADING_SIZE = 7.0  # pt, the tables' header rows
_HEADINGS = FontFace(emphasis="BOLD", size_pt=HEADING_SIZE, fill_color=(230, 233, 238))
GREY = (90, 90, 90)
LINK_BLUE = (20, 70, 160)


@dataclass(frozen=True)
class Piece:
    """What a table cell shows, with the address it opens (one per cell in fpdf2)."""

    text: str
    link: str | None = None


Cell = tuple[Piece, ...]  # a logical cell: one or more pieces stacked in its column


def render_pdf(report: ProgressReport) -> bytes:
    """The report as a PDF document, in the report's language. Needs an application
    context (the translations and the templates' status names)."""
    with force_locale(report.language), ExitStack() as files:
        pdf = _ReportPDF(report, _font_paths(files))
        files.callback(_close_fonts, pdf)
        _cover(pdf, report)
        _changes(pdf, report)
        _most_overdue(pdf, report.most_overdue)
        _trend(pdf, report)
        _sections(pdf, report)
        return bytes(pdf.output())


def _close_fonts(pdf: FPDF) -> None:
    """fpdf2 keeps each font file open (read lazily) until its font is closed."""
    for font in pdf.fonts.values():
        close = getattr(font, "close", None)
        if close is not None:
            close()


def _font_paths(files: ExitStack) -> dict[tuple[str, str], str]:
    """The fonts as files on disk, from the installed package (a zipped one included)."""
    folder = resources.files(__package__ or "tracker.reporting").joinpath("fonts")
    return {
        key: str(files.enter_context(resources.as_file(folder.joinpath(name))))
        for key, name in _FONT_FILES.items()
    }


_LINKED = "tracker-linked-lines:"


class _LinkedLines:
    """The pieces of one cell, each with its address, followed line by line as fpdf2 draws
    them (a piece may wrap over several lines; white space is where lines break)."""

    def __init__(self, pieces: Sequence[Piece]) -> None:
        self.pieces = [("".join(piece.text.split()), piece.link) for piece in pieces]
        self.index = 0
        self.consumed = 0

    def address(self, line: str) -> str | None:
        line = "".join(line.split())
        while self.index < len(self.pieces):
            text, link = self.pieces[self.index]
            if text[self.consumed :].startswith(line):
                self.consumed += len(line)
                if self.consumed >= len(text):
                    self.index, self.consumed = self.index + 1, 0
                return link
            self.index, self.consumed = self.index + 1, 0
        return None


class _ReportPDF(FPDF):
    def __init__(self, report: ProgressReport, fonts: dict[tuple[str, str], str]) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        for (family, style), path in fonts.items():
            self.add_font(family, style, path)
        self.set_fallback_fonts([FALLBACK_FONT], exact_match=False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        # No inner margin in a cell: the tables pad theirs, and measuring a cell's lines
        # (multi_cell without padding) then wraps them in the width the table gives.
        self.c_margin = 0
        self.set_auto_page_break(True, margin=MARGIN + 4)
        self.alias_nb_pages()
        self.footer_text = f"{_('Progress report')} · {clean(report.scope_label)}"
        self.set_title(f"{_('Progress report')}: {clean(report.scope_label)}")
        self.set_lang(report.language)
        self.set_subject(self.footer_text)
        self.set_creator("Follow-up Tracker")
        self.set_creation_date(report.generated_at)
        self.set_font(FONT, size=BODY_SIZE)
        self.linked: dict[str, _LinkedLines] = {}

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> bool:
        """Sets the current font on the page before a line of text. fpdf2 2.8.9 otherwise,
        on a page where no font is set yet, sets it inside a line that draws some of its
        letters with the fallback font, inside the q … Q that wraps such a line, and counts
        it as set for the page: after Q the next cell's text (a page number after Armenian
        words) was drawn with no font, or the fallback's, and read back as garbage."""
        if self.page and not self.current_font_is_set_on_page and self.current_font:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        link = kwargs.get("link")
        if isinstance(link, str) and link in self.linked:
            # Measuring (writing disabled) draws nothing: the lines are not consumed.
            writing = isinstance(self._out, types.MethodType)
            line = "".join(fragment.string for fragment in args[0].fragments)
            kwargs["link"] = self.linked[link].address(line) if writing else None
        return bool(super()._render_styled_text_line(*args, **kwargs))

    def linked_cell(self, pieces: Sequence[Piece]) -> Piece:
        """One cell for pieces that open different addresses (a table cell has one link):
        its link is a key that each line drawn swaps for its piece's address."""
        key = f"{_LINKED}{len(self.linked)}"
        self.linked[key] = _LinkedLines(pieces)
        return Piece("\n".join(piece.text for piece in pieces), key)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, size=7)
        self.set_text_color(*GREY)
        number = f"{self.page_no()} / {self.alias_nb_pages_text}"
        number_width = 30.0
        self.cell(self.epw - number_width, 5, _fit(self, self.footer_text, self.epw - 40))
        self.cell(number_width, 5, number, align="R")
        self.set_text_color(0, 0, 0)

    @property
    def alias_nb_pages_text(self) -> str:
        return self.str_alias_nb_pages or "{nb}"


# --- Words --------------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """Text as a cell shows it: line ends as newlines, tabs as spaces, other control
    characters (invisible, and refused by some PDF readers) dropped; a letter neither font
    draws as its nearest drawn equivalent ("→" as "->"), or as "\ufffd" rather than nothing."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text).strip()
    covered = _covered()
    if all(ord(letter) in covered for letter in text):
        return text
    return "".join(_drawn(letter, covered) for letter in text)


def _drawn(letter: str, covered: frozenset[int]) -> str:
    if ord(letter) in covered or letter == "\n":
        return letter
    return _SUBSTITUTES.get(letter, "\ufffd")


_SUBSTITUTES = {
    "→": "->",
    "←": "<-",
    "⇒": "=>",
    "−": "-",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "✓": "+",
    "✔": "+",
    "\u2028": "\n",
    "\u2029": "\n",
}


@cache
def _covered() -> frozenset[int]:
    """Every character one of the two fonts draws (the bold fonts cover the same)."""
    with ExitStack() as files:
        pdf = FPDF()
        files.callback(_close_fonts, pdf)
        for (family, style), path in _font_paths(files).items():
            if not style:
                pdf.add_font(family, style, path)
        return frozenset(code for font in pdf.fonts.values() for code in getattr(font, "cmap", {}))


def _or_dash(text: str | None) -> str:
    return clean(text) or DASH


def _day(value: date | None) -> str:
    return when(value) if value is not None else DASH


def _percent(rate: float | None) -> str:
    return format_percent(rate) if rate is not None else DASH


def status_label(status: TaskStatus) -> str:
    """The status as the task pages name it (the templates' status_label macro)."""
    macro = get_template_attribute("_macros.html", "status_label")
    return Markup(macro(status)).unescape().strip()


# As the HTML page (templates/reporting/progress.html) names them.
def extension_status_label(status: ExtensionStatus) -> str:
    return {
        ExtensionStatus.PENDING: _("waiting for a decision"),
        ExtensionStatus.APPROVED: _("approved"),
        ExtensionStatus.REFUSED: _("refused"),
        ExtensionStatus.WITHDRAWN: _("withdrawn"),
    }[status]


def period_label(period: Period) -> str:
    """ "June 2026", "2nd quarter 2026", "2026" in the current language (as the HTML
    page names a period)."""
    skeleton = {"month": "yMMMM", "quarter": "yQQQQ", "year": "y"}[period.kind]
    return format_skeleton(skeleton, period.start, locale=get_locale())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """One line of the footer: shortened with an ellipsis rather than overflowing."""
    text = " ".join(text.split())
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


# --- Blocks of the document ----------------------------------------------------------------


def _heading(pdf: FPDF, text: str, size: float = 13) -> None:
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, size * 0.3528 * 1.35, clean(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.set_font(FONT, size=BODY_SIZE)


def _paragraph(pdf: FPDF, text: str, size: float = 9, grey: bool = False) -> None:
    pdf.set_font(FONT, size=size)
    if grey:
        pdf.set_text_color(*GREY)
    pdf.multi_cell(0, size * 0.3528 * 1.35, clean(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, size=BODY_SIZE)


def _cover(pdf: FPDF, report: ProgressReport) -> None:
    pdf.add_page()
    _paragraph(pdf, f"{_('Follow-up Tracker')} · {_('Progress report')}", size=10, grey=True)
    pdf.set_font(FONT, "B", 22)
    pdf.multi_cell(0, 10, _("Progress report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, _or_dash(report.scope_label), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    facts = [
        (_("Period"), period_label(report.scope.period)),
        (_("Figures as of"), _day(report.as_of)),
        # Who it was made for, as on the page.
        (_("Generated"), ", ".join(filter(None, (when(report.generated_at), report.generated_by)))),
    ]
    for label, value in facts:
        _paragraph(pdf, f"{label}: {value}", size=10)
    if report.truncated:
        shown = sum(len(section.lines) for section in report.sections)
        pdf.ln(1)
        _paragraph(pdf, _truncated(shown, report.lines_total), size=10)
    pdf.ln(4)
    _heading(pdf, _("Headline figures"), 12)
    _figures_table(pdf, report.figures)


def _truncated(shown: int, total: int) -> str:
    return _(
        "The report lists the first %(shown)d of %(total)d recommendations; the figures"
        " count them all. Choose a trip report, a department or a period for the rest.",
        shown=shown,
        total=total,
    )


def figure_rows(figures: HeadlineFigures) -> list[tuple[str, str]]:
    """The headline figures, labelled, in the order of the HTML page."""
    return [
        (_("Recommendations"), str(figures.recommendations)),
        (_("Done on time"), str(figures.done_on_time)),
        (_("Done late"), str(figures.done_late)),
        (_("Open"), str(figures.open)),
        (_("Overdue"), str(figures.overdue)),
        (_("Awaiting acceptance"), str(figures.awaiting_acceptance)),
        (_("Cancelled"), str(figures.cancelled)),
        (_("Implementation rate"), _percent(figures.implementation_rate)),
    ]


def _figures_table(pdf: FPDF, figures: HeadlineFigures) -> None:
    rows = figure_rows(figures)
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=[1] * len(rows),
        text_align="CENTER",
        line_height=9 * 0.3528 * 1.3,
        padding=CELL_PADDING,
        headings_style=_HEADINGS,
        v_align=VAlign.M,
    ) as table:
        labels = table.row()
        for label, _value in rows:
            labels.cell(label)
        values = table.row()
        for _label, value in rows:
            values.cell(value, style=FontFace(emphasis="BOLD", size_pt=14))
    pdf.set_font(FONT, size=BODY_SIZE)
    pdf.ln(4)


def compared_figures(before: HeadlineFigures, now: HeadlineFigures) -> list[list[str]]:
    """The rows of "What changed": the figure, at the end of the previous period, now, and
    the difference (the rows of the HTML page)."""
    counts = [
        (_("Recommendations"), before.recommendations, now.recommendations),
        (_("Done"), before.done, now.done),
        (_("Open"), before.open, now.open),
        (_("Overdue"), before.overdue, now.overdue),
        (_("Awaiting acceptance"), before.awaiting_acceptance, now.awaiting_acceptance),
        (_("Cancelled"), before.cancelled, now.cancelled),
    ]
    rows = [
        [label, str(old), str(new), f"{new - old:+d}" if new != old else "0"]
        for label, old, new in counts
    ]
    rate = [_percent(before.implementation_rate), _percent(now.implementation_rate)]
    return [*rows, [_("Implementation rate"), *rate, ""]]


def _changes(pdf: FPDF, report: ProgressReport) -> None:
    changes = report.changes
    _heading(pdf, _("What changed"), 12)
    rows = [
        [(Piece(text),) for text in row]
        for row in compared_figures(changes.previous, report.figures)
    ]
    at_end = _("At the end of %(period)s", period=period_label(changes.previous_period))
    _table(pdf, [_("Figure"), at_end, _("Now"), _("Change")], [3, 2, 2, 1], rows)
    _heading(pdf, _("Events of %(period)s", period=period_label(report.scope.period)), 10)
    _events(pdf, changes)


def _events(pdf: FPDF, changes: Changes) -> None:
    if not changes.events:
        _paragraph(pdf, _("Nothing changed in this period."), grey=True)
        pdf.ln(3)
        return
    rows = [_event_row(event) for event in changes.events]
    headings = [_("Date"), _("What"), _("Recommendation"), _("Details")]
    _table(pdf, headings, [2, 3, 7, 7], rows)
    if changes.events_total > len(changes.events):
        shown, total = len(changes.events), changes.events_total
        _paragraph(
            pdf, _("The latest %(shown)d of %(total)d events.", shown=shown, total=total), grey=True
        )
        pdf.ln(3)


def _event_row(event: Change) -> list[Cell]:
    return [
        (Piece(_day(event.on)),),
        (Piece(change_label(event.kind)),),
        (Piece(_or_dash(event.title)),),
        (Piece(_or_dash(event.detail)),),
    ]


def _most_overdue(pdf: FPDF, lines: Sequence[RecommendationLine]) -> None:
    if not lines:
        return
    if pdf.will_page_break(40):
        pdf.add_page()
    _heading(pdf, _("The most overdue"), 12)
    _table(
        pdf,
        section_headings(),
        list(SECTION_WIDTHS),
        [recommendation_cells(line) for line in lines],
    )


# --- The trend -----------------------------------------------------------------------------

MONTHS_PER_TABLE = 12


def _trend(pdf: FPDF, report: ProgressReport) -> None:
    points = report.trend.total
    if not points:
        return
    pdf.add_page()
    _heading(pdf, _("The last 12 months"), 12)
    _chart(pdf, points)
    for start in range(0, len(points), MONTHS_PER_TABLE):
        months = points[start : start + MONTHS_PER_TABLE]
        rows = [
            [(Piece(_("Implementation rate")),)]
            + [(Piece(_percent(p.implementation_rate)),) for p in months],
            [(Piece(_("Overdue")),)] + [(Piece(str(p.overdue)),) for p in months],
            [(Piece(_("Recommendations")),)] + [(Piece(str(p.recommendations)),) for p in months],
        ]
        _table(pdf, ["", *(_month(p.month) for p in months)], _trend_widths(months), rows)
    _department_trends(pdf, report)


def _department_trends(pdf: FPDF, report: ProgressReport) -> None:
    departments = report.trend.by_department
    if not departments:
        return
    _heading(pdf, _("By department"), 11)
    _paragraph(pdf, f"{_('Implementation rate')} · {_('Overdue')}", grey=True)
    months = max(len(department.points) for department in departments)
    for start in range(0, months, MONTHS_PER_TABLE):
        window = slice(start, start + MONTHS_PER_TABLE)
        heads = next(d.points[window] for d in departments if len(d.points) >= months)
        rows = [
            [(Piece(department.name),)]
            + [
                (Piece(f"{_percent(p.implementation_rate)} · {p.overdue}"),)
                for p in department.points[window]
            ]
            for department in departments
        ]
        headings = [_("Department"), *(_month(p.month) for p in heads)]
        _table(pdf, headings, _trend_widths(heads), rows)


def _trend_widths(months: Sequence[TrendPoint]) -> list[float]:
    return [4.0] + [1.5] * len(months)


def _month(day: date) -> str:
    return format_date(day, "LLL y")


CHART_HEIGHT = 42.0


def _chart(pdf: FPDF, points: Sequence[TrendPoint]) -> None:
    """Two small charts side by side: the implementation rate as a line (0 to 100 %), the
    overdue count as bars."""
    top = pdf.get_y() + 2
    width = (pdf.epw - 10) / 2
    _frame(pdf, MARGIN, top, width, _("Implementation rate"), "100%")
    _rate_line(pdf, points, MARGIN, top, width)
    right = MARGIN + width + 10
    most = max((p.overdue for p in points), default=0)
    _frame(pdf, right, top, width, _("Overdue"), str(most))
    _overdue_bars(pdf, points, right, top, width, most)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_line_width(0.2)
    pdf.set_y(top + CHART_HEIGHT + 12)


def _frame(pdf: FPDF, x: float, top: float, width: float, title: str, scale: str) -> None:
    pdf.set_font(FONT, "B", 8)
    pdf.set_xy(x, top)
    pdf.cell(width, 4, title)
    pdf.set_font(FONT, size=6.5)
    pdf.set_text_color(*GREY)
    pdf.set_xy(x, top + 5)
    pdf.cell(width, 3, scale)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(160, 160, 160)
    pdf.set_line_width(0.2)
    pdf.line(x, top + 5 + CHART_HEIGHT, x + width, top + 5 + CHART_HEIGHT)


def _slot(x: float, width: float, count: int, index: int) -> tuple[float, float]:
    slot = width / max(count, 1)
    return x + slot * index, slot


def _rate_line(pdf: FPDF, points: Sequence[TrendPoint], x: float, top: float, width: float) -> None:
    base = top + 5 + CHART_HEIGHT
    pdf.set_draw_color(*LINK_BLUE)
    pdf.set_fill_color(*LINK_BLUE)
    pdf.set_line_width(0.5)
    previous: tuple[float, float] | None = None
    for index, point in enumerate(points):
        left, slot = _slot(x, width, len(points), index)
        _month_tick(pdf, point.month, left, slot, base)
        rate = point.implementation_rate
        if rate is None:
            previous = None
            continue
        here = (left + slot / 2, base - rate * (CHART_HEIGHT - 4))
        if previous is not None:
            pdf.line(*previous, *here)
        pdf.ellipse(here[0] - 0.8, here[1] - 0.8, 1.6, 1.6, style="F")
        previous = here


def _overdue_bars(
    pdf: FPDF, points: Sequence[TrendPoint], x: float, top: float, width: float, most: int
) -> None:
    base = top + 5 + CHART_HEIGHT
    pdf.set_fill_color(196, 60, 50)
    for index, point in enumerate(points):
        left, slot = _slot(x, width, len(points), index)
        _month_tick(pdf, point.month, left, slot, base)
        if most and point.overdue:
            height = point.overdue / most * (CHART_HEIGHT - 4)
            pdf.rect(left + slot * 0.2, base - height, slot * 0.6, height, style="F")


def _month_tick(pdf: FPDF, month: date, left: float, slot: float, base: float) -> None:
    pdf.set_font(FONT, size=6)
    pdf.set_text_color(*GREY)
    pdf.set_xy(left, base + 0.8)
    pdf.cell(slot, 3, format_date(month, "LLL"), align="C")
    pdf.set_text_color(0, 0, 0)


# --- The trip reports' tables --------------------------------------------------------------

SECTION_WIDTHS = (18, 12, 10, 9, 8, 14, 9, 14, 6)


def section_headings() -> list[str]:
    return [
        _("Recommendation"),
        _("Owners"),
        _("Deadline"),
        _("Status"),
        _("Completed"),
        _("What was done"),
        _("Evidence"),
        _("More time"),
        _("Days overdue"),
    ]


def _sections(pdf: FPDF, report: ProgressReport) -> None:
    pdf.add_page()
    _heading(pdf, _("Recommendations"), 14)
    if not report.sections:
        _paragraph(pdf, _("No recommendations here."), grey=True)
    for section in report.sections:
        _section(pdf, section)
    if report.truncated:
        shown = sum(len(section.lines) for section in report.sections)
        _paragraph(pdf, _truncated(shown, report.lines_total), size=10)


def _section(pdf: FPDF, section: ReportSection) -> None:
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.ln(2)
    _heading(pdf, _or_dash(section.title), 11)
    facts = [clean(section.destination)] if clean(section.destination) else []
    if section.trip_start or section.trip_end:
        facts.append(f"{_day(section.trip_start)} – {_day(section.trip_end)}")
    if facts:
        _paragraph(pdf, ", ".join(facts), grey=True)
        pdf.ln(1)
    if not section.lines:
        _paragraph(pdf, _("No recommendations here."), grey=True)
        return
    rows = [recommendation_cells(line) for line in section.lines]
    _table(pdf, section_headings(), list(SECTION_WIDTHS), rows)


def recommendation_cells(line: RecommendationLine) -> list[Cell]:
    """A recommendation's cells, in the order of section_headings()."""
    title = _or_dash(line.title)
    if clean(line.expected_result):
        title += f"\n{_('Expected result')}: {clean(line.expected_result)}"
    evidence = tuple(Piece(_or_dash(link.label), link.url) for link in line.evidence)
    return [
        (Piece(title, line.url),),
        (Piece(_owners(line.owners)),),
        (Piece(_deadline(line)),),
        (Piece(_status(line)),),
        (Piece(_day(line.completed_on)),),
        (Piece(_what_was_done(line)),),
        evidence or (Piece(DASH),),
        (Piece(_extensions(line.extensions)),),
        (Piece(str(line.days_overdue) if line.days_overdue > 0 else DASH),),
    ]


def _owners(owners: Sequence[str]) -> str:
    return "\n".join(clean(owner) for owner in owners if clean(owner)) or DASH


def _deadline(line: RecommendationLine) -> str:
    text = _day(line.deadline) if line.deadline else _("No deadline")
    if clean(line.deadline_text):
        text += f"\n({clean(line.deadline_text)})"
    return text


def _status(line: RecommendationLine) -> str:
    words = [status_label(line.status)]
    if line.done_late:
        words.append(_("late"))
    if line.days_overdue > 0:
        words.append(_("Overdue"))
    return "\n".join(words)


def _what_was_done(line: RecommendationLine) -> str:
    parts = [clean(line.completion_note)] if clean(line.completion_note) else []
    if clean(line.cancel_reason):
        parts.append(f"{_('Cancelled')}: {clean(line.cancel_reason)}")
    return "\n".join(parts) or DASH


def _extensions(extensions: Sequence[ExtensionLine]) -> str:
    return "\n\n".join(_extension(extension) for extension in extensions) or DASH


def _extension(extension: ExtensionLine) -> str:
    """As the HTML page words a request for more time: when and by whom, the deadline
    asked for and why, the decision, when and by whom, and its note."""
    text = _day(extension.requested_on)
    if clean(extension.requested_by):
        text += f", {clean(extension.requested_by)}"
    text += f": {_day(extension.proposed_deadline)}"
    if clean(extension.reason):
        text += f" ({clean(extension.reason)})"
    text += f" — {extension_status_label(extension.status)}"
    decided = extension.status in (ExtensionStatus.APPROVED, ExtensionStatus.REFUSED)
    if decided and extension.decided_on:
        text += f" {_day(extension.decided_on)}"
        if clean(extension.decided_by):
            text += f", {clean(extension.decided_by)}"
    if clean(extension.decision_note):
        text += f": {clean(extension.decision_note)}"
    return text


# --- Tables that never lose a line ----------------------------------------------------------


@dataclass(frozen=True)
class _Lines:
    """A piece of a cell as wrapped in its column."""

    lines: tuple[str, ...]
    link: str | None


def _table(
    pdf: FPDF,
    headings: Sequence[str],
    widths: Sequence[float],
    rows: Iterable[Sequence[Cell]],
) -> None:
    """A table whose header repeats on every page. A logical row is one table row, or, when
    a cell is taller than MAX_CELL_LINES or holds several links (one per table cell), a run
    of table rows that read as one: no rule and no padding between them, the text flowing
    from one to the next, each link in a row of its own."""
    rows = list(rows)
    widths = _fitted_widths(pdf, headings, widths, rows)
    pdf.set_font(FONT, size=BODY_SIZE)
    text_widths = _column_text_widths(pdf, widths)
    with pdf.table(
        col_widths=list(widths),
        line_height=LINE_HEIGHT,
        padding=CELL_PADDING,
        text_align="LEFT",
        v_align=VAlign.T,
        headings_style=_HEADINGS,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
    ) as table:
        heading = table.row()
        for text in headings:
            heading.cell(clean(text))
        for cells in rows:
            run = _table_rows(pdf, cells, text_widths)
            for index, pieces in enumerate(run):
                border, padding = _joined(index, len(run))
                row = table.row()
                for piece in pieces:
                    row.cell(
                        piece.text,
                        link=piece.link,
                        style=_style(piece),
                        border=border,
                        padding=padding,
                    )
    pdf.ln(4)


def _fitted_widths(
    pdf: FPDF, headings: Sequence[str], widths: Sequence[float], rows: Sequence[Sequence[Cell]]
) -> list[float]:
    """The columns' widths in mm: a column with nothing but dashes (no evidence in the ten
    most overdue) narrowed to its heading's longest word, the first column given the rest."""
    total = sum(widths)
    fitted = [pdf.epw * width / total for width in widths]
    pdf.set_font(FONT, "B", HEADING_SIZE)
    for index in range(1, len(fitted)):
        if rows and all(_dashes(row[index]) for row in rows):
            words = clean(headings[index]).split() or [DASH]
            narrow = max(pdf.get_string_width(word) for word in words) + 2 * CELL_PADDING + 1
            if narrow < fitted[index]:
                fitted[0] += fitted[index] - narrow
                fitted[index] = narrow
    pdf.set_font(FONT, size=BODY_SIZE)
    return fitted


def _dashes(cell: Cell) -> bool:
    return all(clean(piece.text) in ("", DASH) for piece in cell)


def _column_text_widths(pdf: FPDF, widths: Sequence[float]) -> list[float]:
    """The width the text of each column wraps in: the column less its padding, and a
    little less, so that the lines measured here are never wrapped again by the table."""
    total = sum(widths)
    return [pdf.epw * width / total - 2 * CELL_PADDING - 0.6 for width in widths]


def _joined(index: int, count: int) -> tuple[CellBordersLayout, tuple[float, ...]]:
    """Borders and padding (top, right, bottom, left) of the index-th table row of a run."""
    border = CellBordersLayout.LEFT | CellBordersLayout.RIGHT
    top = bottom = 0.0
    if index == 0:
        border |= CellBordersLayout.TOP
        top = CELL_PADDING
    if index == count - 1:
        border |= CellBordersLayout.BOTTOM
        bottom = CELL_PADDING
    return border, (top, CELL_PADDING, bottom, CELL_PADDING)


def _style(piece: Piece) -> FontFace | None:
    return FontFace(color=LINK_BLUE) if piece.link else None


def _table_rows(pdf: FPDF, cells: Sequence[Cell], widths: Sequence[float]) -> list[list[Piece]]:
    """The table rows of one logical row: its cells' pieces, column by column."""
    pairs = [
        (_linked(pdf, _cleaned(cell), width), width)
        for cell, width in zip(cells, widths, strict=True)
    ]
    one_row = [[cell[0] for cell, _width in pairs]]
    if all(_surely_one_row(cell, width) for cell, width in pairs):
        return one_row
    columns = [_measured(pdf, cell, width) for cell, width in pairs]
    if all(_one_row(column) for column in columns):
        return one_row
    heights = _run_heights(columns)
    return _transposed([_deal(column, heights) for column in columns])


def _transposed(columns: Sequence[Sequence[Piece]]) -> list[list[Piece]]:
    return [list(row) for row in zip(*columns, strict=True)]


def _linked(pdf: FPDF, cell: Cell, width: float) -> Cell:
    """Several links in a cell that is surely not too tall for one row: one cell, whose
    lines open their own piece's address. A taller one keeps a row per piece."""
    if len(cell) < 2 or not isinstance(pdf, _ReportPDF):
        return cell
    if not _surely_short("\n".join(piece.text for piece in cell), width):
        return cell
    return (pdf.linked_cell(cell),)


def _cleaned(cell: Cell) -> Cell:
    return tuple(Piece(clean(piece.text), piece.link) for piece in cell)


def _measured(pdf: FPDF, cell: Cell, width: float) -> list[_Lines]:
    return [_Lines(tuple(_wrapped(pdf, piece.text, width)), piece.link) for piece in cell]


def _surely_one_row(cell: Cell, width: float) -> bool:
    return len(cell) == 1 and _surely_short(cell[0].text, width)


def _one_row(column: Sequence[_Lines]) -> bool:
    return len(column) == 1 and len(column[0].lines) <= MAX_CELL_LINES


def _run_heights(columns: Sequence[Sequence[_Lines]]) -> list[int]:
    """How many lines each table row of a run holds: a row per piece of the columns with
    several pieces (links), then rows of CHUNK_LINES until every column's text is placed."""
    anchored = [_split(column) for column in columns if len(column) > 1]
    count = max((len(column) for column in anchored), default=0)
    heights = [_tallest(anchored, index) for index in range(count)]
    longest = max(sum(len(piece.lines) for piece in column) for column in columns)
    while sum(heights) < longest or not heights:
        heights.append(CHUNK_LINES)
    return heights


def _tallest(columns: Sequence[Sequence[_Lines]], index: int) -> int:
    return max([len(column[index].lines) for column in columns if index < len(column)] + [1])


def _split(column: Sequence[_Lines]) -> list[_Lines]:
    """A column of several pieces, each piece in parts of at most CHUNK_LINES lines."""
    return [
        _Lines(piece.lines[start : start + CHUNK_LINES], piece.link)
        for piece in column
        for start in range(0, max(len(piece.lines), 1), CHUNK_LINES)
    ]


def _deal(column: Sequence[_Lines], heights: Sequence[int]) -> list[Piece]:
    """The column's text over the rows of a run: a single piece flows, so many lines to a
    row; several pieces (links) take a row each."""
    if len(column) > 1:
        pieces = [Piece("\n".join(part.lines), part.link) for part in _split(column)]
        return pieces + [Piece("")] * (len(heights) - len(pieces))
    lines, link = column[0].lines, column[0].link
    dealt: list[Piece] = []
    start = 0
    for height in heights:
        part = lines[start : start + height]
        dealt.append(Piece("\n".join(part), link if part else None))
        start += height
    return dealt


def _wrapped(pdf: FPDF, text: str, width: float) -> list[str]:
    if not text:
        return [""]
    lines = pdf.multi_cell(
        width, LINE_HEIGHT, text, dry_run=True, output=MethodReturnValue.LINES, padding=0
    )
    return [str(line) for line in cast(list[str], lines)] or [""]


def _surely_short(text: str, width: float) -> bool:
    """True when the text cannot reach MAX_CELL_LINES, whatever its letters: each line
    holds at least width / (widest letter) characters (measuring every cell is slow)."""
    widest = BODY_SIZE * 0.3528 * 1.1  # mm: no letter of either font is wider than 1.1 em
    # Word wrapping leaves a line at least half full, on average over two lines.
    per_line = max(int(width / widest) // 2, 1)
    lines = sum(len(part) // per_line + 1 for part in text.split("\n"))
    return lines <= MAX_CELL_LINES
