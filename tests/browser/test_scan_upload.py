"""A scanned report uploaded in chromium (#15 point 1), as the registry does it: the upload
returns at once to "Reading the scanned document…", the page reloads itself until the
review opens, which shows the OCR confidence; on a 390 px phone nothing overflows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.browser.conftest import sign_in
from tests.conftest import unavailable
from tests.reports.scans import scanned_pdf


def test_a_scan_uploaded_in_the_browser_opens_its_review_when_read(
    browser, live_server: str, tmp_path: Path
) -> None:
    if shutil.which("tesseract") is None:
        unavailable("Tesseract is not installed: apt install tesseract-ocr tesseract-ocr-hye")
    scan = tmp_path / "vilnius-scan.pdf"
    scan.write_bytes(scanned_pdf("hy-vilnius-2025-02.txt"))
    page = sign_in(browser, live_server, "staff@demo.am", "demo-staff")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server}/reports/upload")
    page.set_input_files("input[type=file]", str(scan))
    page.click("#submit")

    # At once: the waiting page, in Armenian, not the review.
    page.wait_for_url(re.compile(r"/reports/scans/\d+$"))
    status = page.locator(".scan-status")
    assert status.get_attribute("data-status") in ("queued", "reading")
    assert "Սկանավորված փաստաթուղթը կարդացվում է…" in status.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The page reloads itself every 3 s; the reading takes a few seconds a page.
    page.wait_for_url(re.compile(r"/reports/\d+/review$"), timeout=120_000)
    summary = page.locator(".ocr-summary").inner_text()
    assert re.search(r"2 էջ, միջին վստահելիությունը՝ \d+%", summary), summary
    assert page.locator(".review-row").count() == 3
    assert (
        page.locator("#rows-0-title")
        .input_value()
        .startswith("Մշակել մարզպետարանում էլեկտրոնային դիմումների")
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
