"""Old Word (.doc) files through antiword: each sample's .doc version (made once with LibreOffice,
tests/reports/fixtures/) parses exactly like the original, and what antiword cannot give (it is
absent, the file is not a .doc, antiword fails, hangs or floods) is a clear refusal."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unavailable
from tests.reports.conftest import SAMPLES
from tests.reports.parsing.conftest import HY_HEADINGS, HY_VALUES
from tests.reports.parsing.test_parse_samples import _check_recommendation, normalized
from tracker.reports.parsing import ReportError, doc_reader, parse_report
from tracker.reports.parsing.blocks import Line, Table
from tracker.reports.parsing.doc_reader import OLE_SIGNATURE, blocks_of_docbook, read_doc
from tracker.reports.parsing.readers import read_document
from tracker.reports.sandbox import ParseLimits, parse_untrusted

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NEEDS_ANTIWORD = "install antiword (Debian package antiword)"
# Each .doc fixture and the sample it was converted from (the .docx as it is; a .txt through
# LibreOffice's UTF-8 text import). The Tbilisi PDF's .doc is its .txt's.
DOC_ORIGINALS = {
    "hy-tbilisi-2024-07.doc": ("hy-tbilisi-2024-07.txt", "hy-tbilisi-2024-07.pdf"),
    "hy-vilnius-2025-02.doc": ("hy-vilnius-2025-02.txt",),
    "en-chisinau-2025-05.doc": ("en-chisinau-2025-05.txt",),
    "hy-lyon-2025-09.doc": ("hy-lyon-2025-09.docx",),
    "hy-no-recommendations.doc": ("hy-no-recommendations.txt",),
}
PAIRS = [(doc, original) for doc, originals in DOC_ORIGINALS.items() for original in originals]


def needs_antiword() -> None:
    if shutil.which("antiword") is None:
        unavailable(NEEDS_ANTIWORD)


def parse_fixture(name: str) -> Any:
    return parse_report((FIXTURES / name).read_bytes(), name)


def refusal(data: bytes, name: str = "report.doc") -> ReportError:
    with pytest.raises(ReportError) as refused:
        parse_report(data, name)
    assert "\n" not in str(refused.value)
    return refused.value


@pytest.fixture
def fake_antiword(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Put a shell script named antiword first on PATH: `fake_antiword("exec sleep 30")`."""

    def install(body: str) -> None:
        script = tmp_path / "bin" / "antiword"
        script.parent.mkdir(exist_ok=True)
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")

    return install


# ---------------------------------------------------------------- the samples as .doc


def test_every_sample_report_has_a_doc_fixture_that_is_a_real_word_97_file() -> None:
    originals = {name for originals in DOC_ORIGINALS.values() for name in originals}
    expected = {path.name for path in SAMPLES.iterdir() if path.suffix in (".txt", ".docx", ".pdf")}
    assert originals == expected - {"not-a-report.txt"}
    for name in [*DOC_ORIGINALS, "not-a-report.doc", "auto-numbered-headings.doc"]:
        assert (FIXTURES / name).read_bytes().startswith(OLE_SIGNATURE), name


@pytest.mark.parametrize(("doc", "original"), PAIRS)
def test_the_doc_version_parses_exactly_like_the_original(doc: str, original: str) -> None:
    needs_antiword()
    from_doc = parse_fixture(doc).to_json()
    from_original = parse_report((SAMPLES / original).read_bytes(), original).to_json()
    assert from_doc.pop("source") == doc
    assert from_original.pop("source") == original
    assert from_doc == from_original


@pytest.mark.parametrize(("doc", "original"), PAIRS)
def test_the_doc_version_gives_every_field_of_expected_json(
    doc: str, original: str, expected: dict[str, Any]
) -> None:
    needs_antiword()
    report = parse_fixture(doc)
    wanted = expected["reports"][original]
    as_json = report.to_json()
    for key, value in wanted.items():
        if key == "recommendations":
            continue
        if key == "warnings_nonempty":
            assert bool(as_json["warnings"]) is value, as_json["warnings"]
        else:
            assert normalized(as_json[key]) == normalized(value), key
    assert len(report.recommendations) == len(wanted["recommendations"])
    for item, expected_item in zip(report.recommendations, wanted["recommendations"], strict=True):
        _check_recommendation(item, expected_item)


def test_the_word_table_of_section_9_stays_a_table_with_its_cells_whole() -> None:
    needs_antiword()
    lyon = parse_fixture("hy-lyon-2025-09.doc")
    first = lyon.recommendations[0]
    assert first.title.startswith("Կազմակերպել Գյումրու և Լիոնի երիտասարդների")
    assert first.owners == ("Լիլիթ Հովհաննիսյան",)
    assert first.deadline_text == "մինչև 2026 թ. ապրիլի 30-ը"
    assert first.expected_result == "առնվազն 15 մասնակից յուրաքանչյուր կողմից"
    assert first.method == "համատեղ ծրագրի մշակում"


def test_a_doc_that_is_no_report_is_refused_as_the_text_is() -> None:
    needs_antiword()
    with pytest.raises(ReportError) as refused:
        parse_fixture("not-a-report.doc")
    assert refused.value.code == "not_a_report"


def test_the_sandbox_reads_a_doc_as_the_parser_does() -> None:
    # The sandbox caps the files its child writes; antiword copies its standard input to one.
    needs_antiword()
    data = (FIXTURES / "hy-lyon-2025-09.doc").read_bytes()
    limits = ParseLimits(max_bytes=len(data) + 1, timeout_seconds=60)
    assert parse_untrusted(data, "hy-lyon-2025-09.doc", limits) == parse_report(
        data, "hy-lyon-2025-09.doc"
    )


# ---------------------------------------------------------------- what is refused


def test_a_file_that_is_not_a_doc_is_refused_before_antiword_runs(
    fake_antiword: Callable[[str], None],
) -> None:
    fake_antiword("echo ran >&2; exit 99")
    text = (SAMPLES / "hy-vilnius-2025-02.txt").read_bytes()
    for data in (text, b"%PDF-1.4\n...", b"{\\rtf1\\ansi hello}"):
        error = refusal(data)
        assert error.code == "broken_doc"
        assert "not a Word 97-2003 (.doc) document" in str(error)


def test_a_docx_renamed_doc_is_read_as_the_docx_it_is() -> None:
    data = (SAMPLES / "hy-lyon-2025-09.docx").read_bytes()
    renamed = parse_report(data, "hy-lyon-2025-09.doc").to_json()
    original = parse_report(data, "hy-lyon-2025-09.docx").to_json()
    assert renamed.pop("source") != original.pop("source")
    assert renamed == original


@pytest.mark.parametrize("kept", [512, 4096, 8000, 20000])
def test_a_truncated_doc_is_refused_as_broken(kept: int) -> None:
    needs_antiword()
    data = (FIXTURES / "hy-lyon-2025-09.doc").read_bytes()[:kept]
    error = refusal(data)
    assert error.code == "broken_doc"
    assert str(error) == "broken Word file: the .doc file could not be read"


def test_a_doc_over_the_size_limit_is_refused_before_antiword_runs(
    fake_antiword: Callable[[str], None],
) -> None:
    fake_antiword("exit 99")
    data = (FIXTURES / "hy-lyon-2025-09.doc").read_bytes()
    with pytest.raises(ReportError) as refused:
        read_document(data, "big.doc", max_bytes=len(data) - 1)
    assert refused.value.code == "too_large"


def test_without_antiword_the_refusal_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    error = refusal((FIXTURES / "hy-lyon-2025-09.doc").read_bytes())
    assert error.code == "doc_reader_missing"
    assert "install the Debian package antiword" in str(error)


def test_without_antiword_when_which_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    assert refusal((FIXTURES / "en-chisinau-2025-05.doc").read_bytes()).code == (
        "doc_reader_missing"
    )


def test_an_antiword_that_hangs_is_stopped_and_reported_too_slow(
    fake_antiword: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_antiword("exec sleep 30")
    monkeypatch.setattr(doc_reader, "TIMEOUT_SECONDS", 0.3)
    error = refusal((FIXTURES / "hy-lyon-2025-09.doc").read_bytes())
    assert error.code == "too_slow"


@pytest.mark.parametrize(
    "body",
    [
        "kill -SEGV $$",  # a crash
        "echo 'I am not XML'",  # exit 0 with garbage
        "echo '<book><chapter><para>unclosed</chapter>'",  # broken XML
        "exit 0",  # nothing at all
        # Ten megabytes out of a 25 KB file: not the text of any report.
        "head -c 10000000 /dev/zero | tr '\\000' a",
    ],
    ids=["crash", "garbage", "broken-xml", "silent", "flood"],
)
def test_what_a_misbehaving_antiword_gives_is_refused_as_broken(
    fake_antiword: Callable[[str], None], body: str
) -> None:
    fake_antiword(f"cat >/dev/null; {body}")
    error = refusal((FIXTURES / "hy-lyon-2025-09.doc").read_bytes())
    assert error.code == "broken_doc"


# ---------------------------------------------------------------- DocBook to blocks (pure)

DOCBOOK_HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<!DOCTYPE book PUBLIC "-//OASIS//DTD DocBook XML V4.1.2//EN"\n'
    b'\t"http://www.oasis-open.org/docbook/xml/4.1.2/docbookx.dtd">\n'
)


def docbook(body: str) -> bytes:
    return (
        DOCBOOK_HEAD
        + (
            "<book lang='en_US'><bookinfo><author><surname>Someone</surname></author>"
            f"<date>2013-12-23</date></bookinfo><chapter><title/>{body}</chapter></book>"
        ).encode()
    )


def test_paragraphs_become_lines_and_empty_paragraphs_blank_lines() -> None:
    blocks = blocks_of_docbook(
        docbook("<para>\nFirst  line\n</para><para>\n\n</para><para>\nA &lt;b&gt; &amp; c\n</para>")
    )
    assert blocks == [Line("First line"), Line(""), Line("A <b> & c")]


def test_the_document_properties_are_not_text() -> None:
    assert blocks_of_docbook(docbook("<para>Text</para>")) == [Line("Text")]


def test_inline_markup_keeps_its_text_in_place() -> None:
    body = (
        "<para>\nBy <emphasis role='bold'>31 March</emphasis>"
        " 2025<superscript>1</superscript>\n</para>"
    )
    assert blocks_of_docbook(docbook(body)) == [Line("By 31 March 20251")]


def test_a_table_inside_a_paragraph_becomes_a_table_of_whole_cells() -> None:
    body = (
        "<para>\n9. Recommendations\n</para><para><informaltable><tgroup cols='2'><tbody>"
        "<row><entry>\nRecommendation\n</entry><entry>\nDeadline\n</entry></row>"
        "<row><entry>\nHold a\nworkshop\n</entry><entry>\nby 30 September 2025\n</entry></row>"
        "</tbody></tgroup></informaltable></para><para>10. Signature</para>"
    )
    assert blocks_of_docbook(docbook(body)) == [
        Line("9. Recommendations"),
        Table((("Recommendation", "Deadline"), ("Hold a\nworkshop", "by 30 September 2025"))),
        Line("10. Signature"),
    ]


def test_lists_and_sections_are_walked_in_order_with_their_markers() -> None:
    body = (
        "<sect1><title>\nHeading\n</title><itemizedlist><listitem><para>one</para></listitem>"
        "<listitem><para>two</para></listitem></itemizedlist></sect1>"
        "<orderedlist numeration='loweralpha'><listitem><para>first</para></listitem>"
        "<listitem><para>second</para><para>its second paragraph</para></listitem></orderedlist>"
    )
    assert blocks_of_docbook(docbook(body)) == [
        Line("Heading"),
        Line("• one"),
        Line("• two"),
        Line("a) first"),
        Line("b) second"),
        Line("its second paragraph"),
    ]


def test_numbered_headings_with_text_between_them_count_on() -> None:
    # antiword gives each heading of an automatically numbered list its own <orderedlist>.
    heading = "<orderedlist numeration='arabic'><listitem><para>{}</para></listitem></orderedlist>"
    body = "".join(heading.format(name) + f"<para>text of {name}</para>" for name in "ABC")
    nested = (
        "<orderedlist><listitem><para>D</para><orderedlist numeration='upperroman'>"
        "<listitem><para>x</para></listitem><listitem><para>y</para></listitem>"
        "</orderedlist></listitem></orderedlist>"
    )
    lines = [
        block.text for block in blocks_of_docbook(docbook(body + nested)) if isinstance(block, Line)
    ]
    assert lines == [
        "1. A",
        "text of A",
        "2. B",
        "text of B",
        "3. C",
        "text of C",
        "4. D",
        "I. x",
        "II. y",
    ]


def test_a_doc_whose_section_headings_are_numbered_by_word_parses_like_its_docx(
    make_docx: Any,
) -> None:
    # The fixture is this .docx saved as .doc by LibreOffice (headings in Word's "List Number").
    needs_antiword()

    def fill(document: Any) -> None:
        document.add_paragraph("ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ")
        for number in range(1, 11):
            document.add_paragraph(HY_HEADINGS[number], style="List Number")
            for line in HY_VALUES[number].split("\n"):
                document.add_paragraph(line)

    from_docx = parse_report(make_docx(fill), "auto.docx").to_json()
    from_doc = parse_fixture("auto-numbered-headings.doc").to_json()
    assert from_docx.pop("source") != from_doc.pop("source")
    assert from_doc == from_docx
    assert from_doc["signed_on"] == "2025-02-10"
    assert len(from_doc["recommendations"]) == 1


def test_broken_xml_is_a_broken_doc() -> None:
    with pytest.raises(ReportError) as refused:
        blocks_of_docbook(b"<book><para>")
    assert refused.value.code == "broken_doc"


def test_a_huge_antiword_output_is_refused_without_parsing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(doc_reader, "run_antiword", lambda data: docbook("<para>x</para>" * 1000))
    with pytest.raises(ReportError) as refused:
        read_doc(OLE_SIGNATURE + b"\0" * 100, max_bytes=10_000)
    assert refused.value.code == "broken_doc"
