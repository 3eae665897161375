"""Line-level layout: what starts a new block, page furniture, and re-joining wrapped lines.

A PDF (and a hard-wrapped .txt) breaks paragraphs into lines at the page width. A line is
taken as wrapped when the first word of the next line would not have fitted on it, unless the
next line starts something of its own (a section heading, a list item, a labelled field).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from .blocks import fold, fold_start
from .vocabulary import BULLET_CHARS, FIELD_LABEL, LABEL_SEPARATOR, LIST_MARKERS

_FLAGS = re.IGNORECASE

HEADING_LINE = re.compile(
    r"^(?:(?:բաժին|կետ|section|part)\s?)?(?P<number>\d{1,2})(?!\d)\s?(?P<mark>[.)]|\s)(?!\d)\s?"
    r"(?P<rest>.*)$",
    _FLAGS,
)
_MARKERS = tuple(
    (kind, re.compile(rf"^(?:{pattern})\s*(?P<rest>.*)$", _FLAGS))
    for kind, pattern in LIST_MARKERS.items()
)
_LABEL_LINE = re.compile(
    rf"^(?:[{re.escape(BULLET_CHARS)}]\s)?(?:{FIELD_LABEL}){LABEL_SEPARATOR}(?P<value>.*)$",
    _FLAGS,
)
_PAGE_NUMBER = re.compile(
    r"^(?:page|p\.|էջ|стр\.?)?\s?-?\s?\d{1,4}\s?(?:(?:/|of|из|-ից)\s?\d{1,4})?\s?(?:էջ)?\s?-?$",
    _FLAGS,
)
# Share of the text width above which a line counts as full, allowing for proportional fonts.
_FULL_LINE_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class ListMarker:
    kind: str
    rest: str


@dataclass(frozen=True, slots=True)
class FieldLabel:
    key: str
    value: str


def list_marker(line: str) -> ListMarker | None:
    folded = fold_start(line)
    for kind, pattern in _MARKERS:
        match = pattern.match(folded)
        if match:
            return ListMarker(kind, line[match.start("rest") :])
    return None


def field_label(line: str) -> FieldLabel | None:
    match = _LABEL_LINE.match(fold_start(line))
    if match is None:
        return None
    key = next(name for name, value in match.groupdict().items() if value and name != "value")
    return FieldLabel(key, line[match.start("value") :].strip())


def starts_block(line: str) -> bool:
    heading = HEADING_LINE.match(fold_start(line))
    if heading and heading["mark"] != " ":
        return True
    return list_marker(line) is not None or field_label(line) is not None


# ---------------------------------------------------------------- page furniture


def strip_page_furniture(pages: list[list[str]], *, edge_lines: int = 2) -> list[list[str]]:
    """Pages without running headers, footers and page numbers.

    A line is furniture when it sits among the first or last `edge_lines` of a page and is
    either a bare page number or repeats (digits aside) on the edges of at least half the pages.
    """
    repeated = _repeated_edge_shapes(pages, edge_lines)

    def is_furniture(line: str) -> bool:
        return bool(_PAGE_NUMBER.match(fold_start(line))) or _shape(line) in repeated

    cleaned: list[list[str]] = []
    for lines in pages:
        kept = _trimmed(lines)
        for _ in range(edge_lines):
            if kept and is_furniture(kept[0]):
                kept = _trimmed(kept[1:])
            if kept and is_furniture(kept[-1]):
                kept = _trimmed(kept[:-1])
        cleaned.append(kept)
    return cleaned


def _trimmed(lines: list[str]) -> list[str]:
    start = next((index for index, line in enumerate(lines) if line), len(lines))
    end = len(lines)
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


def _repeated_edge_shapes(pages: list[list[str]], edge_lines: int) -> set[str]:
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        kept = [line for line in lines if line]
        edges = kept[:edge_lines] + kept[-edge_lines:]
        counts.update({_shape(line) for line in edges})
    needed = max(2, (len(pages) + 1) // 2)
    return {shape for shape, count in counts.items() if count >= needed}


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", fold(line)).casefold()


# ---------------------------------------------------------------- wrapped lines


def reflow(lines: list[str]) -> list[str]:
    """Lines with the wrapped ones joined back into their paragraph; blank lines are kept."""
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[list[str]] = []
    previous = ""
    for line in lines:
        if line and previous and is_wrapped(previous, line, width):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
        previous = line
    return [_joined(parts) for parts in paragraphs]


def is_wrapped(line: str, next_line: str, width: int) -> bool:
    """Whether `line` ended only because `next_line`'s first word did not fit on it."""
    if not next_line or starts_block(next_line):
        return False
    first_word = next_line.split(" ", 1)[0]
    return len(line) + 1 + len(first_word) > width * _FULL_LINE_SHARE


def looks_hard_wrapped(lines: list[str]) -> bool:
    """A .txt typed or saved with a line break at a fixed width (e-mail style)."""
    texts = [line for line in lines if line]
    width = max((len(line) for line in texts), default=0)
    if not 40 <= width <= 120:
        return False
    wraps = sum(
        1
        for line, next_line in itertools.pairwise(lines)
        if line and is_wrapped(line, next_line, width)
    )
    return wraps >= 3 and wraps >= 0.2 * len(texts)


def _joined(parts: list[str]) -> str:
    text = parts[0]
    if len(parts) == 1:
        return text
    pieces = [text]
    for previous, continuation in itertools.pairwise(parts):
        # "սոցիալ-" + "տնտեսական": a compound split at its hyphen keeps the hyphen, not a space.
        hyphenated = (
            len(previous) > 1
            and previous.endswith("-")
            and previous[-2].isalpha()
            and continuation[:1].islower()
        )
        pieces.append(continuation if hyphenated else f" {continuation}")
    return "".join(pieces)
