"""How much the planner evaluates: only tasks that may be owed something new, and once for
tasks that share a deadline, status and owners; what it writes stays the same."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select

from tracker.extensions import db
from tracker.models import Notification, Role
from tracker.notifications import planner
from tracker.notifications.jobs import plan_reminders
from tracker.notifications.policy import notifications_due

DEADLINE = date(2025, 3, 26)  # a Wednesday
FIRST_OVERDUE = date(2025, 3, 27)
LEVEL_1 = date(2025, 3, 31)  # three working days overdue


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The tasks (their facts) the policy is asked about."""
    asked: list[Any] = []

    def counted(task: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(task)
        return notifications_due(task, *args, **kwargs)

    monkeypatch.setattr(planner, "notifications_due", counted)
    return asked


@pytest.fixture
def twins(clock, make_department, make_user, make_task):
    head = make_user(Role.MANAGER, name="Head", email="head@example.am")
    digital = make_department("Digital", head=head)
    head.department = digital
    ani = make_user(Role.OFFICER, department=digital, name="Ani", email="ani@example.am")
    db.session.commit()
    first = make_task(ani, title="First twin", deadline=DEADLINE)
    second = make_task(ani, title="Second twin", deadline=DEADLINE)
    later = make_task(ani, title="Later", deadline=date(2025, 6, 30))
    return first.id, second.id, later.id


def remind(runner, day: date) -> None:
    result = runner.invoke(args=["remind", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output


def notified() -> set[tuple[int, str, int]]:
    rows = db.session.execute(select(Notification.task_id, Notification.kind, Notification.level))
    return {(task_id, kind.value, level) for task_id, kind, level in rows}


def test_twin_tasks_are_evaluated_once_and_each_notified(runner, twins, evaluations) -> None:
    first, second, _later = twins
    remind(runner, FIRST_OVERDUE)
    assert len(evaluations) == 1  # the two share a deadline and an owner; "Later" is not due
    assert notified() == {(first, "overdue", 0), (second, "overdue", 0)}


def test_a_rerun_and_a_day_with_nothing_new_evaluate_no_task(runner, twins, evaluations) -> None:
    first, second, _ = twins
    remind(runner, FIRST_OVERDUE)
    evaluations.clear()
    remind(runner, FIRST_OVERDUE)
    assert evaluations == []
    # The next working day owes neither twin anything (escalation after three working days).
    remind(runner, date(2025, 3, 28))
    assert evaluations == []
    remind(runner, LEVEL_1)
    assert len(evaluations) == 1
    assert notified() == {
        (first, "overdue", 0),
        (second, "overdue", 0),
        (first, "escalation", 1),
        (second, "escalation", 1),
    }


def test_a_task_given_a_new_deadline_is_evaluated_again(runner, twins, evaluations) -> None:
    first, _, _ = twins
    remind(runner, FIRST_OVERDUE)
    task = db.session.get_one(planner.Task, first)
    task.deadline = date(2025, 3, 25)
    db.session.commit()
    evaluations.clear()
    remind(runner, FIRST_OVERDUE)
    assert [task.deadline for task in evaluations] == [date(2025, 3, 25)]
    assert (first, "overdue", 0) in notified()
    assert db.session.scalar(
        select(Notification.id).where(
            Notification.task_id == first, Notification.deadline == date(2025, 3, 25)
        )
    )


def test_the_run_emails_are_listed_without_a_query_each(twins) -> None:
    result = plan_reminders(FIRST_OVERDUE)
    statements: list[str] = []

    def count(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        listed = [(message.to_address, message.subject) for message in result.messages]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert [address for address, _ in listed] == ["ani@example.am"]
    assert statements == []
