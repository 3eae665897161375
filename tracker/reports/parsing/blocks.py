"""The extracted document: a flat sequence of text lines and tables, in reading order."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[tuple[str, ...], ...]


Block = Line | Table

# Invisible characters (soft hyphen, zero-width ones, the byte order mark) and control ones.
_HIDDEN = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# Latin ligatures come out of PDFs ("ﬁ"); NFKC on the whole text would also split
# the Armenian "և" into "եւ", which we must keep as written.
_LATIN_LIGATURES = tuple(
    (ligature, unicodedata.normalize("NFKC", ligature))
    for ligature in map(chr, range(0xFB00, 0xFB07))
)

# Same length in and out, so a match found in folded text has the same span in the original.
_FOLD = (
    ("\u2010", "-"),
    ("\u2011", "-"),
    ("\u2012", "-"),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u2015", "-"),
    ("\u2212", "-"),
    ("\u058a", "-"),
    ("\u2024", "."),
    ("\u2019", "'"),
    ("\u02bc", "'"),
)


def _replace_all(text: str, replacements: tuple[tuple[str, str], ...]) -> str:
    # str.replace, one character at a time, runs at memory speed; str.translate with a
    # mapping looks every character up in a dict, a hundred times slower on a long line.
    for old, new in replacements:
        if old in text:
            text = text.replace(old, new)
    return text


def normalize_line(text: str) -> str:
    """One line as typed, minus invisible characters and runs of white space."""
    text = _HIDDEN.sub("", unicodedata.normalize("NFC", text))
    text = _replace_all(text, _LATIN_LIGATURES)
    # str.split() splits at exactly the characters `\s` matches (str.isspace), which include
    # the no-break and typographic spaces; much faster than a substitution per word.
    return " ".join(text.split())


def fold(text: str) -> str:
    """Dashes and the one-dot leader made plain, for matching; keeps every offset."""
    return _replace_all(text, _FOLD)


# What a line starts with (a heading number and its wording, a list marker, a field label)
# lies within its first few hundred characters; folding only those keeps a megabyte-long
# line as cheap to classify as a short one.
LINE_START_CHARS = 400


def fold_start(line: str) -> str:
    """The folded start of a line, for patterns anchored at its beginning; same offsets."""
    return fold(line[:LINE_START_CHARS])


def render_blocks(blocks: Iterable[Block]) -> str:
    """Plain text of the blocks: one line per line, one line per table row."""
    rendered: list[str] = []
    for block in blocks:
        if isinstance(block, Line):
            rendered.append(block.text)
        else:
            rendered.extend(
                " | ".join(cell.replace("\n", " ") for cell in row) for row in block.rows
            )
    return "\n".join(rendered).strip("\n")


def lines_of(blocks: Iterable[Block]) -> list[str]:
    return render_blocks(blocks).split("\n")


def trim_value(text: str) -> str:
    """A field value without surrounding space and trailing separators (keeps an 'թ.' dot)."""
    text = text.strip()
    # An index walks back over the separators: cutting the string once per character would
    # copy it once per character, quadratic on a value that ends in a long run of them.
    end = len(text)
    while end and text[end - 1] in ",;:։՝.":
        if text[end - 1] == "." and _ends_with_abbreviation(text[max(0, end - 5) : end - 1]):
            break
        end -= 1
        while end and text[end - 1].isspace():
            end -= 1
    return text[:end]


_ABBREVIATION_BEFORE_DOT = re.compile(r"(?:^|[\s(])(?:թթ?|\w)$")


def _ends_with_abbreviation(text: str) -> bool:
    # "2025 թ." and an initial ("Sargsyan A.") keep their dot. Only the tail can matter, and
    # looking at the tail alone keeps a long value of dots from costing quadratic time.
    return bool(_ABBREVIATION_BEFORE_DOT.search(text[-4:]))
