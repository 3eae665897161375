"""Benchmark: the dashboard page at 100,000 or 1,000,000 tasks.

    .venv/bin/python bench/dashboard.py [--database sqlite|postgresql] [--tasks 1000000]
        [--runs 20] [--busy] [--keep NAME] [--profile] [--uncached]

Builds the workload of issue #13 (bench/workload.py: 200 users in 20 departments with
heads, one owner per task, 10% overdue, 5% done late, the rest due later), runs one
planning day so escalations exist ("last escalation"), then times whole GET requests
through the app (the server's time: routing, queries, rendering) for the admin
(everything) and for a manager (one department), with and without filters. Prints the
median and the slowest of RUNS runs.

--busy keeps the other core busy (a `while True: pass` process) while the requests run.
--uncached keeps no trend between requests: each request pays what it would in an office
where a task or an event is added every few seconds (the cache's key changes).
--keep NAME keeps the database (a SQLite file /tmp/NAME.sqlite, or a PostgreSQL schema
NAME) and reuses it on the next run: building a million tasks and planning their
reminders takes minutes. --profile prints cProfile's top functions of one admin request.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workload import copy_floor_data, generate_floor
from config import TestingConfig
from tracker import create_app
from tracker.clock import local_today
from tracker.dashboard import trend_chart
from tracker.extensions import db
from tracker.models import Task
from tracker.notifications.jobs import plan_reminders

RUNS = 20
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN, MANAGER = 1, 2  # the workload's admin (heads the top department), a department head
PAGES = [
    ("dashboard", "/dashboard"),
    ("all statuses, sorted newest", "/dashboard?status=all&sort=-deadline"),
    ("filtered by department", "/dashboard?department=5"),
    ("filtered by owner", "/dashboard?owner=45"),
    ("page 20", "/dashboard?page=20"),
    ("trends by department", "/dashboard/trends"),
]


def timed(client: FlaskClient, path: str, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), max(times)


def _server() -> str:
    return os.environ.get("TRACKER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _schema_url(schema: str) -> str:
    # public too: extensions (pg_trgm) live there.
    return (
        sa.make_url(_server())
        .update_query_dict({"options": f"-csearch_path={schema},public"})
        .render_as_string(hide_password=False)
    )


@contextmanager
def kept_database(database: str, name: str) -> Iterator[tuple[str, bool]]:
    """The URL of a database kept between runs, and whether it already holds the data."""
    if database == "sqlite":
        path = Path(tempfile.gettempdir()) / f"{name}.sqlite"
        yield f"sqlite:///{path}", path.exists()
        return
    with sa.create_engine(_server()).begin() as connection:
        found = connection.scalar(
            sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :n"), {"n": name}
        )
        if not found:
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield _schema_url(name), bool(found)


@contextmanager
def fresh_database(database: str, workdir: Path) -> Iterator[tuple[str, bool]]:
    """An empty database: a SQLite file in `workdir`, or a new PostgreSQL schema dropped
    afterwards."""
    if database == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite'}", False
        return
    schema = f"bench_{os.getpid()}"
    with sa.create_engine(_server()).begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(schema), False
    finally:
        with sa.create_engine(_server()).begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def make_app(url: str, workdir: Path) -> Flask:
    settings = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    app = create_app(settings)
    app.instance_path = str(workdir)
    return app


def _without_row_checks(url: str) -> str:
    """On PostgreSQL, the copy's connection without foreign-key checks: the rows are the
    workload's own and consistent, and a check per row against a table without statistics
    yet scans it (a million task owners took more than an hour)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    options = f"{parsed.query.get('options', '')} -csession_replication_role=replica".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


@contextmanager
def search_index_built_after(engine: sa.Engine) -> Iterator[None]:
    """On PostgreSQL, the title search's GIN index made after the rows are copied, not
    kept up to date row by row during the copy (which takes most of an hour at 1M)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.begin() as connection:
        definition = connection.scalar(
            sa.text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_tasks_search_text_trgm'"
                " AND schemaname = current_schema()"
            )
        )
        if definition:
            connection.execute(sa.text("DROP INDEX ix_tasks_search_text_trgm"))
    yield
    if definition:
        with engine.begin() as connection:
            connection.execute(sa.text(definition))


def build(app: Flask, url: str, tasks: int) -> None:
    """Migrate, copy the workload in, plan one day of reminders."""
    from flask_migrate import upgrade

    floor = Path(tempfile.gettempdir()) / f"tracker-floor-{tasks}.sqlite"
    with app.app_context():
        upgrade()
        if not floor.exists():
            generate_floor(floor, tasks, 200)
        started = time.perf_counter()
        with search_index_built_after(db.engine):
            copy_floor_data(_without_row_checks(url), floor)
        print(f"  copied {tasks:,} tasks in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        plan_reminders(local_today(app.config["TRACKER_TIMEZONE"]))
        print(f"  planned reminders in {time.perf_counter() - started:.0f} s")
        db.session.remove()
    keep_trends(app)


def keep_trends(app: Flask) -> None:
    """The trends' closed months kept, as the scheduler's daily job keeps them in a
    deployment (without them the dashboard replays a year of history on every view)."""
    from tracker.dashboard.trend_store import KEPT_MONTHS, keep_closed_months

    zone = app.config["TRACKER_TIMEZONE"]
    with app.app_context():
        started = time.perf_counter()
        kept = keep_closed_months(local_today(zone), zone, KEPT_MONTHS)
        db.session.commit()
        if kept:
            print(f"  kept {kept} trend rows in {time.perf_counter() - started:.0f} s")
        db.session.remove()


def upgrade_kept(app: Flask) -> None:
    """A kept database gets the migrations added since it was built (new indexes)."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    keep_trends(app)


def signed_in(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    # The bench users have no real password hash: sign in through the session.
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:1"
        session["_fresh"] = True
        session["last_seen"] = int(time.time())
    return client


def measure(app: Flask, database: str, tasks: int, runs: int, only: str | None) -> None:
    with app.app_context():  # a kept database holds what it was built with, not --tasks
        tasks = db.session.scalar(sa.select(sa.func.count()).select_from(Task)) or 0
    print(f"{database}: {tasks:,} tasks; GET times in ms (median / slowest of {runs})")
    for user_id, role in ((ADMIN, "admin"), (MANAGER, "manager")):
        client = signed_in(app, user_id)
        client.get("/dashboard")  # the first request of a process compiles the templates
        for label, path in PAGES:
            if only is not None and label != only:
                continue
            median, slowest = timed(client, path, runs)
            print(f"  {role:<8} {label:<30} {median:7.1f} / {slowest:7.1f}", flush=True)


def profile(app: Flask) -> None:
    client = signed_in(app, ADMIN)
    client.get("/dashboard")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get("/dashboard")
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


@contextmanager
def other_core_busy(busy: bool) -> Iterator[None]:
    if not busy:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def common_arguments(parser: argparse.ArgumentParser, tasks: int, runs: int = RUNS) -> None:
    """The options every web bench takes."""
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=tasks)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--busy", action="store_true", help="keep the other core busy")
    parser.add_argument("--keep", metavar="NAME", help="keep and reuse the database")


@contextmanager
def bench_app(
    arguments: argparse.Namespace, prefix: str, build_with: Callable[[Flask, str, int], None]
) -> Iterator[Flask]:
    """The application on the workload's database: kept and reused (--keep NAME), or built
    with `build_with` and dropped afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    if arguments.keep:
        database_context = kept_database(arguments.database, arguments.keep)
    else:
        database_context = fresh_database(arguments.database, workdir)
    with database_context as (url, ready):
        app = make_app(url, workdir)
        if ready:
            upgrade_kept(app)
        else:
            build_with(app, url, arguments.tasks)
        yield app
        with app.app_context():
            db.engine.dispose()  # before a fresh schema is dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common_arguments(parser, 100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile one admin request")
    parser.add_argument("--only", choices=[label for label, _path in PAGES], help="one page")
    parser.add_argument(
        "--uncached", action="store_true", help="no trend kept between requests (a busy office)"
    )
    arguments = parser.parse_args()
    if arguments.uncached:
        trend_chart.CACHE_SECONDS = 0.0
    with bench_app(arguments, "tracker-dashboard-", build) as app, other_core_busy(arguments.busy):
        if arguments.profile:
            profile(app)
        else:
            measure(app, arguments.database, arguments.tasks, arguments.runs, arguments.only)


if __name__ == "__main__":
    main()
