"""Scanned PDFs (pages that are only images) read by Tesseract OCR.

Each page is rendered with pdfium at 300 dpi in grayscale, softened if it is speckled, turned
upright (a small tilt found by a projection-profile search; a quarter or half turn by
Tesseract's orientation detection, asked only when a page reads badly), and Tesseract
(`hye+eng`, one thread) reads its words with their boxes and confidences. Ruled tables are
found by their rules and their cells read apart, each cell becoming a cell of a Table as a Word
table's does. Lines become the blocks the parser reads, as the text-layer PDF's do (page
furniture stripped, wrapped lines re-joined). Tesseract's systematic Armenian misreadings are
put right by `ocr_text`; how sure it was of each word decides which fields are flagged for
the reviewer (`low_confidence_fields`).

Scans saved as pictures (.png, .jpg, .tif; a multi-page TIFF's frames are its pages) are read
the same way.

Pillow and pdfium are imported inside the functions: the parser package must stay light for
the web application, which imports it for its errors and results only.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .blocks import Block, Line, Table, normalize_line
from .errors import ReportError
from .layout import reflow, strip_page_furniture
from .ocr_text import correct_sequence, correct_words, is_period_number

if TYPE_CHECKING:
    from PIL.Image import Image

    from .model import ParsedReport

DPI = 300
LANGUAGES = "hye+eng"
DEFAULT_MAX_PAGES = 50
# Tesseract reads a 300 dpi A4 page in about 2-3 s on one core; a page that takes a minute
# is not a page of a report.
PAGE_TIMEOUT_SECONDS = 120
# A page bigger than A3 at 300 dpi is rendered at a lower resolution, so that a poster-sized
# page costs no more memory than a report's.
MAX_PAGE_PIXELS = 3508 * 4961

# Below this confidence (Tesseract's 0-100) a word is taken as possibly misread and the fields
# holding it are flagged for the reviewer. Measured on the samples' scans (clean and tilted,
# speckled, blurred): words read right score 85-96, with a few correct short words and
# punctuated numbers in the 70s; the misreadings found ("8." for "B.", "oun" for "ձևը", a
# dropped letter in a table cell) score under 70, most under 60.
LOW_CONFIDENCE = 70.0
# What a word whose reading cannot be trusted whatever Tesseract says is given.
UNSURE_CONFIDENCE = LOW_CONFIDENCE - 1
# A word whose box touches the page's left or right edge was cut by it (text that ran off the
# page, or a scan cropped too tight): whatever it reads, it is not the whole word.
EDGE_SHARE = 0.004

INSTALL_HINT = "install the Debian packages tesseract-ocr, tesseract-ocr-hye, tesseract-ocr-eng"

# A table stands in the page's lines as one placeholder line until the blocks are built: the
# private-use character after the mark tells the tables apart (and keeps them from counting
# as running headers, which are recognized by their shape with digits made alike).
_TABLE_MARK = "\ufffc"
_PUNCTUATION = ".,:;։՝`'\"«»()[]!?-–—…"


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str
    confidence: float
    left: int
    top: int
    right: int
    bottom: int
    line: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class OcrReading:
    """What OCR read of a document: its blocks, and how sure Tesseract was of each word."""

    blocks: tuple[Block, ...]
    pages: int
    seconds: float
    mean_confidence: float
    engine: str
    # Each word (without surrounding punctuation) to the lowest confidence it was read with.
    confidences: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- is Tesseract there


def _tesseract_path() -> str | None:
    return shutil.which("tesseract")


@lru_cache(maxsize=4)
def _languages(path: str) -> frozenset[str]:
    try:
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    # The first line says where the models are; the names follow, one a line.
    return frozenset(line.strip() for line in listed.stdout.splitlines()[1:])


@lru_cache(maxsize=4)
def _version(path: str) -> str:
    try:
        shown = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "tesseract"
    first = (shown.stdout or shown.stderr).strip().splitlines()
    return first[0] if first else "tesseract"


def ocr_unavailable() -> str | None:
    """None when scans can be read here; otherwise what to install, in one English line."""
    path = _tesseract_path()
    if path is None:
        return f"Tesseract OCR is not installed: {INSTALL_HINT}"
    missing = [language for language in LANGUAGES.split("+") if language not in _languages(path)]
    if missing:
        return f"Tesseract has no {' and '.join(missing)} language model: {INSTALL_HINT}"
    return None


def _tesseract() -> str:
    problem = ocr_unavailable()
    path = _tesseract_path()
    if problem is not None or path is None:
        raise ReportError(
            f"scanned document, and OCR is not available: {problem}", code="ocr_unavailable"
        )
    return path


# ---------------------------------------------------------------- reading a scanned PDF


def read_scanned_pdf(data: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> OcrReading:
    """The text of a PDF whose pages are images, read by OCR."""
    tesseract = _tesseract()
    import pypdfium2

    started = time.monotonic()
    try:
        document = pypdfium2.PdfDocument(data)
    except Exception as exc:
        raise ReportError("broken PDF: the file could not be read", code="broken_pdf") from exc
    try:
        count = len(document)
        _check_page_count(count, max_pages)
        pages = [_read_page(_render(document[number]), tesseract) for number in range(count)]
    finally:
        document.close()
    return _reading(pages, tesseract, started)


def read_scanned_image_file(data: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> OcrReading:
    """The text of a scan saved as a picture (PNG, JPEG, TIFF; each frame of a multi-page
    TIFF a page), read by OCR."""
    tesseract = _tesseract()
    import warnings

    from PIL import Image as PILImage
    from PIL import ImageSequence

    started = time.monotonic()
    try:
        with warnings.catch_warnings():
            # Pillow warns of an image of more than 89 million pixels (a "decompression
            # bomb") and refuses one of twice that: both are too large to be a page.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as picture:
                _check_page_count(getattr(picture, "n_frames", 1), max_pages)
                # One page in memory at a time: a frame is read before the next is decoded.
                pages = [
                    _read_page(_fitted(frame.convert("L")), tesseract)
                    for frame in ImageSequence.Iterator(picture)
                ]
    except ReportError:
        raise
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as exc:
        raise ReportError("image too large to be a scanned page", code="too_large") from exc
    except Exception as exc:
        # Pillow raises OSError, ValueError, SyntaxError and others on damaged files.
        raise ReportError("broken image: the file could not be read", code="broken_image") from exc
    return _reading(pages, tesseract, started)


def _check_page_count(count: int, max_pages: int) -> None:
    if count > max_pages:
        # `pages`, not `size`: the web layer words a `size` with a `limit` as megabytes.
        raise ReportError(
            f"scan too long to read by OCR: {count} pages, the limit is {max_pages}",
            code="too_large",
            pages=count,
            page_limit=max_pages,
        )


def _fitted(image: Image) -> Image:
    """The page no larger than MAX_PAGE_PIXELS."""
    pixels = image.width * image.height
    if pixels <= MAX_PAGE_PIXELS:
        return image
    scale = (MAX_PAGE_PIXELS / pixels) ** 0.5
    size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
    return image.resize(size)


@dataclass(slots=True)
class _Page:
    lines: list[str]
    tables: list[Table]
    words: list[OcrWord]


def _reading(pages: list[_Page], tesseract: str, started: float) -> OcrReading:
    lines, tables = _document_lines(pages)
    words = [word for page in pages for word in page.words]
    mean = statistics.fmean([word.confidence for word in words]) if words else 0.0
    return OcrReading(
        blocks=tuple(_blocks(lines, tables)),
        pages=len(pages),
        seconds=time.monotonic() - started,
        mean_confidence=mean,
        engine=f"{_version(tesseract)} {LANGUAGES}",
        confidences=_lowest_confidences(words),
    )


def _document_lines(pages: list[_Page]) -> tuple[list[str], list[Table]]:
    """The pages' lines joined into the document's, page furniture stripped, with the
    document's tables that their placeholders number."""
    tables: list[Table] = []
    page_lines: list[list[str]] = []
    for page in pages:
        # Each page numbers its tables from 0; the document's count on.
        offset = len(tables)
        page_lines.append(
            [
                _placeholder(offset + ord(line[1]) - 0xE000) if _is_placeholder(line) else line
                for line in page.lines
            ]
        )
        tables.extend(page.tables)
    return _joined_pages(strip_page_furniture(page_lines)), tables


def _blocks(lines: list[str], tables: list[Table]) -> list[Block]:
    """The document's lines, re-joined where wrapped, as blocks: each table's placeholder
    replaced by its table."""
    blocks: list[Block] = []
    for line in reflow(lines):
        if _is_placeholder(line):
            _add_table(blocks, tables[ord(line[1]) - 0xE000])
        else:
            blocks.append(Line(line))
    return blocks


def _add_table(blocks: list[Block], table: Table) -> None:
    # A table that runs on at the top of the next page is one table, as in the document.
    previous = next((block for block in reversed(blocks) if block != Line("")), None)
    if isinstance(previous, Table) and len(previous.rows[0]) == len(table.rows[0]):
        while blocks[-1] is not previous:
            blocks.pop()
        blocks[-1] = Table(previous.rows + table.rows)
    else:
        blocks.append(table)


def _lowest_confidences(words: list[OcrWord]) -> dict[str, float]:
    """Each word (without surrounding punctuation) to the lowest confidence it was read with."""
    confidences: dict[str, float] = {}
    for word in words:
        key = word_key(word.text)
        if key:
            confidences[key] = min(confidences.get(key, 100.0), word.confidence)
    return confidences


def _is_placeholder(line: str) -> bool:
    return len(line) == 2 and line[0] == _TABLE_MARK


def _joined_pages(pages: list[list[str]]) -> list[str]:
    """The pages' lines in one list, as the text-layer PDF's; a table is a block of its own,
    never joined to the text around it."""
    from .pdf_reader import join_pages

    lines: list[str] = []
    for line in join_pages(pages):
        if _is_placeholder(line) and lines and lines[-1]:
            lines.append("")
        if lines and _is_placeholder(lines[-1]) and line:
            lines.append("")
        lines.append(line)
    return lines


def _render(page: Any) -> Image:
    width, height = page.get_size()
    scale = DPI / 72
    pixels = width * scale * height * scale
    if pixels > MAX_PAGE_PIXELS:
        scale *= (MAX_PAGE_PIXELS / pixels) ** 0.5
    image: Image = page.render(scale=scale, grayscale=True).to_pil()
    return image.convert("L")


def _read_page(image: Image, tesseract: str) -> _Page:
    image = _straightened(_cleaned(image))
    page = _page_of(image, tesseract)
    if _looks_unread(page.words):
        # Few words, or mostly unsure ones: perhaps the page was scanned sideways or upside
        # down. Tesseract's orientation detection says by how much to turn it.
        turn = _orientation(image, tesseract)
        if turn:
            turned = _page_of(
                _straightened(image.rotate(-turn, expand=True, fillcolor=255)), tesseract
            )
            if _score(turned.words) > _score(page.words):
                page = turned
    return page


def _looks_unread(words: list[OcrWord]) -> bool:
    return len(words) < 10 or statistics.fmean(word.confidence for word in words) < 50


def _score(words: list[OcrWord]) -> float:
    return sum(word.confidence for word in words if word.confidence >= 60)


def _page_of(image: Image, tesseract: str) -> _Page:
    tables, blanked = find_tables(image)
    words = _words(blanked, tesseract, psm=3)
    margin = image.width * EDGE_SHARE
    words = [
        _with_confidence(word, 0.0)
        if word.left <= margin or word.right >= image.width - margin
        else word
        for word in words
    ]
    built, table_words = _read_tables(image, tables, tesseract)
    return _Page(_page_lines(words, tables), built, words + table_words)


def _with_confidence(word: OcrWord, confidence: float) -> OcrWord:
    return OcrWord(word.text, confidence, word.left, word.top, word.right, word.bottom, word.line)


# Cells are read one under another on a strip of their own, this far apart; a strip is cut
# before it grows taller than Tesseract reads at once.
_CELL_GAP = 60
_CELL_INSET = 7
_STRIP_MAX_HEIGHT = 12000
# Table text is often set smaller than the body's; Tesseract reads small print better enlarged
# (on the samples' 9 pt cells, "Լիոնի" came out "Լիռնի" at 300 dpi and right at 450).
_CELL_SCALE = 1.5


def _cell_size(box: tuple[int, int, int, int]) -> tuple[int, int]:
    return round((box[2] - box[0]) * _CELL_SCALE), round((box[3] - box[1]) * _CELL_SCALE)


def _read_tables(
    image: Image, tables: list[_RuledTable], tesseract: str
) -> tuple[list[Table], list[OcrWord]]:
    """Each table's cells read by Tesseract as blocks of their own. Read in place, narrow
    cells run into their neighbours and lose letters at the rules; cut out and stacked on a
    strip, each is read as the short paragraph it is, in one Tesseract run for them all."""
    boxes = _cell_boxes(tables)
    texts: list[str] = []
    all_words: list[OcrWord] = []
    start = 0
    while start < len(boxes):
        chunk = _strip_boxes(boxes[start:])
        chunk_texts, chunk_words = _read_strip(image, chunk, tesseract)
        texts.extend(chunk_texts)
        all_words.extend(chunk_words)
        start += len(chunk)
    cells = iter(texts)
    built = [
        Table(tuple(tuple(next(cells) for _ in row) for row in table.rows)) for table in tables
    ]
    return built, all_words


def _cell_boxes(tables: list[_RuledTable]) -> list[tuple[int, int, int, int]]:
    """Every cell of the tables, row by row, inside its rules; a cell too small to hold
    anything is one pixel, so that each cell still has a text."""
    boxes = [
        (left + _CELL_INSET, top + _CELL_INSET, right - _CELL_INSET, bottom - _CELL_INSET)
        for table in tables
        for row in table.rows
        for left, top, right, bottom in row
    ]
    return [
        box if box[2] > box[0] and box[3] > box[1] else (box[0], box[1], box[0] + 1, box[1] + 1)
        for box in boxes
    ]


def _strip_boxes(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The first of the boxes that fit on one strip (the first always does)."""
    chunk: list[tuple[int, int, int, int]] = []
    height = _CELL_GAP
    for box in boxes:
        size = _cell_size(box)
        if chunk and height + size[1] + _CELL_GAP > _STRIP_MAX_HEIGHT:
            break
        chunk.append(box)
        height += size[1] + _CELL_GAP
    return chunk


def _read_strip(
    image: Image, chunk: list[tuple[int, int, int, int]], tesseract: str
) -> tuple[list[str], list[OcrWord]]:
    """The text of each cell of the chunk, and the words read on them, in one Tesseract run."""
    strip, spans = _strip(image, chunk)
    words = _words(strip, tesseract, psm=6)
    texts: list[str] = []
    all_words: list[OcrWord] = []
    for (top, bottom), box in zip(spans, chunk, strict=True):
        inside = [word for word in words if top <= (word.top + word.bottom) / 2 <= bottom]
        texts.append(_cell_text(inside, _cell_size(box)[0], _CELL_GAP))
        all_words.extend(inside)
    return texts, all_words


def _strip(
    image: Image, chunk: list[tuple[int, int, int, int]]
) -> tuple[Image, list[tuple[int, int]]]:
    """The cells cut out of the page, enlarged and stacked on white paper, and where each
    stands on it (its top and bottom)."""
    from PIL import Image as PILImage

    sizes = [_cell_size(box) for box in chunk]
    width = max(size[0] for size in sizes) + 2 * _CELL_GAP
    height = _CELL_GAP + sum(size[1] + _CELL_GAP for size in sizes)
    strip = PILImage.new("L", (width, height), 255)
    spans: list[tuple[int, int]] = []
    y = _CELL_GAP
    for box, size in zip(chunk, sizes, strict=True):
        cell = image.crop(box).resize(size, PILImage.Resampling.LANCZOS)
        strip.paste(cell, (_CELL_GAP, y))
        spans.append((y, y + size[1]))
        y += size[1] + _CELL_GAP
    return strip, spans


# ---------------------------------------------------------------- Tesseract


def _words(image: Image, tesseract: str, *, psm: int) -> list[OcrWord]:
    """The words Tesseract reads on the image, corrected, in its reading order."""
    tsv = _run(tesseract, image, psm=psm)
    words: list[OcrWord] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        text = normalize_line(cells[11])
        confidence = float(cells[10])
        if not text or confidence < 0:
            continue
        left, top, width, height = (int(value) for value in cells[6:10])
        line = (int(cells[2]), int(cells[3]), int(cells[4]))
        words.append(OcrWord(text, confidence, left, top, left + width, top + height, line))
    return _corrected(words)


def _corrected(words: list[OcrWord]) -> list[OcrWord]:
    """Each line's words put right by ocr_text, keeping their boxes and confidences: a word
    changed by a correction rule is not flagged for it, as the rules fix only what is
    unambiguous."""
    texts: list[str] = []
    for _, group in itertools.groupby(words, key=lambda word: word.line):
        texts.extend(correct_words(word.text for word in group))
    read = [word.text for word in words]
    texts = correct_sequence(texts)
    corrected: list[OcrWord] = []
    for index, (word, text) in enumerate(zip(words, texts, strict=True)):
        confidence = word.confidence
        following = read[index + 1] if index + 1 < len(read) else ""
        if text != word.text:
            # A rule fixes only what is unambiguous: what Tesseract thought of the letter it
            # saw says nothing of the word put in its place.
            confidence = max(confidence, LOW_CONFIDENCE)
        if is_period_number(word.text, following) or _initial_or_number(words, index):
            # Which quarter it is decides the deadline; whether Tesseract saw two strokes or
            # three cannot be told from its confidence, so a person checks it.
            confidence = min(confidence, UNSURE_CONFIDENCE)
        corrected.append(
            OcrWord(text, confidence, word.left, word.top, word.right, word.bottom, word.line)
        )
    return corrected


_INITIAL_LIKE = re.compile(r"^[0-9]\.$")
_LATIN_NAME = re.compile(r"^[A-Z][a-z]+$")


def _initial_or_number(words: list[OcrWord], index: int) -> bool:
    """A line of a digit and a dot and a Latin name ("8. Kavafian"): Tesseract reads the
    initials B, S and G as 8, 5 and 6 without a doubt, but a numbered heading of one word may
    look the same, so the word is left as read and flagged."""
    line = [word for word in words if word.line == words[index].line]
    return (
        len(line) == 2
        and line[0] is words[index]
        and bool(_INITIAL_LIKE.match(line[0].text))
        and bool(_LATIN_NAME.match(line[1].text))
    )


def _orientation(image: Image, tesseract: str) -> int:
    """Degrees (clockwise) to turn the page upright, by Tesseract's orientation detection."""
    try:
        shown = _run(tesseract, image, psm=0)
    except ReportError:
        # Too little text to tell: the page stays as it is.
        return 0
    found = re.search(r"Rotate:\s*(\d+)", shown)
    return int(found.group(1)) if found else 0


def _run(tesseract: str, image: Image, *, psm: int) -> str:
    """Tesseract's TSV of the words on the image (psm 0: its orientation report instead),
    through the pytesseract binding."""
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = tesseract
    # Tesseract's OpenMP threads fight over the cores with the other workers' processes: one
    # thread each is several times faster in total. pytesseract starts it with this process's
    # environment; a value the administrator set is kept.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    # Uncompressed: Tesseract decodes it at once, where a PNG (pytesseract's default) costs a
    # second a page to write and read.
    image.format = "PPM"
    # Tesseract also tries every unsure word as white on black, which a report never is; not
    # doing so saves about a tenth of its time.
    config = f"--dpi {DPI} -c tessedit_do_invert=0"
    try:
        if psm == 0:
            return str(pytesseract.image_to_osd(image, config=config, timeout=PAGE_TIMEOUT_SECONDS))
        return str(
            pytesseract.image_to_data(
                image,
                lang=LANGUAGES,
                config=f"--psm {psm} {config}",
                timeout=PAGE_TIMEOUT_SECONDS,
            )
        )
    except pytesseract.TesseractError as exc:
        lines = str(exc.message).strip().splitlines()
        detail = lines[-1] if lines else f"exit status {exc.status}"
        raise ReportError(f"OCR failed: {detail}", code="ocr_failed") from exc
    # TesseractError is a RuntimeError too: caught first.
    except RuntimeError as exc:  # pytesseract's "Tesseract process timeout"
        raise ReportError(
            "OCR failed: Tesseract took too long on a page", code="ocr_failed"
        ) from exc
    except OSError as exc:  # TesseractNotFoundError among them
        raise ReportError(
            f"OCR failed: Tesseract could not run ({exc})", code="ocr_failed"
        ) from exc


# ---------------------------------------------------------------- lines


def _page_lines(words: list[OcrWord], tables: list[_RuledTable]) -> list[str]:
    """The page's lines in reading order, a blank line where the gap above a line is wider
    than the line spacing of a paragraph (which is what tells paragraphs apart), and each
    table's placeholder before the first line below its top."""
    groups = [list(group) for _, group in itertools.groupby(words, key=lambda word: word.line)]
    height = _median_line_height(groups)
    waiting = sorted(enumerate(tables), key=lambda item: item[1].top)
    lines: list[str] = []
    previous_top: int | None = None
    for group in groups:
        top = min(word.top for word in group)
        placed = _tables_above(waiting, top)
        if placed:
            lines.extend(placed)
            previous_top = None
        # Measured on the samples: lines of a paragraph stand 1.4 line heights apart, separate
        # paragraphs 1.9 (a Word paragraph's space after) to 2.8 (a blank line) apart.
        if previous_top is not None and top - previous_top > 1.7 * height:
            lines.append("")
        previous_top = top
        lines.append(" ".join(word.text for word in group))
    for number, _ in waiting:
        lines.extend(_table_lines(number))
    return lines


def _median_line_height(groups: list[list[OcrWord]]) -> float:
    heights = [max(w.bottom for w in group) - min(w.top for w in group) for group in groups]
    return statistics.median(heights) if heights else 0


def _tables_above(waiting: list[tuple[int, _RuledTable]], top: int) -> list[str]:
    """The placeholder lines of the waiting tables (sorted by their top) that begin above
    `top`, taken off the waiting list."""
    lines: list[str] = []
    while waiting and waiting[0][1].top < top:
        lines.extend(_table_lines(waiting.pop(0)[0]))
    return lines


def _table_lines(number: int) -> list[str]:
    """A table's placeholder, a block of its own between blank lines."""
    return ["", _placeholder(number), ""]


def _placeholder(number: int) -> str:
    return f"{_TABLE_MARK}{chr(0xE000 + number)}"


# ---------------------------------------------------------------- ruled tables


@dataclass(slots=True)
class _RuledTable:
    """A grid of ruled cells: each row a band between two rules, its cells between the
    vertical rules crossing it."""

    top: int
    bottom: int
    left: int
    right: int
    rows: list[list[tuple[int, int, int, int]]]


def _cell_text(words: list[OcrWord], width: int, start: int) -> str:
    """A cell's lines, joined by a space where a line was wrapped (the next line's first word
    would not have fitted on it) and kept apart otherwise (names one under another)."""
    groups = [list(group) for _, group in itertools.groupby(words, key=lambda word: word.line)]
    groups.sort(key=lambda group: min(word.top for word in group))
    text = ""
    previous_right = 0
    for group in groups:
        line = " ".join(word.text for word in group)
        if text:
            # Wrapped when the line's first word would not have fitted after the last one.
            first = group[0].right - group[0].left
            space = 0.3 * (group[0].bottom - group[0].top)
            wrapped = previous_right - start + space + first > 0.9 * width
            text += " " if wrapped else "\n"
        text += line
        previous_right = max(word.right for word in group)
    return text


def find_tables(image: Image) -> tuple[list[_RuledTable], Image]:
    """The ruled tables of a page, and the page with them blanked out: their cells are read
    apart (`_read_tables`), as Tesseract's page layout runs narrow cells into each other."""
    ink = image.point(lambda value: 255 if value < 160 else 0)
    tables = _ruled_tables(ink, _rules(ink))
    if not tables:
        return tables, image
    return tables, _blanked(image, tables)


def _rules(ink: Image) -> list[tuple[int, int, int, int]]:
    """The page's horizontal rules (top, bottom, left, right): rows with a run of ink at
    least 0.3 of the page's width, rows no more than 2 apart merged into one rule."""
    from PIL import Image as PILImage

    width, height = ink.size
    means = list(ink.resize((1, height), PILImage.Resampling.BOX).tobytes())
    rules: list[tuple[int, int, int, int]] = []
    for y in range(1, height - 1):
        if means[y] < 0.3 * 255:
            continue
        run = _longest_run(ink, y, width)
        if run is None or run[1] - run[0] < 0.3 * width:
            continue
        if rules and y - rules[-1][1] <= 2:
            top, _, left, right = rules[-1]
            rules[-1] = (top, y, min(left, run[0]), max(right, run[1]))
        else:
            rules.append((y, y, run[0], run[1]))
    return rules


def _ruled_tables(ink: Image, rules: list[tuple[int, int, int, int]]) -> list[_RuledTable]:
    """The tables the rules make: consecutive rules joined by vertical rules are rows of one
    table; a pair that is not ends it."""
    tables: list[_RuledTable] = []
    current: _RuledTable | None = None
    for upper, lower in itertools.pairwise(rules):
        cells = _band_cells(ink, upper, lower, ink.width)
        if cells is None:
            current = None
            continue
        if current is None:
            current = _RuledTable(upper[0], lower[1], upper[2], upper[3], [])
            tables.append(current)
        current.rows.append(cells)
        current.bottom = lower[1]
        current.left = min(current.left, upper[2], lower[2])
        current.right = max(current.right, upper[3], lower[3])
    return tables


def _blanked(image: Image, tables: list[_RuledTable]) -> Image:
    """A copy of the page with the tables painted white."""
    from PIL import ImageDraw

    blanked = image.copy()
    draw = ImageDraw.Draw(blanked)
    for table in tables:
        draw.rectangle((table.left - 4, table.top - 4, table.right + 4, table.bottom + 4), fill=255)
    return blanked


def _longest_run(ink: Image, y: int, width: int) -> tuple[int, int] | None:
    """The longest run of ink along row y, the rows above and below it merged (a rule left a
    little tilted by the deskewing steps from one row to the next)."""
    from PIL import ImageChops

    rows = [ink.crop((0, row, width, row + 1)) for row in (y - 1, y, y + 1)]
    merged = ImageChops.lighter(ImageChops.lighter(rows[0], rows[1]), rows[2]).tobytes()
    best: tuple[int, int] | None = None
    for match in re.finditer(rb"\xff+", merged):
        if best is None or match.end() - match.start() > best[1] - best[0]:
            best = (match.start(), match.end())
    return best


def _band_cells(
    ink: Image, upper: tuple[int, int, int, int], lower: tuple[int, int, int, int], width: int
) -> list[tuple[int, int, int, int]] | None:
    """The cells between two rules, or None when no vertical rules join them into a row."""
    from PIL import Image as PILImage

    left = max(min(upper[2], lower[2]) - 4, 0)
    right = min(max(upper[3], lower[3]) + 4, width)
    top, bottom = upper[1] + 2, lower[0] - 2
    if bottom - top < 15 or abs(upper[2] - lower[2]) > 0.02 * width:
        return None
    band = ink.crop((left, top, right, bottom))
    columns = list(band.resize((band.width, 1), PILImage.Resampling.BOX).tobytes())
    verticals: list[tuple[int, int]] = []
    for x, value in enumerate(columns):
        if value < 0.8 * 255:
            continue
        if verticals and x - verticals[-1][1] <= 2:
            verticals[-1] = (verticals[-1][0], x)
        else:
            verticals.append((x, x))
    if len(verticals) < 2:
        return None
    edges = [(left + start, left + end) for start, end in verticals]
    return [
        (first[1] + 1, upper[1], second[0] - 1, lower[0])
        for first, second in itertools.pairwise(edges)
    ]


# ---------------------------------------------------------------- a noisy or tilted scan

# A clean page's paper is one shade: most pixels lie within a few levels of the lightest
# common one. A speckled or grainy scan's spreads over many; a slight blur takes the specks
# and the grain away (on the samples' noisy scans Tesseract's mean confidence goes from 89 to
# 95 and its words under 70 from 13 to none on a page; a 3x3 median filter does as well, at
# five times the cost: 1.3 s a page against 0.25). A clean page is left sharp.
_PAPER_SHARE = 0.75
_PAPER_LEVELS = 2


def _cleaned(image: Image) -> Image:
    from PIL import ImageFilter

    if _paper_share(image) >= _PAPER_SHARE:
        return image
    return image.filter(ImageFilter.GaussianBlur(1))


def _paper_share(image: Image) -> float:
    """The share of pixels within _PAPER_LEVELS of the paper's shade (the most common of the
    light ones)."""
    histogram = image.histogram()
    paper = max(range(128, 256), key=lambda level: histogram[level])
    near = histogram[max(0, paper - _PAPER_LEVELS) : paper + _PAPER_LEVELS + 1]
    return sum(near) / max(1, sum(histogram))


def _straightened(image: Image) -> Image:
    angle = skew_angle(image)
    if abs(angle) < 0.2:
        return image
    from PIL import Image as PILImage

    return image.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=False, fillcolor=255)


def skew_angle(image: Image) -> float:
    """Degrees (counter-clockwise) to turn the page by so that its lines lie level: the angle
    at which the rows of a small copy are sharpest (dark lines, white gaps between them)."""
    from PIL import Image as PILImage

    small = image.reduce(4).point(lambda value: 255 if value < 200 else 0)

    def sharpness(angle: float) -> float:
        turned = small.rotate(angle, resample=PILImage.Resampling.BILINEAR, fillcolor=0)
        rows = list(turned.resize((1, turned.height), PILImage.Resampling.BOX).tobytes())
        return float(sum((a - b) ** 2 for a, b in itertools.pairwise(rows)))

    coarse = max((step / 2 for step in range(-10, 11)), key=sharpness)
    return max((coarse + step / 10 for step in range(-5, 6)), key=sharpness)


# ---------------------------------------------------------------- fields read with low confidence


def word_key(text: str) -> str:
    """A word as looked up in the confidences: without the punctuation around it."""
    return text.strip(_PUNCTUATION)


def low_confidence_fields(
    report: ParsedReport, confidences: dict[str, float], threshold: float = LOW_CONFIDENCE
) -> dict[str, float]:
    """The report's fields holding a word read below `threshold`, each to its lowest
    confidence. A word the parse changed (two lines re-joined at a hyphen) is not found and
    counts for nothing."""
    low: dict[str, float] = {}
    for name, text in field_texts(report).items():
        found = [confidences[key] for key in map(word_key, text.split()) if key in confidences]
        if found and min(found) < threshold:
            low[name] = min(found)
    return low


# A word of a date: a day or year (two digits or more, or a digit among dots and dashes) or a
# month's name; not a lone digit, which may be an initial misread ("8. Kavafian").
_DATE_WORD = re.compile(
    r"\d\d|\d[./-]\d|հունվար|փետրվար|մարտ|ապրիլ|մայիս|հունիս|հուլիս|օգոստոս|սեպտեմբեր|հոկտեմբեր"
    r"|նոյեմբեր|դեկտեմբեր|january|february|march|april|may|june|july|august|september"
    r"|october|november|december",
    re.IGNORECASE,
)


def field_texts(report: ParsedReport) -> dict[str, str]:
    """The text each field was read from. A date's is the words of its section that name a
    day, a month or a year."""
    fields: dict[str, str] = {}
    for name in ("author_name", "author_position", "destination", "inviting_party", "signatory"):
        value = getattr(report, name)
        if value:
            fields[name] = value
    if report.signed_on:
        fields["signed_on"] = _date_words(report.sections.get("10", ""))
    if report.trip_start or report.trip_end:
        trip = _date_words(report.sections.get("3", ""))
        fields["trip_start"] = fields["trip_end"] = trip
    for index, item in enumerate(report.recommendations):
        values = {
            "title": item.title,
            "text": item.text,
            "owners": " ".join(item.owners),
            "deadline_text": item.deadline_text,
            "expected_result": item.expected_result,
            "method": item.method,
        }
        for name, value in values.items():
            if value:
                fields[f"recommendations.{index}.{name}"] = value
    return fields


def _date_words(text: str) -> str:
    return " ".join(word for word in text.split() if _DATE_WORD.search(word))
