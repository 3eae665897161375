"""Old Word (.doc, Word 97-2003) files, read through antiword.

Why antiword rather than LibreOffice: antiword (Debian package `antiword`, 0.4 MB) is a small C
program that only reads .doc files and writes their text; it starts in milliseconds and runs
inside the parse sandbox (tracker/reports/sandbox.py) under the same CPU and memory limits,
reading the file from its standard input (which it copies to one unnamed temporary file, the
one file the sandbox lets it write). LibreOffice headless reads more formats but weighs several
hundred megabytes, takes seconds to start, and writes a user profile and its output to disk.
The tests use LibreOffice once, to make the .doc fixtures (tests/reports/fixtures/).

antiword is asked for DocBook XML (`-x db`, always UTF-8) rather than plain text: its text mode
wraps paragraphs at 76 characters and draws tables as fixed-width columns whose cells it cuts
mid-word, while DocBook keeps each paragraph on one line and each table as rows of cells, the
same blocks the .docx reader gives.

Limits, both antiword's: a manual line break (Shift+Enter) inside a paragraph is dropped from
the DocBook, joining the two lines; a document whose text stream is tiny (a few lines, stored
in the compound file's small blocks) is refused ("too small to handle"), which no real report is.

Refusals (ReportError codes): `doc_reader_missing` when antiword is not installed (the message
says what to install), `broken_doc` for a file that is not a Word 97-2003 document or that
antiword cannot read (or crashes on), `too_slow` when antiword runs past its time limit.
A .docx renamed to .doc (a ZIP package) is read as the .docx it is.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator

from .blocks import Block, Line, Table, normalize_line
from .errors import ReportError
from .layout import looks_hard_wrapped, reflow
from .list_numbers import letters, roman

log = logging.getLogger(__name__)

ANTIWORD = "antiword"
# Well below the sandbox's 30 s on the clock, so a stuck antiword is reported as too slow by
# this reader (and killed) rather than left behind by the sandbox's own timeout.
TIMEOUT_SECONDS = 15.0
# Every Word 97-2003 document is an OLE2 compound file, which starts with these eight bytes.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# DocBook wraps each paragraph in about 30 bytes of markup: a .doc of empty paragraphs gives
# thirty times its size; more than that is not the text of a report.
MAX_OUTPUT_RATIO = 40
_STDERR_SHOWN = 500

MISSING_MESSAGE = (
    "cannot read a .doc file: antiword is not installed on this server"
    " (install the Debian package antiword), or save the file as .docx or PDF"
)

# DocBook elements that hold paragraphs; everything else inside a paragraph is inline text.
_BLOCK_TAGS = frozenset(
    {"para", "title", "informaltable", "table", "itemizedlist", "orderedlist", "listitem"}
)
_SKIPPED_TAGS = frozenset({"bookinfo", "articleinfo"})


def read_doc(data: bytes, *, max_bytes: int) -> list[Block]:
    """The paragraphs and tables of a .doc file, or a ReportError saying why it cannot be read."""
    if data.startswith(ZIP_SIGNATURE):
        from .docx_reader import read_docx

        return read_docx(data, max_bytes=max_bytes)
    if not data.startswith(OLE_SIGNATURE):
        raise ReportError(
            "broken Word file: this is not a Word 97-2003 (.doc) document", code="broken_doc"
        )
    xml = run_antiword(data)
    if len(xml) > MAX_OUTPUT_RATIO * len(data) + 4096:
        raise ReportError(
            "broken Word file: antiword's output is out of all proportion", code="broken_doc"
        )
    return blocks_of_docbook(xml)


def antiword_path() -> str | None:
    return shutil.which(ANTIWORD)


def run_antiword(data: bytes) -> bytes:
    """antiword's DocBook XML for the document; the file goes in on standard input (`-`)."""
    executable = antiword_path()
    if executable is None:
        raise ReportError(MISSING_MESSAGE, code="doc_reader_missing")
    try:
        done = subprocess.run(
            [executable, "-x", "db", "-"],
            input=data,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed antiword
        log.info("antiword: stopped after %.1f s", TIMEOUT_SECONDS)
        raise ReportError(
            "the file takes too long to read: it is not a usable report", code="too_slow"
        ) from None
    except OSError as error:  # not executable, or vanished between `which` and the start
        log.warning("antiword could not be started: %s", error)
        raise ReportError(MISSING_MESSAGE, code="doc_reader_missing") from None
    if done.returncode != 0 or not done.stdout.strip():
        # antiword exits with 1 on a file it does not understand; a negative status is a crash.
        log.info(
            "antiword exited with status %s: %s",
            done.returncode,
            done.stderr[:_STDERR_SHOWN].decode(errors="replace"),
        )
        raise ReportError("broken Word file: the .doc file could not be read", code="broken_doc")
    return done.stdout


def blocks_of_docbook(xml: bytes) -> list[Block]:
    """Lines and tables of antiword's DocBook, in document order.

    antiword escapes the document's text, so its XML has no entity of the document's making;
    the DOCTYPE names an external DTD, which ElementTree never fetches."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as error:
        raise ReportError(
            "broken Word file: the .doc file could not be read", code="broken_doc"
        ) from error
    lines_and_tables = list(_DocBook().blocks(root))
    lines = [block.text for block in lines_and_tables if isinstance(block, Line)]
    if len(lines) == len(lines_and_tables) and looks_hard_wrapped(lines):
        # A text file saved as .doc line by line: re-joined as the .txt reader would.
        return [Line(line) for line in reflow(lines)]
    return lines_and_tables


class _DocBook:
    """The walk of antiword's DocBook, rebuilding what Word shows before a list item.

    antiword gives an automatically numbered paragraph as an item of an <orderedlist>, without
    its number, and a list whose items have paragraphs between them (the form's ten section
    headings, each followed by its text) as one <orderedlist> per item: it does not say whether
    Word continued or restarted the numbering. Word continues it unless told otherwise, so the
    count goes on across the document for each list kind and depth; a list nested in an item
    starts again in the next item."""

    def __init__(self) -> None:
        self.counters: dict[tuple[int, str], int] = {}
        self.depth = 0
        self.prefix = ""

    def blocks(self, element: ElementTree.Element) -> Iterator[Block]:
        for child in element:
            if child.tag not in _SKIPPED_TAGS:
                yield from self.block(child)

    def block(self, element: ElementTree.Element) -> Iterator[Block]:
        tag = element.tag
        if tag in ("informaltable", "table"):
            yield Table(tuple(_rows(element)))
        elif tag in ("para", "title"):
            yield from self.paragraph(element)
        elif tag in ("orderedlist", "itemizedlist"):
            yield from self.list(element)
        else:  # chapter, sect1..5, footnotes
            yield from self.blocks(element)

    def list(self, element: ElementTree.Element) -> Iterator[Block]:
        kind = element.get("numeration", "arabic") if element.tag == "orderedlist" else "bullet"
        self.depth += 1
        for deeper in [key for key in self.counters if key[0] > self.depth]:
            del self.counters[deeper]
        try:
            for item in element:
                if item.tag != "listitem":
                    continue
                key = (self.depth, kind)
                self.counters[key] = self.counters.get(key, 0) + 1
                self.prefix = _list_marker(kind, self.counters[key])
                yield from self.blocks(item)
                self.prefix = ""
        finally:
            self.depth -= 1

    def paragraph(self, paragraph: ElementTree.Element) -> Iterator[Block]:
        """A paragraph's own text as lines (a manual line break splits it), then any block
        antiword nested in it (a table, a list)."""
        parts = [paragraph.text or ""]
        nested: list[ElementTree.Element] = []
        for child in paragraph:
            if child.tag in _BLOCK_TAGS:
                nested.append(child)
            else:
                parts.append("".join(child.itertext()))
            parts.append(child.tail or "")
        text = "".join(parts).strip()
        # An empty paragraph is a blank line, as in a .txt; an empty title (antiword gives
        # every chapter one) is nothing.
        if text or (not nested and paragraph.tag == "para"):
            text, self.prefix = self.prefix + text, ""
            yield from (Line(normalize_line(part)) for part in text.split("\n"))
        for child in nested:
            yield from self.block(child)


def _list_marker(kind: str, number: int) -> str:
    if kind == "bullet":
        return "• "
    if kind in ("loweralpha", "upperalpha"):
        label = letters(number)
        return f"{label if kind == 'loweralpha' else label.upper()}) "
    if kind in ("lowerroman", "upperroman"):
        label = roman(number)
        return f"{label.lower() if kind == 'lowerroman' else label}. "
    return f"{number}. "


def _rows(table: ElementTree.Element) -> Iterator[tuple[str, ...]]:
    for row in table.iter("row"):
        yield tuple(_cell_text(entry) for entry in row.findall("entry"))


def _cell_text(entry: ElementTree.Element) -> str:
    lines = [normalize_line(line) for line in "".join(entry.itertext()).split("\n")]
    return "\n".join(line for line in lines if line)
