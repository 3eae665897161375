"""A hostile file costs the parser time in proportion to its size, never more.

Every regular expression of the parsing package is timed on long runs of the characters it
cares about (a backtracking pattern that is quadratic takes sixteen times longer on a four
times longer run; a linear one four times); whole documents with megabyte-long lines are
parsed; and hypothesis feeds random and adversarial text to the parser in a limited child.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracker.reports.parsing
from tests.reports.conftest import SAMPLES
from tracker.reports.parsing import ReportError, parse_report, parser

ROOT = Path(__file__).resolve().parents[3]
RUNS = [
    " -",
    " ,",
    " ",
    "1",
    "1.",
    "a",
    "ա",
    "2025 ",
    "2025թ. ",
    "մայիսի ",
    ":",
    ". ",
    "(",
    ")",
    " from",
    " ից",
    "հանդիպում",
    "առաջարկ",
    "մեկ ",
    "12.",
    "\n",
]
# Sixteen times the text: a linear pattern takes about 16 times as long, a quadratic one
# about 256 times; the bar sits between them, far from both, so a busy machine cannot
# tip it either way.
SHORT, LONG = 2_000, 32_000
RATIO = 64


def _patterns(value: object, name: str) -> Iterator[tuple[str, re.Pattern[str]]]:
    if isinstance(value, re.Pattern):
        yield name, value
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _patterns(item, f"{name}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _patterns(item, f"{name}[{key!r}]")


def all_patterns() -> list[tuple[str, re.Pattern[str]]]:
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for module_info in pkgutil.iter_modules(tracker.reports.parsing.__path__):
        module = importlib.import_module(f"tracker.reports.parsing.{module_info.name}")
        for attribute, value in vars(module).items():
            for name, pattern in _patterns(value, f"{module_info.name}.{attribute}"):
                found.setdefault(id(pattern), (name, pattern))
    return sorted(found.values())


def _seconds(pattern: re.Pattern[str], text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _match in pattern.finditer(text):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def test_the_audit_finds_the_patterns() -> None:
    names = {name for name, _ in all_patterns()}
    assert len(names) > 50
    assert "parser._REPEATED_COMMAS" in names
    assert "sections._WORDING[9][0]" in names


@pytest.mark.parametrize(("name", "pattern"), all_patterns(), ids=lambda value: str(value)[:40])
def test_every_pattern_runs_in_linear_time(name: str, pattern: re.Pattern[str]) -> None:
    for run in RUNS:
        # A run of one piece, then a character no pattern expects: every partial match fails.
        short = run * (SHORT // len(run)) + "\x00"
        long = run * (LONG // len(run)) + "\x00"
        first = _seconds(pattern, short, 5)
        second = _seconds(pattern, long, 1)
        if second > 0.1 and second > RATIO * first:
            second = min(second, _seconds(pattern, long, 3))  # again, in case of noise
        assert second < 0.1 or second < RATIO * first, (
            f"{name} on {run!r}: {first:.3f} s for {SHORT} characters, "
            f"{second:.3f} s for {LONG}: not linear"
        )


def _report_with(marker: str, inserted: str) -> bytes:
    text = (SAMPLES / "en-chisinau-2025-05.txt").read_text(encoding="utf-8")
    assert marker in text
    return text.replace(marker, marker + inserted, 1).encode()


def test_a_ten_megabyte_dash_run_on_the_place_line_parses_in_seconds() -> None:
    # "Chisinau - - - … x": 40 s in the parser for 32 KB before; the file is 10 MB here.
    data = _report_with("Chisinau", " -" * 5_000_000 + " x")
    started = time.process_time()
    report = parse_report(data, "dashes.txt")
    assert time.process_time() - started < 10
    # The dates stand 10 MB into Section 3, past where dates are looked for: said, not guessed.
    assert report.trip_start is None
    assert "Section 3: the dates of the trip were not found" in report.warnings
    assert report.destination is not None
    assert report.destination.startswith("Republic of Moldova, Chisinau - -")
    assert len(report.recommendations) == 3


def test_dangling_date_words_are_still_cut_from_the_destination() -> None:
    data = _report_with("Chisinau,", " from - on,")
    report = parse_report(data, "words.txt")
    assert report.destination == "Republic of Moldova, Chisinau"
    started = time.process_time()
    assert parser._without_dangling_date_words("Chisinau" + " -" * 2_000_000) == "Chisinau"
    assert time.process_time() - started < 5


# The pattern the hand-written loop replaced; quadratic, but exact on short text.
OLD_DANGLING_DATE_WORDS = re.compile(r"(?:[\s,;]+(?:from|on|in|during|ից|-))+$", re.IGNORECASE)


# No line break: the destination is one line (and `$` would match before a final one).
PIECES = [" ", "\t", ",", ";", "-", "x", "X", "from", "on", "In", "during", "ից", "Lyon"]


@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_dangling_date_words_are_cut_as_the_old_pattern_cut_them(text: str) -> None:
    assert parser._without_dangling_date_words(text) == OLD_DANGLING_DATE_WORDS.sub("", text)


@pytest.mark.parametrize(
    ("marker", "piece"),
    [
        ("Set up", "առաջարկ 2025թ. մայիսի 1, "),  # a recommendation's text
        ("Deadline: ", "Q4 2025 within "),  # a deadline phrase
        ("Responsible: ", "Ա. Բ., "),  # a list of names
        ("10. Signature, date:\n", "___ (signature) "),  # the signatory line
        ("1. Name, surname:\n", "Անուն "),  # a field
    ],
)
def test_a_huge_single_line_parses_in_seconds(marker: str, piece: str) -> None:
    data = _report_with(marker, piece * (5_000_000 // len(piece)))
    started = time.process_time()
    try:
        report = parse_report(data, "line.txt")
    except ReportError:
        pass
    else:
        assert report.signed_on is not None
    assert time.process_time() - started < 10


def test_random_and_adversarial_text_only_ever_gives_report_error() -> None:
    child = subprocess.run(
        [sys.executable, "-m", "tests.reports.parsing.adversarial_child"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert child.returncode == 0, child.stdout[-3000:] + child.stderr[-3000:]
    assert child.stdout.strip() == "ok"
