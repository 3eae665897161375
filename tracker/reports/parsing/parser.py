"""parse_report: the bytes of an uploaded trip report to a ParsedReport."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from .blocks import Block, render_blocks, trim_value
from .errors import ParseWarning, ReportError
from .full_dates import find_dates, find_signing_date
from .legacy_armenian import blocks_from_legacy_font, blocks_have_legacy_characters, decode_armscii8
from .model import OcrSummary, ParsedReport
from .readers import Extracted, read_document, read_text
from .recommendations import Recommendations, extract_recommendations
from .sections import SECTION_NUMBERS, Section, SplitReport, detect_language, split_sections
from .trip_dates import TripDates, parse_trip_dates

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TITLE_MAX_CHARS = 200
SIGNATURE_LINES = 6

SECTION_NAMES = {
    1: "name",
    2: "position",
    3: "place and dates",
    4: "inviting party",
    5: "purpose",
    6: "topics discussed",
    7: "meetings",
    8: "decisions",
    9: "recommendations",
    10: "signature and date",
}
_DEFAULT_TITLES = {
    "hy": "ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ ԳՈՐԾՈՒՂՄԱՆ ԱՐԴՅՈՒՆՔՆԵՐԻ ՄԱՍԻՆ",
    "en": "Report on the results of the business trip",
}
_SIGNATURE_NOISE = re.compile(
    r"[_/…]+|\((?:ստորագրություն|signature|signed)\)"
    r"|^(?:ստորագրություն\w*|ամսաթիվ\w*|signature|signed(?:\sby)?|date)(?!\w)\s?[՝:։-]?",
    re.IGNORECASE,
)
# Words left behind at the end of the destination once the dates are cut out of Section 3
# ("Chisinau, from"), each after spaces or commas. Matched on the reversed text, from its start:
# a pattern anchored with `$` would be tried from every position of a long run of them, in
# quadratic time; anchored at the start and with possessive separators, it reads each once.
_DANGLING_DATE_WORDS_REVERSED = re.compile(
    r"(?:(?:morf|no|ni|gnirud|ցի|-)[\s,;]++)+", re.IGNORECASE
)
# Several commas in a row, with the spaces around them. A match starts where a run of spaces
# starts ((?<!\s)): tried from inside a long run, it would scan the rest of the run each time.
_REPEATED_COMMAS = re.compile(r"(?<!\s)\s*+,(?:\s*+,)+\s*+")
# A signatory's line is short; looking further only costs time on a hostile file.
SIGNATURE_LINE_MAX_CHARS = 1000


def parse_report(
    data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr: bool = False
) -> ParsedReport:
    """Parse a trip report (.txt, .docx or .pdf).

    Raises ReportError (and nothing else) when the file is empty, too large, of another type,
    unreadable, or not a trip report. Whatever is read without confidence becomes a warning.
    With `ocr`, a scanned PDF is read by OCR; the report's `ocr` then says how, and which
    fields hold words Tesseract was unsure of.
    """
    extracted = _read(bytes(data), filename, max_bytes, ocr)
    reading = extracted.ocr
    if not render_blocks(extracted.blocks).strip():
        raise ReportError("the file is empty", code="empty")
    extracted, split = _split(extracted)
    text = render_blocks(extracted.blocks)
    report = _report(filename, text, split, list(extracted.warnings))
    if reading is None:
        return report
    from .ocr import low_confidence_fields

    # The fields to check against the scan are the summary's, not warnings: the review page
    # marks each field itself.
    summary = OcrSummary(
        pages=reading.pages,
        mean_confidence=reading.mean_confidence,
        seconds=reading.seconds,
        engine=reading.engine,
        low_fields=low_confidence_fields(report, reading.confidences),
    )
    return dataclasses.replace(report, ocr=summary)


def _read(data: bytes, filename: str, max_bytes: int, ocr: bool) -> Extracted:
    """The document's blocks; a .txt that is not UTF-8 is tried as ArmSCII-8 bytes, kept only
    if the form's headings are then found (otherwise the file is refused as before)."""
    try:
        return read_document(data, filename, max_bytes=max_bytes, ocr=ocr)
    except ReportError as error:
        if error.code != "undecodable" or not filename.lower().endswith(".txt"):
            raise
        blocks = tuple(read_text(decode_armscii8(data).encode("utf-8")))
        if _recognized_headings(blocks) is None:
            raise
        return Extracted(blocks, (ParseWarning("legacy_armenian_converted"),))


def _split(extracted: Extracted) -> tuple[Extracted, SplitReport]:
    """The sections, of the text as read or, when Latin-1 characters stand for Armenian letters
    of an old font, of the converted text: decided for the whole document, by which of the two
    has more of the form's headings recognized (a Unicode report never gains any)."""
    if not blocks_have_legacy_characters(extracted.blocks):
        return extracted, split_sections(extracted.blocks)
    as_read = _recognized_headings(extracted.blocks)
    converted = blocks_from_legacy_font(extracted.blocks)
    as_converted = _recognized_headings(converted)
    if as_converted is not None and as_converted[0] > (as_read[0] if as_read else -1):
        warnings = (ParseWarning("legacy_armenian_converted"), *extracted.warnings)
        return Extracted(converted, warnings), as_converted[1]
    if as_read is None:
        # Refused as the text was read, with the reason split_sections gives.
        return extracted, split_sections(extracted.blocks)
    return extracted, as_read[1]


def _recognized_headings(blocks: tuple[Block, ...]) -> tuple[int, SplitReport] | None:
    """How many section headings read as the form's wording, and the split; None when the
    blocks are no trip report."""
    try:
        split = split_sections(blocks)
    except ReportError:
        return None
    return sum(section.recognized for section in split.sections.values()), split


def _report(filename: str, text: str, split: SplitReport, warnings: list[str]) -> ParsedReport:
    sections = split.sections
    language = detect_language(text)
    warnings.extend(_missing_section_warnings(sections, split.found))
    if split.form_differs:
        found = ", ".join(str(number) for number in split.found)
        warnings.append(ParseWarning("sections_found", sections=found))
    signatory, signed_on = _signature(sections.get(10), warnings)
    place = sections[3].text if 3 in sections else ""
    trip = _trip_dates(place, signed_on, warnings)
    recommendations = _recommendations(sections, signed_on)
    fields = {number: _one_paragraph(sections.get(number)) for number in (2, 4, 5)}
    return ParsedReport(
        source=filename,
        language=language,
        title=_title(split, language),
        author_name=_first_line(sections.get(1)),
        author_position=trim_value(fields[2]) or None,
        destination=_destination(place, trip.span),
        trip_start=trip.start,
        trip_end=trip.end,
        inviting_party=trim_value(fields[4]) or None,
        purpose=fields[5] or None,
        signatory=signatory,
        signed_on=signed_on,
        sections=_section_texts(sections),
        recommendations=recommendations.items,
        warnings=(*warnings, *recommendations.warnings),
        text=text,
        sections_found=split.found,
    )


def _trip_dates(place: str, signed_on: date | None, warnings: list[str]) -> TripDates:
    """The trip's dates from Section 3; a year left out is the signing date's."""
    trip = parse_trip_dates(place, fallback_year=signed_on.year if signed_on else None)
    if place and trip.warning:
        warnings.append(trip.warning)
    return trip


def _recommendations(sections: dict[int, Section], signed_on: date | None) -> Recommendations:
    if 9 not in sections:
        return Recommendations(())
    return extract_recommendations(sections[9].blocks, signed_on=signed_on)


def _section_texts(sections: dict[int, Section]) -> dict[str, str]:
    """Every section's text by its number, empty for a section not found."""
    return {
        str(number): sections[number].text if number in sections else ""
        for number in SECTION_NUMBERS
    }


def _missing_section_warnings(sections: dict[int, Section], found: tuple[int, ...]) -> list[str]:
    """A section merged into another (found, with no text of its own) is not missing; a
    missing Section 9 says that no task comes from the report."""
    warnings: list[str] = []
    for number in SECTION_NUMBERS:
        name = SECTION_NAMES[number]
        if number == 9 and number not in sections:
            warnings.append(ParseWarning("section9_missing"))
        elif number not in found:
            warnings.append(ParseWarning("section_missing", number=number, name=name))
        elif number not in sections:
            continue
        elif not sections[number].text:
            warnings.append(ParseWarning("section_empty", number=number, name=name))
    return warnings


def _title(split: SplitReport, language: str) -> str:
    preamble = " ".join(render_blocks(split.preamble).split())
    if not preamble:
        return _DEFAULT_TITLES[language]
    if len(preamble) <= TITLE_MAX_CHARS:
        return preamble
    return preamble[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] + "…"


def _first_line(section: Section | None) -> str | None:
    if section is None or not section.lines:
        return None
    return trim_value(section.lines[0]) or None


def _one_paragraph(section: Section | None) -> str:
    return " ".join(" ".join(section.lines).split()) if section else ""


def _signature(section: Section | None, warnings: list[str]) -> tuple[str | None, date | None]:
    """Who signed (the first line that is not the date) and when (the first real date)."""
    if section is None:
        return None, None
    # The name and the date open Section 10; annexes may follow them in the same section.
    text = "\n".join(line[:SIGNATURE_LINE_MAX_CHARS] for line in section.lines[:SIGNATURE_LINES])
    mention = find_signing_date(text)
    if mention is None:
        warnings.append(_no_signing_date_warning(text))
    else:
        text = text[: mention.start] + "\n" + text[mention.end :]
    signatory = _signatory(text)
    if signatory is None:
        warnings.append(ParseWarning("signatory_missing"))
    return signatory, mention.day if mention else None


def _no_signing_date_warning(text: str) -> ParseWarning:
    """Why Section 10 has no signing date: a date that is not a real one, or none at all."""
    unreal = [text[item.start : item.end] for item in find_dates(text)]
    return (
        ParseWarning("signing_date_not_real", text=unreal[0])
        if unreal
        else ParseWarning("signing_date_missing")
    )


def _signatory(text: str) -> str | None:
    """The first line with a letter in it, once the signature's noise is taken out."""
    for line in text.split("\n"):
        cleaned = trim_value(_SIGNATURE_NOISE.sub(" ", line.strip()).strip())
        if any(character.isalpha() for character in cleaned):
            return " ".join(cleaned.split())
    return None


def _destination(place: str, span: tuple[int, int] | None) -> str | None:
    if span is not None:
        place = place[: span[0]] + place[span[1] :]
    parts = [trim_value(part) for part in place.split("\n")]
    destination = ", ".join(part for part in parts if part)
    destination = _REPEATED_COMMAS.sub(", ", destination)
    destination = _without_dangling_date_words(destination)
    return trim_value(destination.strip(" ,;-")) or None


def _without_dangling_date_words(text: str) -> str:
    """The text without its trailing run of date words: "Chisinau, from -" -> "Chisinau"."""
    match = _DANGLING_DATE_WORDS_REVERSED.match(text[::-1])
    return text[: len(text) - match.end()] if match else text
