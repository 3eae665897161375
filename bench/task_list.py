"""Benchmark: the task list (/tasks) at 1,000,000 tasks, paged and searched.

    .venv/bin/python bench/task_list.py [--database sqlite|postgresql] [--tasks 1000000]
        [--runs 20] [--busy] [--keep NAME] [--explain]

Builds the workload of issue #13 (bench/workload.py: 200 users in 20 departments, one
owner per task; every title reads "Առաջադրանք N: կազմակերպել քննարկումներ", owners are
"Օգտատեր N"), signs in through the session as bench/dashboard.py does, and times whole GET
requests through the app (routing, queries, rendering): the list, page 2, a far page, and
searches (a word every title holds, a number few titles hold, an owner's name, an Armenian
word in capitals, an owner of another department), for the admin (everything) and for a
manager (one department of 20). Prints the median and the slowest of RUNS runs.

--keep NAME keeps the database (/tmp/NAME.sqlite or the PostgreSQL schema NAME) for the
next run. --explain prints the query plans of the page queries instead of timing them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dashboard import bench_app, common_arguments, other_core_busy, signed_in, timed
from bench.workload import copy_floor_data, generate_floor
from tracker.extensions import db
from tracker.models import Task

RUNS = 20
ADMIN, MANAGER = 1, 2  # the workload's admin; the head of department 2
# Department 2's people are 2 and every n with n % 20 == 1 (21, 41, …); 45 works in 6.
OWNER_THERE, OWNER_ELSEWHERE = 41, 45


def _pages(far: int) -> list[tuple[str, str]]:
    return [
        ("all tasks", "/tasks?scope=all"),
        ("page 2", "/tasks?scope=all&page=2"),
        (f"page {far}", f"/tasks?scope=all&page={far}"),
        ("with finished, page 2", "/tasks?scope=all&closed=1&page=2"),
        ("search: word of every title", "/tasks?scope=all&q=" + quote("քննարկումներ")),
        ("search: word, page 2", "/tasks?scope=all&page=2&q=" + quote("քննարկումներ")),
        ("search: number in titles", "/tasks?scope=all&q=12345"),
        ("search: owner's name", "/tasks?scope=all&q=" + quote(f"Օգտատեր {OWNER_THERE}")),
        ("search: capitals", "/tasks?scope=all&q=" + quote("ՔՆՆԱՐԿՈՒՄՆԵՐ")),
        ("search: other dept's owner", "/tasks?scope=all&q=" + quote(f"Օգտատեր {OWNER_ELSEWHERE}")),
        ("my tasks", "/tasks"),
    ]


TRIGRAM_INDEX = "ix_tasks_search_text_trgm"


def build(app: Flask, url: str, tasks: int) -> None:
    """Migrate and copy the workload in (search_text written by the copy: the title and
    the owner's name, folded). On PostgreSQL the trigram index is dropped for the copy and
    built once afterwards (`trigram_index`), rather than row by row."""
    from flask_migrate import upgrade

    floor = Path(tempfile.gettempdir()) / f"tracker-floor-{tasks}.sqlite"
    with app.app_context():
        upgrade()
        if not floor.exists():
            generate_floor(floor, tasks, 200)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                # Unqualified: the bench schema's own index (the search path starts there).
                connection.execute(sa.text(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}"))
        started = time.perf_counter()
        copy_floor_data(url, floor)
        print(f"  copied {tasks:,} tasks in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()


def trigram_index(app: Flask) -> None:
    """On PostgreSQL, the migration's trigram index in the bench schema, if it is missing."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.begin() as connection:
            exists = connection.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_indexes WHERE indexname = :n"
                    " AND schemaname = current_schema()"
                ),
                {"n": TRIGRAM_INDEX},
            )
            if exists:
                return
            started = time.perf_counter()
            schema = connection.scalar(
                sa.text(
                    "SELECT extnamespace::regnamespace::text FROM pg_extension"
                    " WHERE extname = 'pg_trgm'"
                )
            )
            connection.execute(
                sa.text(
                    f"CREATE INDEX {TRIGRAM_INDEX} ON tasks"
                    f" USING gin (search_text {schema}.gin_trgm_ops)"
                )
            )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("VACUUM ANALYZE tasks"))
        print(f"  trigram index in {time.perf_counter() - started:.0f} s", flush=True)


EXPLAINED = (
    ("", 2),
    ("", 800),
    ("քննարկումներ", 1),
    ("12345", 1),
    (f"Օգտատեր {OWNER_ELSEWHERE}", 1),
)


def explain(app: Flask) -> None:
    """The plans of the page-of-ids queries (the part that grows with the table), each in
    the shape the list chooses for that page (tracker.tasks.services._page_query)."""
    from tracker.models import User
    from tracker.tasks import services

    with app.app_context(), app.test_request_context():
        for user_id in (ADMIN, MANAGER):
            user = db.session.get(User, user_id)
            assert user is not None
            for search_for, page in EXPLAINED:
                offset = (page - 1) * services.PER_PAGE
                query, order = services._page_query(
                    user, "all", False, search_for, offset + services.PER_PAGE + 1
                )
                statement = (
                    query.with_only_columns(services.Task.id)
                    .order_by(*order)
                    .offset(offset)
                    .limit(services.PER_PAGE + 1)
                )
                compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
                prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
                print(f"--- user {user_id}, q={search_for!r}, page {page}")
                for row in db.session.execute(sa.text(prefix + str(compiled))):
                    print("   ", row[-1])


def measure(app: Flask, database: str, tasks: int, runs: int, skip: str | None = None) -> None:
    with app.app_context():  # a kept database holds what it was built with, not --tasks
        tasks = db.session.scalar(sa.select(sa.func.count()).select_from(Task)) or 0
    print(f"{database}: {tasks:,} tasks; GET times in ms (median / slowest of {runs})")
    for user_id, role, far in ((ADMIN, "admin", 10_000), (MANAGER, "manager", 800)):
        client = signed_in(app, user_id)
        client.get("/tasks?scope=all")  # the first request of a process compiles templates
        for label, path in _pages(far):
            if skip and skip in label:
                continue
            median, slowest = timed(client, path, runs)
            print(f"  {role:<8} {label:<30} {median:7.1f} / {slowest:7.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common_arguments(parser, 1_000_000, RUNS)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--skip", metavar="WORDS", help="skip the pages whose label has WORDS")
    arguments = parser.parse_args()
    with bench_app(arguments, "tracker-task-list-", build) as app:
        trigram_index(app)
        with other_core_busy(arguments.busy):
            if arguments.explain:
                explain(app)
            else:
                measure(app, arguments.database, arguments.tasks, arguments.runs, arguments.skip)


if __name__ == "__main__":
    main()
