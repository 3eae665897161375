"""Benchmark: the progress report's PDF (tracker/reporting/pdf.py) for a report of many lines.

    .venv/bin/python bench/progress_pdf.py [--lines 2000] [--language hy|en] [--repeat 3]

Builds a ProgressReport by hand (no database: the PDF's own cost), with Armenian titles of
about 90 letters, one or two owners, a deadline as written on a quarter of the lines, what
was done on a fifth, 0 to 2 pieces of evidence, a request for more time on one in seven,
20 lines per trip report, 50 events and 8 departments' trends, and prints per run the
wall time, the pages and the size. Run by hand on a quiet machine; print the load with it.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from datetime import UTC, date, datetime

from pypdf import PdfReader

from config import TestingConfig
from tracker import create_app
from tracker.dashboard.trends import DepartmentTrend, Trend, TrendPoint
from tracker.models import ExtensionStatus, TaskStatus
from tracker.reporting.model import (
    Change,
    Changes,
    EvidenceLink,
    ExtensionLine,
    HeadlineFigures,
    ProgressReport,
    RecommendationLine,
    ReportScope,
    ReportSection,
)
from tracker.reporting.pdf import render_pdf
from tracker.reporting.periods import Period

SITE = "https://tracker.example.am"
STATUSES = (
    TaskStatus.OPEN,
    TaskStatus.IN_PROGRESS,
    TaskStatus.DONE,
    TaskStatus.AWAITING_ACCEPTANCE,
    TaskStatus.CANCELLED,
)


def line(number: int) -> RecommendationLine:
    done = number % 5 == 2
    return RecommendationLine(
        task_id=number,
        url=f"{SITE}/tasks/{number}",
        title=f"Ուսումնասիրել համայնքի {number} ջրամատակարարման ցանցի վիճակը և ներկայացնել "
        "վերանորոգման ծրագիր",
        owners=("Արամ Պետրոսյան", "Լիլիթ Հովհաննիսյան") if number % 3 else ("Արամ Պետրոսյան",),
        deadline=date(2026, 1 + number % 12, 1 + number % 27),
        deadline_text="մինչև տարեվերջ" if number % 4 == 0 else None,
        status=STATUSES[number % 5],
        completed_on=date(2026, 5, 3) if done else None,
        completion_note="Կատարվել է ուսումնասիրություն, կազմվել է նախահաշիվ" if done else None,
        expected_result="Վերանորոգման ծրագիր" if number % 2 else None,
        cancel_reason="Կրկնում է այլ առաջադրանք" if number % 5 == 4 else None,
        days_overdue=number % 90 if number % 5 in (0, 1) else 0,
        done_late=done and number % 2 == 0,
        evidence=tuple(
            EvidenceLink(f"akt-{number}-{piece}.pdf", f"{SITE}/tasks/{number}/files/{piece}")
            for piece in range(number % 3)
        ),
        extensions=(
            (
                ExtensionLine(
                    requested_on=date(2026, 4, 1),
                    requested_by="Արամ Պետրոսյան",
                    current_deadline=date(2026, 5, 1),
                    proposed_deadline=date(2026, 7, 1),
                    reason="Կապալառուն ուշացավ",
                    status=ExtensionStatus.APPROVED,
                    decided_on=date(2026, 4, 3),
                    decided_by="Վարդան Գրիգորյան",
                ),
            )
            if number % 7 == 0
            else ()
        ),
    )


def report(lines: int, language: str) -> ProgressReport:
    june = Period.containing("month", date(2026, 6, 15))
    rows = [line(number) for number in range(1, lines + 1)]
    sections = tuple(
        ReportSection(
            report_id=start // 20 + 1,
            title=f"Մարզպետի այցը համայնք {start // 20 + 1}",
            destination="Գյումրի",
            trip_start=date(2026, 1, 12),
            trip_end=date(2026, 1, 13),
            lines=tuple(rows[start : start + 20]),
        )
        for start in range(0, lines, 20)
    )
    points = tuple(
        TrendPoint(date(2025 + (month + 6) // 12, (month + 6) % 12 + 1, 1), 100, 3, 40, 10)
        for month in range(12)
    )
    figures = HeadlineFigures(lines, lines // 5, lines // 10, lines // 2, lines // 4, 10, 5)
    return ProgressReport(
        scope=ReportScope(june),
        scope_label="Բոլոր ստորաբաժանումները",
        as_of=date(2026, 6, 15),
        generated_at=datetime(2026, 6, 15, 8, tzinfo=UTC),
        language=language,
        figures=figures,
        sections=sections,
        changes=Changes(
            june.previous(),
            figures,
            tuple(
                Change("completed", date(2026, 6, 3), row.task_id, row.title) for row in rows[:50]
            ),
            120,
        ),
        trend=Trend(
            points, tuple(DepartmentTrend(d, f"Վարչություն {d}", points) for d in range(8))
        ),
        lines_total=lines,
        most_overdue=tuple(rows[:10]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--language", choices=("hy", "en"), default="hy")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    settings = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    value = report(options.lines, options.language)
    print(f"load average at the start: {os.getloadavg()}")
    times = []
    with app.app_context():
        for _run in range(options.repeat):
            started = time.perf_counter()
            document = render_pdf(value)
            times.append(time.perf_counter() - started)
            pages = len(PdfReader(io.BytesIO(document)).pages)
            size = len(document) / 1e6
            print(f"{options.lines} lines: {pages} pages, {size:.2f} MB, {times[-1]:.1f} s")
    print(f"median {statistics.median(times):.1f} s; load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
