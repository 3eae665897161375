"""The digest's section for acceptances left pending too long (#11 item 3): its own heading,
"awaiting acceptance since …" instead of a deadline and days overdue, a subject that does
not count it as overdue, and an "and N more" link listing exactly its tasks, apart from the
overdue escalations of the same run (both are escalations, told apart by the level).

Run on a migrated SQLite and PostgreSQL database (the link reads the JSON recipients).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import assert_matches_snapshots
from tracker.extensions import db
from tracker.models import Role, TaskStatus
from tracker.notifications.digest import DigestItem, DigestWriter, Recipient
from tracker.notifications.policy import ACCEPTANCE_LEVEL, Due, Kind
from tracker.workdays import add_working_days

SNAPSHOTS = Path(__file__).parent / "snapshots"
AS_OF = date(2025, 6, 4)  # a Wednesday


def acceptance_item(task_id: int, title: str, since: date) -> DigestItem:
    limit = add_working_days(since, 5)
    due = Due(
        task_id,
        Kind.ESCALATION,
        ACCEPTANCE_LEVEL,
        limit,
        (7,),
        (AS_OF - limit).days,
        awaiting_since=since,
    )
    return DigestItem(due, title, None, ("Ani Sargsyan", "Lilit Hakobyan"), False, "Digital")


def overdue_item(task_id: int, title: str, deadline: date) -> DigestItem:
    due = Due(task_id, Kind.ESCALATION, 2, deadline, (7,), (AS_OF - deadline).days)
    return DigestItem(due, title, "մինչև մայիսի 2-ը", ("Ani Sargsyan",), False, "Digital")


@pytest.mark.parametrize("language", ["hy", "en"])
def test_the_acceptance_section_matches_the_reviewed_snapshot(app: Flask, language: str) -> None:
    writer = DigestWriter(
        as_of=AS_OF,
        base_url="http://tracker.test",
        secret_key="snapshot",
        sender_domain="tracker.test",
        run_at=datetime(2025, 6, 4, 5, tzinfo=UTC),
        max_items=1,
    )
    items = [
        overdue_item(1, "Visit report to the Government", date(2025, 5, 2)),
        acceptance_item(2, "Road safety study", date(2025, 5, 20)),
        acceptance_item(3, "Translate the agreement", date(2025, 5, 26)),
    ]
    recipient = Recipient(7, "director@example.am", "Director Davtyan", language, True)
    with app.test_request_context():
        message = writer.write(recipient, items)
    assert_matches_snapshots(SNAPSHOTS, f"digest-acceptance.{language}", message)
    # Whatever the snapshots say: each task once, the wait dated and not counted overdue.
    assert "Road safety study" in message.body_text
    assert message.body_text.count("/tasks/2\n") == 1
    if language == "en":
        assert "AWAITING ACCEPTANCE in your department (2)" in message.body_text
        assert "Awaiting acceptance since May 20, 2025" in message.body_text
        assert message.subject == "Follow-up Tracker: 1 overdue, 2 awaiting acceptance, 0 due soon"


def test_the_more_link_lists_exactly_the_acceptance_section(
    any_database_app: Flask, smtp_server
) -> None:
    from tests.conftest import PASSWORD_HASH, TrackerClient
    from tracker.models import Department, User
    from tracker.tasks.services import create_task

    app = any_database_app
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, TRACKER_DIGEST_MAX_ITEMS=1
    )
    app.extensions["mail"].server = "127.0.0.1"
    app.extensions["mail"].port = smtp_server.port

    def person(email: str, role: Role, department: Department | None = None) -> User:
        user = User(
            email=email,
            name=email.split("@")[0].title(),
            role=role,
            department=department,
            language="en",
            password_hash=PASSWORD_HASH,
        )
        db.session.add(user)
        return user

    director = person("director@example.am", Role.MANAGER)
    root = Department(name="Administration", head=director)
    karen = person("karen@example.am", Role.MANAGER)
    digital = Department(name="Digital", parent=root, head=karen)
    director.department, karen.department = root, digital
    ani = person("ani@example.am", Role.OFFICER, digital)
    db.session.add_all([root, digital])
    db.session.flush()
    late_deadline = AS_OF - timedelta(days=30)
    overdue = [
        create_task(f"Overdue {n}", [ani], actor=None, deadline=late_deadline) for n in (1, 2)
    ]
    waiting = [
        create_task(f"Waiting {n}", [ani], actor=None, deadline=AS_OF + timedelta(days=20))
        for n in (1, 2)
    ]
    for task in waiting:
        task.status = TaskStatus.AWAITING_ACCEPTANCE
        task.submitted_at = datetime(2025, 5, 20, 8, tzinfo=UTC)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["remind", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    (message,) = [m for m in smtp_server.messages if m["To"] == "director@example.am"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "OVERDUE in your department (2)" in text
    assert "AWAITING ACCEPTANCE in your department (2)" in text
    links = re.findall(r"See all 2: http://tracker\.test(\S+)", text)
    assert len(links) == 2
    acceptance_link = next(link for link in links if "section=acceptance" in link)
    escalation_link = next(link for link in links if "section=escalations" in link)

    app.test_client_class = TrackerClient
    browser: TrackerClient = app.test_client()  # type: ignore[assignment]
    browser.login("director@example.am")

    def listed(link: str) -> set[int]:
        page = browser.get(link)
        assert page.status_code == 200
        return {int(n) for n in re.findall(r'data-task-id="(\d+)"', page.get_data(as_text=True))}

    assert listed(acceptance_link) == {task.id for task in waiting}
    assert listed(escalation_link) == {task.id for task in overdue}
    page = browser.get(acceptance_link).get_data(as_text=True)
    assert "tasks of your department awaiting acceptance" in page


def test_the_armenian_acceptance_digest_has_no_english_word() -> None:
    from tests.main.test_armenian_everywhere import english_words

    data = ["Director Davtyan", "Ani Sargsyan", "Lilit Hakobyan"]
    data += ["Visit report to the Government", "Road safety study", "Translate the agreement"]
    for suffix in ("subject.txt", "txt", "html"):
        body = (SNAPSHOTS / f"digest-acceptance.hy.{suffix}").read_text(encoding="utf-8")
        assert english_words(body, data) == [], suffix
