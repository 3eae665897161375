"""Changing a confirmed task (#11 item 2), the services, on SQLite and PostgreSQL: each change
is a history event with old and new values, announced once with who was added or removed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from tests.conftest import TODAY, listen, refreshed
from tracker.extensions import db
from tracker.models import EventKind, Task, TaskEvent, TaskStatus
from tracker.permissions import PermissionDenied
from tracker.tasks import changes, events, services
from tracker.tasks.changes import Wording
from tracker.unit_of_work import unit_of_work


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories on each migrated database."""
    return any_database_app


@pytest.fixture
def heard(app: Flask) -> list[object]:
    """What this application announces about owners, edits and reopening."""
    return listen(app, events.owners_changed, events.task_edited, events.task_reopened)


def history(task: Task, kind: EventKind) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (event.field, event.old_value, event.new_value)
        for event in refreshed(task).events
        if event.kind is kind
    ]


# --- Owners -------------------------------------------------------------------------------


def test_reassigning_records_old_and_new_names_and_tells_who_was_added_and_removed(
    org, heard
) -> None:
    with unit_of_work():
        changes.change_owners(org.task, org.staff, [org.other_officer])
    task = refreshed(org.task)
    assert [owner.name for owner in task.owners] == ["Lilit Officer"]
    assert task.department == org.cooperation  # nobody of Digital owns it any more
    assert history(task, EventKind.OWNERS_CHANGED) == [("owners", "Ani Officer", "Lilit Officer")]
    event = task.events[-1]
    assert event.actor == org.staff
    (payload,) = heard
    assert isinstance(payload, events.OwnersChanged)
    assert payload.added == (org.other_officer,)
    assert payload.removed == (org.officer,)
    assert payload.actor == org.staff


def test_adding_an_owner_from_another_department_keeps_the_task_where_it_is(
    org, heard, make_user
) -> None:
    colleague = make_user("officer", department=org.digital, name="Aram Officer")
    with unit_of_work():
        changes.change_owners(org.task, org.manager, [org.other_officer, org.officer, colleague])
    task = refreshed(org.task)
    assert {owner.name for owner in task.owners} == {"Ani Officer", "Aram Officer", "Lilit Officer"}
    assert task.department == org.digital
    assert history(task, EventKind.OWNERS_CHANGED) == [
        ("owners", "Ani Officer", "Ani Officer, Aram Officer, Lilit Officer")
    ]
    (payload,) = heard
    assert isinstance(payload, events.OwnersChanged)
    assert set(payload.added) == {org.other_officer, colleague}
    assert payload.removed == ()


def test_the_same_owners_are_refused_as_nothing_changed(org, heard) -> None:
    with pytest.raises(services.TaskError, match="Nothing changed"), unit_of_work():
        changes.change_owners(org.task, org.staff, [org.officer, org.officer])
    assert history(org.task, EventKind.OWNERS_CHANGED) == []
    assert heard == []


def test_a_task_keeps_at_least_one_owner(org) -> None:
    with pytest.raises(services.TaskError, match="at least one"), unit_of_work():
        changes.change_owners(org.task, org.staff, [])
    assert [owner.name for owner in refreshed(org.task).owners] == ["Ani Officer"]


def test_a_deactivated_user_cannot_be_given_a_task(org, make_user) -> None:
    gone = make_user("officer", department=org.digital, active=False)
    with pytest.raises(services.TaskError, match="deactivated"), unit_of_work():
        changes.change_owners(org.task, org.staff, [org.officer, gone])
    assert [owner.name for owner in refreshed(org.task).owners] == ["Ani Officer"]


def test_a_manager_may_not_hand_the_task_wholly_out_of_their_tree(org, heard) -> None:
    with pytest.raises(services.TaskError, match="your department"), unit_of_work():
        changes.change_owners(org.task, org.manager, [org.other_officer])
    assert [owner.name for owner in refreshed(org.task).owners] == ["Ani Officer"]
    assert heard == []


@pytest.mark.parametrize("role", ["officer", "other_officer", "other_manager"])
def test_who_may_not_reassign(org, role: str) -> None:
    with pytest.raises(PermissionDenied), unit_of_work():
        changes.change_owners(org.task, org.user(role), [org.officer, org.other_officer])


def test_the_owner_candidates_are_the_active_users_by_name(org, make_user) -> None:
    make_user("officer", department=org.digital, name="Zara Gone", active=False)
    names = [user.name for user in changes.owner_candidates()]
    assert names == sorted(names)
    assert "Zara Gone" not in names
    assert {"Ani Officer", "Lilit Officer", "Karen Manager"} <= set(names)


# --- Editing ------------------------------------------------------------------------------


def test_each_changed_field_is_one_event_and_one_announcement(org, heard) -> None:
    org.task.expected_result = "A concept"
    db.session.commit()
    wording = Wording(
        title="  Digital services concept, second edition ",
        description="Written with the ministry.",
        expected_result="A concept",  # unchanged
        method="",  # was empty: unchanged
    )
    with unit_of_work():
        changes.edit_task(org.task, org.manager, wording)
    task = refreshed(org.task)
    assert task.title == "Digital services concept, second edition"
    assert task.description == "Written with the ministry."
    assert history(task, EventKind.EDITED) == [
        ("title", "Digital services concept", "Digital services concept, second edition"),
        ("description", "", "Written with the ministry."),
    ]
    (payload,) = heard
    assert isinstance(payload, events.TaskEdited)
    assert payload.changes == {
        "title": ("Digital services concept", "Digital services concept, second edition"),
        "description": ("", "Written with the ministry."),
    }


def test_clearing_an_optional_field_records_it_as_empty(org, heard) -> None:
    org.task.method = "Working group"
    db.session.commit()
    with unit_of_work():
        changes.edit_task(org.task, org.staff, Wording(title=org.task.title, method="  "))
    task = refreshed(org.task)
    assert task.method is None
    assert history(task, EventKind.EDITED) == [("method", "Working group", None)]


@pytest.mark.parametrize(
    ("wording", "message"),
    [
        (Wording(title="   "), "needs a title"),
        (Wording(title="Digital services concept"), "Nothing changed"),
    ],
)
def test_an_empty_title_or_no_change_is_refused(org, heard, wording: Wording, message) -> None:
    with pytest.raises(services.TaskError, match=message), unit_of_work():
        changes.edit_task(org.task, org.staff, wording)
    assert refreshed(org.task).title == "Digital services concept"
    assert history(org.task, EventKind.EDITED) == []
    assert heard == []


@pytest.mark.parametrize("status", [TaskStatus.DONE, TaskStatus.CANCELLED, TaskStatus.DRAFT])
def test_a_closed_task_or_a_draft_is_not_edited_nor_reassigned(
    org, heard, status: TaskStatus
) -> None:
    org.task.status = status
    db.session.commit()
    with pytest.raises(services.TaskError, match="Reopen"), unit_of_work():
        changes.edit_task(org.task, org.staff, Wording(title="Another title"))
    with pytest.raises(services.TaskError, match="Reopen"), unit_of_work():
        changes.change_owners(org.task, org.staff, [org.other_officer])
    assert heard == []


def test_a_task_awaiting_acceptance_may_still_be_edited(org) -> None:
    org.task.status = TaskStatus.AWAITING_ACCEPTANCE
    db.session.commit()
    with unit_of_work():
        changes.edit_task(org.task, org.staff, Wording(title="Concept, final"))
    assert refreshed(org.task).title == "Concept, final"


# --- Reopening ----------------------------------------------------------------------------


def test_reopening_a_done_task_clears_its_completion_and_keeps_its_evidence(
    org, heard, clock
) -> None:
    # Set directly: how a task gets done (verification or not) is another feature's.
    org.task.status = TaskStatus.DONE
    org.task.completed_at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    org.task.completed_by = org.officer
    org.task.completion_note = "Approved."
    org.task.evidence_url = "https://x.am/1"
    db.session.commit()
    with unit_of_work():
        changes.reopen(org.task, org.manager, "The ministry sent it back.")
    task = refreshed(org.task)
    assert task.status is TaskStatus.IN_PROGRESS
    assert (task.completed_at, task.completed_by) == (None, None)
    assert (task.completion_note, task.evidence_url) == ("Approved.", "https://x.am/1")
    reopened = task.events[-1]
    assert (reopened.kind, reopened.field, reopened.old_value, reopened.new_value) == (
        EventKind.REOPENED,
        "status",
        "done",
        "in_progress",
    )
    assert reopened.note == "The ministry sent it back."
    # The old deadline (2025-03-31) has passed: the task is overdue at once.
    assert task.is_overdue(date(2026, 6, 15))
    (payload,) = heard
    assert isinstance(payload, events.TaskReopened)
    assert (payload.reason, payload.actor) == ("The ministry sent it back.", org.manager)


def test_reopening_with_a_new_deadline_records_the_deadline_change_too(
    app: Flask, org, heard
) -> None:
    moved: list[events.DeadlineChanged] = []
    events.deadline_changed.connect(app, moved.append)
    with unit_of_work():
        services.cancel(org.task, org.staff, "Not needed.")
    with unit_of_work():
        changes.reopen(org.task, org.staff, "Needed after all.", deadline=date(2026, 9, 30))
    task = refreshed(org.task)
    assert (task.status, task.deadline) == (TaskStatus.IN_PROGRESS, date(2026, 9, 30))
    kinds = [(event.kind, event.old_value, event.new_value) for event in task.events[-2:]]
    assert kinds == [
        (EventKind.REOPENED, "cancelled", "in_progress"),
        (EventKind.DEADLINE_CHANGED, "2025-03-31", "2026-09-30"),
    ]
    assert task.events[-1].note == "Needed after all."
    assert [(change.old, change.new) for change in moved] == [
        (date(2025, 3, 31), date(2026, 9, 30))
    ]
    assert [type(payload).__name__ for payload in heard] == ["TaskReopened"]


@pytest.mark.parametrize("status", [TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
def test_only_a_closed_task_is_reopened(org, heard, status: TaskStatus) -> None:
    org.task.status = status
    db.session.commit()
    with pytest.raises(services.TaskError, match="Only a done or cancelled"), unit_of_work():
        changes.reopen(org.task, org.staff, "Why not.")
    assert heard == []


@pytest.mark.parametrize("role", ["officer", "other_manager"])
def test_who_may_not_reopen(org, role: str) -> None:
    org.task.status = TaskStatus.DONE
    db.session.commit()
    with pytest.raises(PermissionDenied), unit_of_work():
        changes.reopen(org.task, org.user(role), "Mine.")
    assert refreshed(org.task).status is TaskStatus.DONE


def test_a_refused_change_leaves_no_event(org) -> None:
    before = db.session.query(TaskEvent).count()
    with pytest.raises(services.TaskError), unit_of_work():
        changes.reopen(org.task, org.staff, "Open already.")
    db.session.expire_all()
    assert db.session.query(TaskEvent).count() == before


def test_the_times_recorded_are_the_clocks(org, clock) -> None:
    with unit_of_work():
        changes.edit_task(org.task, org.staff, Wording(title="Renamed"))
    assert refreshed(org.task).events[-1].created_at.date() == TODAY
