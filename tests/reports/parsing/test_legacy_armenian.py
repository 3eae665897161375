"""Old Armenian encodings (#15 point 3): ArmSCII-8 bytes and the legacy fonts that put ArmSCII-8
letters on Latin-1 code points, checked letter by letter against libiconv's armscii_8.h, and
reports typed that way importing exactly like their Unicode originals."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reports.conftest import SAMPLES
from tests.reports.parsing.conftest import PdfBuilder
from tracker.reports.parsing import ParsedReport, ReportError, parse_report
from tracker.reports.parsing.blocks import render_blocks
from tracker.reports.parsing.errors import ParseWarning
from tracker.reports.parsing.legacy_armenian import (
    ARMSCII8_TO_UNICODE,
    UNICODE_TO_ARMSCII8,
    decode_armscii8,
    encode_armscii8,
    from_legacy_font,
    has_legacy_characters,
    to_legacy_font,
)
from tracker.reports.parsing.parser import _report
from tracker.reports.parsing.readers import read_document
from tracker.reports.parsing.sections import split_sections

CONVERTED = "legacy_armenian_converted"

# The alphabet in its order, each capital with its small letter, and the ArmSCII-8 bytes the
# standard gives them (libiconv armscii_8.h: armscii_8_2uni; capital at an even byte from 0xB2,
# its small letter right after), written out here rather than computed from the module.
ALPHABET = (  # noqa: SIM905 (the alphabet as it is written)
    "Աա Բբ Գգ Դդ Եե Զզ Էէ Ըը Թթ Ժժ Իի Լլ Խխ Ծծ Կկ Հհ Ձձ Ղղ Ճճ Մմ "
    "Յյ Նն Շշ Ոո Չչ Պպ Ջջ Ռռ Սս Վվ Տտ Րր Ցց Ււ Փփ Քք Օօ Ֆֆ"
).split()
LETTERS = [(pair[0], 0xB2 + 2 * index) for index, pair in enumerate(ALPHABET)] + [
    (pair[1], 0xB3 + 2 * index) for index, pair in enumerate(ALPHABET)
]
# Punctuation and the ligature, from the same table.
SIGNS = [
    ("\u0587", 0xA2),  # և  ligature ech-yiwn
    ("\u0589", 0xA3),  # ։  full stop
    ("\u055d", 0xAA),  # ՝  comma
    ("\u055c", 0xAF),  # ՜  exclamation mark
    ("\u055e", 0xB1),  # ՞  question mark
    ("\u055b", 0xB0),  # ՛  emphasis mark
    ("\u055a", 0xFE),  # ՚  apostrophe
    ("\u058a", 0xAD),  # ֊  hyphen
    ("\u00bb", 0xA6),  # »
    ("\u00ab", 0xA7),  # «
    ("\u2014", 0xA8),  # —
    ("\u2026", 0xAE),  # …
    ("\u00a0", 0xA0),  # no-break space
]
# Bytes whose character is ASCII: decoded to it; libiconv encodes the ASCII sign to them.
ASCII_PLACES = [(")", 0xA4), ("(", 0xA5), (".", 0xA9), (",", 0xAB), ("-", 0xAC)]


def test_the_alphabet_has_its_38_letters_in_both_cases() -> None:
    assert len(ALPHABET) == 38 and len(set(ALPHABET)) == 38
    assert all(pair[0].isupper() and pair[1] == pair[0].lower() for pair in ALPHABET)


@pytest.mark.parametrize(("char", "byte"), LETTERS + SIGNS, ids=lambda v: str(v))
def test_each_letter_and_sign_both_ways(char: str, byte: int) -> None:
    assert ARMSCII8_TO_UNICODE[byte] == char
    assert UNICODE_TO_ARMSCII8[char] == byte
    assert decode_armscii8(bytes([byte])) == char
    assert encode_armscii8(char) == bytes([byte])
    # The legacy font: the Latin-1 character of the byte stands for the letter.
    assert from_legacy_font(chr(byte)) == char
    assert to_legacy_font(char) == chr(byte)


@pytest.mark.parametrize(("char", "byte"), ASCII_PLACES)
def test_the_ascii_signs_of_the_table(char: str, byte: int) -> None:
    assert decode_armscii8(bytes([byte])) == char
    assert decode_armscii8(char.encode("ascii")) == char
    assert encode_armscii8(char) == bytes([byte])  # as libiconv's encoder does
    assert to_legacy_font(char) == char  # a font keeps what was typed in ASCII


def test_the_whole_table() -> None:
    # Below 0xA0 every byte is itself; above, the 94 assigned bytes: 76 letters, the ligature,
    # the 12 signs above and the 5 ASCII places; 0xA1 and 0xFF are not assigned.
    assert all(ARMSCII8_TO_UNICODE[byte] == chr(byte) for byte in range(0xA0))
    high = {byte: char for byte, char in ARMSCII8_TO_UNICODE.items() if byte >= 0xA0}
    listed = {byte: char for char, byte in LETTERS + SIGNS + ASCII_PLACES}
    assert high == listed
    assert 0xA1 not in ARMSCII8_TO_UNICODE and 0xFF not in ARMSCII8_TO_UNICODE
    assert decode_armscii8(b"\xa1\xff") == "\ufffd\ufffd"
    assert from_legacy_font("\u00a1\u00ff") == "\u00a1\u00ff"


def test_the_table_agrees_with_the_system_iconv() -> None:
    # glibc ships the same table as libiconv; checked when its converter is there.
    try:
        done = subprocess.run(
            ["iconv", "-f", "ARMSCII-8", "-t", "UTF-8"],
            input=bytes(byte for byte in range(0x20, 0x100) if byte not in (0xA1, 0xFF)),
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no iconv with ARMSCII-8 on this machine")
    expected = decode_armscii8(bytes(b for b in range(0x20, 0x100) if b not in (0xA1, 0xFF)))
    assert done.stdout.decode("utf-8") == expected


def test_a_word_and_a_sentence() -> None:
    assert to_legacy_font("Բարև") == "´³ñ¢"
    assert from_legacy_font("²é³ç³ñÏáõÃÛáõÝÝ»ñ") == "Առաջարկություններ"
    sentence = "Հաշվետվություն՝ «Երևան», 2025 թ. մարտի 15-ին։ Ինչո՞ւ։"
    assert decode_armscii8(encode_armscii8(sentence)) == sentence
    assert from_legacy_font(to_legacy_font(sentence)) == sentence
    with pytest.raises(ValueError, match="no byte"):
        encode_armscii8("Ё")


ENCODABLE = st.sampled_from(sorted(UNICODE_TO_ARMSCII8))
ARMENIAN_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from([char for char, _ in LETTERS + SIGNS]),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    )
)


@settings(max_examples=300, deadline=None)
@given(ARMENIAN_TEXT)
def test_round_trip_of_armenian_text(text: str) -> None:
    assert decode_armscii8(encode_armscii8(text)) == text
    assert from_legacy_font(to_legacy_font(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ENCODABLE))
def test_round_trip_of_anything_encodable(text: str) -> None:
    assert decode_armscii8(encode_armscii8(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_every_byte_string_decodes_and_assigned_bytes_come_back(data: bytes) -> None:
    text = decode_armscii8(data)
    assert len(text) == len(data)
    if b"\xa1" not in data and b"\xff" not in data:
        # Decoding then encoding gives the same text again (the ASCII signs may change bytes).
        assert decode_armscii8(encode_armscii8(text)) == text


# ---------------------------------------------------------------- the parser


def _sample_names() -> list[str]:
    return sorted(
        path.name for path in SAMPLES.iterdir() if path.suffix in (".txt", ".docx", ".pdf")
    )


def _without_detection(data: bytes, name: str) -> ParsedReport:
    """The parse as it was before the legacy encodings: read, split, report."""
    extracted = read_document(data, name, max_bytes=20 * 1024 * 1024)
    text = render_blocks(extracted.blocks)
    return _report(name, text, split_sections(extracted.blocks), list(extracted.warnings))


def _parse_or_error(parse: Any, data: bytes, name: str) -> dict[str, Any] | str:
    try:
        return parse(data, name).to_json()
    except ReportError as error:
        return f"{error.code}: {error.message}"


@pytest.mark.parametrize("name", _sample_names())
def test_a_unicode_sample_is_never_converted(name: str) -> None:
    data = (SAMPLES / name).read_bytes()
    now = _parse_or_error(parse_report, data, name)
    assert now == _parse_or_error(_without_detection, data, name)
    if isinstance(now, dict):
        assert not any(
            getattr(w, "code", None) == CONVERTED for w in parse_report(data, name).warnings
        )


def _form(title: str, values: dict[int, str], headings: dict[int, str]) -> str:
    lines = [title]
    for number in range(1, 11):
        lines += [f"{number}. {headings[number]}", values[number]]
    return "\n".join(lines) + "\n"


HY_HEADINGS = {
    1: "Անունը, ազգանունը",
    2: "Պաշտոնը",
    3: "Գործուղման վայրը և ժամկետները",
    4: "Հրավիրող կողմը",
    5: "Գործուղման նպատակը",
    6: "Քննարկված հարցերը",
    7: "Հանդիպումները",
    8: "Ձեռք բերված պայմանավորվածությունները",
    9: "Առաջարկություններ",
    10: "Ստորագրություն և ամսաթիվ",
}


def test_genuine_latin1_in_a_unicode_report_is_kept(hy_form: list[tuple[int, str, str]]) -> None:
    # Names with accents, «» quotes, a degree sign: Latin-1 characters in a Unicode report.
    values = {number: value for number, _, value in hy_form}
    values[7] = "Հանդիպում պրն. François Müller-ի հետ «Café de l’Europe»-ում, 20° C"
    text = _form("ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ", values, {n: h for n, h, _ in hy_form})
    report = parse_report(text.encode("utf-8"), "r.txt")
    assert "François Müller" in report.sections["7"] and "«Café" in report.sections["7"]
    assert CONVERTED not in [getattr(w, "code", None) for w in report.warnings]


def test_an_english_report_with_accents_is_kept() -> None:
    data = (SAMPLES / "en-chisinau-2025-05.txt").read_bytes()
    accented = data.replace(b"\n", " été «ñ» Ångström\n".encode(), 3)
    assert (
        parse_report(accented, "en.txt").to_json()["sections"]
        == (_without_detection(accented, "en.txt").to_json()["sections"])
    )
    assert CONVERTED not in [
        getattr(w, "code", None) for w in parse_report(accented, "en.txt").warnings
    ]


# ---------------------------------------------------------------- done when: legacy versions


def _same_parse(legacy: ParsedReport, original: ParsedReport, *, converted: bool) -> None:
    got, want = legacy.to_json(), original.to_json()
    got_warnings = list(legacy.warnings)
    if converted:
        assert getattr(got_warnings[0], "code", None) == CONVERTED
        assert isinstance(got_warnings[0], ParseWarning)
        got_warnings = got_warnings[1:]
    assert [str(w) for w in got_warnings] == want["warnings"]
    for key in want:
        if key not in ("source", "warnings"):
            assert got[key] == want[key], key


TXT_SAMPLES = [
    name for name in _sample_names() if name.endswith(".txt") and name != "not-a-report.txt"
]


@pytest.mark.parametrize("name", TXT_SAMPLES)
def test_an_armscii8_text_file_imports_like_the_original(name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    legacy = encode_armscii8(text)
    original = parse_report((SAMPLES / name).read_bytes(), name)
    # Even the English sample's bytes change: libiconv puts "." "," "-" "(" ")" at 0xA4-0xAC.
    _same_parse(parse_report(legacy, name), original, converted=legacy != text.encode())


@pytest.mark.parametrize("name", TXT_SAMPLES)
def test_a_text_file_in_legacy_font_characters_imports_like_the_original(name: str) -> None:
    # An ArmSCII-8 file some tool re-saved as UTF-8 reading it as Latin-1.
    text = (SAMPLES / name).read_text(encoding="utf-8")
    legacy = to_legacy_font(text).encode("utf-8")
    original = parse_report((SAMPLES / name).read_bytes(), name)
    armenian = any("\u0531" <= char <= "\u0587" for char in text)
    _same_parse(parse_report(legacy, name), original, converted=armenian)


def test_a_non_report_in_armscii8_is_still_refused() -> None:
    text = (SAMPLES / "not-a-report.txt").read_text(encoding="utf-8")
    broken = encode_armscii8("Ինչ-որ նամակ՝ ոչ հաշվետվություն։\n" + text)
    with pytest.raises(ReportError) as refused:
        parse_report(broken, "letter.txt")
    assert refused.value.code == "undecodable"


def test_latin1_bytes_that_are_no_report_are_refused_as_undecodable() -> None:
    with pytest.raises(ReportError) as refused:
        parse_report("Grüße aus Köln\n".encode("latin-1"), "note.txt")
    assert refused.value.code == "undecodable"


def _docx_in_legacy_font(data: bytes) -> bytes:
    document = docx.Document(io.BytesIO(data))
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        paragraphs += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
    for paragraph in paragraphs:
        for run in paragraph.runs:
            run.text = to_legacy_font(run.text)
            run.font.name = "Arial Armenian"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_of_text(text: str) -> bytes:
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_docx_sample_in_a_legacy_font_imports_like_the_original() -> None:
    data = (SAMPLES / "hy-lyon-2025-09.docx").read_bytes()
    legacy = _docx_in_legacy_font(data)
    assert has_legacy_characters(
        render_blocks(read_document(legacy, "l.docx", max_bytes=10**8).blocks)
    )
    _same_parse(parse_report(legacy, "l.docx"), parse_report(data, "l.docx"), converted=True)


@pytest.mark.parametrize("name", [n for n in TXT_SAMPLES if n.startswith("hy-")])
def test_a_docx_typed_in_a_legacy_font_imports_like_the_unicode_docx(name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    unicode_docx = _docx_of_text(text)
    legacy = _docx_in_legacy_font(unicode_docx)
    _same_parse(
        parse_report(legacy, "r.docx"), parse_report(unicode_docx, "r.docx"), converted=True
    )


def test_the_legacy_versions_match_expected_json() -> None:
    expected = json.loads(Path(SAMPLES / "expected.json").read_text(encoding="utf-8"))["reports"]
    for name, fields in expected.items():
        data = (SAMPLES / name).read_bytes()
        if name.endswith(".txt"):
            legacy = encode_armscii8(data.decode("utf-8"))
        elif name.endswith(".docx"):
            legacy = _docx_in_legacy_font(data)
        else:
            continue
        report = parse_report(legacy, name).to_json()
        for key in ("language", "author_name", "signatory", "signed_on", "trip_start", "trip_end"):
            if key in fields:
                assert report[key] == fields[key], (name, key)
        assert len(report["recommendations"]) == len(fields["recommendations"]), name


def test_a_pdf_typed_in_a_legacy_font_is_converted(make_pdf: PdfBuilder) -> None:
    # A PDF whose text layer holds the font's Latin-1 characters (as Helvetica can show them).
    text = (SAMPLES / "hy-vilnius-2025-02.txt").read_text(encoding="utf-8")
    paragraphs = [to_legacy_font(line) for line in text.split("\n") if line.strip()]
    report = parse_report(make_pdf(paragraphs, width=400), "r.pdf")
    original = parse_report(text.encode("utf-8"), "r.txt")
    assert getattr(report.warnings[0], "code", None) == CONVERTED
    assert report.author_name == original.author_name
    assert report.signed_on == original.signed_on
    assert [r.title for r in report.recommendations] == [r.title for r in original.recommendations]
