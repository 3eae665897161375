"""Reading the bytes: text encodings and line endings, Word files, PDFs, and the refusals."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from pypdf import PdfWriter

from tests.reports.conftest import SAMPLES
from tracker.reports.parsing import ParsedReport, ReportError, parse_report

DocxBuilder = Callable[[Callable[[Any], None]], bytes]
PdfBuilder = Callable[..., bytes]
ReportBuilder = Callable[..., str]
Form = list[tuple[int, str, str]]


def vilnius_text() -> str:
    return (SAMPLES / "hy-vilnius-2025-02.txt").read_text(encoding="utf-8")


def summary(report: ParsedReport) -> tuple[Any, ...]:
    return (
        report.author_name,
        report.trip_start,
        report.signed_on,
        [(item.title, item.owners, item.deadline) for item in report.recommendations],
    )


def refusal(data: bytes, filename: str, **options: Any) -> ReportError:
    with pytest.raises(ReportError) as refused:
        parse_report(data, filename, **options)
    assert "\n" not in refused.value.message
    return refused.value


# ---------------------------------------------------------------- .txt

ENCODINGS = [
    ("utf-8", lambda text: text.encode("utf-8")),
    ("utf-8-bom", lambda text: codecs.BOM_UTF8 + text.encode("utf-8")),
    ("utf-16-le-bom", lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le")),
    ("utf-16-be-bom", lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be")),
    ("utf-16-python", lambda text: text.encode("utf-16")),
    ("utf-32-bom", lambda text: text.encode("utf-32")),
    ("crlf", lambda text: text.replace("\n", "\r\n").encode("utf-8")),
    ("cr", lambda text: text.replace("\n", "\r").encode("utf-8")),
    ("utf-16-crlf", lambda text: text.replace("\n", "\r\n").encode("utf-16")),
]


@pytest.mark.parametrize(
    "encode", [case[1] for case in ENCODINGS], ids=[case[0] for case in ENCODINGS]
)
def test_text_in_any_supported_encoding_and_line_ending(encode: Callable[[str], bytes]) -> None:
    expected = summary(parse_report(vilnius_text().encode("utf-8"), "vilnius.txt"))
    assert summary(parse_report(encode(vilnius_text()), "vilnius.txt")) == expected


def test_tabs_nbsp_and_zero_width_characters_are_tolerated() -> None:
    text = vilnius_text().replace("Անի Սարգսյան", "Անի\u00a0Սարգսյան\u200b").replace(" ", "\t", 3)
    report = parse_report(text.encode(), "vilnius.txt")
    assert report.author_name == "Անի Սարգսյան"


def test_a_hard_wrapped_text_is_joined_back(report_text: ReportBuilder) -> None:
    import textwrap

    section7 = "The delegation met the Bureau for Migration and Asylum. " * 6
    text = report_text("en", section7=section7)
    wrapped = "\n".join(
        "\n".join(textwrap.wrap(line, 60)) if len(line) > 60 else line for line in text.split("\n")
    )
    report = parse_report(wrapped.encode(), "wrapped.txt")
    assert report.sections["7"] == section7.strip()
    assert report.recommendations[0].title == "Set up a referral desk"


def test_undecodable_text_is_refused() -> None:
    assert refusal("Անի Սարգսյան".encode()[:-1] + b"\xff", "r.txt").code == "undecodable"
    assert refusal("Отчёт".encode("cp1251"), "r.txt").code == "undecodable"


@pytest.mark.parametrize(
    "data", [b"", b"   \r\n\n\t", codecs.BOM_UTF16_LE, codecs.BOM_UTF8 + b"\n\n"], ids=repr
)
def test_empty_files_are_refused(data: bytes) -> None:
    assert refusal(data, "empty.txt").code == "empty"


# ---------------------------------------------------------------- refusals before reading


@pytest.mark.parametrize("filename", ["r.pdf", "r.docx", "r.txt", "r.doc"])
def test_the_size_limit_is_checked_before_anything_is_read(filename: str) -> None:
    error = refusal(b"\x00garbage" * 100, filename, max_bytes=99)
    assert error.code == "too_large"


@pytest.mark.parametrize("filename", ["report.rtf", "report.odt", "report", "report.txt.exe"])
def test_unsupported_types_are_refused(filename: str) -> None:
    assert refusal(b"some content", filename).code == "unsupported_type"


def test_extensions_are_case_insensitive() -> None:
    report = parse_report(vilnius_text().encode(), "VILNIUS.TXT")
    assert report.author_name == "Անի Սարգսյան"


# ---------------------------------------------------------------- .docx


def test_docx_sample_reads_paragraphs_and_tables_in_order() -> None:
    report = parse_report((SAMPLES / "hy-lyon-2025-09.docx").read_bytes(), "lyon.docx")
    assert report.sections["8"] == "Ստորագրվել է փոխըմբռնման հուշագիր։"
    assert "Առաջարկություն" in report.sections["9"]
    assert report.sections["10"] == "Լ. Հովհաննիսյան\n24.09.2025թ."


def test_docx_with_automatic_list_numbers_on_the_headings(
    make_docx: DocxBuilder, hy_form: Form
) -> None:
    def fill(document: Any) -> None:
        for _, heading, value in hy_form:
            # Word shows "1." before the heading but keeps it out of the paragraph's text.
            document.add_paragraph(heading, style="List Number")
            for line in value.split("\n"):
                document.add_paragraph(line)

    report = parse_report(make_docx(fill), "numbered.docx")
    assert report.author_name == "Անի Սարգսյան"
    assert report.signed_on == date(2025, 2, 10)
    assert report.recommendations[0].owners == ("Անի Սարգսյան",)


def test_docx_with_the_form_typed_as_a_table(make_docx: DocxBuilder, hy_form: Form) -> None:
    def fill(document: Any) -> None:
        table = document.add_table(rows=10, cols=3)
        for row, (number, heading, value) in zip(table.rows, hy_form, strict=True):
            row.cells[0].text = str(number)
            row.cells[1].text = heading
            row.cells[2].text = value

    report = parse_report(make_docx(fill), "form.docx")
    assert report.author_name == "Անի Սարգսյան"
    assert report.trip_end == date(2025, 2, 5)
    assert report.recommendations[0].deadline == date(2025, 3, 31)


def test_docx_line_breaks_inside_a_paragraph(make_docx: DocxBuilder, hy_form: Form) -> None:
    def fill(document: Any) -> None:
        for number, heading, value in hy_form:
            paragraph = document.add_paragraph(f"{number}. {heading}")
            for line in value.split("\n"):
                paragraph.add_run().add_break()
                paragraph.add_run(line)

    report = parse_report(make_docx(fill), "breaks.docx")
    assert (report.signatory, report.signed_on) == ("Ա. Սարգսյան", date(2025, 2, 10))


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 not really a zip",
        (SAMPLES / "hy-lyon-2025-09.docx").read_bytes()[:5000],
        b"\x00" * 1000,
    ],
    ids=["fake-zip-header", "truncated", "zeros"],
)
def test_broken_docx_is_refused(data: bytes) -> None:
    assert refusal(data, "broken.docx").code == "broken_docx"


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert refusal(buffer.getvalue(), "hello.docx").code == "broken_docx"


def test_a_docx_that_inflates_far_beyond_its_size_is_refused_unread() -> None:
    buffer = io.BytesIO((SAMPLES / "hy-lyon-2025-09.docx").read_bytes())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", b"\x00" * 3_000_000)
    data = buffer.getvalue()
    assert len(data) < 100_000
    assert refusal(data, "bomb.docx", max_bytes=100_000).code == "too_large_unpacked"


# ---------------------------------------------------------------- .pdf


def test_pdf_sample_has_all_sections_and_no_wrapped_lines() -> None:
    report = parse_report((SAMPLES / "hy-tbilisi-2024-07.pdf").read_bytes(), "tbilisi.pdf")
    assert all(report.sections[str(number)] for number in range(1, 11))
    assert report.purpose is not None and "\n" not in report.purpose
    assert report.purpose.startswith("«Միգրացիայի ներուժի") and report.purpose.endswith("նպատակով:")


def test_pdf_page_headers_footers_and_numbers_stay_out_of_the_fields(
    make_pdf: PdfBuilder, report_text: ReportBuilder
) -> None:
    long_paragraph = "The delegation visited the reception centre and its services. " * 10
    text = report_text("en", section7=long_paragraph.strip())
    pdf = make_pdf(
        text.split("\n\n"),
        lines_per_page=24,
        header="Shirak Regional Administration - trip report",
        footer="Page {page} of {pages}",
    )
    report = parse_report(pdf, "report.pdf")
    assert report.sections["7"] == long_paragraph.strip()
    assert report.signatory == "G. Petrosyan"
    assert report.signed_on == date(2025, 5, 20)
    for value in [*report.sections.values(), report.title]:
        assert "Shirak Regional Administration" not in value
        assert "Page " not in value
    assert report.recommendations[0].owners == ("Gohar Petrosyan",)


def test_pdf_without_a_text_layer_is_refused_as_scanned() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    error = refusal(buffer.getvalue(), "scan.pdf")
    assert error.code == "scanned_pdf"
    assert error.message == "scanned PDF: no text layer"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n garbage",
        (SAMPLES / "hy-tbilisi-2024-07.pdf").read_bytes()[:2000],
        b"not a pdf at all",
    ],
    ids=["header-only", "truncated", "text"],
)
def test_broken_pdf_is_refused(data: bytes) -> None:
    assert refusal(data, "broken.pdf").code in {"broken_pdf", "scanned_pdf"}


def test_docx_bullet_list_made_with_word_list_styles(make_docx: DocxBuilder, hy_form: Form) -> None:
    def fill(document: Any) -> None:
        for number, heading, value in hy_form:
            document.add_paragraph(f"{number}. {heading}")
            if number != 9:
                document.add_paragraph(value.replace("\n", " "))
                continue
            document.add_paragraph("Առաջարկվում է՝")
            document.add_paragraph("Մշակել հայեցակարգ։", style="List Bullet")
            document.add_paragraph("Ժամկետը՝ Q4 2025")
            document.add_paragraph("Կազմակերպել սեմինար։", style="List Bullet")
            document.add_paragraph("Պատասխանատու՝ Կարեն Բաղիշյան")

    first, second = parse_report(make_docx(fill), "bullets.docx").recommendations
    assert (first.title, first.deadline) == ("Մշակել հայեցակարգ", date(2025, 12, 31))
    assert (second.title, second.owners) == ("Կազմակերպել սեմինար", ("Կարեն Բաղիշյան",))
