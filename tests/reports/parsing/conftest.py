"""Fixtures for the report parser tests: the samples, and builders of real .docx/.pdf files."""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest

from tests.conftest import unavailable
from tests.reports.conftest import SAMPLES
from tracker.reports.parsing import ParsedReport, ReportError, parse_report

DocxBuilder = Callable[[Callable[[Any], None]], bytes]
PdfBuilder = Callable[..., bytes]
ReportBuilder = Callable[..., str]
ScanReader = Callable[[str, str], ParsedReport]


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def needs_tesseract() -> None:
    from tracker.reports.parsing.ocr import ocr_unavailable

    if ocr_unavailable() is not None:
        unavailable(
            "Tesseract is not installed: apt install tesseract-ocr tesseract-ocr-hye"
            " tesseract-ocr-eng"
        )


@pytest.fixture(scope="session")
def read_scan() -> ScanReader:
    """`read_scan(name, variant)`: the sample's scan (tests/reports/scans.py) parsed by OCR,
    or the ReportError it raised; read once per session, as OCR costs seconds a page."""
    from tests.reports.scans import scanned_pdf

    cache: dict[tuple[str, str], ParsedReport | ReportError] = {}

    def read(name: str, variant: str) -> ParsedReport:
        needs_tesseract()
        key = (name, variant)
        if key not in cache:
            try:
                cache[key] = parse_report(
                    scanned_pdf(name, variant), f"{name}.{variant}.pdf", ocr=True
                )
            except ReportError as error:
                cache[key] = error
        result = cache[key]
        if isinstance(result, ReportError):
            raise result
        return result

    return read


@pytest.fixture
def make_docx() -> DocxBuilder:
    """A .docx made with python-docx: `make_docx(lambda document: document.add_paragraph(...))`."""

    def build(fill: Callable[[Any], None]) -> bytes:
        document = docx.Document()
        fill(document)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    return build


@pytest.fixture
def make_pdf() -> PdfBuilder:
    """A PDF with a text layer (Helvetica, Latin-1 text), paragraphs wrapped at `width`
    characters, a blank gap after each paragraph, and optional running header and footer."""
    return _build_pdf


@pytest.fixture
def make_docx_report(make_docx: DocxBuilder) -> Callable[..., bytes]:
    """An Armenian report as .docx whose Section 9 is a Word table of `rows`."""

    def build(rows: list[tuple[str, ...]], *, lead: str = "") -> bytes:
        def fill(document: Any) -> None:
            document.add_paragraph("ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ")
            for number in range(1, 11):
                document.add_paragraph(f"{number}. {HY_HEADINGS[number]}")
                if number != 9:
                    for line in HY_VALUES[number].split("\n"):
                        document.add_paragraph(line)
                    continue
                if lead:
                    document.add_paragraph(lead)
                table = document.add_table(rows=len(rows), cols=len(rows[0]))
                for row, values in zip(table.rows, rows, strict=True):
                    for cell, value in zip(row.cells, values, strict=True):
                        cell.text = value

        return make_docx(fill)

    return build


@pytest.fixture
def hy_form() -> list[tuple[int, str, str]]:
    """(number, heading, value) of the ten sections of a small Armenian report."""
    return [(number, HY_HEADINGS[number], HY_VALUES[number]) for number in range(1, 11)]


@pytest.fixture
def report_text() -> ReportBuilder:
    """The text of a whole report, Armenian by default, with any section replaced."""
    return _report_text


HY_HEADINGS = {
    1: "Անունը, ազգանունը.",
    2: "Զբաղեցրած պաշտոնը.",
    3: "Գործուղման վայրը և ժամկետները.",
    4: "Հրավիրող կողմը.",
    5: "Գործուղման նպատակը.",
    6: "Քննարկված թեմաները.",
    7: "Հանդիպումները, ելույթները, բարձրացված կամ քննարկված հարցերը.",
    8: "Հանդիպման կամ հավաքի ժամանակ ընդունված որոշումները, պայմանավորվածությունները, "
    "ստորագրված փաստաթղթերը.",
    9: "Առաջարկությունները, դրանց ընթացք տալու վերաբերյալ առաջարկները՝ եղանակը, ձևը, "
    "ժամկետները, պատասխանատուները, ակնկալվող արդյունքները.",
    10: "Ստորագրությունը, ամսաթիվը.",
}
HY_VALUES = {
    1: "Անի Սարգսյան",
    2: "ՀՀ Շիրակի մարզպետի աշխատակազմի թվային զարգացման բաժնի պետ",
    3: "Լիտվայի Հանրապետություն, Վիլնյուս, 2025 թվականի փետրվարի 3-5-ը",
    4: "ՄԱԿ-ի զարգացման ծրագիր (ՄԱԶԾ)",
    5: "Փորձի ուսումնասիրություն։",
    6: "Էլեկտրոնային դիմումներ։",
    7: "Հանդիպումներ քաղաքապետարանում։",
    8: "Որոշումներ չեն ընդունվել։",
    9: "1) Մշակել հայեցակարգ։\nԺամկետը՝ մինչև 2025 թվականի մարտի 31-ը\nՊատասխանատու՝ Անի Սարգսյան",
    10: "Ա. Սարգսյան\n10.02.2025թ.",
}
EN_HEADINGS = {
    1: "Name, surname:",
    2: "Position held:",
    3: "Place and dates of the trip:",
    4: "Inviting party:",
    5: "Purpose of the trip:",
    6: "Topics discussed:",
    7: "Meetings, speeches, issues raised or discussed:",
    8: "Decisions made, agreements reached, documents signed:",
    9: "Recommendations and proposals for their follow-up (method, form, deadlines, "
    "responsible persons, expected results):",
    10: "Signature, date:",
}
EN_VALUES = {
    1: "Gohar Petrosyan",
    2: "Head of the Social Affairs Department",
    3: "Republic of Moldova, Chisinau, 12-14 May 2025",
    4: "International Organization for Migration (IOM)",
    5: "To take part in the regional conference.",
    6: "Referral mechanisms.",
    7: "The delegation met the Bureau for Migration.",
    8: "No documents were signed.",
    9: "1. Set up a referral desk.\n   Deadline: Q4 2025\n   Responsible: Gohar Petrosyan",
    10: "G. Petrosyan\n20.05.2025",
}


def _report_text(language: str = "hy", **sections: str) -> str:
    """`report_text(section9="...")`, `report_text("en", section3="...")`."""
    headings, values = (HY_HEADINGS, HY_VALUES) if language == "hy" else (EN_HEADINGS, EN_VALUES)
    title = "ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ\nԳՈՐԾՈՒՂՄԱՆ ԱՐԴՅՈՒՆՔՆԵՐԻ ՄԱՍԻՆ" if language == "hy" else "REPORT"
    parts = [title]
    for number in range(1, 11):
        value = sections.get(f"section{number}", values[number])
        parts.append(f"{number}. {headings[number]}\n{value}")
    return "\n\n".join(parts) + "\n"


def _build_pdf(
    paragraphs: list[str],
    *,
    width: int = 90,
    lines_per_page: int = 45,
    header: str | None = None,
    footer: str | None = None,
) -> bytes:
    lines: list[str] = []
    for paragraph in paragraphs:
        for source_line in paragraph.split("\n"):
            lines.extend(textwrap.wrap(source_line, width) or [""])
        lines.append("")
    pages = [
        lines[start : start + lines_per_page] for start in range(0, len(lines), lines_per_page)
    ]
    streams = [
        _page_stream(
            page,
            header=header.format(page=number, pages=len(pages)) if header else None,
            footer=footer.format(page=number, pages=len(pages)) if footer else None,
        )
        for number, page in enumerate(pages, start=1)
    ]
    return _pdf_file(streams)


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1") + b")"


def _page_stream(lines: list[str], *, header: str | None, footer: str | None) -> bytes:
    parts = [b"BT /F1 10 Tf 12 TL 56 780 Td"]
    for line in lines:
        parts.append((_pdf_string(line) + b" Tj T*") if line else b"T*")
    parts.append(b"ET")
    if header:
        parts.append(b"BT /F1 9 Tf 56 815 Td " + _pdf_string(header) + b" Tj ET")
    if footer:
        parts.append(b"BT /F1 9 Tf 280 30 Td " + _pdf_string(footer) + b" Tj ET")
    return b"\n".join(parts)


def _pdf_file(streams: list[bytes]) -> bytes:
    page_count = len(streams)
    page_ids = [4 + 2 * index for index in range(page_count)]
    kids = b" ".join(b"%d 0 R" % page_id for page_id in page_ids)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % page_count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for page_id, stream in zip(page_ids, streams, strict=True):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    output = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(output)
