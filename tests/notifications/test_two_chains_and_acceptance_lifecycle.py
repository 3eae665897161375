"""`tracker remind` day by day for a task of two departments and for a task awaiting
acceptance (#11 items 3 and 4), delivered to a real SMTP server and counted there."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.extensions import db
from tracker.models import Notification, Role, TaskStatus
from tracker.notifications.policy import ACCEPTANCE_LEVEL, Kind
from tracker.workdays import add_working_days, working_days_between

DEADLINE = date(2025, 3, 26)  # a Wednesday with no holiday near it
SUBMITTED = date(2025, 4, 1)  # a Tuesday; five working days later is Tuesday 8 April
TITLE = "Joint water supply programme"


@pytest.fixture
def office(clock, make_department, make_user, make_task):
    """Two branches under a director; one officer in a unit of each, owning one task."""
    people = {
        "director": make_user(Role.MANAGER, email="director@example.am", name="Director"),
        "north": make_user(Role.MANAGER, email="north@example.am", name="North Head"),
        "north_unit": make_user(Role.MANAGER, email="north-unit@example.am", name="N Unit"),
        "south": make_user(
            Role.MANAGER, email="south@example.am", name="South Head", language="hy"
        ),
        "south_unit": make_user(Role.MANAGER, email="south-unit@example.am", name="S Unit"),
    }
    root = make_department("Administration", head=people["director"])
    north = make_department("North", parent=root, head=people["north"])
    north_unit = make_department("North unit", parent=north, head=people["north_unit"])
    south = make_department("South", parent=root, head=people["south"])
    south_unit = make_department("South unit", parent=south, head=people["south_unit"])
    for key, department in (
        ("director", root),
        ("north", north),
        ("north_unit", north_unit),
        ("south", south),
        ("south_unit", south_unit),
    ):
        people[key].department = department
    ani = make_user(department=north_unit, email="ani@example.am", name="Ani")
    lilit = make_user(department=south_unit, email="lilit@example.am", name="Lilit")
    db.session.commit()
    task = make_task(ani, lilit, title=TITLE, deadline=DEADLINE)
    return {"task": task, **people}


def remind(runner, day: date) -> None:
    result = runner.invoke(args=["remind", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def new_recipients(runner, smtp, day: date) -> list[str]:
    before = len(smtp.messages)
    remind(runner, day)
    remind(runner, day)  # a rerun sends nothing again
    return sorted(message["To"] for message in smtp.messages[before:])


def test_escalations_climb_both_owners_chains(runner, mail_to, office) -> None:
    level_1 = date(2025, 3, 31)
    level_2 = date(2025, 4, 9)
    assert working_days_between(DEADLINE, level_1) == 3
    assert working_days_between(DEADLINE, level_2) == 10

    assert new_recipients(runner, mail_to, level_1) == [
        "ani@example.am",  # caught up: the first overdue notice
        "lilit@example.am",
        "north-unit@example.am",
        "south-unit@example.am",
    ]
    assert new_recipients(runner, mail_to, level_2) == [
        "ani@example.am",  # the weekly repeat
        "lilit@example.am",
        "north@example.am",
        "south@example.am",
    ]
    for address in ("north-unit@example.am", "south-unit@example.am", "north@example.am"):
        (message,) = mail_to.to(address)
        assert TITLE in text_of(message)
        assert "OVERDUE in your department" in text_of(message)
        assert "Owners: Ani, Lilit" in text_of(message)
    assert "ԺԱՄԿԵՏԱՆՑ՝ ՁԵՐ ՍՏՈՐԱԲԱԺԱՆՄԱՆ ՄԵՋ" in text_of(mail_to.to("south@example.am")[0])
    assert mail_to.to("director@example.am") == []


def submit(office, day: date) -> None:
    task = office["task"]
    task.status = TaskStatus.AWAITING_ACCEPTANCE
    # 08:00 UTC is noon in Yerevan: the organisation's day is `day`.
    task.submitted_at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    db.session.commit()


def test_an_acceptance_left_pending_escalates_once_to_the_managers_manager(
    runner, mail_to, office
) -> None:
    submit(office, SUBMITTED)
    limit = add_working_days(SUBMITTED, 5)
    assert limit == date(2025, 4, 8)

    # Past the deadline, but reported done: no overdue notice, no escalation, no reminder.
    for day in (date(2025, 4, 2), date(2025, 4, 3), date(2025, 4, 7)):
        assert new_recipients(runner, mail_to, day) == [], day
    assert new_recipients(runner, mail_to, limit) == ["north@example.am", "south@example.am"]
    for day in (date(2025, 4, 9), date(2025, 4, 16), date(2025, 5, 12)):
        assert new_recipients(runner, mail_to, day) == [], day

    (message,) = mail_to.to("north@example.am")
    body = text_of(message)
    assert TITLE in body
    assert "AWAITING ACCEPTANCE in your department (1)" in body
    assert "Awaiting acceptance since Apr 1, 2025" in body
    assert "OVERDUE" not in body and "overdue ·" not in body and "days overdue" not in body
    assert "/tasks/action/" not in body
    assert message["Subject"] == ("Follow-up Tracker: 0 overdue, 1 awaiting acceptance, 0 due soon")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Awaiting acceptance since Apr 1, 2025" in html
    (armenian,) = mail_to.to("south@example.am")
    assert "ԸՆԴՈՒՆՄԱՆ ՍՊԱՍՈՂ՝ ՁԵՐ ՍՏՈՐԱԲԱԺԱՆՄԱՆ ՄԵՋ (1)" in text_of(armenian)
    assert "Սպասում է ընդունման՝ սկսած" in text_of(armenian)
    assert "ընդունման սպասող" in armenian["Subject"]

    (notification,) = db.session.scalars(db.select(Notification)).all()
    assert (notification.kind, notification.level, notification.deadline) == (
        Kind.ESCALATION,
        ACCEPTANCE_LEVEL,
        limit,
    )


def test_returned_and_submitted_again_the_wait_escalates_afresh(runner, mail_to, office) -> None:
    submit(office, SUBMITTED)
    remind(runner, date(2025, 4, 8))
    assert len(mail_to.messages) == 2
    submit(office, date(2025, 4, 14))  # returned for more work, then reported done again
    assert new_recipients(runner, mail_to, date(2025, 4, 18)) == []
    assert new_recipients(runner, mail_to, date(2025, 4, 21)) == [
        "north@example.am",
        "south@example.am",
    ]


def test_the_working_days_allowed_are_a_setting(app, runner, mail_to, office) -> None:
    app.config["TRACKER_ACCEPTANCE_DAYS"] = 2
    submit(office, SUBMITTED)
    assert new_recipients(runner, mail_to, date(2025, 4, 2)) == []
    assert new_recipients(runner, mail_to, date(2025, 4, 3)) == [
        "north@example.am",
        "south@example.am",
    ]


def test_a_cut_short_section_counts_a_two_department_task_in_each(
    app, runner, mail_to, office, make_task
) -> None:
    app.config["TRACKER_DIGEST_MAX_ITEMS"] = 2
    # One head above both branches, so that one digest holds both tasks' level 2.
    south = office["south"].department
    south.head = office["north"]
    ani = next(owner for owner in office["task"].owners if owner.name == "Ani")
    make_task(ani, title="North only", deadline=DEADLINE)
    make_task(ani, title="North again", deadline=DEADLINE)
    db.session.commit()

    remind(runner, date(2025, 4, 9))

    (message,) = mail_to.to("north@example.am")
    body = text_of(message)
    assert "OVERDUE in your department (3)" in body
    by_department = body.split("Overdue tasks by department:")[1].split("\r\n\r\n")[0]
    assert by_department.split() == ["North", "unit:", "3", "South", "unit:", "1"]
