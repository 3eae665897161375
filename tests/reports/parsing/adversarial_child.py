"""Run by test_linear_time.py as a child process with CPU and memory limits: hypothesis feeds
the parser random and adversarial text; only ReportError may come out, and every example must
finish in time. Exits 0 when all did; any other outcome is a failure with the example shown."""

from __future__ import annotations

import contextlib
import resource
import sys
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reports.conftest import SAMPLES
from tracker.reports.parsing import ReportError, parse_report

CPU_SECONDS = 240
MEMORY_BYTES = 2 * 1024 * 1024 * 1024
SECONDS_PER_EXAMPLE = 5.0

# Pieces the parser's patterns care about: separators, dashes, date words, numbers, labels,
# headings. A long run of one of them is how a backtracking pattern is made to blow up.
ATOMS = [
    " -",
    "- ",
    " ,",
    ",",
    " ",
    ".",
    "1",
    "1.",
    "12.05",
    "a",
    "ա",
    "2025 ",
    "2025թ. ",
    "մայիսի 1 ",
    "May 1 ",
    ":",
    "։",
    "(",
    ")",
    " from",
    " ից",
    "1) ",
    "հանդիպում",
    "առաջարկ",
    "Deadline: ",
    "Ժամկետը՝ ",
    "Responsible: ",
    " և Ա",
    "Q4 ",
    "մեկ ",
    "within ",
    "end of ",
    "II ",
    "___",
    "\u2014",
    "\u2024",
    "\u200b",
    "\ufb01",
    "\t",
    "\n",
]
BASES = [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))]

runs = st.builds(
    lambda atom, count: atom * count,
    st.sampled_from(ATOMS),
    st.integers(min_value=1, max_value=40_000),
)
hostile = st.builds(
    lambda base, position, inserted, tail: (
        base[:position] + "".join(inserted) + tail + base[position:]
    ),
    st.sampled_from(BASES),
    st.integers(min_value=0, max_value=7000),
    st.lists(runs, min_size=1, max_size=3),
    st.sampled_from(["", " x", "!", "\n", "։"]),
)


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(st.one_of(st.text(max_size=5000), hostile))
def parses_or_refuses(text: str) -> None:
    started = time.process_time()
    with contextlib.suppress(ReportError):
        parse_report(text.encode("utf-8", "surrogatepass"), "report.txt")
    spent = time.process_time() - started
    assert spent < SECONDS_PER_EXAMPLE, f"{spent:.1f} s of CPU for {len(text)} characters"


def main() -> int:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    parses_or_refuses()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
