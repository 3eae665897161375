"""Benchmark: the dashboard page at 100,000 tasks.

    .venv/bin/python bench/dashboard.py [--database sqlite|postgresql] [--tasks 100000]

Builds the same data as bench/reminders.py (10% overdue, 500 users, 25 departments), runs
one planning day so escalations exist, then times whole requests through the app (the
server's time: routing, queries, rendering) for staff (everything) and for a manager
(one department), with and without filters. Prints the median and the slowest of 15.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.reminders import AS_OF, bench_database, populate
from config import TestingConfig
from tracker import create_app
from tracker.extensions import db
from tracker.notifications.jobs import plan_reminders

RUNS = 15


def timed(client: FlaskClient, path: str) -> tuple[float, float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), max(times)


def run(database: str, tasks: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tracker-dashboard-"))
    with bench_database(database, workdir) as url:
        run_on(url, database, workdir, tasks)


def run_on(url: str, database: str, workdir: Path, tasks: int) -> None:
    settings = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    app = create_app(settings)
    app.instance_path = str(workdir)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        populate(tasks, 500)
        plan_reminders(AS_OF)
        db.session.remove()
    print(f"{database}: {tasks:,} tasks; GET times in ms (median / slowest of {RUNS})")
    for who in ("user26@bench.am", "user3@bench.am"):  # the admin, a manager
        client = app.test_client()
        # The bench users have no real password hash: sign in through the session.
        with client.session_transaction() as session:
            session["_user_id"] = who.removeprefix("user").split("@")[0]
            session["_fresh"] = True
        role = "admin" if who.startswith("user26") else "manager"
        for label, path in [
            ("dashboard", "/dashboard"),
            ("all statuses, sorted newest", "/dashboard?status=all&sort=-deadline"),
            ("filtered by department", "/dashboard?department=5"),
            ("page 20", "/dashboard?page=20"),
        ]:
            median, slowest = timed(client, path)
            print(f"  {role:<8} {label:<30} {median:7.1f} / {slowest:7.1f}")
    with app.app_context():
        db.engine.dispose()  # before the schema is dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=100_000)
    arguments = parser.parse_args()
    run(arguments.database, arguments.tasks)


if __name__ == "__main__":
    main()
