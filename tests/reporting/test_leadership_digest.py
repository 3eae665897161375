"""The leadership digest (#14), counted at a real SMTP server: each head and each admin gets
exactly one per month, with the progress report of what they oversee attached as a PDF,
across reruns, a restart and downtime; in each recipient's language; never when it is off.

The digests are planned by the notifications scheduler's daily run (`plan_today`, through
its hook for daily planners) and delivered by the outbox's sender, as in production.
"""

from __future__ import annotations

import collections
import io
import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.conftest import SMTPServer, assert_matches_snapshots, make_app
from tracker.clock import FixedClock, install_clock
from tracker.dashboard.trends import Trend
from tracker.extensions import db
from tracker.models import (
    Department,
    LeadershipDigest,
    OutboxMessage,
    Role,
    TaskStatus,
    User,
)
from tracker.notifications import scheduling
from tracker.notifications.jobs import add_daily_planner, deliver_outbox, run_daily_planners
from tracker.reporting import leadership
from tracker.reporting.leadership import (
    DigestRun,
    DigestSchedule,
    digest_recipients,
    figure_lines,
    plan_leadership_digests,
    topmost,
    write_digest,
)
from tracker.reporting.model import (
    Changes,
    HeadlineFigures,
    ProgressReport,
    RecommendationLine,
    ReportScope,
)
from tracker.reporting.periods import Period

SNAPSHOTS = Path(__file__).parent / "snapshots"


# --- When: pure --------------------------------------------------------------------------


def month(key: str) -> Period:
    period = Period.parse(key)
    assert period is not None
    return period


@pytest.mark.parametrize(
    ("today", "day", "due"),
    [
        (date(2026, 7, 1), 1, "2026-06"),
        (date(2026, 6, 30), 1, "2026-05"),  # caught up any day of the month after
        (date(2026, 7, 4), 1, "2026-06"),
        (date(2026, 7, 4), 5, None),  # before the send day: nothing yet
        (date(2026, 7, 5), 5, "2026-06"),
        (date(2026, 7, 31), 28, "2026-06"),
        (date(2027, 1, 1), 1, "2026-12"),
        (date(2026, 3, 1), 1, "2026-02"),
    ],
)
def test_the_month_due_is_the_last_finished_from_its_send_day(
    today: date, day: int, due: str | None
) -> None:
    period = DigestSchedule("month", day).period_due(today)
    assert (period.key if period else None) == due


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2026, 10, 1), "2026-Q3"),
        (date(2026, 11, 15), "2026-Q3"),  # caught up within the quarter after
        (date(2026, 12, 31), "2026-Q3"),
        (date(2027, 1, 1), "2026-Q4"),
        (date(2026, 9, 30), "2026-Q2"),
    ],
)
def test_the_quarter_due_is_the_last_finished(today: date, due: str) -> None:
    period = DigestSchedule("quarter", 1).period_due(today)
    assert period is not None and period.key == due


def test_a_day_after_the_first_delays_the_quarter_too() -> None:
    schedule = DigestSchedule("quarter", 3)
    assert schedule.period_due(date(2026, 9, 30)) == month("2026-Q2")
    # Q2 is no longer the last finished, and Q3's day has not come.
    assert schedule.period_due(date(2026, 10, 2)) is None
    assert schedule.period_due(date(2026, 10, 3)) == month("2026-Q3")


def test_off_is_never_due() -> None:
    assert DigestSchedule(None).period_due(date(2026, 7, 1)) is None


@pytest.mark.parametrize(
    ("setting", "day", "expected"),
    [
        ("month", 1, DigestSchedule("month", 1)),
        (" Quarter ", "15", DigestSchedule("quarter", 15)),
        ("off", 1, DigestSchedule(None, 1)),
        ("month", 28, DigestSchedule("month", 28)),
    ],
)
def test_the_settings_are_read(setting: str, day: object, expected: DigestSchedule) -> None:
    config = {"TRACKER_LEADERSHIP_DIGEST": setting, "TRACKER_LEADERSHIP_DIGEST_DAY": day}
    assert DigestSchedule.from_config(config) == expected


@pytest.mark.parametrize(
    ("setting", "day", "message"),
    [
        ("monthly", 1, "TRACKER_LEADERSHIP_DIGEST='monthly' is not one of"),
        ("year", 1, "is not one of month, quarter, off"),
        ("month", 0, "TRACKER_LEADERSHIP_DIGEST_DAY=0 is not a day from 1 to 28"),
        ("month", 31, "not a day from 1 to 28"),  # February has none
        ("month", "first", "TRACKER_LEADERSHIP_DIGEST_DAY='first'"),
    ],
)
def test_bad_settings_are_refused_with_their_name(setting: str, day: object, message: str) -> None:
    config = {"TRACKER_LEADERSHIP_DIGEST": setting, "TRACKER_LEADERSHIP_DIGEST_DAY": day}
    with pytest.raises(ValueError, match=re.escape(message)):
        DigestSchedule.from_config(config)


def test_a_bad_setting_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="TRACKER_LEADERSHIP_DIGEST"):
        make_app(tmp_path, TRACKER_LEADERSHIP_DIGEST="weekly")


def test_the_figures_show_the_change_since_the_previous_period(app: Flask) -> None:
    now = HeadlineFigures(recommendations=10, done_on_time=4, done_late=1, open=5, overdue=3)
    before = HeadlineFigures(recommendations=8, done_on_time=2, done_late=1, open=5, overdue=4)
    lines = {line.label: line for line in figure_lines(now, before, "en")}
    assert (lines["Recommendations"].before, lines["Recommendations"].now) == ("8", "10")
    assert lines["Recommendations"].delta == "+2"
    assert lines["Overdue"].delta == "−1"
    assert lines["Open"].delta == ""
    rate = lines["Implementation rate"]
    assert (rate.before, rate.now, rate.delta) == ("38%", "50%", "+12 pp")


# --- Who ---------------------------------------------------------------------------------


@dataclass
class Office:
    admin: User
    development_head: User  # Armenian
    cooperation_head: User  # English
    empty_head: User  # heads a department without tasks
    officer_head: User  # an officer heading a unit: no dashboard, no digest
    development: Department
    cooperation: Department
    empty: Department

    @property
    def recipients(self) -> list[User]:
        return [self.admin, self.development_head, self.cooperation_head, self.empty_head]


@pytest.fixture
def office(make_department, make_user, make_task, clock) -> Office:
    root = make_department("Administration")
    development = make_department("Development", parent=root)
    digital = make_department("Digital", parent=development)
    cooperation = make_department("Cooperation", parent=root)
    empty = make_department("Archive", parent=root)
    protocol = make_department("Protocol", parent=root)
    admin = make_user(Role.ADMIN, department=root, name="Vardan Admin", language="en")
    karen = make_user(Role.MANAGER, department=development, name="Karen Baghishyan", language="hy")
    armen = make_user(Role.MANAGER, department=cooperation, name="Armen Petrosyan")
    lilit = make_user(Role.MANAGER, department=empty, name="Lilit Hakobyan")
    narek = make_user(Role.OFFICER, department=protocol, name="Narek Officer")
    for department, head in (
        (development, karen),
        (digital, karen),  # below Development: one digest, about Development
        (cooperation, armen),
        (empty, lilit),
        (protocol, narek),
    ):
        department.head = head
    db.session.commit()
    ani = make_user(Role.OFFICER, department=digital, name="Ani Sargsyan")
    gohar = make_user(Role.OFFICER, department=cooperation, name="Gohar Mkrtchyan")
    make_task(ani, title="Digital services concept", deadline=date(2026, 3, 31))
    make_task(ani, title="Electronic applications", deadline=date(2026, 5, 20))
    make_task(ani, title="Open data portal", deadline=date(2026, 12, 1))
    make_task(gohar, title="Youth exchange", deadline=date(2026, 4, 30))
    make_task(gohar, title="Memorandum", deadline=date(2026, 5, 5), status=TaskStatus.DONE)
    return Office(admin, karen, armen, lilit, narek, development, cooperation, empty)


def test_the_recipients_are_the_admins_and_the_heads_with_a_dashboard(office: Office) -> None:
    recipients = digest_recipients()
    assert [
        (r.user.name, r.department.name if r.department else None) for r in recipients.digests
    ] == [
        ("Vardan Admin", None),
        ("Karen Baghishyan", "Development"),
        ("Armen Petrosyan", "Cooperation"),
        ("Lilit Hakobyan", "Archive"),
    ]
    assert [(user.name, why) for user, why in recipients.skipped] == [
        ("Narek Officer", "heads a department but is officer: no dashboard")
    ]


def test_an_inactive_head_gets_none_and_an_admin_heading_a_department_gets_the_admins(
    office: Office,
) -> None:
    office.cooperation_head.active = False
    office.empty.head = office.admin
    db.session.commit()
    recipients = digest_recipients()
    assert [(r.user.name, r.department) for r in recipients.digests] == [
        ("Vardan Admin", None),
        ("Karen Baghishyan", office.development),
    ]


def test_the_topmost_of_the_departments_headed(make_department) -> None:
    root = make_department("Root")
    a = make_department("A", parent=root)
    a1 = make_department("A1", parent=a)
    a11 = make_department("A11", parent=a1)
    b = make_department("B", parent=root)
    assert topmost([a11, a1, a]) == [a]
    assert topmost([a11, b]) == [a11, b]
    assert topmost([b, root, a11]) == [root]


# --- Delivered ---------------------------------------------------------------------------


def leadership_mail(server: SMTPServer) -> list[EmailMessage]:
    return [m for m in server.messages if str(m["Message-ID"]).startswith("<leadership.")]


def received(server: SMTPServer) -> collections.Counter[tuple[str, str]]:
    """(address, period) of each leadership digest received."""
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    for message in leadership_mail(server):
        found = re.match(r"<leadership\.([\w-]+)\.\d+@", str(message["Message-ID"]))
        assert found is not None
        counts[(str(message["To"]), found.group(1))] += 1
    return counts


def pdf_text(message: EmailMessage) -> str:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    data = part.get_content()
    assert isinstance(data, bytes)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def run_scheduler_on(app: Flask, clock: FixedClock, day: date) -> None:
    """The scheduler's daily planning run on `day`, then its delivery, in `app`."""
    clock.set(day)
    with app.app_context():
        scheduling.plan_today(lambda: day)
        deliver_outbox()
        db.session.remove()


def test_each_head_and_admin_gets_one_digest_a_month_across_reruns_a_restart_and_downtime(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer, tmp_path: Path
) -> None:
    addresses = [user.email for user in office.recipients]
    run_scheduler_on(app, clock, date(2026, 7, 1))
    assert received(mail_to) == {(address, "2026-06"): 1 for address in addresses}

    run_scheduler_on(app, clock, date(2026, 7, 1))  # a rerun the same day
    run_scheduler_on(app, clock, date(2026, 7, 2))  # the next day
    restarted = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    install_clock(restarted, clock)
    restarted.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_to.port)
    restarted.extensions["mail"].server = "127.0.0.1"
    restarted.extensions["mail"].port = mail_to.port
    run_scheduler_on(restarted, clock, date(2026, 7, 3))  # a new process, same database
    assert received(mail_to) == {(address, "2026-06"): 1 for address in addresses}

    # Down over the first working day of August (the 3rd): the 4th catches July up.
    run_scheduler_on(restarted, clock, date(2026, 8, 4))
    run_scheduler_on(app, clock, date(2026, 8, 5))
    # September on its first day.
    run_scheduler_on(app, clock, date(2026, 9, 1))
    expected = {
        (address, key): 1 for address in addresses for key in ("2026-06", "2026-07", "2026-08")
    }
    assert received(mail_to) == expected
    assert not any(address == office.officer_head.email for address, _ in received(mail_to))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LeadershipDigest)) == 12
    linked = db.session.scalars(select(LeadershipDigest.outbox_id)).all()
    assert None not in linked and len(set(linked)) == 12


def test_the_pdf_is_the_progress_report_of_the_recipients_tree(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer
) -> None:
    run_scheduler_on(app, clock, date(2026, 7, 1))
    by_address = {str(m["To"]): m for m in leadership_mail(mail_to)}
    for user in office.recipients:
        message = by_address[user.email]
        attachment = next(message.iter_attachments())
        assert attachment.get_filename() == "progress-report-2026-06.pdf"
    development = pdf_text(by_address[office.development_head.email])
    assert "Development" in development
    assert "Digital services concept" in development and "Youth exchange" not in development
    cooperation = pdf_text(by_address[office.cooperation_head.email])
    assert "Cooperation" in cooperation
    assert "Youth exchange" in cooperation and "Digital services concept" not in cooperation
    everything = pdf_text(by_address[office.admin.email])
    assert "All departments" in everything
    assert "Youth exchange" in everything and "Digital services concept" in everything


def test_each_recipient_reads_it_in_their_language(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer
) -> None:
    run_scheduler_on(app, clock, date(2026, 7, 1))
    by_address = {str(m["To"]): m for m in leadership_mail(mail_to)}
    armenian = by_address[office.development_head.email]
    english = by_address[office.cooperation_head.email]
    assert "Հարգելի Karen Baghishyan," in body(armenian)
    assert "Hello Armen Petrosyan," in body(english)
    assert "հունիս" in str(armenian["Subject"])
    assert "June 2026" in str(english["Subject"])
    # The most overdue, with links to the tasks, oldest deadline first.
    text = body(english)
    assert "Youth exchange" in text and "http://tracker.test/tasks/" in text
    assert "Memorandum" not in text.split("MOST OVERDUE")[1].split("progress report")[0]


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


def test_a_head_of_a_department_without_tasks_gets_the_zeros(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer
) -> None:
    run_scheduler_on(app, clock, date(2026, 7, 1))
    (message,) = [m for m in leadership_mail(mail_to) if m["To"] == office.empty_head.email]
    text = body(message)
    assert "No recommendations are tracked for these departments yet." in text
    assert message["Subject"] == "Follow-up Tracker, June 2026: 0 overdue"
    assert "* Recommendations: 0" in text and "Nothing is overdue." in text
    assert "Archive" in pdf_text(message)


def test_off_sends_nothing(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer
) -> None:
    app.config["TRACKER_LEADERSHIP_DIGEST"] = "off"
    run_scheduler_on(app, clock, date(2026, 7, 1))
    run_scheduler_on(app, clock, date(2026, 8, 3))
    assert leadership_mail(mail_to) == []
    assert db.session.scalar(select(func.count()).select_from(LeadershipDigest)) == 0


def test_a_quarterly_digest_goes_out_once_a_quarter(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer
) -> None:
    app.config["TRACKER_LEADERSHIP_DIGEST"] = "quarter"
    for day in (date(2026, 7, 1), date(2026, 8, 3), date(2026, 9, 1), date(2026, 10, 1)):
        run_scheduler_on(app, clock, day)
    assert set(received(mail_to).values()) == {1}
    assert {key for _, key in received(mail_to)} == {"2026-Q2", "2026-Q3"}


def test_a_holiday_send_day_goes_out_on_the_next_working_day(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer
) -> None:
    run_scheduler_on(app, clock, date(2027, 1, 1))  # New Year: no planning at all
    run_scheduler_on(app, clock, date(2027, 1, 2))  # a Saturday
    assert leadership_mail(mail_to) == []
    run_scheduler_on(app, clock, date(2027, 1, 4))  # the first working day
    run_scheduler_on(app, clock, date(2027, 1, 5))
    assert received(mail_to) == {(user.email, "2026-12"): 1 for user in office.recipients}


def test_a_failing_daily_planner_neither_stops_the_others_nor_the_reminders(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[date] = []

    def broken(day: date) -> None:
        raise RuntimeError("the report could not be built")

    add_daily_planner(app, broken)
    add_daily_planner(app, ran.append)
    with caplog.at_level(logging.ERROR):
        run_daily_planners(date(2026, 7, 1))
    assert ran == [date(2026, 7, 1)]
    assert "daily planner broken failed" in caplog.text


# --- By hand -----------------------------------------------------------------------------


def test_the_command_plans_what_is_owed_and_says_so(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer, runner
) -> None:
    clock.set(date(2026, 7, 2))
    dry = runner.invoke(args=["leadership-digest", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "4 leadership digest(s) for 2026-06 would be written" in dry.output
    assert "skipped " + office.officer_head.email in dry.output
    assert leadership_mail(mail_to) == []
    assert db.session.scalar(select(func.count()).select_from(LeadershipDigest)) == 0

    done = runner.invoke(args=["leadership-digest"])
    assert done.exit_code == 0, done.output
    assert "4 leadership digest(s) for 2026-06 were written; 0 already written" in done.output
    again = runner.invoke(args=["leadership-digest", "--as-of", "2026-07-01"])
    assert again.exit_code == 0, again.output
    assert "0 leadership digest(s) for 2026-06 were written; 4 already written" in again.output
    assert set(received(mail_to).values()) == {1} and len(received(mail_to)) == 4


def test_the_command_prints_json(
    app: Flask, office: Office, clock: FixedClock, mail_to: SMTPServer, runner
) -> None:
    clock.set(date(2026, 7, 2))
    result = runner.invoke(args=["leadership-digest", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["period"] == "2026-06" and payload["already_written"] == 0
    assert [email["to"] for email in payload["emails"]] == [u.email for u in office.recipients]
    assert payload["skipped"] == [
        {
            "to": office.officer_head.email,
            "why": "heads a department but is officer: no dashboard",
        }
    ]
    assert payload["errors"] == [] and payload["delivery"]["sent"] == 4


def test_a_digest_that_fails_is_written_by_the_next_run_and_the_others_go_out(
    app: Flask,
    office: Office,
    clock: FixedClock,
    mail_to: SMTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = leadership._default_renderer

    def failing_for_cooperation(report: ProgressReport) -> bytes:
        if report.scope.department_id == office.cooperation.id:
            raise RuntimeError("a glyph no font draws")
        return real(report)

    monkeypatch.setattr(leadership, "_default_renderer", failing_for_cooperation)
    run_scheduler_on(app, clock, date(2026, 7, 1))
    addresses = {address for address, _ in received(mail_to)}
    assert addresses == {u.email for u in office.recipients} - {office.cooperation_head.email}
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LeadershipDigest)) == 3

    monkeypatch.setattr(leadership, "_default_renderer", real)
    run_scheduler_on(app, clock, date(2026, 7, 2))
    assert received(mail_to) == {(u.email, "2026-06"): 1 for u in office.recipients}


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["--as-of", "2026-13-01"], "is not a date"),
        (["--as-of", "2026-07-03"], "is after today"),
        (["--period", "2026-07"], "has not ended"),
        (["--period", "2026"], "is not a month"),
        (["--as-of", "0001-01-01"], "is not a day a period can be reported on"),
        (["--period", "9999-12"], "is not a month"),
    ],
)
def test_the_command_refuses_bad_input_with_one_line(
    office: Office, clock: FixedClock, runner, arguments: list[str], error: str
) -> None:
    clock.set(date(2026, 7, 2))
    result = runner.invoke(args=["leadership-digest", *arguments])
    assert result.exit_code == 2 and error in result.output


# --- Two planners racing -----------------------------------------------------------------


@pytest.mark.postgres
def test_two_planners_racing_on_postgresql_write_one_digest_each(
    migrated_postgres_url: str, tmp_path: Path
) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_postgres_url)
    clock = FixedClock(date(2026, 7, 1))
    install_clock(app, clock)
    with app.app_context():
        root = Department(name="Administration")
        heads = [
            User(
                email=f"head{n}@example.am",
                name=f"Head {n}",
                role=Role.MANAGER,
                password_hash="x",
                language="en",
            )
            for n in range(6)
        ]
        departments = [
            Department(name=f"Unit {n}", parent=root, head=h) for n, h in enumerate(heads)
        ]
        for head, department in zip(heads, departments, strict=True):
            head.department = department
        db.session.add_all([root, *heads, *departments])
        db.session.commit()
        head_ids = sorted(head.id for head in heads)
        db.session.remove()

    start = threading.Barrier(2)
    runs: list[DigestRun] = []

    def planner() -> None:
        with app.app_context():
            try:
                start.wait()
                runs.append(plan_leadership_digests(date(2026, 7, 1)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=planner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        written = db.session.scalars(select(LeadershipDigest.recipient_id)).all()
        outbox = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.remove()
        db.engine.dispose()
    assert sorted(written) == head_ids
    assert outbox == 6
    assert sum(len(run.written) for run in runs) == 6
    assert not any(run.errors for run in runs)


# --- As read: snapshots ------------------------------------------------------------------


def line(task_id: int, title: str, deadline: date, days: int, *owners: str) -> RecommendationLine:
    return RecommendationLine(
        task_id=task_id,
        url=f"http://tracker.test/tasks/{task_id}",
        title=title,
        owners=owners,
        deadline=deadline,
        deadline_text=None,
        status=TaskStatus.OPEN,
        completed_on=None,
        completion_note=None,
        expected_result=None,
        cancel_reason=None,
        days_overdue=days,
        done_late=False,
    )


def snapshot_report(language: str, scope_label: str) -> ProgressReport:
    june = month("2026-06")
    return ProgressReport(
        scope=ReportScope(period=june, department_id=3),
        scope_label=scope_label,
        as_of=date(2026, 7, 1),
        generated_at=datetime(2026, 7, 1, 5, 0, tzinfo=UTC),
        language=language,
        figures=HeadlineFigures(
            recommendations=24,
            done_on_time=9,
            done_late=3,
            open=8,
            overdue=5,
            awaiting_acceptance=2,
            cancelled=2,
        ),
        sections=(),
        changes=Changes(
            previous_period=month("2026-05"),
            previous=HeadlineFigures(
                recommendations=21, done_on_time=7, done_late=3, open=9, overdue=6, cancelled=2
            ),
            events=(),
            events_total=14,
        ),
        trend=Trend(total=()),
        most_overdue=(
            line(11, "Concept for electronic applications", date(2026, 3, 31), 92, "Ani Sargsyan"),
            line(
                12,
                "Հայաստան-Վրաստան հուշագիր",
                date(2026, 5, 20),
                42,
                "Lilit Hakobyan",
                "Gohar Mkrtchyan",
            ),
            line(13, "Road safety study", date(2026, 6, 26), 5),
        ),
    )


@pytest.mark.parametrize(
    ("language", "scope_label"),
    [
        ("hy", "Զարգացում և դրանից ներքև գտնվող ստորաբաժանումները"),
        ("en", "Development and the departments below it"),
    ],
)
def test_the_digest_matches_the_reviewed_snapshot(
    app: Flask, language: str, scope_label: str
) -> None:
    user = User(
        id=7,
        email="karen@example.am",
        name="Karen Baghishyan",
        role=Role.MANAGER,
        language=language,
        password_hash="x",
    )
    report = snapshot_report(language, scope_label)
    message = write_digest(
        user,
        report,
        b"%PDF-",
        period=month("2026-06"),
        site="http://tracker.test",
        domain="tracker.test",
    )
    assert_matches_snapshots(SNAPSHOTS, f"leadership-digest.{language}", message)
    assert message.message_id == "<leadership.2026-06.7@tracker.test>"
    assert [(a.filename, a.data) for a in message.attachments] == [
        ("progress-report-2026-06.pdf", b"%PDF-")
    ]
    assert message.body_text.count("http://tracker.test/tasks/") == 3
