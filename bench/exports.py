"""Benchmark: the dashboard's CSV and XLSX exports at 1,000,000 tasks (#13 point 3).

    .venv/bin/python bench/exports.py [--database sqlite|postgresql] [--tasks 1000000]
        [--runs 3] [--keep NAME]

Builds the workload of issue #13 as bench/dashboard.py does (bench/workload.py: 200 users
in 20 departments, one owner per task; one planning day, so "last escalation" is filled),
then times GET /dashboard/export.csv and /dashboard/export.xlsx through the test client,
reading the streamed body a chunk at a time (never holding it), for:
  - the admin, every status, deadlines up to the day that makes ~100,000 rows;
  - the admin, every status, no filter (the export's 100,000-row limit);
  - a manager (one department of 20: ~50,000 rows).
Each export runs in a process of its own (after a warm-up export of no rows in the same
format, so imports and the first request are not counted), printing the wall time, the
time to the first byte, the rows and bytes received, the rows the audit log recorded, and
the growth of the process's peak resident memory (ru_maxrss) over the export: flat memory
means that growth does not follow the number of rows.

--keep NAME keeps the database (/tmp/NAME.sqlite or the PostgreSQL schema NAME) and reuses
it on the next run: building a million tasks takes minutes.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dashboard import (
    ADMIN,
    MANAGER,
    build,
    fresh_database,
    kept_database,
    make_app,
    signed_in,
    upgrade_kept,
)
from tracker.extensions import db
from tracker.models import AuditEvent

FORMATS = ("csv", "xlsx")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def export_once(url: str, workdir: str, user_id: int, query: str, file_format: str) -> None:
    """One export in this process; prints one JSON line of figures."""
    app = make_app(url, Path(workdir))
    client = signed_in(app, user_id)
    path = f"/dashboard/export.{file_format}"
    warm = client.get(f"{path}?status=all&owner=0")  # no rows: imports, first request
    assert warm.status_code == 200, warm.status_code
    warm.close()
    before = peak_rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"{path}?{query}", buffered=False)
    assert response.status_code == 200, response.status_code
    received = lines = 0
    first_byte = None
    for block in response.iter_encoded():  # the body as the server sends it, block by block
        if first_byte is None:
            first_byte = time.perf_counter() - started
        received += len(block)
        lines += block.count(b"\n") if file_format == "csv" else 0
    response.close()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with app.app_context():
        recorded = db.session.scalar(
            sa.select(AuditEvent.details).order_by(AuditEvent.id.desc()).limit(1)
        )
        db.engine.dispose()
    figures = {
        "seconds": elapsed,
        "cpu": cpu,
        "first_byte": first_byte or elapsed,
        "bytes": received,
        "rows": lines - 1 if file_format == "csv" else None,
        "recorded": (recorded or {}).get("rows"),
        "rss_before": before,
        "rss_growth": peak_rss_mib() - before,
    }
    print(json.dumps(figures))


def deadline_for(url: str, rows: int) -> str:
    """The deadline up to which the admin's list (every status) holds about `rows` tasks."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            day = connection.scalar(
                sa.text(
                    "SELECT deadline FROM tasks WHERE status != 'draft' AND deadline IS NOT NULL"
                    " ORDER BY deadline LIMIT 1 OFFSET :n"
                ),
                {"n": rows - 1},
            )
    finally:
        engine.dispose()
    return str(day)


def measure(url: str, workdir: Path, database: str, tasks: int, runs: int) -> None:
    cases = [
        (
            "admin, ~100k rows by deadline",
            ADMIN,
            f"status=all&deadline_to={deadline_for(url, 100_000)}",
        ),
        ("admin, everything (the limit)", ADMIN, "status=all"),
        ("manager, one department", MANAGER, "status=all"),
    ]
    print(f"{database}: {tasks:,} tasks; median of {runs} runs, each in a fresh process")
    for label, user_id, query in cases:
        for file_format in FORMATS:
            results = [_run_child(url, workdir, user_id, query, file_format) for _ in range(runs)]
            seconds = statistics.median(r["seconds"] for r in results)
            first = statistics.median(r["first_byte"] for r in results)
            cpu = statistics.median(r["cpu"] for r in results)
            growth = max(r["rss_growth"] for r in results)
            last = results[-1]
            each = ", ".join(f"{r['seconds']:.2f}" for r in results)
            rows = f"{last['rows']:,}" if last["rows"] is not None else "-"
            print(
                f"  {label:<32} {file_format:<4} {seconds:6.2f} s (CPU {cpu:5.2f} s,"
                f" first byte {first:5.2f} s)"
                f"  rows {rows:>7} (audit {last['recorded']:,})  {last['bytes'] / 2**20:6.1f} MiB"
                f"  peak RSS +{growth:5.1f} MiB (of {last['rss_before']:.0f})"
                f"  [{each}]",
                flush=True,
            )


def _run_child(url: str, workdir: Path, user_id: int, query: str, file_format: str) -> Any:
    output = subprocess.run(
        [sys.executable, __file__, "--child", url, str(workdir), str(user_id), query, file_format],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, folder, user_id, query, file_format = sys.argv[2:7]
        export_once(url, folder, int(user_id), query, file_format)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", metavar="NAME", help="keep and reuse the database")
    arguments = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tracker-exports-"))
    database: AbstractContextManager[tuple[str, bool]] = (
        kept_database(arguments.database, arguments.keep)
        if arguments.keep
        else fresh_database(arguments.database, workdir)
    )
    with database as (url, built):
        app = make_app(url, workdir)
        if built:
            upgrade_kept(app)
        else:
            build(app, url, arguments.tasks)
        with app.app_context():
            db.engine.dispose()
        measure(url, workdir, arguments.database, arguments.tasks, arguments.runs)


if __name__ == "__main__":
    main()
