"""OCR of scanned reports (#15): seconds a page, beside Tesseract alone on the same pages.

Run by hand: `.venv/bin/python bench/parse_scans.py [variant ...]` (variants: clean, skewed;
both by default). Each sample report is printed and scanned as the tests do
(tests/reports/scans.py: 300 dpi, grayscale; "skewed" is turned 1.5° with speckles and a
blur), then, in the same invocation and alternately:

- reference: the `tesseract` command alone on each page image (PNG on disk, `hye+eng`, one
  thread), the least any OCR of these pages costs on this machine;
- tracker: `parse_report(..., ocr=True)`, which renders the PDF's pages, reads them with
  Tesseract, corrects and parses them.

It prints each one's wall seconds, seconds a page, the ratio to the reference, the mean
confidence and how many fields the review flags. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reports.scans import VARIANTS, rasterize, scan_names, scanned_pdf  # noqa: E402
from tracker.reports.parsing import ReportError, parse_report  # noqa: E402

REPEATS = 2


def tesseract_alone(pages: list[object], folder: Path) -> float:
    """Seconds for the `tesseract` command to read the page images, one after the other."""
    paths = []
    for number, page in enumerate(pages):
        path = folder / f"page-{number}.png"
        page.save(path)  # type: ignore[attr-defined]
        paths.append(path)
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.perf_counter()
    for path in paths:
        subprocess.run(
            ["tesseract", str(path), "-", "-l", "hye+eng"],
            capture_output=True,
            check=True,
            env=environment,
        )
    return time.perf_counter() - started


def tracker_parse(data: bytes, name: str) -> tuple[float, object]:
    started = time.perf_counter()
    try:
        parsed: object = parse_report(data, name + ".pdf", ocr=True)
    except ReportError as error:
        parsed = error
    return time.perf_counter() - started, parsed


def main(variants: list[str]) -> int:
    print(
        f"{'sample':<28} {'variant':<7} {'pages':>5} {'tesseract s':>11} {'tracker s':>9}"
        f" {'s/page':>6} {'ratio':>5} {'conf':>5} {'flags':>5}"
    )
    ratios = []
    per_page = []
    with tempfile.TemporaryDirectory() as folder:
        for name in scan_names():
            for variant in variants:
                data = scanned_pdf(name, variant)
                # The very pages the tracker reads: the scan's images, rendered back.
                images = rasterize(data)
                reference, tracker = [], []
                for _ in range(REPEATS):
                    reference.append(tesseract_alone(images, Path(folder)))
                    seconds, parsed = tracker_parse(data, name)
                    tracker.append(seconds)
                ref, own = statistics.median(reference), statistics.median(tracker)
                ocr = getattr(parsed, "ocr", None)
                confidence = f"{ocr.mean_confidence:5.1f}" if ocr else "    -"
                flags = f"{len(ocr.low_fields):5d}" if ocr else "    -"
                pages = len(images)
                ratios.append(own / ref)
                per_page.append(own / pages)
                print(
                    f"{name:<28} {variant:<7} {pages:>5} {ref:>11.2f} {own:>9.2f}"
                    f" {own / pages:>6.2f} {own / ref:>5.2f} {confidence} {flags}"
                    + ("" if ocr else f"  refused: {getattr(parsed, 'code', '?')}")
                )
    print(
        f"median seconds a page {statistics.median(per_page):.2f},"
        f" median ratio to Tesseract alone {statistics.median(ratios):.2f}"
        f" (load average {os.getloadavg()[0]:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or list(VARIANTS)))
