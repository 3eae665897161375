"""The OCR reader's own behaviour: what it needs installed, its limits, its failures, and the
page geometry it works out before Tesseract reads (tilt, ruled tables)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reports.conftest import SAMPLES
from tests.reports.parsing.conftest import ScanReader, needs_tesseract
from tests.reports.scans import images_to_pdf, page_images, scanned_pdf
from tracker.reports.parsing import ReportError, ocr, parse_report
from tracker.reports.parsing.blocks import Line
from tracker.reports.parsing.readers import read_document

FakeTesseract = Callable[..., None]


@pytest.fixture
def fake_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTesseract]:
    """A script standing in for tesseract: it lists `languages` and fails to read (or runs
    `read` instead)."""

    def install(
        languages: str, *, read: str = 'echo "Error in pixReadMem: bad image" >&2; exit 1'
    ) -> None:
        script = tmp_path / "tesseract"
        listed = "\\n".join(languages.split())
        script.write_text(
            "#!/bin/sh\n"
            'case "$1" in\n'
            "  --list-langs)"
            f' printf "List of available languages in \\"/x/\\" (3):\\n{listed}\\n";;\n'
            '  --version) echo "tesseract 5.0.0-fake";;\n'
            f"  *) cat >/dev/null; {read};;\n"
            "esac\n"
        )
        script.chmod(0o755)
        ocr._languages.cache_clear()
        ocr._version.cache_clear()
        monkeypatch.setattr(ocr, "_tesseract_path", lambda: str(script))

    yield install
    ocr._languages.cache_clear()
    ocr._version.cache_clear()


def test_without_tesseract_the_reason_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ocr, "_tesseract_path", lambda: None)
    reason = ocr.ocr_unavailable()
    assert reason is not None
    assert "tesseract-ocr, tesseract-ocr-hye, tesseract-ocr-eng" in reason
    with pytest.raises(ReportError) as refused:
        parse_report(scanned_pdf("hy-no-recommendations.txt"), "scan.pdf", ocr=True)
    assert refused.value.code == "ocr_unavailable"
    assert "tesseract-ocr-hye" in refused.value.message
    assert "\n" not in refused.value.message


def test_a_missing_language_model_is_named(fake_tesseract: FakeTesseract) -> None:
    fake_tesseract("eng osd")
    reason = ocr.ocr_unavailable()
    assert reason is not None
    assert "no hye language model" in reason
    assert "tesseract-ocr-hye" in reason
    fake_tesseract("hye eng osd")
    assert ocr.ocr_unavailable() is None


def test_tesseract_failing_is_ocr_failed(fake_tesseract: FakeTesseract) -> None:
    fake_tesseract("hye eng")
    with pytest.raises(ReportError) as refused:
        parse_report(scanned_pdf("hy-no-recommendations.txt"), "scan.pdf", ocr=True)
    assert refused.value.code == "ocr_failed"
    assert "bad image" in refused.value.message


def test_tesseract_that_hangs_is_ocr_failed(
    fake_tesseract: FakeTesseract, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tesseract("hye eng", read="exec sleep 30")
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT_SECONDS", 1)
    with pytest.raises(ReportError) as refused:
        parse_report(scanned_pdf("hy-no-recommendations.txt"), "scan.pdf", ocr=True)
    assert refused.value.code == "ocr_failed"


def test_a_scan_of_too_many_pages_is_refused_before_it_is_read(
    fake_tesseract: FakeTesseract,
) -> None:
    # The fake reads nothing: a refusal for its failure would mean a page was read.
    fake_tesseract("hye eng")
    data = scanned_pdf("hy-vilnius-2025-02.txt")
    with pytest.raises(ReportError) as refused:
        ocr.read_scanned_pdf(data, max_pages=1)
    assert refused.value.code == "too_large"
    assert refused.value.params == {"pages": 2, "page_limit": 1}
    assert ocr.DEFAULT_MAX_PAGES == 50


def test_a_broken_pdf_is_broken_pdf_with_ocr_too() -> None:
    with pytest.raises(ReportError) as refused:
        read_document(b"%PDF-1.4\nnot really", "x.pdf", max_bytes=10_000, ocr=True)
    assert refused.value.code == "broken_pdf"


def test_the_ocr_codes_are_documented_and_worded() -> None:
    assert "ocr_unavailable" in (ReportError.__doc__ or "")
    assert "ocr_failed" in (ReportError.__doc__ or "")


# ---------------------------------------------------------------- page geometry (no Tesseract)


@pytest.mark.parametrize("degrees", [1.5, -2.0, 0.0])
def test_the_tilt_of_a_page_is_found(degrees: float) -> None:
    page = page_images("hy-no-recommendations.txt")[0]
    from PIL import Image

    tilted = page.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert ocr.skew_angle(tilted) == pytest.approx(-degrees, abs=0.2)


def test_a_ruled_table_is_found_with_its_rows_and_columns() -> None:
    first, second = page_images("hy-lyon-2025-09.docx")
    tables, blanked = ocr.find_tables(first)
    assert len(tables) == 1
    assert [len(row) for row in tables[0].rows] == [6, 6]
    # The table is blanked out of the page the text is read from, the rest left as it was.
    table = tables[0]
    inside = blanked.crop((table.left, table.top, table.right, table.bottom))
    assert inside.getextrema() == (255, 255)
    assert (
        blanked.crop((0, 0, first.width, table.top - 10)).tobytes()
        == first.crop((0, 0, first.width, table.top - 10)).tobytes()
    )
    # The rest of the table, on the next page, is a table of its own there.
    assert [len(row) for row in ocr.find_tables(second)[0][0].rows] == [6]


def test_a_page_of_text_has_no_table() -> None:
    for page in page_images("hy-vilnius-2025-02.txt"):
        assert ocr.find_tables(page)[0] == []


# ---------------------------------------------------------------- reading (Tesseract)


def test_a_page_scanned_sideways_is_turned_upright() -> None:
    needs_tesseract()
    from PIL import Image

    page = page_images("hy-no-recommendations.txt")[0]
    # The top of the page only: enough text for the orientation, a third of the reading time.
    top = page.crop((0, 0, page.width, page.height // 3))
    sideways = top.transpose(Image.Transpose.ROTATE_90)
    reading = ocr.read_scanned_pdf(images_to_pdf([sideways]))
    text = "\n".join(block.text for block in reading.blocks if isinstance(block, Line))
    assert "Արմեն Հակոբյան" in text
    assert "ՀՀ, Երևան, 2025 թ. հունիսի 2-ին" in text


def test_a_table_split_by_a_page_break_is_one_table(read_scan: ScanReader) -> None:
    # The Lyon report's table has its header and first row on page 1, its second row on page 2.
    report = read_scan("hy-lyon-2025-09.docx", "clean")
    rows = [line for line in report.text.split("\n") if " | " in line]
    assert len(rows) == 3
    assert rows[0].startswith("N | Առաջարկություն")
    assert len(report.recommendations) == 2
    assert not [warning for warning in report.warnings if "table" in warning]


# ---------------------------------------------------------------- scans saved as pictures


def _picture(pages: list[Any], kind: str) -> bytes:
    buffer = io.BytesIO()
    first, *rest = pages
    first.save(buffer, kind, save_all=True, append_images=rest, dpi=(300, 300))
    return buffer.getvalue()


def test_a_scan_saved_as_a_png_is_read_with_ocr() -> None:
    needs_tesseract()
    page = page_images("hy-no-recommendations.txt")[0]
    report = parse_report(_picture([page], "PNG"), "scan.png", ocr=True)
    assert report.author_name == "Արմեն Հակոբյան"
    assert report.ocr is not None
    assert report.ocr.pages == 1


def test_without_ocr_a_picture_is_an_unsupported_type() -> None:
    page = page_images("hy-no-recommendations.txt")[0]
    with pytest.raises(ReportError) as refused:
        parse_report(_picture([page], "PNG"), "scan.png")
    assert refused.value.code == "unsupported_type"


def test_each_frame_of_a_tiff_is_a_page(fake_tesseract: FakeTesseract) -> None:
    fake_tesseract("hye eng")
    pages = page_images("hy-vilnius-2025-02.txt")
    with pytest.raises(ReportError) as refused:
        ocr.read_scanned_image_file(_picture(pages, "TIFF"), max_pages=1)
    assert refused.value.code == "too_large"
    assert refused.value.params == {"pages": 2, "page_limit": 1}


@pytest.mark.parametrize("name", ["scan.png", "scan.jpg", "scan.tiff"])
def test_a_broken_picture_is_broken_image(name: str, fake_tesseract: FakeTesseract) -> None:
    fake_tesseract("hye eng")
    with pytest.raises(ReportError) as refused:
        parse_report(b"\x89PNG\r\n\x1a\n not really a picture", name, ocr=True)
    assert refused.value.code == "broken_image"


# ---------------------------------------------------------------- fields flagged (no Tesseract)


def test_a_field_is_flagged_by_its_least_sure_word() -> None:
    report = parse_report(
        (SAMPLES / "hy-vilnius-2025-02.txt").read_bytes(), "hy-vilnius-2025-02.txt"
    )
    sure = {ocr.word_key(word): 95.0 for word in report.text.split()}
    assert ocr.low_confidence_fields(report, sure) == {}
    unsure = {**sure, "Սարգսյան": 40.0, "31-ը": 55.0, "մշտապես": 69.9, "Կարեն": 70.0}
    assert ocr.low_confidence_fields(report, unsure) == {
        # The author and the signatory, and the first recommendation's owner.
        "author_name": 40.0,
        "signatory": 40.0,
        "recommendations.0.owners": 40.0,
        "recommendations.0.deadline_text": 55.0,
        "recommendations.2.deadline_text": 69.9,
    }


def test_a_date_is_flagged_by_the_words_it_was_read_from() -> None:
    report = parse_report(
        (SAMPLES / "hy-vilnius-2025-02.txt").read_bytes(), "hy-vilnius-2025-02.txt"
    )
    sure = {ocr.word_key(word): 95.0 for word in report.text.split()}
    flagged = ocr.low_confidence_fields(report, {**sure, "10.02.2025թ": 30.0, "3-5-ը": 50.0})
    assert flagged == {"signed_on": 30.0, "trip_start": 50.0, "trip_end": 50.0}


def test_a_word_the_parse_changed_counts_for_nothing() -> None:
    report = parse_report(
        (SAMPLES / "hy-vilnius-2025-02.txt").read_bytes(), "hy-vilnius-2025-02.txt"
    )
    assert ocr.low_confidence_fields(report, {}) == {}
