"""Tasks made by hand (#11 item 7) and the task page's panel that changes a confirmed task
(#11 item 2), through the pages: what each POST leaves in the database, what it announces,
and forms sent back with what was typed."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import refreshed
from tracker.extensions import db
from tracker.models import EventKind, Task, TaskStatus
from tracker.tasks import events


def newest_task() -> Task:
    db.session.expire_all()
    task = db.session.scalars(select(Task).order_by(Task.id.desc())).first()
    assert task is not None
    return task


def _summary(payload: object) -> tuple[object, ...]:
    """What a receiver hears, read while the request's session still holds its objects."""
    if isinstance(payload, events.OwnersChanged):
        added = sorted(user.name for user in payload.added)
        return ("owners", added, sorted(user.name for user in payload.removed))
    if isinstance(payload, events.TaskEdited):
        return ("edited", payload.changes)
    if isinstance(payload, events.TaskReopened):
        return ("reopened", payload.reason)
    assert isinstance(payload, events.TaskCreated)
    return ("created", payload.task.title)


@pytest.fixture
def heard(app: Flask) -> list[tuple[object, ...]]:
    """Summaries of what the application announces, in order."""
    payloads: list[tuple[object, ...]] = []

    def hear(payload: object) -> None:
        payloads.append(_summary(payload))

    for signal in (
        events.task_created,
        events.owners_changed,
        events.task_edited,
        events.task_reopened,
    ):
        signal.connect(app, hear)
    return payloads


NEW_TASK = {
    "title": "Prepare the tourism fair",
    "description": "Stands for the three communities.",
    "deadline": "2026-09-30",
    "expected_result": "A fair held in September",
    "method": "Working group",
    "source_note": "Board meeting of 3 March 2026",
}


def test_staff_make_a_task_by_hand_and_its_owners_are_told(client, org, heard) -> None:
    client.login(org.staff.email)
    response = client.submit(
        "/tasks/new", {**NEW_TASK, "owners": [str(org.officer.id), str(org.other_officer.id)]}
    )
    task = newest_task()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{task.id}"
    assert task.status is TaskStatus.OPEN
    assert (task.title, task.description, task.deadline) == (
        "Prepare the tourism fair",
        "Stands for the three communities.",
        date(2026, 9, 30),
    )
    assert (task.expected_result, task.method) == ("A fair held in September", "Working group")
    assert task.source_note == "Board meeting of 3 March 2026"
    assert task.created_by == org.staff
    assert task.report is None
    assert {owner.name for owner in task.owners} == {"Ani Officer", "Lilit Officer"}
    assert [(event.kind, event.actor) for event in task.events] == [(EventKind.CREATED, org.staff)]
    assert heard == [
        ("created", "Prepare the tourism fair"),
        ("owners", ["Ani Officer", "Lilit Officer"], []),
    ]

    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Board meeting of 3 March 2026" in page
    assert "created by Narine Staff" in page


def test_a_manager_makes_a_task_for_their_tree_with_someone_from_elsewhere(client, org) -> None:
    client.login(org.manager.email)
    response = client.submit(
        "/tasks/new", {**NEW_TASK, "owners": [str(org.other_officer.id), str(org.officer.id)]}
    )
    assert response.status_code == 302
    task = newest_task()
    assert task.department == org.digital  # the manager's own tree first
    # The manager sees and manages what they made.
    assert client.get(f"/tasks/{task.id}").status_code == 200


def test_a_manager_may_not_make_a_task_nobody_of_their_tree_owns(client, org, heard) -> None:
    client.login(org.manager.email)
    before = newest_task().id
    response = client.submit("/tasks/new", {**NEW_TASK, "owners": [str(org.other_officer.id)]})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "At least one responsible person must work in your department" in html
    assert newest_task().id == before
    assert heard == []


def _option_selected(html: str, value: int) -> bool:
    return f'<option selected value="{value}">' in html


def test_a_form_with_errors_keeps_what_was_typed(client, org) -> None:
    client.login(org.staff.email)
    before = newest_task().id
    response = client.submit(
        "/tasks/new",
        {**NEW_TASK, "source_note": "", "deadline": "2026-02-30", "owners": [str(org.officer.id)]},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert newest_task().id == before
    assert 'value="Prepare the tourism fair"' in html
    assert "Stands for the three communities." in html
    assert "A fair held in September" in html
    assert 'value="2026-02-30"' in html
    assert _option_selected(html, org.officer.id)
    assert html.count('class="error"') >= 2  # the source note and the date


def test_no_owner_is_said_beside_the_field(client, org) -> None:
    client.login(org.staff.email)
    response = client.submit("/tasks/new", {**NEW_TASK})
    assert response.status_code == 400
    assert "Choose at least one responsible person." in response.get_data(as_text=True)


def test_the_owner_choice_groups_active_people_by_department(client, org, make_user) -> None:
    make_user("officer", department=org.digital, name="Gone Officer", active=False)
    client.login(org.staff.email)
    html = client.get("/tasks/new").get_data(as_text=True)
    assert '<optgroup label="Digital">' in html
    assert '<optgroup label="Cooperation">' in html
    assert "Lilit Officer" in html
    assert "Gone Officer" not in html


# --- The task page's panel ----------------------------------------------------------------


def test_the_panel_shows_the_wording_prefilled_and_the_owners_chosen(client, org) -> None:
    org.task.expected_result = "A concept approved"
    db.session.commit()
    client.login(org.manager.email)
    html = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert f'action="/tasks/{org.task.id}/edit"' in html
    assert 'value="Digital services concept"' in html
    assert "A concept approved</textarea>" in html
    assert _option_selected(html, org.officer.id)
    assert f'action="/tasks/{org.task.id}/reopen"' not in html


def test_an_officer_sees_no_panel(client, org) -> None:
    client.login(org.officer.email)
    html = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert f'action="/tasks/{org.task.id}/edit"' not in html
    assert f'action="/tasks/{org.task.id}/owners"' not in html


def test_editing_from_the_page_records_old_and_new_values(client, org, heard) -> None:
    client.login(org.manager.email)
    response = client.submit(
        f"/tasks/{org.task.id}/edit",
        {
            "title": "Digital services concept",
            "description": "With the ministry.",
            "expected_result": "A concept",
            "method": "",
        },
        page=f"/tasks/{org.task.id}",
    )
    assert response.status_code == 302
    task = refreshed(org.task)
    edited = [
        (event.field, event.old_value, event.new_value, event.actor)
        for event in task.events
        if event.kind is EventKind.EDITED
    ]
    assert edited == [
        ("description", "", "With the ministry.", org.manager),
        ("expected_result", None, "A concept", org.manager),
    ]
    assert heard == [
        (
            "edited",
            {
                "description": ("", "With the ministry."),
                "expected_result": (None, "A concept"),
            },
        )
    ]
    page = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert "changed Description from “—” to “With the ministry.”" in page
    assert "changed Expected result from" in page


def test_an_edit_with_an_empty_title_is_sent_back_with_what_was_typed(client, org) -> None:
    client.login(org.staff.email)
    response = client.submit(
        f"/tasks/{org.task.id}/edit",
        {"title": "", "description": "Typed, kept."},
        page=f"/tasks/{org.task.id}",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Typed, kept.</textarea>" in html
    assert refreshed(org.task).description == ""


def test_an_edit_that_changes_nothing_says_so(client, org) -> None:
    client.login(org.staff.email)
    response = client.submit(
        f"/tasks/{org.task.id}/edit",
        {"title": "Digital services concept"},
        page=f"/tasks/{org.task.id}",
        follow_redirects=True,
    )
    assert "Nothing changed." in response.get_data(as_text=True)
    assert [event.kind for event in refreshed(org.task).events] == [EventKind.CREATED]


def test_reassigning_from_the_page(client, org, heard) -> None:
    client.login(org.staff.email)
    response = client.submit(
        f"/tasks/{org.task.id}/owners",
        {"owners": [str(org.other_officer.id)]},
        page=f"/tasks/{org.task.id}",
    )
    assert response.status_code == 302
    task = refreshed(org.task)
    assert [owner.name for owner in task.owners] == ["Lilit Officer"]
    event = task.events[-1]
    assert (event.kind, event.old_value, event.new_value) == (
        EventKind.OWNERS_CHANGED,
        "Ani Officer",
        "Lilit Officer",
    )
    assert heard == [("owners", ["Lilit Officer"], ["Ani Officer"])]
    # The officer taken off no longer sees it; the one given it does.
    client.post("/logout", data={"csrf_token": client.csrf_token("/settings")})
    client.login(org.officer.email)
    assert client.get(f"/tasks/{org.task.id}").status_code == 403
    client.post("/logout", data={"csrf_token": client.csrf_token("/settings")})
    client.login(org.other_officer.email)
    assert client.get(f"/tasks/{org.task.id}").status_code == 200


def test_a_deactivated_user_is_not_a_valid_owner(client, org, make_user) -> None:
    gone = make_user("officer", department=org.digital, active=False)
    client.login(org.staff.email)
    response = client.submit(
        f"/tasks/{org.task.id}/owners",
        {"owners": [str(gone.id)]},
        page=f"/tasks/{org.task.id}",
    )
    assert response.status_code == 400
    assert [owner.name for owner in refreshed(org.task).owners] == ["Ani Officer"]


def test_reopening_from_the_page_with_a_new_deadline(client, org, heard) -> None:
    org.task.status = TaskStatus.CANCELLED
    org.task.cancel_reason = "Not needed."
    db.session.commit()
    client.login(org.manager.email)
    page = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert f'action="/tasks/{org.task.id}/reopen"' in page
    assert "has passed" in page  # the old deadline, 2025-03-31
    assert f'action="/tasks/{org.task.id}/edit"' not in page
    response = client.submit(
        f"/tasks/{org.task.id}/reopen",
        {"reason": "The ministry asks again.", "deadline": "2026-10-30"},
        page=f"/tasks/{org.task.id}",
    )
    assert response.status_code == 302
    task = refreshed(org.task)
    assert (task.status, task.deadline) == (TaskStatus.IN_PROGRESS, date(2026, 10, 30))
    reopened, moved = task.events[-2:]
    assert (reopened.kind, reopened.note, reopened.old_value) == (
        EventKind.REOPENED,
        "The ministry asks again.",
        "cancelled",
    )
    assert (moved.kind, moved.new_value) == (EventKind.DEADLINE_CHANGED, "2026-10-30")
    assert heard == [("reopened", "The ministry asks again.")]
    assert "reopened the task" in client.get(f"/tasks/{org.task.id}").get_data(as_text=True)


def test_reopening_without_a_reason_is_sent_back(client, org) -> None:
    org.task.status = TaskStatus.DONE
    db.session.commit()
    client.login(org.staff.email)
    response = client.submit(
        f"/tasks/{org.task.id}/reopen",
        {"reason": "", "deadline": "2026-10-30"},
        page=f"/tasks/{org.task.id}",
    )
    assert response.status_code == 400
    assert 'value="2026-10-30"' in response.get_data(as_text=True)
    assert refreshed(org.task).status is TaskStatus.DONE
