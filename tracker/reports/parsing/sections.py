"""The ten numbered sections of the model form, found by their numbers in reading order.

A numbered line is a heading candidate; list items inside a section are numbered too, so the
headings are the longest run of candidates numbered upwards, preferring lines whose wording is
a known heading (Armenian or English) when two runs are equally long.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .blocks import Block, Line, Table, fold, fold_start, normalize_line, render_blocks
from .errors import ReportError
from .layout import HEADING_LINE
from .section_styles import StyledHeading, other_numbering, split_merged_lines, unnumbered
from .vocabulary import SECTION_WORDING

SECTION_NUMBERS = range(1, 11)
# A file is a trip report when most of the form is there (a report may be published without
# Sections 5-9: 1-4 and 10 are five) and some headings read as its own.
MIN_SECTIONS = 5
MIN_RECOGNIZED_HEADINGS = 3
# A report has a few dozen numbered lines; past this many the file is something else, and
# reading on would only cost time.
MAX_HEADING_CANDIDATES = 2000
# The longest heading of the form (Section 9's, in Armenian) is under 200 characters; the
# wording is looked for in this much of the line, so a huge line costs no more than a short one.
HEADING_MAX_CHARS = 400
LANGUAGE_SAMPLE_CHARS = 100_000

# (?<!\w): a heading's wording starts a word (the patterns are matched at the start of the
# heading's text, where it always holds); searched for, a pattern is then tried once per word.
_WORDING = {
    number: tuple(re.compile(rf"(?<!\w)(?:{pattern})", re.IGNORECASE) for pattern in patterns)
    for number, patterns in SECTION_WORDING.items()
}
_LEADING_SEPARATORS = re.compile(r"^(?:[\s.:։՝;,)]|-(?=\s))+")
_VALUE_AFTER_COLON = re.compile(r"[:։]\s*+(?=\S)")
_BARE_NUMBER = re.compile(r"^\d{1,2}[.)]?$")
_ARMENIAN_LETTER = re.compile("[\u0531-\u0556\u0561-\u0587\ufb13-\ufb17]")
_LATIN_LETTER = re.compile("[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Section:
    number: int
    heading: str
    recognized: bool
    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        return re.sub(r"\n{3,}", "\n\n", render_blocks(self.blocks)).strip()

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]


@dataclass(frozen=True, slots=True)
class SplitReport:
    preamble: tuple[Block, ...]
    sections: dict[int, Section]
    # The numbers of the sections found (a heading of merged sections stands for each of
    # them), and whether the form differs from the model's: headings not numbered "N.",
    # merged or out of order.
    found: tuple[int, ...] = ()
    form_differs: bool = False


@dataclass(frozen=True, slots=True)
class _Candidate:
    index: int
    number: int
    heading: str
    value: str
    recognized: bool
    covers: tuple[int, ...] = ()


def split_sections(blocks: Sequence[Block]) -> SplitReport:
    """The preamble (title) and the sections; ReportError when the text is no trip report."""
    flat = list(_flatten_form_tables(blocks))
    chain = _heading_chain(list(itertools.islice(_candidates(flat), MAX_HEADING_CANDIDATES)))
    tolerant = len(chain) < len(SECTION_NUMBERS)
    if tolerant:
        flat, chain, tolerant = _tolerant_split(flat, chain)
    recognized = sum(candidate.recognized for candidate in chain)
    if len(chain) < MIN_SECTIONS or recognized < MIN_RECOGNIZED_HEADINGS:
        raise ReportError(
            "not a trip report: the numbered sections of the report form were not found",
            code="not_a_report",
        )
    found = tuple(sorted({number for candidate in chain for number in _covers(candidate)}))
    differs = tolerant or found != tuple(SECTION_NUMBERS)
    return SplitReport(tuple(flat[: chain[0].index]), _sections(flat, chain), found, differs)


def _sections(flat: list[Block], chain: list[_Candidate]) -> dict[int, Section]:
    sections: dict[int, Section] = {}
    for position, candidate in enumerate(chain):
        end = chain[position + 1].index if position + 1 < len(chain) else len(flat)
        inline = (Line(candidate.value),) if candidate.value else ()
        content = inline + tuple(flat[candidate.index + 1 : end])
        sections[candidate.number] = Section(
            candidate.number, candidate.heading, candidate.recognized, content
        )
    return sections


def names_section(number: int, text: str) -> bool:
    """Whether the text names the section (its wording anywhere in the text's start)."""
    folded = fold(text[:HEADING_MAX_CHARS])
    return any(pattern.search(folded) for pattern in _WORDING[number])


def _covers(candidate: _Candidate) -> tuple[int, ...]:
    return candidate.covers or (candidate.number,)


def _tolerant_split(
    flat: list[Block], chain: list[_Candidate]
) -> tuple[list[Block], list[_Candidate], bool]:
    """When the numbered headings do not give all ten sections: the headings typed otherwise
    too (another numbering, the wording alone, two on a line, out of order); kept when they
    find more sections than the numbered ones alone."""
    lines = list(split_merged_lines(flat, split_heading))
    candidates = list(itertools.islice(_tolerant_candidates(lines), MAX_HEADING_CANDIDATES))
    tolerant = _with_reordered(_heading_chain(candidates), candidates)
    if len({n for c in tolerant for n in _covers(c)}) > len({n for c in chain for n in _covers(c)}):
        return lines, tolerant, True
    return flat, chain, False


def _tolerant_candidates(blocks: Sequence[Block]) -> Iterator[_Candidate]:
    numbered = {candidate.index: candidate for candidate in _candidates(blocks)}
    for index, block in enumerate(blocks):
        if index in numbered:
            yield numbered[index]
        elif isinstance(block, Line):
            styled = other_numbering(block.text, split_heading, names_section) or unnumbered(
                block.text, split_heading
            )
            if styled is not None:
                yield _styled_candidate(index, styled)


def _styled_candidate(index: int, styled: StyledHeading) -> _Candidate:
    heading, value, _recognized = split_heading(styled.number, styled.rest)
    if len(styled.covers) > 1:
        heading, value = styled.rest.strip(), ""
    return _Candidate(index, styled.number, heading, value, True, styled.covers)


def _with_reordered(chain: list[_Candidate], candidates: list[_Candidate]) -> list[_Candidate]:
    """The chain, with the known headings of sections it lacks that come out of order (the
    first of each); none is taken from inside Section 9, whose list items are numbered."""
    covered = {number for candidate in chain for number in _covers(candidate)}
    inside9 = _section9_span(chain)
    extra: list[_Candidate] = []
    for candidate in candidates:
        outside9 = not inside9[0] < candidate.index < inside9[1]
        if candidate.recognized and outside9 and not covered.intersection(_covers(candidate)):
            extra.append(candidate)
    return sorted([*chain, *extra], key=lambda candidate: candidate.index)


def _section9_span(chain: list[_Candidate]) -> tuple[float, float]:
    """The lines of Section 9 (between its heading and the next), as an open interval."""
    for position, candidate in enumerate(chain):
        if candidate.number == 9:
            end = chain[position + 1].index if position + 1 < len(chain) else math.inf
            return candidate.index, end
    return math.inf, math.inf


def detect_language(text: str) -> str:
    # The letters are counted (not listed) in the first part of the text: the language of a
    # report is plain long before its end.
    text = text[:LANGUAGE_SAMPLE_CHARS]
    armenian = len(text) - len(_ARMENIAN_LETTER.sub("", text))
    latin = len(text) - len(_LATIN_LETTER.sub("", text))
    return "en" if latin > armenian else "hy"


def _candidates(blocks: Sequence[Block]) -> Iterator[_Candidate]:
    for index, block in enumerate(blocks):
        if not isinstance(block, Line):
            continue
        match = HEADING_LINE.match(fold_start(block.text))
        if match is None:
            continue
        number = int(match["number"])
        if number not in SECTION_NUMBERS:
            continue
        rest = block.text[match.start("rest") :]
        heading, value, recognized = split_heading(number, rest)
        # "1 Անունը" without a dot or bracket is a heading only if its words say so.
        if match["mark"] == " " and not recognized:
            continue
        yield _Candidate(index, number, heading, value, recognized)


def split_heading(number: int, rest: str) -> tuple[str, str, bool]:
    """(heading wording, value typed on the same line, whether the wording is known)."""
    folded = fold(rest[:HEADING_MAX_CHARS])
    ends = [match.end() for pattern in _WORDING[number] if (match := pattern.match(folded))]
    if ends:
        end = max(ends)
        return rest[:end].strip(), _LEADING_SEPARATORS.sub("", rest[end:]).strip(), True
    colon = _VALUE_AFTER_COLON.search(rest)
    if colon:
        return rest[: colon.start()].strip(), rest[colon.end() :].strip(), False
    return rest.strip(), "", False


def _heading_chain(candidates: list[_Candidate]) -> list[_Candidate]:
    """The longest run of candidates numbered strictly upwards; ties go to known wording,
    then to the earliest lines (a heading comes before the list items numbered like it)."""
    best: dict[int, tuple[tuple[int, int], list[_Candidate]]] = {0: ((0, 0), [])}
    for candidate in candidates:
        before = [best[number] for number in best if number < candidate.number]
        (length, known), chain = max(before, key=lambda item: item[0])
        score = (length + 1, known + candidate.recognized)
        current = best.get(candidate.number)
        if current is None or score > current[0]:
            best[candidate.number] = (score, [*chain, candidate])
    return max(best.values(), key=lambda item: item[0])[1]


def _flatten_form_tables(blocks: Iterable[Block]) -> Iterator[Block]:
    """A form typed as a table (heading cell, value cell) becomes lines; other tables stay."""
    for block in blocks:
        if isinstance(block, Table) and _is_form_table(block):
            for row in block.rows:
                yield from (Line(line) for line in _form_row_lines(row))
        else:
            yield block


def _is_form_table(table: Table) -> bool:
    headings = 0
    for row in table.rows:
        lines = _form_row_lines(row)
        if not lines:
            continue
        match = HEADING_LINE.match(fold_start(lines[0]))
        if match and int(match["number"]) in SECTION_NUMBERS:
            number = int(match["number"])
            headings += split_heading(number, lines[0][match.start("rest") :])[2]
    return headings >= 2


def _form_row_lines(row: tuple[str, ...]) -> list[str]:
    cells: list[str] = []
    for cell in row:
        # A cell merged across columns is repeated in each of them.
        if cell.strip() and (not cells or cell != cells[-1]):
            cells.append(cell)
    if len(cells) >= 2 and _BARE_NUMBER.match(cells[0].strip()):
        cells = [f"{cells[0].strip().rstrip('.)')}. {cells[1]}", *cells[2:]]
    return [normalize_line(line) for cell in cells for line in cell.split("\n") if line.strip()]
