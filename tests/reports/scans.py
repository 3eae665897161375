"""Scanned versions of the sample reports, made at test time: image-only PDFs (no text layer).

Each sample is typeset (or, for the sample .pdf, taken as it is), rasterized at 300 dpi in
grayscale with pdfium, optionally "scanned badly" (turned a little, speckled, blurred), and
saved back as a PDF of page images with Pillow. Everything is seeded, so every run makes the
same bytes and reads the same words.
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

from tests.reports.conftest import SAMPLES

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DPI = 300
# A4 with 2 cm margins, 12 pt type: what an office prints.
FONT_SIZE = 12
TABLE_FONT_SIZE = 9
LINE_HEIGHT_MM = 6.0
MARGIN_MM = 20

VARIANTS = ("clean", "skewed")
# The bad scan: turned by this many degrees, with seeded speckles and a slight blur.
SKEW_DEGREES = 1.5


def scan_names(suffixes: tuple[str, ...] = (".txt", ".docx", ".pdf")) -> list[str]:
    """The samples that have scanned versions, in a stable order."""
    return sorted(path.name for path in SAMPLES.iterdir() if path.suffix in suffixes)


def scanned_pdf(name: str, variant: str = "clean") -> bytes:
    """The sample `name` as an image-only PDF, scanned cleanly or badly ("skewed")."""
    if variant not in VARIANTS:
        raise ValueError(variant)
    pages = page_images(name)
    if variant == "skewed":
        pages = [_bad_scan(page, seed=f"{name}/{number}") for number, page in enumerate(pages)]
    return images_to_pdf(pages)


def page_images(name: str) -> list[Any]:
    """The sample's pages as 300 dpi grayscale images (PIL.Image.Image)."""
    path = SAMPLES / name
    if path.suffix == ".pdf":
        return rasterize(path.read_bytes())
    if path.suffix == ".txt":
        return rasterize(typeset_text(path.read_text(encoding="utf-8")))
    if path.suffix == ".docx":
        return rasterize(typeset_docx(path.read_bytes()))
    raise ValueError(name)


def images_to_pdf(pages: list[Any]) -> bytes:
    buffer = io.BytesIO()
    first, *rest = pages
    first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=DPI)
    return buffer.getvalue()


def rasterize(pdf: bytes) -> list[Any]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [
            page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L") for page in document
        ]
    finally:
        document.close()


def _new_pdf() -> Any:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    pdf.add_font("DejaVuSerif", fname=str(FONT))
    pdf.set_font("DejaVuSerif", size=FONT_SIZE)
    pdf.add_page()
    return pdf


def typeset_text(text: str) -> bytes:
    """The text as printed: one paragraph per line, wrapped at the margins; a blank line is
    a gap."""
    pdf = _new_pdf()
    for line in text.splitlines():
        _paragraph(pdf, line)
    return bytes(pdf.output())


def _paragraph(pdf: Any, line: str) -> None:
    if not line.strip():
        pdf.ln(LINE_HEIGHT_MM)
        return
    # A leading indent (the English sample's "   Deadline:") is kept as a left shift.
    indent = len(line) - len(line.lstrip(" "))
    pdf.set_x(MARGIN_MM + indent * 2)
    pdf.multi_cell(0, LINE_HEIGHT_MM, line.strip(), align="L", new_x="LMARGIN", new_y="NEXT")


def typeset_docx(data: bytes) -> bytes:
    """The .docx's paragraphs and tables in document order, a gap after each paragraph as
    Word leaves; tables ruled, with the cells' text wrapped."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    pdf = _new_pdf()
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            _paragraph(pdf, item.text)
            pdf.ln(2)
        elif isinstance(item, Table):
            _table(pdf, [[cell.text for cell in row.cells] for row in item.rows])
    return bytes(pdf.output())


def _table(pdf: Any, rows: list[list[str]]) -> None:
    pdf.set_font_size(TABLE_FONT_SIZE)
    # The number column narrow, the others by how much text they hold.
    columns = len(rows[0])
    # Every column as wide as its longest word (a name cut in two would read as two words),
    # the width left over shared by how much text each holds. Millimetres: fpdf2 takes the
    # widths as proportions of the text width.
    padding = 1.0
    least = [
        max(pdf.get_string_width(word) for row in rows for word in row[index].split())
        + 2 * padding
        + 1
        for index in range(columns)
    ]
    spare = 210 - 2 * MARGIN_MM - sum(least)
    shares = [sum(len(row[index]) for row in rows) for index in range(columns)]
    widths = tuple(
        width + spare * share / sum(shares) for width, share in zip(least, shares, strict=True)
    )
    with pdf.table(
        col_widths=widths, line_height=5, padding=padding, first_row_as_headings=False
    ) as t:
        for row in rows:
            table_row = t.row()
            for value in row:
                table_row.cell(value)
    pdf.set_font_size(FONT_SIZE)
    pdf.ln(LINE_HEIGHT_MM)


def _bad_scan(page: Any, *, seed: str) -> Any:
    """The page turned SKEW_DEGREES, softened, with seeded grey noise and dark specks."""
    from PIL import Image, ImageChops, ImageFilter

    rng = random.Random(seed)
    turned = page.rotate(SKEW_DEGREES, resample=Image.Resampling.BICUBIC, fillcolor=255)
    soft = turned.filter(ImageFilter.GaussianBlur(0.7))
    size = soft.size
    grain = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    shade = grain.point(lambda value: value * 24 // 255)
    specks = grain.point(lambda value: 200 if value < 2 else 0)
    return ImageChops.subtract(ImageChops.subtract(soft, shade), specks)
