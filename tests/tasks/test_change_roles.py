"""Who may change a confirmed task or make one by hand (#11 items 2, 7): every new action,
allowed and refused, for every role; the database says what happened, not the page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import refreshed
from tracker.extensions import db
from tracker.models import EventKind, Task, TaskStatus

ROLES = ("officer", "other_officer", "manager", "other_manager", "staff", "admin")
MAY_MANAGE = {"manager", "staff", "admin"}
MAY_CREATE = {"manager", "other_manager", "staff", "admin"}


def kinds(task: Task) -> list[EventKind]:
    return [event.kind for event in refreshed(task).events]


def expected_status(role: str) -> int:
    # The officer of another department does not even see the task: 403 all the same.
    return 302 if role in MAY_MANAGE else 403


@pytest.mark.parametrize("role", ROLES)
def test_editing(client, org, role: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{org.task.id}/edit",
        {"title": "Concept, second edition", "description": "", "expected_result": ""},
        page="/tasks",
    )
    assert response.status_code == expected_status(role)
    task = refreshed(org.task)
    if role in MAY_MANAGE:
        assert task.title == "Concept, second edition"
        assert kinds(task)[-1] is EventKind.EDITED
    else:
        assert task.title == "Digital services concept"
        assert kinds(task) == [EventKind.CREATED]


@pytest.mark.parametrize("role", ROLES)
def test_changing_the_owners(client, org, role: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{org.task.id}/owners",
        {"owners": [str(org.officer.id), str(org.other_officer.id)]},
        page="/tasks",
    )
    assert response.status_code == expected_status(role)
    owners = {owner.name for owner in refreshed(org.task).owners}
    if role in MAY_MANAGE:
        assert owners == {"Ani Officer", "Lilit Officer"}
    else:
        assert owners == {"Ani Officer"}
        assert kinds(org.task) == [EventKind.CREATED]


@pytest.mark.parametrize("role", ROLES)
def test_reopening(client, org, role: str) -> None:
    org.task.status = TaskStatus.CANCELLED
    db.session.commit()
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{org.task.id}/reopen", {"reason": "Needed after all."}, page="/tasks"
    )
    assert response.status_code == expected_status(role)
    task = refreshed(org.task)
    if role in MAY_MANAGE:
        assert task.status is TaskStatus.IN_PROGRESS
        assert kinds(task)[-1] is EventKind.REOPENED
    else:
        assert task.status is TaskStatus.CANCELLED


def _count_tasks() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Task.id))) or 0


@pytest.mark.parametrize("role", ROLES)
def test_the_new_task_page(client, org, role: str) -> None:
    client.login(org.user(role).email)
    page = client.get("/tasks/new")
    assert page.status_code == (200 if role in MAY_CREATE else 403)
    listing = client.get("/tasks").get_data(as_text=True)
    assert ('href="/tasks/new"' in listing) is (role in MAY_CREATE)


@pytest.mark.parametrize("role", ROLES)
def test_making_a_task_by_hand(client, org, role: str) -> None:
    # Each manager gives it to an officer of their own tree; staff and admins to anyone.
    owner = org.other_officer if role == "other_manager" else org.officer
    before = _count_tasks()
    client.login(org.user(role).email)
    response = client.submit(
        "/tasks/new",
        {
            "title": "Prepare the tourism fair",
            "owners": [str(owner.id)],
            "source_note": "Board meeting of 3 March 2026",
        },
        page="/tasks/new" if role in MAY_CREATE else "/tasks",
    )
    if role not in MAY_CREATE:
        assert response.status_code == 403
        assert _count_tasks() == before
        return
    assert response.status_code == 302
    assert _count_tasks() == before + 1
    task = db.session.scalars(select(Task).order_by(Task.id.desc())).first()
    assert task is not None and task.created_by is not None
    assert (task.title, task.created_by.email) == ("Prepare the tourism fair", org.user(role).email)


def test_a_manager_of_another_department_may_not_make_a_task_for_this_one(client, org) -> None:
    before = _count_tasks()
    client.login(org.other_manager.email)
    response = client.submit(
        "/tasks/new",
        {
            "title": "Not mine to give",
            "owners": [str(org.officer.id)],
            "source_note": "Board meeting",
        },
    )
    assert response.status_code == 400
    assert "must work in your department" in response.get_data(as_text=True)
    assert _count_tasks() == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/tasks/{id}/edit", {"title": "Changed without a token"}),
        ("/tasks/{id}/owners", {"owners": "{other}"}),
        ("/tasks/{id}/reopen", {"reason": "No token."}),
        ("/tasks/new", {"title": "No token", "owners": "{other}", "source_note": "Meeting"}),
    ],
)
def test_a_post_without_its_csrf_token_is_refused(client, org, url: str, data) -> None:
    org.task.status = TaskStatus.DONE if "reopen" in url else TaskStatus.OPEN
    db.session.commit()
    before = _count_tasks()
    client.login(org.staff.email)
    filled = {key: value.format(other=org.other_officer.id) for key, value in data.items()}
    response = client.post(url.format(id=org.task.id), data=filled)
    assert response.status_code == 400
    task = refreshed(org.task)
    assert task.title == "Digital services concept"
    assert [owner.name for owner in task.owners] == ["Ani Officer"]
    assert kinds(task) == [EventKind.CREATED]
    assert _count_tasks() == before
