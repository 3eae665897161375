"""Fixtures shared by every test: `app`, `client`, `runner`, the databases and factories.

Tests run on SQLite by default. Tests that prove database behaviour also run on the
PostgreSQL named by TRACKER_TEST_POSTGRES_URL (default: the local server); where it is not
reachable they skip with the reason, unless TRACKER_TEST_REQUIRE_ALL=1 (CI), where they fail.

Every database a test gets is built by the migrations, as production's is, never from the
models (`create_all` would hide a migration that lags behind a model). The migrations run
once per session into a template: a SQLite file that each test copies, and a PostgreSQL
database that each test's own database is created from (CREATE DATABASE … TEMPLATE).
"""

from __future__ import annotations

import contextvars
import email.policy
import itertools
import os
import re
import secrets
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from config import TestingConfig
from tracker import create_app
from tracker.clock import FixedClock, install_clock
from tracker.extensions import db
from tracker.models import (
    Department,
    ExtensionRequest,
    OutboxMessage,
    Report,
    ReportStatus,
    Role,
    Task,
    TaskStatus,
    User,
)
from tracker.tasks.services import create_task

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery"
# Hashing is slow on purpose; the factories share one hash.
PASSWORD_HASH = generate_password_hash(PASSWORD)


def unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where everything must run."""
    if os.environ.get("TRACKER_TEST_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (TRACKER_TEST_REQUIRE_ALL=1, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get("TRACKER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at {url}: {str(error).splitlines()[0]}")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh schema of their own, dropped afterwards."""
    schema = f"test_{secrets.token_hex(6)}"
    admin = sa.create_engine(postgres_server_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(postgres_server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine we support."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    return request.getfixturevalue("postgres_url")


def migrate(database_url: str, tmp_path: Path) -> None:
    """Run the migrations on the database, as `tracker db upgrade` does in production."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; tests get copies of it."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "tracker.sqlite"
    migrate(f"sqlite:///{path}", folder)
    # Closing the last connection folds the write-ahead log into the file.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A migrated SQLite file with the demo loaded by `tracker demo`, once per session, on
    the `clock` fixture's day (TODAY): the demo's own deadlines are counted from it."""
    folder = tmp_path_factory.mktemp("demo-template")
    app = make_app(
        folder,
        SQLALCHEMY_DATABASE_URI=copy_database(sqlite_template, folder),
        TRACKER_TODAY=TODAY.isoformat(),
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    path = folder / "tracker.sqlite"
    assert not path.with_name(path.name + "-wal").exists()
    return path


def copy_database(template: Path, tmp_path: Path, name: str = "tracker.sqlite") -> str:
    """A copy of a SQLite template in the test's folder; returns its URL."""
    target = tmp_path / name
    shutil.copy(template, target)
    return f"sqlite:///{target}"


def _database_url(server_url: str, database: str) -> str:
    return sa.make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _admin_engine(server_url: str) -> sa.Engine:
    # CREATE and DROP DATABASE cannot run inside a transaction.
    return sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


# Databases of a test session are named with its process id, so sessions sharing a server
# keep apart, and those a killed session left behind can be told and dropped.
DATABASE_PREFIX = "tracker_test_"


def _session_database_name() -> str:
    return f"{DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"


def _drop_left_over_databases(connection: sa.Connection, server_url: str) -> None:
    """Drop the databases of test sessions on this machine that are no longer running."""
    if sa.make_url(server_url).host not in ("127.0.0.1", "localhost", "::1"):
        return  # another machine's sessions are not ours to judge
    names = connection.scalars(
        sa.text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
        {"prefix": DATABASE_PREFIX + "%"},
    )
    for name in list(names):
        pid = name.removeprefix(DATABASE_PREFIX).split("_")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_exists(int(pid)):
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def postgres_template(
    postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A PostgreSQL database migrated once per session; tests get databases created from it."""
    name = _session_database_name()
    admin = _admin_engine(postgres_server_url)
    with admin.connect() as connection:
        _drop_left_over_databases(connection, postgres_server_url)
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        migrate(_database_url(postgres_server_url, name), tmp_path_factory.mktemp("pg-template"))
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrated_postgres_url(postgres_server_url: str, postgres_template: str) -> Iterator[str]:
    """A migrated PostgreSQL database of the test's own, dropped afterwards."""
    name = _session_database_name()
    admin = _admin_engine(postgres_server_url)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    try:
        yield _database_url(postgres_server_url, name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str:
    """A database on each engine we support, with the schema the migrations build."""
    if request.param == "sqlite":
        return copy_database(sqlite_template, tmp_path)
    return request.getfixturevalue("migrated_postgres_url")


def make_app(tmp_path: Path, **settings: Any) -> Flask:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    app = create_app({**vars_of(TestingConfig), **settings})
    app.instance_path = str(instance)
    return app


def vars_of(config: type) -> dict[str, Any]:
    return {key: getattr(config, key) for key in dir(config) if key.isupper()}


@pytest.fixture
def any_database_app(migrated_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on a migrated database of each engine: SQLite, then PostgreSQL."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path, sqlite_template: Path) -> Iterator[Flask]:
    # A file, not memory: the test and each request have connections of their own.
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=copy_database(sqlite_template, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class TrackerClient(FlaskClient):
    """A test client that fills in the CSRF token the way a browser submits the page's form.

    Each request runs outside the test's own application context, so it gets its own
    database session and `g`, as in a server; the test sees its changes after a commit.
    """

    def open(self, *args: Any, **kwargs: Any):
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self, page: str = "/login") -> str:
        html = self.get(page, follow_redirects=True).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(self, url: str, data: dict[str, Any], *, page: str | None = None, **kwargs: Any):
        data = {"csrf_token": self.csrf_token(page or url), **data}
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        return self.submit("/login", {"email": email, "password": password})


@pytest.fixture
def client(app: Flask) -> TrackerClient:
    app.test_client_class = TrackerClient
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


_sequence = itertools.count(1)


@pytest.fixture
def make_department(app: Flask):
    def make(
        name: str | None = None, *, parent: Department | None = None, head: User | None = None
    ) -> Department:
        department = Department(
            name=name or f"Department {next(_sequence)}", parent=parent, head=head
        )
        db.session.add(department)
        db.session.commit()
        return department

    return make


@pytest.fixture
def make_user(app: Flask):
    def make(
        role: Role | str = Role.OFFICER,
        *,
        department: Department | None = None,
        name: str | None = None,
        email: str | None = None,
        language: str = "en",
        active: bool = True,
    ) -> User:
        number = next(_sequence)
        user = User(
            email=email or f"user{number}@example.am",
            name=name or f"User {number}",
            role=Role(role),
            department=department,
            language=language,
            password_hash=PASSWORD_HASH,
            active=active,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_report(app: Flask):
    """A confirmed trip report (its tasks are made with make_task and given `report`)."""

    def make(destination: str = "Gyumri", **fields: Any) -> Report:
        report = Report(
            source_filename=f"{destination}.docx",
            content_hash=f"{next(_sequence):064d}",
            file_type="docx",
            language="en",
            status=ReportStatus.CONFIRMED,
            destination=destination,
            **fields,
        )
        db.session.add(report)
        db.session.commit()
        return report

    return make


@pytest.fixture
def make_task(app: Flask):
    def make(
        *owners: User,
        title: str | None = None,
        deadline: date | None = None,
        status: TaskStatus = TaskStatus.OPEN,
        **fields: Any,
    ) -> Task:
        task = create_task(
            title or f"Task {next(_sequence)}",
            list(owners),
            actor=None,
            deadline=deadline,
            status=status,
            **fields,
        )
        db.session.commit()
        return task

    return make


class RecordingHandler:
    """An SMTP server's message handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=email.policy.default).parsebytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


@dataclass
class SMTPServer:
    """A real SMTP server on loopback (aiosmtpd), that can be stopped and started again."""

    port: int
    handler: RecordingHandler
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer(port=free_port(), handler=RecordingHandler())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_to(app: Flask, smtp_server: SMTPServer) -> SMTPServer:
    """The app's mail goes to the test SMTP server."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    app.extensions["mail"].server = "127.0.0.1"
    app.extensions["mail"].port = smtp_server.port
    return smtp_server


@dataclass
class Organisation:
    """Two branches of a small administration, with one task in each and a draft."""

    development: Department
    digital: Department
    cooperation: Department
    officer: User
    other_officer: User
    manager: User
    other_manager: User
    staff: User
    admin: User
    task: Task
    other_task: Task
    draft: Task

    def user(self, role_name: str) -> User:
        return getattr(self, role_name)


@pytest.fixture
def org(make_department, make_user, make_task) -> Organisation:
    root = make_department("Administration")
    development = make_department("Development", parent=root)
    digital = make_department("Digital", parent=development)
    cooperation = make_department("Cooperation", parent=root)
    officer = make_user(Role.OFFICER, department=digital, name="Ani Officer")
    other_officer = make_user(Role.OFFICER, department=cooperation, name="Lilit Officer")
    manager = make_user(Role.MANAGER, department=development, name="Karen Manager")
    other_manager = make_user(Role.MANAGER, department=cooperation, name="Armen Manager")
    staff = make_user(Role.STAFF, department=root, name="Narine Staff")
    admin = make_user(Role.ADMIN, department=root, name="Vardan Admin")
    task = make_task(officer, title="Digital services concept", deadline=date(2025, 3, 31))
    other_task = make_task(other_officer, title="Youth exchange", deadline=date(2026, 4, 30))
    draft = make_task(officer, title="Draft from a report", status=TaskStatus.DRAFT)
    return Organisation(
        development,
        digital,
        cooperation,
        officer,
        other_officer,
        manager,
        other_manager,
        staff,
        admin,
        task,
        other_task,
        draft,
    )


# The day the `clock` fixture starts on: a Monday (a working day) after every fixed deadline
# of the fixtures (the `org` tasks are due 2025-03-31 and 2026-04-30, so both are overdue).
TODAY = date(2026, 6, 15)


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> FixedClock:
    """The application's clock, set to TODAY; `clock.set(day)` moves "today".

    Overdue, the dashboard, reminder planning and the timestamps the app records follow it
    (tracker/clock.py), so a test that depends on the date passes whatever the real date is.
    It is the clock of the `app` fixture's application when the test uses that fixture; a
    test that makes an application of its own passes it to `install_clock(app, clock)`.
    """
    fixed = FixedClock(TODAY)
    if "app" in request.fixturenames:
        install_clock(request.getfixturevalue("app"), fixed)
    return fixed


def refreshed(task: Task) -> Task:
    """The task as the database holds it now (after a request or another session)."""
    db.session.expire_all()
    return db.session.get_one(Task, task.id)


def requests_of(task: Task) -> list[ExtensionRequest]:
    """The task's requests for more time, oldest first, as the database holds them."""
    db.session.expire_all()
    query = sa.select(ExtensionRequest).where(ExtensionRequest.task_id == task.id)
    return list(db.session.scalars(query.order_by(ExtensionRequest.id)))


def listen(app: Flask, *signals: Any) -> list[object]:
    """What the application announces on these domain events, in order."""
    payloads: list[object] = []
    for signal in signals:
        signal.connect(app, payloads.append)
    return payloads


class MovingClock(FixedClock):
    """The `clock` fixture's clock (TODAY, running from noon UTC), that a test can also move
    forward: the digest window of the event emails is minutes long."""

    def __init__(self) -> None:
        self.offset = timedelta()
        super().__init__(TODAY)

    def now(self) -> datetime:
        return super().now() + self.offset

    def advance(self, **duration: float) -> None:
        self.offset += timedelta(**duration)


@pytest.fixture
def moving_clock(app: Flask) -> MovingClock:
    clock = MovingClock()
    install_clock(app, clock)
    return clock


def assert_matches_snapshots(
    directory: Path,
    stem: str,
    message: OutboxMessage,
    normalise: Callable[[str], str] = lambda body: body,
) -> None:
    """The email's subject, text and HTML equal the reviewed files `<stem>.subject.txt`,
    `<stem>.txt` and `<stem>.html` in `directory`. With TRACKER_UPDATE_SNAPSHOTS=1 they are
    rewritten instead: review their diff before committing."""
    rendered = {
        "subject.txt": message.subject + "\n",
        "txt": normalise(message.body_text),
        "html": normalise(message.body_html),
    }
    mismatched = []
    for suffix, body in rendered.items():
        path = directory / f"{stem}.{suffix}"
        if os.environ.get("TRACKER_UPDATE_SNAPSHOTS") == "1":
            directory.mkdir(exist_ok=True)
            path.write_text(body, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != body:
            mismatched.append(path.name)
    assert not mismatched, (
        f"{mismatched} differ from the rendered email; if the change is intended, rerun with "
        "TRACKER_UPDATE_SNAPSHOTS=1 and review the snapshots' diff"
    )
