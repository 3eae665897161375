"""The outbox on both databases: claims, planning once, concurrent senders (the faults are in
test_delivery_faults.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import make_app
from tracker.extensions import db
from tracker.models import Department, Notification, OutboxMessage, Role, User
from tracker.notifications import outbox
from tracker.notifications.jobs import deliver_outbox, plan_reminders
from tracker.tasks.services import create_task

NOW = datetime(2025, 3, 31, 6, 0, tzinfo=UTC)


def queue(count: int) -> list[OutboxMessage]:
    rows = [
        OutboxMessage(
            to_address=f"person{number}@example.am",
            language="en",
            subject=f"Digest {number}",
            body_text="text",
            body_html="<p>html</p>",
            message_id=f"<test.{number}@tracker.test>",
            next_attempt_at=NOW - timedelta(minutes=1),
        )
        for number in range(count)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def statuses() -> dict[str, int]:
    db.session.expire_all()
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    return {status.value: count for status, count in db.session.execute(query)}


def test_a_claim_takes_each_row_once(any_database_app) -> None:
    queue(5)
    first = outbox.claim(NOW, 3)
    second = outbox.claim(NOW, 3)
    third = outbox.claim(NOW, 3)
    db.session.commit()
    assert len(first) == 3 and len(second) == 2 and third == []
    assert {row.id for row in first}.isdisjoint({row.id for row in second})
    assert statuses() == {"sending": 5}


def test_stale_claims_return_to_the_queue(any_database_app) -> None:
    queue(2)
    outbox.claim(NOW - timedelta(hours=1), 10, include_waiting=True)
    db.session.commit()
    assert outbox.release_stale_claims(NOW, timedelta(minutes=1)) == 2
    db.session.commit()
    assert statuses() == {"pending": 2}


def test_without_a_mail_server_mail_waits_in_the_outbox(any_database_app) -> None:
    queue(2)
    assert deliver_outbox(NOW).sent == 0
    assert statuses() == {"pending": 2}


def _office_with_overdue_tasks(count: int) -> None:
    head = User(email="head@example.am", name="Head", role=Role.MANAGER, password_hash="x")
    department = Department(name="Digital", head=head)
    head.department = department
    db.session.add_all([head, department])
    owners = []
    for number in range(count):
        owner = User(
            email=f"officer{number}@example.am",
            name=f"Officer {number}",
            role=Role.OFFICER,
            password_hash="x",
            department=department,
        )
        owners.append(owner)
        db.session.add(owner)
    db.session.flush()
    for number, owner in enumerate(owners):
        create_task(f"Task {number}", [owner], actor=None, deadline=date(2025, 3, 26))
    db.session.commit()


def test_planning_twice_plans_once(any_database_app) -> None:
    _office_with_overdue_tasks(3)
    first = plan_reminders(date(2025, 3, 31))
    second = plan_reminders(date(2025, 3, 31))
    assert len(first.notifications) == 6  # 3 overdue notices + 3 escalations to the head
    assert len(first.messages) == 4  # one digest each: three officers and the head
    assert second.notifications == [] and second.messages == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 6


def test_a_dry_run_writes_nothing(any_database_app) -> None:
    _office_with_overdue_tasks(2)
    planned = plan_reminders(date(2025, 3, 31), dry_run=True)
    assert len(planned.messages) == 3
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.postgres
def test_three_remind_processes_at_once_send_each_notification_once(
    migrated_postgres_url: str, tmp_path: Path, smtp_server
) -> None:
    postgres_url = migrated_postgres_url
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        _office_with_overdue_tasks(40)
        db.session.remove()
        db.engine.dispose()
    tracker = Path(sys.executable).parent / "tracker"
    environment = {
        **os.environ,
        "TRACKER_DATABASE_URL": postgres_url,
        "TRACKER_SECRET_KEY": "three-processes",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "TRACKER_MAIL_BATCH_SIZE": "5",
    }
    processes = [
        subprocess.Popen(
            [str(tracker), "remind", "--as-of", "2025-03-31"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    message_ids = [message["Message-ID"] for message in smtp_server.messages]
    assert len(message_ids) == 41  # 40 officers and one digest of 40 escalations for the head
    assert len(set(message_ids)) == 41
    head_digest = smtp_server.to("head@example.am")
    assert len(head_digest) == 1
    assert head_digest[0]["Subject"] == "Առաջարկությունների հսկողություն․ 40 ժամկետանց, 0 մոտեցող"
