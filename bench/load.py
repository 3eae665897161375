"""Load test (issue #13 point 4): the application as deployed, under 50 signed-in users.

    .venv/bin/python bench/load.py [--tasks 100000] [--users 50] [--spawn-rate 10]
        [--duration 60] [--workers 4] [--wait 1,3] [--warmup 15] [--plan-first]
        [--commit HEAD | --worktree] [--out DIR]

Needs the bench extra (`pip install -e '.[bench]'`: gunicorn, locust) and the PostgreSQL
server of TRACKER_TEST_POSTGRES_URL. Run by hand, never by the test suite.

1. Creates the database tracker_load_<pid> beside TRACKER_TEST_POSTGRES_URL's, migrates it
   with `tracker db upgrade` and fills it with the workload of issue #13
   (bench/workload.py: 200 users in 20 departments with heads, user 1 the admin, 2..20
   managers, the rest officers); every user gets one random password (one UPDATE).
2. Serves the code of --commit (HEAD: exported with `git archive`, so that edits in
   progress in the checkout are not measured; --worktree serves the checkout as it is):
   `gunicorn -w 4 "tracker:create_app()"` in production configuration (plain HTTP on
   loopback, hence TRACKER_SECURE_COOKIES=0), and beside it `tracker scheduler`, mailing
   to bench/smtp_sink.py. On a fresh database the scheduler's first planning run of the
   day (after the planning hour) falls inside the load; --plan-first runs `tracker remind`
   before, as on a day whose reminders went out in the morning.
3. A warm-up (8 users, --warmup seconds, not counted: each worker's first requests
   compile templates), then the load (bench/locustfile.py): --users virtual users start,
   --spawn-rate a second, each signing in with an account of its own through the login
   form (sign-in throttling counts failures only, per account and per address, so it is
   left as deployed); once all have signed in, --duration seconds of work are measured.
4. Prints, and writes to DIR/summary.txt and DIR/summary.json: requests per second, median,
   p95 and p99 per request and overall (the measured phase, then the sign-in phase),
   failures, the load average before and after, where the CPU went (the machine is
   shared), the number of gunicorn workers, the mails the scheduler sent meanwhile and what
   the planning left in the database.
5. Stops the processes and drops the database, whatever happened.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workload import copy_floor_data, generate_floor
from tracker.auth.services import hash_password

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ALL = "all requests"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    per_second: float
    median: float
    p95: float
    p99: float
    slowest: float


@dataclass
class CpuUse:
    """Where the machine's CPU went during the measured run, in CPU seconds."""

    wall: float = 0.0
    cores: int = os.cpu_count() or 1
    gunicorn: float = 0.0
    scheduler: float = 0.0
    postgres: float = 0.0  # this database's server processes alive at the end
    locust: float = 0.0
    machine: float = 0.0  # everything on the machine, these included

    def line(self) -> str:
        others = self.machine - self.gunicorn - self.scheduler - self.postgres - self.locust
        return (
            f"CPU seconds over the {self.wall:.0f} s run ({self.cores} cores: at most"
            f" {self.wall * self.cores:.0f}): machine {self.machine:.0f} = gunicorn"
            f" {self.gunicorn:.0f} + PostgreSQL for this database {self.postgres:.0f} +"
            f" scheduler {self.scheduler:.0f} + locust {self.locust:.0f} + others {others:.0f}"
        )


@dataclass
class Result:
    code: str
    tasks: int
    users: int
    duration: int
    wait: str
    warmup: int
    workers: int = 0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    planned_before: float | None = None  # seconds of `tracker remind` before the load
    mails: int = 0
    scheduler: dict[str, int] = field(default_factory=dict)
    cpu: CpuUse = field(default_factory=CpuUse)
    rows: list[Row] = field(default_factory=list)  # the measured phase
    sign_in_rows: list[Row] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def load_database() -> Iterator[str]:
    """The URL of a new database beside the test server's, dropped afterwards."""
    server = sa.make_url(os.environ.get("TRACKER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    name = f"tracker_load_{os.getpid()}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        print(f"dropped database {name}", flush=True)


def source_tree(commit: str | None, workdir: Path) -> tuple[Path, str]:
    """Where the code served comes from, and its name: the checkout as it is (`commit`
    None), or `commit` exported into `workdir` with its catalogues compiled, so that
    others' edits in progress in the checkout are not what is measured."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", commit or "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if commit is None:
        return ROOT, f"the checkout at {head} with its uncommitted changes"
    target = workdir / "src"
    target.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    for catalogue in target.glob("tracker/translations/*/LC_MESSAGES/messages.po"):
        mo = catalogue.with_suffix(".mo")
        subprocess.run(
            [str(BIN / "pybabel"), "--quiet", "compile", "-i", str(catalogue), "-o", str(mo)],
            check=True,
        )
    return target, f"commit {head}"


def fill(source: Path, url: str, tasks: int, workdir: Path, password: str) -> None:
    """Migrate with the deployed command, copy the workload in, give everyone `password`."""
    started = time.perf_counter()
    env = app_environment(source, url, 0, 0)
    subprocess.run([str(BIN / "tracker"), "db", "upgrade"], env=env, check=True, cwd=source)
    floor = workdir / "floor.sqlite"
    generate_floor(floor, tasks, 200)
    copied = copy_floor_data(url, floor)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE users SET password_hash = :h"), {"h": hash_password(password)}
        )
    engine.dispose()
    print(f"database ready: {copied:,} tasks in {time.perf_counter() - started:.0f} s", flush=True)


def app_environment(source: Path, url: str, port: int, mail_port: int) -> dict[str, str]:
    """The deployment's environment; the code imported from `source` (ahead of the
    checkout the virtualenv's editable install points at)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACKER_")}
    if source != ROOT:
        env["PYTHONPATH"] = str(source)
    env.update(
        TRACKER_ENV="production",
        TRACKER_SECRET_KEY=secrets.token_hex(32),  # 64 characters
        TRACKER_SECURE_COOKIES="0",  # plain HTTP on loopback
        TRACKER_BASE_URL=f"http://127.0.0.1:{port}",
        TRACKER_DATABASE_URL=url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(mail_port),
    )
    return env


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def started(
    command: list[str], env: dict[str, str], log: IO[bytes], cwd: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running in `cwd` (gunicorn puts its directory first on the import path),
    stopped on the way out."""
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop(process)


def wait_healthy(base: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}: see its log")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz in time")


def _stat(path: Path) -> list[str]:
    """The fields of a /proc stat file after the command's name (state first); [] if gone."""
    try:
        return path.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    return [
        int(stat.parent.name)
        for stat in Path("/proc").glob("[0-9]*/stat")
        if _stat(stat)[1:2] == [str(pid)]
    ]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a live process so far."""
    fields = _stat(Path(f"/proc/{pid}/stat"))
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0


def machine_busy() -> float:
    """CPU seconds the whole machine spent not idle since boot (all cores)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICKS


def backends(url: str) -> list[int]:
    """The PostgreSQL server processes serving the load test's database (other than this
    question's own)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        pids = connection.scalars(
            sa.text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
    engine.dispose()
    return list(pids)


class CpuMeter:
    """CPU used by the processes under test between `start` and `stop`."""

    def __init__(self, web: int, scheduler: int, url: str) -> None:
        self.web, self.scheduler, self.url = web, scheduler, url
        self.before: dict[str, dict[int, float]] = {}
        self.began = self.busy = self.locust = 0.0

    def groups(self) -> dict[str, dict[int, float]]:
        pids = {
            "gunicorn": [self.web, *children(self.web)],
            "scheduler": [self.scheduler],
            "postgres": backends(self.url),
        }
        return {name: {pid: cpu_seconds(pid) for pid in group} for name, group in pids.items()}

    def start(self) -> None:
        self.before = self.groups()
        self.began, self.busy = time.monotonic(), machine_busy()
        children_time = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.locust = children_time.ru_utime + children_time.ru_stime

    def stop(self) -> CpuUse:
        wall, busy = time.monotonic() - self.began, machine_busy() - self.busy
        children_time = resource.getrusage(resource.RUSAGE_CHILDREN)
        use = CpuUse(wall=wall, machine=busy)
        use.locust = children_time.ru_utime + children_time.ru_stime - self.locust
        for name, group in self.groups().items():
            before = self.before.get(name, {})
            spent = sum(now - before.get(pid, 0.0) for pid, now in group.items())
            setattr(use, name, spent)
        return use


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def figures(name: str, samples: list[tuple[str, float, float, bool]], seconds: float) -> Row:
    times = sorted(ms for _name, _start, ms, _failed in samples)
    return Row(
        name=name,
        requests=len(times),
        failures=sum(failed for *_, failed in samples),
        per_second=len(times) / seconds,
        median=percentile(times, 0.5),
        p95=percentile(times, 0.95),
        p99=percentile(times, 0.99),
        slowest=times[-1],
    )


Sample = tuple[str, float, float, bool]  # name, start, milliseconds, failed


def _samples(path: Path) -> dict[str, list[Sample]]:
    """Each request by phase ("sign-in", "measured"); a GET named by its path alone."""
    phases: dict[str, list[Sample]] = {"sign-in": [], "measured": []}
    with path.open(newline="") as file:
        for line in csv.DictReader(file):
            method, name = line["method"], line["name"]
            phases[line["phase"]].append(
                (
                    name if method == "GET" else f"{method} {name}",
                    float(line["start"]),
                    float(line["ms"]),
                    line["failed"] == "1",
                )
            )
    return phases


def table(samples: list[Sample]) -> list[Row]:
    """Exact figures per request and over all of them (req/s over the span they cover)."""
    if not samples:
        return []
    first = min(start for _name, start, _ms, _failed in samples)
    last = max(start + ms / 1000 for _name, start, ms, _failed in samples)
    seconds = max(last - first, 1e-9)
    rows = [
        figures(name, [sample for sample in samples if sample[0] == name], seconds)
        for name in sorted({sample[0] for sample in samples})
    ]
    return [*rows, figures(ALL, samples, seconds)]


def read_failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as file:
        return [
            f"{line['Method']} {line['Name']}: {line['Error']} ×{line['Occurrences']}"
            for line in csv.DictReader(file)
        ]


def mails_sent(count_file: Path) -> int:
    try:
        return int(count_file.read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return 0


def _loads(values: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def _table_lines(rows: list[Row]) -> list[str]:
    lines = [
        f"{'request':<28} {'count':>6} {'fail':>5} {'req/s':>7} {'median':>7} {'p95':>7}"
        f" {'p99':>7} {'max':>7}  (ms)"
    ]
    for row in rows:
        lines.append(
            f"{row.name:<28} {row.requests:>6} {row.failures:>5} {row.per_second:>7.2f}"
            f" {row.median:>7.0f} {row.p95:>7.0f} {row.p99:>7.0f} {row.slowest:>7.0f}"
        )
    return lines


def report(result: Result, out: Path) -> str:
    planned = (
        f"planned and sent before the load in {result.planned_before} s (tracker remind)"
        if result.planned_before is not None
        else "the scheduler's first planning run of the day falls inside the load"
    )
    lines = [
        f"Code: {result.code}",
        f"Load test: {result.tasks:,} tasks, {result.users} users"
        f" (think time {result.wait} s, warm-up {result.warmup} s),"
        f" gunicorn workers: {result.workers}",
        f"load average before: {_loads(result.load_before)}  after: {_loads(result.load_after)}"
        f"  ({os.cpu_count()} cores)",
        result.cpu.line(),
        f"reminders: {planned}; mails sent by the scheduler meanwhile: {result.mails}",
        "in the database afterwards: "
        + ", ".join(f"{name} {count}" for name, count in result.scheduler.items()),
        "",
        f"Measured: {result.duration} s of {result.users} signed-in users, once all had signed in",
        *_table_lines(result.rows),
        "",
        f"Before that, the sign-in of the {result.users} users (and what the first ones did"
        " meanwhile)",
        *_table_lines(result.sign_in_rows),
        "(exact percentiles over every request; req/s over the span the requests cover)",
    ]
    errors = sum(row.failures for row in result.rows + result.sign_in_rows if row.name == ALL)
    lines += ["", f"errors (both phases): {errors}", *result.failures]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    (out / "summary.json").write_text(json.dumps(asdict(result), indent=2, ensure_ascii=False))
    return text


def run_locust(
    base: str, password: str, wait: str, out: Path, name: str, users: int, rate: int, seconds: int
) -> Path:
    """One headless locust run (the locustfile's shape: sign-in, then `seconds` of work);
    the prefix of its CSV files."""
    prefix = out / name
    env = {
        **os.environ,
        "TRACKER_LOAD_PASSWORD": password,
        "TRACKER_LOAD_WAIT": wait,
        "TRACKER_LOAD_SAMPLES": f"{prefix}_samples.csv",
        "TRACKER_LOAD_USERS": str(users),
        "TRACKER_LOAD_RATE": str(rate),
        "TRACKER_LOAD_SECONDS": str(seconds),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
    ]
    with (out / f"{name}.log").open("wb") as log:
        # Locust exits with 1 when a request failed: the failures are read from its CSV.
        subprocess.run(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return prefix


def plan_first(env: dict[str, str], source: Path, log: IO[bytes]) -> float:
    """Today's reminders planned and sent before the load (`tracker remind`), as on a day
    whose planning hour has passed; its seconds."""
    began = time.perf_counter()
    subprocess.run(
        [str(BIN / "tracker"), "remind"], env=env, cwd=source, stdout=log, stderr=log, check=True
    )
    return time.perf_counter() - began


def scheduler_work(url: str) -> dict[str, int]:
    """What the planning left in the database: notifications, and the outbox by status."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        work = {"notifications": connection.scalar(sa.text("SELECT count(*) FROM notifications"))}
        for status, count in connection.execute(
            sa.text("SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status")
        ):
            work[f"outbox {status}"] = count
    engine.dispose()
    return work


def measure(
    arguments: argparse.Namespace, source: Path, url: str, password: str, out: Path, result: Result
) -> None:
    port, mail_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = app_environment(source, url, port, mail_port)
    count_file = out / "mails.txt"
    sink = [str(BIN / "python"), str(ROOT / "bench" / "smtp_sink.py"), str(mail_port)]
    gunicorn = [str(BIN / "gunicorn"), "-w", str(arguments.workers), "-b", f"127.0.0.1:{port}"]
    with (
        (out / "processes.log").open("wb") as log,
        started([*sink, str(count_file)], env, log, source),
    ):
        if arguments.plan_first:
            result.planned_before = round(plan_first(env, source, log), 1)
        with started([*gunicorn, "tracker:create_app()"], env, log, source) as web:
            wait_healthy(base, web)
            if arguments.warmup:
                print(f"warming up: 8 users sign in, then {arguments.warmup} s", flush=True)
                run_locust(base, password, arguments.wait, out, "warmup", 8, 4, arguments.warmup)
            mails_before = mails_sent(count_file)
            with started([str(BIN / "tracker"), "scheduler"], env, log, source) as scheduler:
                print(f"gunicorn on {base}, scheduler beside it: locust signs in, then runs")
                result.load_before = os.getloadavg()
                meter = CpuMeter(web.pid, scheduler.pid, url)
                meter.start()
                prefix = run_locust(
                    base,
                    password,
                    arguments.wait,
                    out,
                    "locust",
                    arguments.users,
                    arguments.spawn_rate,
                    arguments.duration,
                )
                result.cpu = meter.stop()
                result.workers = len(children(web.pid))
                result.load_after = os.getloadavg()
                result.mails = mails_sent(count_file) - mails_before
    result.scheduler = scheduler_work(url)
    phases = _samples(Path(f"{prefix}_samples.csv"))
    result.rows, result.sign_in_rows = table(phases["measured"]), table(phases["sign-in"])
    result.failures = read_failures(prefix)


def arguments_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument(
        "--duration", type=int, default=60, help="seconds measured once all have signed in"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--wait", default="1,3", help="think time between clicks, seconds")
    parser.add_argument(
        "--warmup", type=int, default=15, help="seconds of a first run of 8 users, not counted"
    )
    parser.add_argument(
        "--plan-first",
        action="store_true",
        help="plan and send today's reminders before the load (else the scheduler's "
        "first planning run of the day falls inside it)",
    )
    parser.add_argument("--out", type=Path, help="where the results go")
    parser.add_argument("--commit", default="HEAD", help="the commit served (exported)")
    parser.add_argument(
        "--worktree", action="store_true", help="serve the checkout as it is instead"
    )
    return parser


def main() -> None:
    arguments = arguments_parser().parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tracker-load-work-"))
    out = arguments.out or Path(tempfile.gettempdir()) / f"tracker-load-{os.getpid()}"
    out.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    try:
        source, code = source_tree(None if arguments.worktree else arguments.commit, workdir)
        result = Result(
            code=code,
            tasks=arguments.tasks,
            users=arguments.users,
            duration=arguments.duration,
            wait=arguments.wait,
            warmup=arguments.warmup,
        )
        with load_database() as url:
            fill(source, url, arguments.tasks, workdir, password)
            measure(arguments, source, url, password, out, result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report(result, out), end="")
    print(f"written to {out}: summary.txt, summary.json, locust_*.csv, the logs")


if __name__ == "__main__":
    main()
