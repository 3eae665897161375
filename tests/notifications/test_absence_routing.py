"""Absences route the daily notices to the substitute, counted at a real SMTP server: an
absent officer's reminder reaches their substitute (named as such) and not them, an
escalation to an absent head reaches the head's substitute, the notices after an absence go
to the person again, and nothing is sent twice across reruns or when an absence ends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import assert_matches_snapshots
from tracker.auth.absences import set_absence
from tracker.extensions import db
from tracker.models import Role
from tracker.notifications.digest import DigestItem, DigestWriter, Recipient
from tracker.notifications.policy import Due, Kind
from tracker.workdays import add_working_days

DEADLINE = date(2025, 3, 26)  # a Wednesday with no holiday near it
SEVEN_BEFORE = add_working_days(DEADLINE, -7)  # 2025-03-17
ONE_BEFORE = add_working_days(DEADLINE, -1)  # 2025-03-25
LEVEL_1 = date(2025, 3, 31)  # 3 working days overdue
LEVEL_2 = date(2025, 4, 9)  # 10 working days overdue


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories, runner and mail fixtures, on SQLite and on PostgreSQL."""
    return any_database_app


@pytest.fixture
def office(clock, make_department, make_user, make_task):
    director = make_user(Role.MANAGER, name="Director Davtyan", email="director@example.am")
    root = make_department("Administration", head=director)
    head = make_user(Role.MANAGER, name="Karen Baghishyan", email="head@example.am")
    digital = make_department("Digital", parent=root, head=head)
    director.department = root
    head.department = digital
    deputy = make_user(
        Role.MANAGER, department=digital, name="Deputy Petrosyan", email="deputy@example.am"
    )
    officer = make_user(
        Role.OFFICER, department=digital, name="Ani Sargsyan", email="ani@example.am"
    )
    colleague = make_user(
        Role.OFFICER, department=digital, name="Gohar Mkrtchyan", email="gohar@example.am"
    )
    db.session.commit()
    task = make_task(officer, title="Concept for electronic applications", deadline=DEADLINE)
    # The officer is away over the first reminder; the head over the first escalation.
    set_absence(
        officer,
        officer,
        starts_on=date(2025, 3, 10),
        ends_on=date(2025, 3, 20),
        substitute=colleague,
        note=None,
        today=date(2025, 3, 1),
    )
    set_absence(
        head,
        head,
        starts_on=date(2025, 3, 28),
        ends_on=date(2025, 4, 4),
        substitute=deputy,
        note=None,
        today=date(2025, 3, 1),
    )
    db.session.commit()
    return {"task": task, "officer": officer, "head": head, "deputy": deputy}


def remind(runner, day: date) -> None:
    result = runner.invoke(args=["remind", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def counts(smtp) -> dict[str, int]:
    found: dict[str, int] = {}
    for message in smtp.messages:
        found[message["To"]] = found.get(message["To"], 0) + 1
    return found


def test_notices_follow_the_absences_and_are_sent_once(runner, mail_to, office) -> None:
    smtp = mail_to

    # The officer is away: the reminder reaches the substitute, named as such.
    remind(runner, SEVEN_BEFORE)
    assert counts(smtp) == {"gohar@example.am": 1}
    body = text_of(smtp.to("gohar@example.am")[0])
    assert "Concept for electronic applications" in body
    assert "as substitute for Ani Sargsyan (absent until Mar 20, 2025)" in body
    html = smtp.to("gohar@example.am")[0].get_body(preferencelist=("html",)).get_content()
    assert "as substitute for Ani Sargsyan (absent until Mar 20, 2025)" in html

    # A rerun, and the first day after the absence: nothing again, to nobody.
    remind(runner, SEVEN_BEFORE)
    remind(runner, date(2025, 3, 21))
    assert counts(smtp) == {"gohar@example.am": 1}

    # Back at work: the next reminder is the officer's own, without the substitute's words.
    remind(runner, ONE_BEFORE)
    assert counts(smtp) == {"gohar@example.am": 1, "ani@example.am": 1}
    assert "as substitute" not in text_of(smtp.to("ani@example.am")[0])

    # Overdue: the officer's notice; then the first escalation reaches the absent head's
    # substitute, not the head.
    remind(runner, date(2025, 3, 27))
    assert counts(smtp) == {"gohar@example.am": 1, "ani@example.am": 2}
    remind(runner, LEVEL_1)
    remind(runner, LEVEL_1)
    assert counts(smtp) == {"gohar@example.am": 1, "ani@example.am": 2, "deputy@example.am": 1}
    escalation = text_of(smtp.to("deputy@example.am")[0])
    assert "OVERDUE in your department" in escalation
    assert "as substitute for Karen Baghishyan (absent until Apr 4, 2025)" in escalation

    # The head is back: the first escalation is not sent again; the second level goes up.
    remind(runner, date(2025, 4, 7))
    remind(runner, LEVEL_2)
    remind(runner, LEVEL_2)
    sent = counts(smtp)
    assert "head@example.am" not in sent
    assert sent["director@example.am"] == 1
    assert sent["deputy@example.am"] == 1
    assert "as substitute" not in text_of(smtp.to("director@example.am")[0])


SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("language", ["hy", "en"])
def test_the_substitutes_digest_matches_the_reviewed_snapshot(app, language: str) -> None:
    """A deputy receives, in the absent people's stead, an officer's reminder and the head's
    escalation, next to an escalation of their own."""
    as_of = date(2025, 6, 4)
    writer = DigestWriter(
        as_of=as_of,
        base_url="http://tracker.test",
        secret_key="snapshot",
        sender_domain="tracker.test",
        run_at=datetime(2025, 6, 4, 5, 0, 0, 123456, tzinfo=UTC),
    )

    def item(task_id: int, kind: Kind, level: int, deadline: date, title: str, **fields):
        due = Due(task_id, kind, level, deadline, (7,), max((as_of - deadline).days, 0))
        return DigestItem(
            due=due,
            title=title,
            deadline_text=None,
            owner_names=("Ani Sargsyan",),
            recipient_owns_task=False,
            department_name="Digital",
            **fields,
        )

    items = [
        item(
            1,
            Kind.REMINDER,
            1,
            date(2025, 6, 5),
            "Book the venue",
            substitute_for=(("Ani Sargsyan", date(2025, 6, 30)),),
        ),
        item(
            2,
            Kind.ESCALATION,
            1,
            date(2025, 5, 20),
            "Road safety study",
            substitute_for=(("Karen Baghishyan", date(2025, 6, 13)),),
        ),
        item(3, Kind.ESCALATION, 1, date(2025, 5, 12), "Translate the agreement"),
    ]
    recipient = Recipient(7, "deputy@example.am", "Gohar Mkrtchyan", language, True)
    with app.test_request_context():
        message = writer.write(recipient, items)
    assert_matches_snapshots(SNAPSHOTS, f"digest-substitute.{language}", message)
    # The task of one's own department's escalation carries no substitute's words.
    assert message.body_text.count("(absent until" if language == "en" else "բացակայում է") == 2
