"""Benchmark: `tracker remind` beside the floor, on the same data, in one invocation.

    .venv/bin/python bench/reminders.py [--database sqlite|postgresql] [--tasks 100000]
        [--users 200] [--repeat 3]

The floor (`../shared/perf/floor.py`, or TRACKER_PERF_FLOOR) is the least work that does
the job: one indexed query, string-formatted digests, one SMTP connection. Its generator
writes the data (USERS users, TASKS tasks, one owner each, 10% overdue, the rest due
later, one in seven of those done); bench/workload.py copies the same rows into a migrated
tracker database and adds 20 departments with heads. Both send to one counting SMTP sink
(bench/smtp_sink.py, aiosmtpd in its own process on loopback).

Each repetition runs, each command in its own process, as deployed (TRACKER_ENV=production):
  floor; tracker's first run over the backlog (a fresh copy of the database); floor;
  tracker's rerun of the same day (nothing to send); tracker's next working day;
  tracker on a Saturday (nothing to do).
and prints, per job, the median wall and CPU time, the largest peak RSS, the mails the sink
received, and the ratio of the wall time to the floor's median. Run by hand on a quiet
machine; results go to docs/benchmarks.md with the load printed at the start and the end.
On PostgreSQL, the database of TRACKER_TEST_POSTGRES_URL serves as the maintenance
connection: the bench creates its own databases beside it and drops them afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.smtp_sink import read_count
from bench.workload import FLOOR, ROOT, copy_floor_data, generate_floor
from tracker.workdays import is_working_day

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TRACKER = [str(ROOT / ".venv" / "bin" / "tracker")]
PYTHON = sys.executable


@dataclass
class Run:
    job: str
    wall: float
    cpu: float
    rss_mib: float
    mails: int
    mail_bytes: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_sink(workdir: Path) -> Iterator[tuple[int, Path]]:
    port, counter = free_port(), workdir / "sink.count"
    process = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "smtp_sink.py"), str(port), str(counter)]
    )
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        yield port, counter
    finally:
        process.terminate()
        process.wait()


def measured(job: str, command: list[str], env: dict[str, str], counter: Path) -> Run:
    """Run one command to its end: wall time, CPU (user + system) and peak resident memory
    of that process (by /usr/bin/time: a child forked from this process would count this
    process's pages until it execs), and the mails the sink got meanwhile."""
    before = read_count(counter)
    with tempfile.TemporaryFile() as output, tempfile.NamedTemporaryFile("r") as usage:
        started = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%U %S %M", "-o", usage.name, *command],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
        wall = time.perf_counter() - started
        if result.returncode != 0:
            output.seek(0)
            sys.exit(f"{job} failed ({result.returncode}):\n{output.read().decode()[-3000:]}")
        user, system, peak_kib = usage.read().split()
    time.sleep(0.2)  # the sink writes its count after replying
    after = read_count(counter)
    return Run(
        job,
        wall,
        float(user) + float(system),
        int(peak_kib) / 1024,
        after[0] - before[0],
        after[1] - before[1],
    )


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def last_working_day(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def next_saturday(day: date) -> date:
    return day + timedelta(days=(5 - day.weekday()) % 7 or 7)


class TrackerDatabases:
    """A migrated tracker database holding the workload, and fresh copies of it."""

    def __init__(self, database: str, workdir: Path) -> None:
        self.database = database
        self.workdir = workdir
        self.server = os.environ.get("TRACKER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        self.prefix = f"tracker_bench_{os.getpid()}"
        self.made: list[str] = []

    def url(self, name: str) -> str:
        if self.database == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.sqlite')}"
        return (
            sa.make_url(self.server)
            .set(database=f"{self.prefix}_{name}")
            .render_as_string(hide_password=False)
        )

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
        engine.dispose()

    def template(self, env: dict[str, str], floor_file: Path) -> int:
        if self.database == "postgresql":
            self._admin(f'CREATE DATABASE "{self.prefix}_template"')
            self.made.append("template")
        url = self.url("template")
        subprocess.run(
            [*TRACKER, "db", "upgrade"],
            env={**env, "TRACKER_DATABASE_URL": url},
            check=True,
            capture_output=True,
        )
        return copy_floor_data(url, floor_file)

    def fresh_copy(self) -> str:
        if self.database == "sqlite":
            source, target = self.workdir / "template.sqlite", self.workdir / "run.sqlite"
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(source, target)
            return self.url("run")
        if "run" in self.made:
            self._admin(f'DROP DATABASE "{self.prefix}_run"')
        self._admin(f'CREATE DATABASE "{self.prefix}_run" TEMPLATE "{self.prefix}_template"')
        self.made.append("run")
        return self.url("run")

    def drop(self) -> None:
        if self.database == "postgresql":
            for name in dict.fromkeys(reversed(self.made)):
                self._admin(f'DROP DATABASE IF EXISTS "{self.prefix}_{name}"')


def report(runs: list[Run], floor_wall: float) -> None:
    by_job: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_job[run.job].append(run)
    print(
        f"\n{'job':<34} {'mails':>6} {'MB sent':>8} {'wall s':>7} {'CPU s':>6} "
        f"{'peak RSS MiB':>12} {'x floor':>8}"
    )
    for job, job_runs in by_job.items():
        wall = statistics.median(r.wall for r in job_runs)
        cpu = statistics.median(r.cpu for r in job_runs)
        rss = max(r.rss_mib for r in job_runs)
        mails = job_runs[-1].mails
        sent = job_runs[-1].mail_bytes / 1e6
        print(
            f"{job:<34} {mails:>6} {sent:>8.2f} {wall:>7.2f} {cpu:>6.2f} {rss:>12.0f} "
            f"{wall / floor_wall:>8.2f}"
        )
    print(
        f"(median of {len(by_job['floor']) // 2 or 1} runs each, floor: "
        f"{len(by_job['floor'])} runs; every wall in runs: "
        + "; ".join(
            f"{job} " + ", ".join(f"{r.wall:.2f}" for r in rs) for job, rs in by_job.items()
        )
        + ")"
    )


def run(database: str, tasks: int, users: int, repeat: int, checkout: Path | None = None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tracker-remind-bench-"))
    today = date.today()  # the floor's generator dates its data from the real today
    first_day = last_working_day(today)
    days = {
        "first": first_day,
        "next": next_working_day(first_day),
        "saturday": next_saturday(first_day),
    }
    print(
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at start {os.getloadavg()}"
    )
    print(
        f"{database}: {tasks:,} tasks, {users} users; first run as of {days['first']}, "
        f"next working day {days['next']}, Saturday {days['saturday']}"
    )
    floor_file = workdir / "floor.sqlite"
    generate_floor(floor_file, tasks, users)
    databases = TrackerDatabases(database, workdir)
    env = {
        **os.environ,
        "TRACKER_ENV": "production",
        "TRACKER_SECRET_KEY": "bench-" + "k" * 58,
        "TRACKER_BASE_URL": "https://tracker.example.am",
        "MAIL_SERVER": "127.0.0.1",
    }
    # As installed from a wheel, the package's bytecode is compiled once: a checkout run with
    # PYTHONDONTWRITEBYTECODE would compile every module of the tracker in every command.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    if checkout is not None:
        # Its package and config.py come first on the path, before this checkout's install.
        env["PYTHONPATH"] = str(checkout.resolve())
        print(f"tracker from {checkout}")
    source = (checkout or ROOT).resolve()
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", str(source / "tracker"), str(source / "config.py")],
        env=env,
        check=True,
    )
    try:
        started = time.perf_counter()
        count = databases.template(env, floor_file)
        print(f"tracker database: {count:,} tasks copied in {time.perf_counter() - started:.1f} s")
        with smtp_sink(workdir) as (port, counter):
            env["MAIL_PORT"] = str(port)
            floor = [PYTHON, str(FLOOR), "run", str(floor_file), "--smtp", f"127.0.0.1:{port}"]
            runs = run_repetitions(repeat, databases, env, days, floor, counter)
        floor_wall = statistics.median(r.wall for r in runs if r.job == "floor")
        report(runs, floor_wall)
        print(f"load average at the end {os.getloadavg()}")
    finally:
        databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def run_repetitions(
    repeat: int,
    databases: TrackerDatabases,
    env: dict[str, str],
    days: dict[str, date],
    floor: list[str],
    counter: Path,
) -> list[Run]:
    runs = []

    def tracker(job: str, day: date, url: str) -> Run:
        command = [*TRACKER, "remind", "--as-of", day.isoformat(), "--allow-future"]
        result = measured(job, command, {**env, "TRACKER_DATABASE_URL": url}, counter)
        print(f"  {job:<34} {result.wall:6.2f} s  {result.mails} mails", flush=True)
        return result

    for number in range(1, repeat + 1):
        print(f"repetition {number}", flush=True)
        runs.append(measured("floor", floor, env, counter))
        url = databases.fresh_copy()
        runs.append(tracker("tracker: first run", days["first"], url))
        runs.append(measured("floor", floor, env, counter))
        runs.append(tracker("tracker: same-day rerun", days["first"], url))
        runs.append(tracker("tracker: next working day", days["next"], url))
        runs.append(tracker("tracker: Saturday (nothing to do)", days["saturday"], url))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--checkout",
        type=Path,
        help="run the tracker of another checkout (git worktree add DIR COMMIT), to measure"
        " an earlier commit the same way",
    )
    arguments = parser.parse_args()
    run(arguments.database, arguments.tasks, arguments.users, arguments.repeat, arguments.checkout)


if __name__ == "__main__":
    main()
