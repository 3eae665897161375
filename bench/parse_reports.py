"""Parse each sample report N times and print the median and fastest parse time.

Run by hand: `.venv/bin/python bench/parse_reports.py [N]` (target: under 50 ms per report).
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.reports.parsing import ReportError, parse_report  # noqa: E402

SAMPLES = ROOT / "tracker" / "reports" / "samples"
TARGET_MS = 50.0


def time_parse(data: bytes, filename: str, repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        # A refused file is timed as well: refusing must be fast too.
        with contextlib.suppress(ReportError):
            parse_report(data, filename)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(repeats: int) -> int:
    paths = sorted(path for path in SAMPLES.iterdir() if path.suffix in {".txt", ".docx", ".pdf"})
    print(f"{'sample':<32} {'median ms':>10} {'min ms':>8}   ({repeats} runs each)")
    slow = []
    for path in paths:
        data = path.read_bytes()
        time_parse(data, path.name, 1)  # warm-up: imports, compiled patterns, holiday tables
        timings = time_parse(data, path.name, repeats)
        median = statistics.median(timings)
        print(f"{path.name:<32} {median:>10.2f} {min(timings):>8.2f}")
        if median > TARGET_MS:
            slow.append(path.name)
    if slow:
        print(f"over the {TARGET_MS:.0f} ms target: {', '.join(slow)}")
        return 1
    print(f"all under the {TARGET_MS:.0f} ms target")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
