"""Word (.docx) files: paragraphs and tables in document order, list numbers included.

Word keeps automatic list numbers ("1.", "a)", bullets) out of the text, in the numbering
part; reports often number their ten sections that way, so the numbers are rebuilt here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx

from .blocks import Block, Line, Table, normalize_line
from .errors import ReportError
from .list_numbers import letters, roman

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# A real report unpacks to a few hundred kilobytes of XML (the sample: 830 KB, most of it
# the style sheets; its text is 7 KB). Parsed XML takes about twenty times its size in memory,
# so the XML is capped at ten times that; pictures (not parsed) may weigh more.
MAX_XML_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# Word's XML compresses about thirty to one (the sample's style sheets); a zip bomb, a
# thousand to one. Small packages are never refused for their ratio.
MAX_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_MEMBERS = 5000
_LEVELS = 9

Element = Any  # an lxml element; lxml ships no type information


def read_docx(data: bytes, *, max_bytes: int) -> list[Block]:
    check_docx_container(data, max_bytes=max_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _ListNumbering(_numbering_element(document), document.styles.element)
        return list(_blocks(document.element.body, numbering))
    except ReportError:
        raise
    except Exception as exc:
        # python-docx and lxml raise many unrelated types (KeyError, ValueError,
        # XMLSyntaxError, ...) on a damaged package; to the user they all mean the same.
        raise ReportError(
            "broken Word file: the .docx package could not be read", code="broken_docx"
        ) from exc


def check_docx_container(data: bytes, *, max_bytes: int) -> None:
    """Refuse a package that is not a ZIP, or that would unpack to far more than it weighs."""
    members = _zip_members(data)
    # The sizes are the ones the package declares; zipfile never inflates a member past its
    # declared size (a member that lies fails its checksum and reads as a broken file).
    unpacked = sum(member.file_size for member in members)
    xml = sum(member.file_size for member in members if _is_xml(member.filename))
    if _unpacks_too_large(members, unpacked, xml, max_bytes):
        raise ReportError(
            f"Word file too large once unpacked ({_megabytes(unpacked)} MB, of which"
            f" {_megabytes(xml)} MB of text and markup)",
            code="too_large_unpacked",
        )


def _zip_members(data: bytes) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.infolist()
    except Exception as exc:
        # zipfile raises BadZipFile, but also ValueError, OSError or EOFError on garbage.
        raise ReportError(
            "broken Word file: a .docx must be a ZIP package", code="broken_docx"
        ) from exc


def _unpacks_too_large(
    members: list[zipfile.ZipInfo], unpacked: int, xml: int, max_bytes: int
) -> bool:
    """Too many members, too many bytes (in all, or of markup), or a compression ratio
    that only a zip bomb reaches."""
    packed = sum(member.compress_size for member in members)
    too_compressed = unpacked > RATIO_CHECKED_FROM_BYTES and unpacked > MAX_RATIO * max(packed, 1)
    return (
        len(members) > MAX_MEMBERS
        or unpacked > min(10 * max_bytes, MAX_UNPACKED_BYTES)
        or xml > MAX_XML_BYTES
        or too_compressed
    )


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _numbering_element(document: Any) -> Element | None:
    for relationship in document.part.rels.values():
        if relationship.reltype.endswith("/numbering") and not relationship.is_external:
            return relationship.target_part.element
    return None


# ---------------------------------------------------------------- body


def _blocks(container: Element, numbering: _ListNumbering) -> Iterator[Block]:
    for child in container:
        if child.tag == f"{W}p":
            text = numbering.prefix(child) + _paragraph_text(child)
            yield from (Line(normalize_line(part)) for part in text.split("\n"))
        elif child.tag == f"{W}tbl":
            yield Table(tuple(_table_rows(child, numbering)))
        elif child.tag == f"{W}sdt":
            yield from _blocks_of_content_control(child, numbering)
        elif child.tag == f"{W}customXml":
            yield from _blocks(child, numbering)


def _blocks_of_content_control(sdt: Element, numbering: _ListNumbering) -> Iterator[Block]:
    content = sdt.find(f"{W}sdtContent")
    if content is not None:
        yield from _blocks(content, numbering)


def _table_rows(table: Element, numbering: _ListNumbering) -> Iterator[tuple[str, ...]]:
    for row in _own(table, f"{W}tr", stop=f"{W}tbl"):
        cells: list[str] = []
        for cell in _own(row, f"{W}tc", stop=f"{W}tr"):
            text = _cell_text(cell, numbering)
            # Repeating a cell merged across columns keeps the columns of every row aligned.
            cells.extend([text] * _grid_span(cell))
        yield tuple(cells)


def _cell_text(cell: Element, numbering: _ListNumbering) -> str:
    lines: list[str] = []
    for block in _blocks(cell, numbering):
        if isinstance(block, Line):
            lines.append(block.text)
        else:
            lines.extend(" | ".join(row) for row in block.rows)
    return "\n".join(line for line in lines if line)


def _own(container: Element, tag: str, *, stop: str) -> Iterator[Element]:
    """The `tag` elements of `container` (a table's rows, a row's cells), also those wrapped in a
    content control, but not those of a table nested inside: the walk never enters a `tag` or a
    `stop` element, so every element is visited once, however deep the nesting."""
    stack = [iter(container)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == tag:
            yield child
        elif child.tag != stop:
            stack.append(iter(child))


def _grid_span(cell: Element) -> int:
    span = cell.find(f"{W}tcPr/{W}gridSpan")
    return max(1, min(_int(_val(span), 1), 64))


_TEXT_TAGS = {
    f"{W}t": None,
    f"{W}tab": "\t",
    f"{W}br": "\n",
    f"{W}cr": "\n",
    f"{W}noBreakHyphen": "-",
}


# Text boxes are drawn twice (a modern copy and an mc:Fallback one) and float outside the
# reading order; only the paragraph's own runs are read, so these subtrees are skipped.
_HIDDEN_COPIES = frozenset({_MC_FALLBACK, f"{W}txbxContent"})


def _paragraph_text(paragraph: Element) -> str:
    parts: list[str] = []
    # Depth first, in document order, skipping whole hidden subtrees: one visit per element.
    stack = [iter(paragraph)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        tag = element.tag
        if tag in _TEXT_TAGS:
            replacement = _TEXT_TAGS[tag]
            parts.append(element.text or "" if replacement is None else replacement)
        elif tag not in _HIDDEN_COPIES:
            stack.append(iter(element))
    return "".join(parts)


# ---------------------------------------------------------------- list numbering


@dataclass(frozen=True, slots=True)
class _Level:
    start: int
    number_format: str
    text: str


class _ListNumbering:
    """Rebuilds the list numbers Word shows, counting paragraphs as they are read."""

    def __init__(self, numbering: Element | None, styles: Element | None) -> None:
        self._lists = _read_lists(numbering) if numbering is not None else {}
        self._styles: dict[str, Element] = (
            {style.get(f"{W}styleId"): style for style in styles.iterfind(f"{W}style")}
            if styles is not None
            else {}
        )
        self._counters: dict[str, list[int]] = {}

    def prefix(self, paragraph: Element) -> str:
        num_id, level_index = self._numbering_of(paragraph)
        if num_id is None or num_id not in self._lists:
            return ""
        levels = self._lists[num_id]
        counters = self._counters.setdefault(num_id, [0] * _LEVELS)
        level = levels.get(level_index) or _Level(1, "decimal", f"%{level_index + 1}.")
        _count_paragraph(counters, level_index, level.start)
        return _shown_prefix(level, levels, counters)

    def _numbering_of(self, paragraph: Element) -> tuple[str | None, int]:
        num_pr = paragraph.find(f"{W}pPr/{W}numPr")
        if num_pr is None:
            num_pr = self._style_numbering(paragraph)
        if num_pr is None:
            return None, 0
        num_id = _val(num_pr.find(f"{W}numId"))
        level_index = _int(_val(num_pr.find(f"{W}ilvl")), 0)
        if num_id in (None, "0"):
            return None, 0
        return num_id, max(0, min(level_index, _LEVELS - 1))

    def _style_numbering(self, paragraph: Element) -> Element | None:
        style_id = _val(paragraph.find(f"{W}pPr/{W}pStyle"))
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self._styles.get(style_id)
            if style is None:
                return None
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                return num_pr
            style_id = _val(style.find(f"{W}basedOn"))
        return None


def _count_paragraph(counters: list[int], level_index: int, start: int) -> None:
    """One more paragraph at this level (the first one takes the level's start); every
    deeper level starts over."""
    counters[level_index] = counters[level_index] + 1 if counters[level_index] else start
    for deeper in range(level_index + 1, _LEVELS):
        counters[deeper] = 0


def _shown_prefix(level: _Level, levels: dict[int, _Level], counters: list[int]) -> str:
    """What Word shows before the paragraph: a bullet, nothing, or the level's text with
    each %n replaced by level n's number."""
    if level.number_format == "bullet":
        return "• "
    if level.number_format == "none":
        return ""
    text = _with_numbers(level.text, levels, counters)
    return f"{text} " if text else ""


def _with_numbers(text: str, levels: dict[int, _Level], counters: list[int]) -> str:
    for index in range(_LEVELS):
        placeholder = f"%{index + 1}"
        if placeholder in text:
            other = levels.get(index) or _Level(1, "decimal", "")
            value = counters[index] or other.start
            text = text.replace(placeholder, _format_number(value, other.number_format))
    return text


def _read_lists(numbering: Element) -> dict[str, dict[int, _Level]]:
    abstract = {
        item.get(f"{W}abstractNumId"): _read_levels(item)
        for item in numbering.iterfind(f"{W}abstractNum")
    }
    lists: dict[str, dict[int, _Level]] = {}
    for item in numbering.iterfind(f"{W}num"):
        levels = dict(abstract.get(_val(item.find(f"{W}abstractNumId")), {}))
        for override in item.iterfind(f"{W}lvlOverride"):
            index = _int(override.get(f"{W}ilvl"), 0)
            replaced = override.find(f"{W}lvl")
            if replaced is not None:
                levels[index] = _read_level(replaced)
            start = override.find(f"{W}startOverride")
            if start is not None and index in levels:
                base = levels[index]
                levels[index] = _Level(_int(_val(start), 1), base.number_format, base.text)
        lists[item.get(f"{W}numId")] = levels
    return lists


def _read_levels(abstract: Element) -> dict[int, _Level]:
    return {
        _int(level.get(f"{W}ilvl"), 0): _read_level(level) for level in abstract.iterfind(f"{W}lvl")
    }


def _read_level(level: Element) -> _Level:
    index = _int(level.get(f"{W}ilvl"), 0)
    text = _val(level.find(f"{W}lvlText"))
    return _Level(
        start=_int(_val(level.find(f"{W}start")), 1),
        number_format=_val(level.find(f"{W}numFmt")) or "decimal",
        text=f"%{index + 1}." if text is None else text,
    )


def _format_number(value: int, number_format: str) -> str:
    # A damaged file may ask for list item 10**9; keep the label short whatever it says.
    value = max(0, min(value, 9999))
    if number_format in ("lowerLetter", "upperLetter"):
        label = letters(value)
        return label if number_format == "lowerLetter" else label.upper()
    if number_format in ("lowerRoman", "upperRoman"):
        label = roman(value)
        return label.lower() if number_format == "lowerRoman" else label
    if number_format == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _val(element: Element | None) -> str | None:
    return None if element is None else element.get(f"{W}val")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
