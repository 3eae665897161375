"""Benchmark: the reminder planner and the outbox sender at scale.

    .venv/bin/python bench/planner.py [--database sqlite|postgresql] [--tasks 100000]
        [--users 500] [--digests 1000]

Builds a fresh database (a temporary SQLite file, or a new schema in the PostgreSQL named
by TRACKER_TEST_POSTGRES_URL, dropped afterwards) with TASKS tasks, 10% of them overdue,
owned by USERS users in a two-level department tree; then times
  1. the first planning run (everything owed at once) and a rerun of the same day,
  2. the planning run of the next working day (the daily steady state),
  3. delivering DIGESTS digests to a local SMTP server (aiosmtpd, in its own process),
printing seconds and the process's peak resident memory after each; and the size of the
largest digest written (text and HTML parts, UTF-8 bytes), and how long the list behind
its "and N more" link takes to load.
Run by hand; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import TestingConfig
from tracker import create_app
from tracker.extensions import db
from tracker.models import (
    Department,
    OutboxMessage,
    Task,
    User,
    task_owners,
)
from tracker.notifications.jobs import deliver_outbox, plan_reminders

STAMP = datetime.now(UTC)
AS_OF = date(2026, 11, 25)  # a Wednesday, a working day
NEXT_DAY = date(2026, 11, 26)
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def measure(label: str, work: Callable[[], Any]) -> Any:
    """Wall time, and the process's peak resident memory after the step (tracemalloc would
    slow the code it measures several times over, so memory is read from the kernel)."""
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {label:<44} {elapsed:7.2f} s   peak RSS {peak:7.1f} MiB")
    return result


def populate(tasks: int, users: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    engine = db.engine
    department_rows = [{"id": 1, "name": "Administration", "parent_id": None}]
    department_rows += [{"id": n, "name": f"Department {n}", "parent_id": 1} for n in range(2, 26)]
    with engine.begin() as connection:
        connection.execute(sa.insert(Department.__table__), department_rows)
        user_rows = [
            {
                "id": n,
                "email": f"user{n}@bench.am",
                "name": f"User {n}",
                "role": "manager" if n <= 25 else ("admin" if n == 26 else "officer"),
                "department_id": n if n <= 25 else 2 + n % 24,
                "language": "hy" if n % 3 else "en",
                "password_hash": "x",
                "active": True,
                "wants_reminders": True,
                "created_at": STAMP,
            }
            for n in range(1, users + 1)
        ]
        connection.execute(sa.insert(User.__table__), user_rows)
        for n in range(1, 26):
            connection.execute(
                sa.update(Department.__table__).where(Department.id == n).values(head_id=n)
            )
        task_rows, owner_rows = [], []
        for n in range(1, tasks + 1):
            roll = rng.random()
            if roll < 0.10:  # overdue
                deadline = AS_OF - timedelta(days=rng.randint(1, 400))
                status = "open"
            elif roll < 0.13:  # due within the reminder window
                deadline = AS_OF + timedelta(days=rng.randint(0, 10))
                status = "in_progress"
            elif roll < 0.30:  # done
                deadline = AS_OF - timedelta(days=rng.randint(1, 400))
                status = "done"
            else:
                deadline = AS_OF + timedelta(days=rng.randint(11, 700))
                status = "open"
            owner = rng.randint(27, users)
            department = 2 + owner % 24
            task_rows.append(
                {
                    "id": n,
                    "title": f"Recommendation {n}: organise the follow-up of the trip",
                    "description": "",
                    "department_id": department,
                    "deadline": deadline,
                    "status": status,
                    "position": 0,
                    "owner_names": [],
                    "created_at": STAMP,
                    "updated_at": STAMP,
                }
            )
            owner_rows.append({"task_id": n, "user_id": owner})
            if n % 10 == 0:
                second = rng.randint(27, users)
                if second != owner:
                    owner_rows.append({"task_id": n, "user_id": second})
        for start in range(0, len(task_rows), 5000):
            connection.execute(sa.insert(Task.__table__), task_rows[start : start + 5000])
        for start in range(0, len(owner_rows), 5000):
            connection.execute(sa.insert(task_owners), owner_rows[start : start + 5000])
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT setval('tasks_id_seq', :n)"), {"n": tasks})
            connection.execute(sa.text("SELECT setval('users_id_seq', :n)"), {"n": users})
            connection.execute(sa.text("SELECT setval('departments_id_seq', 25)"))
            connection.execute(sa.text("ANALYZE"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp_sink(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def largest_digests() -> tuple[OutboxMessage, OutboxMessage | None]:
    """The largest digest written so far, and the largest with a link to the dashboard
    (a head's escalations, the 9,083 items that once made an 8 MB email)."""
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    linked = [message for message in messages if "/dashboard?" in message.body_text]
    return max(messages, key=digest_size), max(linked, key=digest_size, default=None)


def digest_size(message: OutboxMessage) -> int:
    return len(message.body_text.encode()) + len(message.body_html.encode())


def open_more_link(message: OutboxMessage) -> int:
    """Load, as the recipient, the first page and the figures of the list behind the
    digest's escalations link (the dashboard); how many tasks it lists."""
    from tracker.dashboard import services
    from tracker.notifications.digest import digest_link

    match = re.search(r"/dashboard\?(\S+)", message.body_text)
    assert match, "the largest digest has no dashboard link"
    link, invalid = digest_link(dict(parse_qsl(match.group(1))))
    assert link is not None and not invalid
    user = db.session.get_one(User, message.recipient_id)
    filters = services.Filters(status="all", digest=link)
    _, total = services.task_list(user, filters, AS_OF, sort="deadline", page=1)
    services.figures(user, filters, AS_OF, "Asia/Yerevan")
    return total


def queue_digests(count: int) -> None:
    """`count` pending digests, copies of real ones from the planning run."""
    # The daily digests (of the next-day run), not the huge catch-up ones of the first run.
    models = db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)
    ).all()
    db.session.execute(sa.delete(OutboxMessage))
    rows = [
        {
            "to_address": f"reader{n}@bench.am",
            "language": models[n % len(models)].language,
            "subject": models[n % len(models)].subject,
            "body_text": models[n % len(models)].body_text,
            "body_html": models[n % len(models)].body_html,
            "message_id": f"<bench.{n}@bench.am>",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": STAMP,
            "created_at": STAMP,
        }
        for n in range(count)
    ]
    db.session.execute(sa.insert(OutboxMessage.__table__), rows)
    db.session.commit()


@contextmanager
def bench_database(database: str, workdir: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file in `workdir`, or a new schema in the
    PostgreSQL of TRACKER_TEST_POSTGRES_URL, dropped afterwards."""
    if database == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite'}"
        return
    server = os.environ.get("TRACKER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    schema = f"bench_{os.getpid()}"
    with sa.create_engine(server).begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            sa.make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with sa.create_engine(server).begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def run(database: str, tasks: int, users: int, digests: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    with bench_database(database, workdir) as url:
        run_on(url, database, workdir, tasks, users, digests)


def run_on(url: str, database: str, workdir: Path, tasks: int, users: int, digests: int) -> None:
    port = free_port()
    settings = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    settings.update(
        SQLALCHEMY_DATABASE_URI=url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        TRACKER_MAIL_BATCH_SIZE=250,
    )
    app = create_app(settings)
    app.instance_path = str(workdir)
    sink = start_smtp_sink(port)
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            print(f"{database}: {tasks:,} tasks, {users} users, as of {AS_OF}")
            measure("generate the data", lambda: populate(tasks, users))
            first = measure(
                "plan: first run (everything owed at once)",
                lambda: plan_reminders(AS_OF),
            )
            print(
                f"    -> {len(first.notifications):,} notifications, "
                f"{len(first.messages):,} digests"
            )
            largest, head = largest_digests()
            for label, message in (("largest digest", largest), ("largest head's digest", head)):
                if message is None:
                    continue
                listed = len(re.findall(r"^\* ", message.body_text, re.MULTILINE))
                print(
                    f"    -> {label}: {digest_size(message):,} bytes (text + HTML), "
                    f"{listed} items listed; subject: {message.subject}"
                )
            if head is not None:
                total = measure(
                    "open the head's 'and N more' list (dashboard)", lambda: open_more_link(head)
                )
                print(f"    -> the list holds {total:,} tasks")
            measure("plan: rerun of the same day", lambda: plan_reminders(AS_OF))
            nxt = measure("plan: the next working day", lambda: plan_reminders(NEXT_DAY))
            print(f"    -> {len(nxt.notifications):,} notifications, {len(nxt.messages):,} digests")
            queue_digests(digests)
            report = measure(
                f"deliver {digests:,} digests over SMTP",
                lambda: deliver_outbox(include_waiting=True),
            )
            print(f"    -> sent {report.sent}, retrying {report.retrying}, failed {report.failed}")
            db.session.remove()
            db.engine.dispose()
    finally:
        sink.terminate()
        sink.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--digests", type=int, default=1000)
    arguments = parser.parse_args()
    run(arguments.database, arguments.tasks, arguments.users, arguments.digests)


if __name__ == "__main__":
    main()
