"""During an absence the substitute may open and work on the absent person's tasks, and an
absent manager's substitute manages that manager's departments; before and after the
absence, nothing of it (403)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import TODAY
from tracker.auth.absences import set_absence
from tracker.extensions import db
from tracker.models import TaskEvent
from tracker.tasks.permissions import can_manage, can_view, can_work_on, visible_tasks

LAST_DAY = TODAY + timedelta(days=10)


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The queries of the permissions, on SQLite and on PostgreSQL."""
    return any_database_app


def away(person, substitute, *, first=TODAY, last=LAST_DAY) -> None:
    set_absence(
        person,
        person,
        starts_on=first,
        ends_on=last,
        substitute=substitute,
        note=None,
        today=first,
    )
    db.session.commit()


def titles(user) -> set[str]:
    """What the user sees, the same in every form the scope is asked in."""
    seen = [
        {task.title for task in db.session.scalars(visible_tasks(user, form))}
        for form in ("ids", "probe", "each")
    ]
    assert seen[0] == seen[1] == seen[2]
    return seen[0]


def test_the_substitute_of_an_absent_officer_works_on_their_tasks(org, clock) -> None:
    away(org.officer, org.other_officer)
    substitute = org.other_officer
    assert titles(substitute) == {"Youth exchange", "Digital services concept"}
    assert can_view(substitute, org.task) and can_work_on(substitute, org.task)
    assert not can_manage(substitute, org.task)
    assert not can_view(substitute, org.draft)  # drafts stay with the registry
    # Nothing changes for the absent person, nor for anyone else.
    assert can_work_on(org.officer, org.task)
    assert not can_view(org.other_manager, org.task)

    clock.set(LAST_DAY + timedelta(days=1))
    assert titles(substitute) == {"Youth exchange"}
    assert not can_view(substitute, org.task) and not can_work_on(substitute, org.task)


def test_the_substitute_opens_and_notes_progress_over_http_only_during_the_range(
    org, clock, client
) -> None:
    clock.set(TODAY - timedelta(days=1))
    away(org.officer, org.other_officer, first=TODAY)
    url = f"/tasks/{org.task.id}"
    client.login(org.other_officer.email)
    assert client.get(url).status_code == 403  # not yet

    # A day later (the session may have idled out: sign in again).
    clock.set(TODAY)
    client.login(org.other_officer.email)
    assert client.get(url).status_code == 200
    response = client.submit(f"{url}/progress", {"note": "Called the ministry."}, page=url)
    assert response.status_code == 302
    db.session.expire_all()
    notes = db.session.scalars(select(TaskEvent.note).where(TaskEvent.task_id == org.task.id)).all()
    assert "Called the ministry." in notes

    clock.set(LAST_DAY + timedelta(days=1))
    client.login(org.other_officer.email)
    assert client.get(url).status_code == 403
    token = client.csrf_token("/tasks")
    refused = client.post(f"{url}/progress", data={"csrf_token": token, "note": "Late."})
    assert refused.status_code == 403
    db.session.expire_all()
    assert (
        "Late."
        not in db.session.scalars(
            select(TaskEvent.note).where(TaskEvent.task_id == org.task.id)
        ).all()
    )


def test_an_absent_managers_substitute_manages_the_department(org, clock) -> None:
    away(org.manager, org.other_officer)
    assert can_manage(org.other_officer, org.task)
    assert titles(org.other_officer) == {"Youth exchange", "Digital services concept"}
    clock.set(LAST_DAY + timedelta(days=1))
    assert not can_manage(org.other_officer, org.task)


def test_an_absent_admins_substitute_does_not_see_everything(org, clock) -> None:
    away(org.admin, org.other_officer)
    assert titles(org.other_officer) == {"Youth exchange"}
    assert not can_view(org.other_officer, org.task)


def test_the_substitutes_substitute_takes_over_when_both_are_away(org, clock, make_user) -> None:
    third = make_user("officer", name="Third Officer")
    away(org.officer, org.other_officer)
    away(org.other_officer, third)
    assert can_work_on(third, org.task)
    assert titles(third) == {"Youth exchange", "Digital services concept"}
    assert not can_view(org.other_officer, org.task)


def test_a_deactivated_substitute_takes_over_nothing(org, clock) -> None:
    away(org.officer, org.other_officer)
    org.other_officer.active = False
    db.session.commit()
    assert not can_view(org.other_officer, org.task)
