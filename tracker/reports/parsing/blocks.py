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

_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"),
    None,
)
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LATIN_LIGATURES = re.compile("[\ufb00-\ufb06]")

# Same length in and out, so a match found in folded text has the same span in the original.
_FOLD = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u058a": "-",
        "\u2024": ".",
        "\u2019": "'",
        "\u02bc": "'",
    }
)


def normalize_line(text: str) -> str:
    """One line as typed, minus invisible characters and runs of white space."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    # Latin ligatures come out of PDFs ("ﬁ"); NFKC on the whole text would also split
    # the Armenian "և" into "եւ", which we must keep as written.
    text = _LATIN_LIGATURES.sub(lambda match: unicodedata.normalize("NFKC", match[0]), text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Dashes and the one-dot leader made plain, for matching; keeps every offset."""
    return text.translate(_FOLD)


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
    while text and text[-1] in ",;:։՝.":
        if text[-1] == "." and _ends_with_abbreviation(text[:-1]):
            break
        text = text[:-1].rstrip()
    return text


_ABBREVIATION_BEFORE_DOT = re.compile(r"(?:^|[\s(])(?:թթ?|\w)$")


def _ends_with_abbreviation(text: str) -> bool:
    # "2025 թ." and an initial ("Sargsyan A.") keep their dot. Only the tail can matter, and
    # looking at the tail alone keeps a long value of dots from costing quadratic time.
    return bool(_ABBREVIATION_BEFORE_DOT.search(text[-4:]))
