"""Whatever the bytes, parse_report returns a report or raises ReportError, nothing else."""

from __future__ import annotations

import json
import random
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reports.conftest import SAMPLES
from tracker.reports.parsing import ParsedReport, ReportError, parse_deadline, parse_report
from tracker.reports.parsing.dates import parse_trip_dates

EXTENSIONS = [".txt", ".docx", ".pdf", ".doc", ""]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sample_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(SAMPLES.glob("*.txt")):
        lines.extend(path.read_text(encoding="utf-8").splitlines())
    return lines


SAMPLE_LINES = _sample_lines()
FRAGMENTS = [
    "Ժամկետը՝",
    "Պատասխանատու՝",
    "Ակնկալվող արդյունք՝",
    "Եղանակը, ձևը՝",
    "Deadline:",
    "Responsible:",
    "(",
    ")",
    "- ",
    "• ",
    "1) ",
    "a) ",
    "10.",
    "2025թ. II եռամսյակ",
    "մինչև 2025 թվականի մարտի 31-ը",
    "հուլիսի 10-12-ը, 2024 թ.",
    "12-14 May 2025",
    "within one month",
    "եռամսյա ժամկետում",
    "31.02.2025",
    "Q4 2025",
    "մշտապես",
    "Առաջարկություններ չկան։",
    "\t",
    "\u00a0",
    "\u2024",
    "։",
    ":",
]


def outcome(data: bytes, filename: str) -> ParsedReport | ReportError:
    try:
        report = parse_report(data, filename)
    except ReportError as error:
        assert error.code and error.message and "\n" not in error.message
        return error
    json.dumps(report.to_json(), ensure_ascii=False)
    assert all(isinstance(warning, str) for warning in report.warnings)
    return report


@FAST
@given(st.text())
def test_any_text_file(text: str) -> None:
    outcome(text.encode("utf-8"), "report.txt")


@FAST
@given(st.binary(max_size=2000), st.sampled_from(EXTENSIONS))
def test_any_bytes_with_any_extension(data: bytes, extension: str) -> None:
    outcome(data, f"report{extension}")


report_like_lines = st.one_of(
    st.sampled_from(SAMPLE_LINES),
    st.builds(
        "".join,
        st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=6),
    ),
    st.builds(
        lambda number, line: f"{number}. {line}", st.integers(0, 12), st.sampled_from(SAMPLE_LINES)
    ),
)


@FAST
@given(st.lists(report_like_lines, max_size=60))
def test_report_like_text(lines: list[str]) -> None:
    outcome("\n".join(lines).encode("utf-8"), "report.txt")


@FAST
@given(st.randoms(use_true_random=False), st.integers(0, 8))
def test_sample_with_lines_dropped_shuffled_or_mangled(rng: random.Random, edits: int) -> None:
    name = rng.choice(sorted(path.name for path in SAMPLES.glob("*.txt")))
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()
    for _ in range(edits):
        if not lines:
            break
        index = rng.randrange(len(lines))
        action = rng.choice(["drop", "swap", "cut", "fragment"])
        if action == "drop":
            del lines[index]
        elif action == "swap":
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "cut":
            lines[index] = lines[index][: rng.randrange(len(lines[index]) + 1)]
        else:
            lines.insert(index, rng.choice(FRAGMENTS) + rng.choice(SAMPLE_LINES))
    outcome("\n".join(lines).encode("utf-8"), name)


@FEWER
@given(
    st.sampled_from(["hy-lyon-2025-09.docx", "hy-tbilisi-2024-07.pdf"]),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=6),
    st.floats(0.05, 1),
)
def test_damaged_docx_and_pdf(name: str, flips: list[tuple[float, int]], keep: float) -> None:
    data = bytearray((SAMPLES / name).read_bytes())
    for position, value in flips:
        data[int(position * (len(data) - 1))] = value
    outcome(bytes(data[: max(1, int(len(data) * keep))]), name)


@FAST
@given(st.text(), st.one_of(st.none(), st.dates()))
def test_deadline_phrases_never_raise(text: str, signed_on: date | None) -> None:
    parse = parse_deadline(text, signed_on=signed_on)
    assert parse.deadline is None or isinstance(parse.deadline, date)
    assert not (parse.ongoing and parse.warning)


@FAST
@given(
    st.builds("".join, st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)))),
    st.one_of(st.none(), st.integers(1, 9999)),
)
def test_trip_dates_never_raise(text: str, fallback_year: int | None) -> None:
    trip = parse_trip_dates(text, fallback_year=fallback_year)
    if trip.start and trip.end:
        assert trip.start <= trip.end
