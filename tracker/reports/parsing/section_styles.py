"""Headings of the form typed otherwise than "9. Wording": numbered in another style ("IX.",
"9-րդ բաժին", "Section 9:"), numbered as a range for merged sections ("8-9.", "8 և 9."),
not numbered at all (the wording alone), or two headings typed on one line.

Each of these is taken only when the heading's wording is the form's (vocabulary.py), so a
line of the report's body numbered in some other way is never taken as a heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .blocks import Block, Line, fold, fold_start

_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}
_SEPARATOR = r"[.)։:]"
OTHER_NUMBERING = re.compile(
    r"^(?:"
    rf"(?P<roman>viii|vii|iii|ix|iv|vi|ii|x|v|i){_SEPARATOR}"
    r"|(?P<ordinal>\d{1,2})\s?-?\s?(?:րդ|ին|th|st|nd|rd)\s(?:բաժին|section|part)\w*"
    rf"(?:\s?{_SEPARATOR})?"
    rf"|(?:բաժին|section|part)\s?(?P<word>\d{{1,2}})\s?[:։-]"
    r"|(?:(?:բաժիններ|sections|parts)\s?)?(?P<first>\d{1,2})\s?(?:[-,]|և|եւ|and|&)\s?"
    rf"(?P<last>\d{{1,2}})(?:\s?{_SEPARATOR}|\s)"
    r")\s?(?P<rest>.*)$",
    re.IGNORECASE,
)
# A second heading inside a heading's line: its number after a space, then its wording.
_INNER_NUMBER = re.compile(r"(?<=\s)(?P<number>\d{1,2})\s?[.)]\s?(?=\S)")
_HEADING_TAIL = re.compile(r"^\s*+[:։՝.—-]?\s*+$")
MAX_SECTION = 10

# (number, heading's rest) -> (heading, value, recognized), as sections.split_heading.
HeadingSplitter = Callable[[int, str], tuple[str, str, bool]]
# (number, text) -> whether the text names that section anywhere (sections.names_section).
SectionNamer = Callable[[int, str], bool]


@dataclass(frozen=True, slots=True)
class StyledHeading:
    """A heading found by one of the other styles; `covers` are the section numbers it
    stands for (two or more when sections are merged under one heading)."""

    number: int
    covers: tuple[int, ...]
    rest: str


def other_numbering(
    text: str, split_heading: HeadingSplitter, names: SectionNamer
) -> StyledHeading | None:
    """A heading numbered in another style, whose wording is the form's; None otherwise."""
    match = OTHER_NUMBERING.match(fold_start(text))
    if match is None:
        return None
    rest = text[match.start("rest") :]
    if match["first"]:
        return _range_heading(int(match["first"]), int(match["last"]), rest, names)
    number = (
        _ROMAN[match["roman"].lower()] if match["roman"] else int(match["ordinal"] or match["word"])
    )
    if not 1 <= number <= MAX_SECTION or not split_heading(number, rest)[2]:
        return None
    return StyledHeading(number, (number,), rest)


def _range_heading(first: int, last: int, rest: str, names: SectionNamer) -> StyledHeading | None:
    """ "8-9. Decisions and recommendations": one block for sections first..last, read as the
    last of them that its wording names (so Section 9 is read when the heading names it)."""
    if not 1 <= first < last <= MAX_SECTION:
        return None
    covers = tuple(range(first, last + 1))
    named = [number for number in covers if names(number, rest)]
    if not named:
        return None
    return StyledHeading(named[-1], covers, rest)


def unnumbered(text: str, split_heading: HeadingSplitter) -> StyledHeading | None:
    """A line that is a heading's wording alone (or followed by a colon and a value)."""
    best: tuple[int, int] | None = None
    folded = fold(text[:400])
    for number in range(1, MAX_SECTION + 1):
        heading, _value, recognized = split_heading(number, text)
        end = len(heading)
        if recognized and _HEADING_TAIL.match(folded[end:]) and (best is None or end > best[1]):
            best = (number, end)
    if best is None:
        return None
    return StyledHeading(best[0], (best[0],), text)


def split_merged_lines(blocks: Sequence[Block], split_heading: HeadingSplitter) -> Iterator[Block]:
    """Lines holding two headings ("8. Decisions ... 9. Recommendations ...") as two lines."""
    for block in blocks:
        if isinstance(block, Line):
            yield from (Line(part) for part in _split_line(block.text, split_heading))
        else:
            yield block


def _split_line(text: str, split_heading: HeadingSplitter) -> list[str]:
    head = fold_start(text)
    first = re.match(r"^(\d{1,2})\s?[.)]\s?", head)
    if first is None or not 1 <= int(first[1]) <= MAX_SECTION:
        return [text]
    if not split_heading(int(first[1]), text[first.end() :])[2]:
        return [text]
    for inner in _INNER_NUMBER.finditer(head):
        number = int(inner["number"])
        if int(first[1]) < number <= MAX_SECTION and split_heading(number, text[inner.end() :])[2]:
            return [
                text[: inner.start()].rstrip(),
                *_split_line(text[inner.start() :], split_heading),
            ]
    return [text]
