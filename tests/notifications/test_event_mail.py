"""The event email (#11 item 5), on a migrated SQLite and PostgreSQL database, counted at a
real SMTP server: several events for one person within the window go out as one email,
none before the window closes, each notice mailed exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import MovingClock, RecordingHandler, SMTPServer, free_port, requests_of
from tracker.extensions import db
from tracker.models import (
    Notice,
    NoticeEmail,
    NoticeKind,
    OutboxMessage,
    OutboxStatus,
    Report,
    Role,
    TaskStatus,
    User,
)
from tracker.notifications.event_mail import mail_due_notices, mail_notices_of
from tracker.notifications.jobs import deliver_outbox
from tracker.notifications.scheduling import EVENT_MAIL_JOB_ID, build_scheduler, mail_events
from tracker.reports.services import confirm_report
from tracker.tasks import events, extensions, services
from tracker.tasks.services import create_task
from tracker.unit_of_work import unit_of_work


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories, client and mail fixtures, on each migrated database."""
    return any_database_app


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def send_due() -> int:
    """What the scheduler's every-minute job does: write due event emails, deliver them."""
    written = mail_due_notices()
    deliver_outbox()
    return written


def report_of_ten(staff: User, first: User, second: User) -> Report:
    """A draft report of ten tasks: `first` owns all of them, `second` four."""
    report = Report(
        source_filename="trip.docx", content_hash="ten-tasks", file_type="docx", language="en"
    )
    db.session.add(report)
    for number in range(1, 11):
        owners = [first, second] if number <= 4 else [first]
        task = create_task(f"Recommendation {number}", owners, actor=staff, status=TaskStatus.DRAFT)
        task.report = report
    db.session.commit()
    return report


def test_confirming_a_report_of_ten_tasks_mails_each_owner_once_after_the_window(
    app, org, mail_to, moving_clock: MovingClock
) -> None:
    second = org.other_officer
    report = report_of_ten(org.staff, org.officer, second)
    with unit_of_work():
        opened = confirm_report(report, org.staff)
    assert len(opened) == 10
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 14

    moving_clock.advance(minutes=4)
    assert send_due() == 0
    assert mail_to.messages == []

    moving_clock.advance(minutes=1, seconds=1)
    assert send_due() == 2
    (first_mail,) = mail_to.to(org.officer.email)
    (second_mail,) = mail_to.to(second.email)
    assert first_mail["Subject"] == "10 updates on your tasks"
    assert second_mail["Subject"] == "4 updates on your tasks"
    body = plain(first_mail)
    for task in opened:
        assert f"http://tracker.test/tasks/{task.id}\n" in body
    assert body.count("Narine Staff gave you this task") == 10
    assert mail_to.to(org.staff.email) == []  # the actor hears nothing

    notices = db.session.scalars(select(Notice)).all()
    assert {n.email for n in notices} == {NoticeEmail.QUEUED}
    assert all(n.outbox_id is not None for n in notices)
    assert {n.kind for n in notices} == {NoticeKind.ASSIGNED}

    moving_clock.advance(minutes=30)
    assert send_due() == 0
    assert len(mail_to.messages) == 2


def test_two_events_in_the_window_make_one_email_a_later_one_a_second(
    app, org, mail_to, moving_clock: MovingClock
) -> None:
    def move_deadline(day: date) -> None:
        with unit_of_work():
            services.change_deadline(org.task, org.manager, day, "Planning changed.")

    move_deadline(date(2026, 7, 1))
    moving_clock.advance(minutes=2)
    move_deadline(date(2026, 7, 15))
    moving_clock.advance(minutes=2, seconds=59)
    assert send_due() == 0  # 4:59 after the first event
    moving_clock.advance(seconds=2)
    assert send_due() == 1
    (mail,) = mail_to.to(org.officer.email)
    assert mail["Subject"] == "2 updates on your tasks"
    assert plain(mail).count("Karen Manager changed the deadline") == 2

    moving_clock.advance(minutes=6)
    move_deadline(date(2026, 8, 1))
    moving_clock.advance(minutes=4)
    assert send_due() == 0
    moving_clock.advance(minutes=1, seconds=1)
    assert send_due() == 1
    _first, second = mail_to.to(org.officer.email)
    assert second["Subject"] == "1 update on your tasks"
    assert "Aug 1, 2026" in plain(second) and "Jul 15, 2026" in plain(second)


def test_switched_off_informational_emails_are_listed_not_mailed_assignments_still_are(
    app, org, client, mail_to, moving_clock: MovingClock
) -> None:
    org.other_officer.wants_event_emails = False
    org.task.owners.append(org.other_officer)
    db.session.commit()
    with unit_of_work():
        events.owners_changed.announce(
            events.OwnersChanged(org.task, org.manager, added=(org.other_officer,), removed=())
        )
        events.task_edited.announce(
            events.TaskEdited(org.task, org.manager, {"title": (org.task.title, "New title")})
        )
    moving_clock.advance(minutes=6)
    assert send_due() == 2  # Lilit's, and Ani's about the edit
    (mail,) = mail_to.to(org.other_officer.email)
    assert mail["Subject"] == "1 update on your tasks"
    assert "Karen Manager gave you this task" in plain(mail)
    assert "edited the task" not in plain(mail)
    # Ani wants them: her notice of the edit is mailed.
    assert len(mail_to.to(org.officer.email)) == 1

    client.login(org.other_officer.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Karen Manager edited the task" in page
    assert "Karen Manager gave you this task" in page


def test_two_mailers_at_once_mail_each_notice_once(
    app, org, make_user, mail_to, moving_clock: MovingClock
) -> None:
    people = [make_user(department=org.digital) for _ in range(12)]
    tasks = [
        create_task(f"Shared {i}", people, actor=org.staff, status=TaskStatus.OPEN)
        for i in range(3)
    ]
    db.session.commit()
    with unit_of_work():
        for task in tasks:
            events.owners_changed.announce(
                events.OwnersChanged(task, org.staff, added=tuple(people), removed=())
            )
    moving_clock.advance(minutes=6)
    barrier = threading.Barrier(2)
    written: list[int] = []

    def mailer() -> None:
        with app.app_context():
            barrier.wait()
            written.append(mail_due_notices())
            db.session.remove()

    threads = [threading.Thread(target=mailer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # What one mailer left to the other (it lost a race) goes out on the next run.
    written.append(mail_due_notices())
    assert sum(written) == 12
    deliver_outbox()
    counts = Counter(message["To"] for message in mail_to.messages)
    assert counts == {person.email: 1 for person in people}
    queued = db.session.scalars(select(Notice)).all()
    assert len(queued) == 36 and {n.email for n in queued} == {NoticeEmail.QUEUED}
    per_email = Counter(n.outbox_id for n in queued)
    assert sorted(per_email.values()) == [3] * 12


def test_an_smtp_outage_keeps_the_email_in_the_outbox_until_the_server_is_back(
    app, org, moving_clock: MovingClock
) -> None:
    port = free_port()  # nothing listens there yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app.extensions["mail"].server = "127.0.0.1"
    app.extensions["mail"].port = port
    with unit_of_work():
        services.change_deadline(org.task, org.manager, date(2026, 9, 30), "Later.")
    moving_clock.advance(minutes=6)
    assert mail_due_notices() == 1
    down = deliver_outbox()
    assert down.connection_error and down.sent == 0
    (row,) = db.session.scalars(select(OutboxMessage)).all()
    assert row.status is OutboxStatus.PENDING
    assert mail_due_notices() == 0  # the notice is queued: never written twice

    server = SMTPServer(port=port, handler=RecordingHandler())
    server.start()
    try:
        moving_clock.advance(minutes=10)
        back = deliver_outbox(include_waiting=True)
        assert (back.sent, back.connection_error) == (1, None)
        assert deliver_outbox(include_waiting=True).sent == 0
        messages = server.messages
    finally:
        server.stop()
    assert [m["To"] for m in messages] == [org.officer.email]
    assert messages[0]["Subject"] == "1 update on your tasks"


def test_tracker_notify_writes_and_delivers_the_due_event_emails(
    app, org, runner, mail_to, moving_clock: MovingClock
) -> None:
    with unit_of_work():
        services.change_deadline(org.task, org.manager, date(2026, 9, 30), "Later.")
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    assert "0 email(s) about task events" in result.output
    moving_clock.advance(minutes=6)
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    assert "1 email(s) about task events" in result.output
    assert len(mail_to.to(org.officer.email)) == 1


def test_tracker_remind_also_sends_the_due_event_emails(
    app, org, runner, mail_to, moving_clock: MovingClock
) -> None:
    with unit_of_work():
        services.change_deadline(org.task, org.manager, date(2026, 9, 30), "Later.")
    moving_clock.advance(minutes=6)
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "1 email(s) about task events were written." in result.output
    event_mails = [m for m in mail_to.to(org.officer.email) if "update" in m["Subject"]]
    assert len(event_mails) == 1


def test_a_decider_is_linked_to_the_requests_list(
    app, org, mail_to, moving_clock: MovingClock
) -> None:
    org.digital.head = org.manager
    db.session.commit()
    with unit_of_work():
        services.request_extension(org.task, org.officer, date(2026, 9, 30), "Ministry.")
    moving_clock.advance(minutes=6)
    assert send_due() == 1
    (mail,) = mail_to.to(org.manager.email)
    body = plain(mail)
    assert "Ani Officer asks for more time" in body
    assert f"http://tracker.test/tasks/{org.task.id}\n" in body
    if "tasks.requests" in app.view_functions:
        assert "http://tracker.test/tasks/requests" in body


def test_a_task_awaiting_acceptance_links_the_task_not_the_requests_list(
    org, mail_to, moving_clock: MovingClock
) -> None:
    """The requests list holds requests for more time only: linked from this email it said
    "No requests wait for your decision" (tests/notifications/test_task_life_by_email.py)."""
    org.digital.head = org.manager
    db.session.commit()
    with unit_of_work():
        events.awaiting_acceptance.announce(
            events.AwaitingAcceptance(org.task, org.officer, "All done.")
        )
    moving_clock.advance(minutes=6)
    assert send_due() == 1
    (mail,) = mail_to.to(org.manager.email)
    body = plain(mail)
    assert "Ani Officer marked the task done; it awaits your acceptance" in body
    assert f"http://tracker.test/tasks/{org.task.id}\n" in body
    assert "/tasks/requests" not in body


def test_an_owner_is_not_linked_to_the_requests_list(
    app, org, mail_to, moving_clock: MovingClock
) -> None:
    with unit_of_work():
        services.change_deadline(org.task, org.manager, date(2026, 9, 30), "Later.")
    moving_clock.advance(minutes=6)
    send_due()
    (mail,) = mail_to.to(org.officer.email)
    assert "/tasks/requests" not in plain(mail)
    assert "http://tracker.test/notifications" in plain(mail)


def test_an_admin_is_told_when_no_head_is_above(
    app, org, mail_to, moving_clock: MovingClock
) -> None:
    assert org.admin.role is Role.ADMIN
    with unit_of_work():
        events.task_completed.announce(events.TaskCompleted(org.task, org.officer, "Done."))
    moving_clock.advance(minutes=6)
    send_due()
    assert [m["Subject"] for m in mail_to.to(org.admin.email)] == ["1 update on your tasks"]


def test_the_scheduler_writes_and_delivers_event_emails_every_minute(
    app, org, mail_to, moving_clock: MovingClock
) -> None:
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job(EVENT_MAIL_JOB_ID)
        assert job is not None and job.max_instances == 1 and job.coalesce is True
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(minutes=1)
    finally:
        scheduler.shutdown(wait=False)
    with unit_of_work():
        services.change_deadline(org.task, org.manager, date(2026, 9, 30), "Later.")
    mail_events()  # what the job runs, inside its application context
    assert mail_to.messages == []
    moving_clock.advance(minutes=6)
    mail_events()
    assert [m["To"] for m in mail_to.messages] == [org.officer.email]


def test_a_mailer_skips_the_notices_another_is_mailing(
    app, org, mail_to, moving_clock: MovingClock
) -> None:
    """Two sessions, one in the middle of its claim: the other writes nothing for that person
    (PostgreSQL skips the locked rows; SQLite refuses the second writer), and each notice is
    in exactly one email once the first commits."""
    with unit_of_work():
        services.change_deadline(org.task, org.manager, date(2026, 9, 30), "Later.")
    moving_clock.advance(minutes=6)
    assert mail_notices_of(org.officer.id) == 1  # claimed and written, not committed
    other: list[int] = []

    def second_mailer() -> None:
        with app.app_context():
            other.append(mail_due_notices())
            db.session.remove()

    thread = threading.Thread(target=second_mailer)
    thread.start()
    thread.join(timeout=60)
    assert other == [0]
    db.session.commit()
    assert mail_due_notices() == 0
    deliver_outbox()
    assert [m["To"] for m in mail_to.messages] == [org.officer.email]
    (notice,) = db.session.scalars(select(Notice)).all()
    (row,) = db.session.scalars(select(OutboxMessage)).all()
    assert (notice.email, notice.outbox_id) == (NoticeEmail.QUEUED, row.id)


def test_a_long_email_lists_as_many_as_a_digest_section_and_points_to_the_rest(
    app, org, mail_to, moving_clock: MovingClock
) -> None:
    app.config["TRACKER_DIGEST_MAX_ITEMS"] = 3
    with unit_of_work():
        for month in range(7, 12):
            services.change_deadline(org.task, org.manager, date(2026, month, 1), "Again.")
    moving_clock.advance(minutes=6)
    assert send_due() == 1
    (mail,) = mail_to.to(org.officer.email)
    assert mail["Subject"] == "5 updates on your tasks"
    body = plain(mail)
    assert body.count("Karen Manager changed the deadline") == 3
    assert "… and 2 more updates: http://tracker.test/notifications" in body
    assert {n.email for n in db.session.scalars(select(Notice))} == {NoticeEmail.QUEUED}


def test_a_request_decided_within_the_window_is_not_mailed_as_waiting(
    org, mail_to, moving_clock: MovingClock
) -> None:
    """Asked and approved within five minutes: the manager is not sent to a request that no
    longer waits; the owner hears the decision; the manager's notice stays listed."""
    org.digital.head = org.manager
    db.session.commit()
    with unit_of_work():
        services.request_extension(org.task, org.officer, date(2026, 9, 30), "Ministry.")
    moving_clock.advance(minutes=2)
    (waiting,) = requests_of(org.task)
    with unit_of_work():
        extensions.approve(waiting, org.manager, "Agreed.")
    moving_clock.advance(minutes=6)
    assert send_due() == 1
    assert mail_to.to(org.manager.email) == []
    (mail,) = mail_to.to(org.officer.email)
    assert "granted more time" in plain(mail)
    (asked,) = db.session.scalars(select(Notice).where(Notice.user_id == org.manager.id))
    assert (asked.kind, asked.email, asked.read_at) == (
        NoticeKind.EXTENSION_REQUESTED,
        NoticeEmail.SKIPPED,
        None,
    )


def test_a_request_still_waiting_is_mailed_beside_one_settled(
    org, make_task, mail_to, moving_clock: MovingClock
) -> None:
    org.digital.head = org.manager
    db.session.commit()
    other = make_task(org.officer, title="Second task", deadline=date(2026, 7, 1))
    with unit_of_work():
        services.request_extension(org.task, org.officer, date(2026, 9, 30), "Ministry.")
        services.request_extension(other, org.officer, date(2026, 9, 30), "Partners.")
    (waiting,) = requests_of(org.task)
    with unit_of_work():
        extensions.refuse(waiting, org.manager, "Not now.")
    moving_clock.advance(minutes=6)
    send_due()
    (mail,) = mail_to.to(org.manager.email)
    body = plain(mail)
    assert "Second task" in body and "Partners." in body
    assert "Ministry." not in body
