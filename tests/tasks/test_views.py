from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from tests.conftest import refreshed
from tracker.models import EventKind, TaskStatus

ROLES = ("officer", "other_officer", "manager", "other_manager", "staff", "admin")
MAY_VIEW = {"officer", "manager", "staff", "admin"}
MAY_WORK = {"officer", "manager", "staff", "admin"}
MAY_MANAGE = {"manager", "staff", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_task_page_access(client, org, role: str) -> None:
    client.login(org.user(role).email)
    response = client.get(f"/tasks/{org.task.id}")
    assert response.status_code == (200 if role in MAY_VIEW else 403)
    if role in MAY_VIEW:
        assert "Digital services concept" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_draft_page_only_for_staff_and_admin(client, org, role: str) -> None:
    client.login(org.user(role).email)
    expected = 200 if role in ("staff", "admin") else 403
    assert client.get(f"/tasks/{org.draft.id}").status_code == expected


def test_unknown_task_is_404(client, org) -> None:
    client.login(org.staff.email)
    assert client.get("/tasks/99999").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_progress_note_access_and_history(client, org, role: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{org.task.id}/progress",
        {"note": "Working group formed."},
        page="/tasks",
    )
    task = refreshed(org.task)
    if role not in MAY_WORK:
        assert response.status_code == 403
        assert task.status is TaskStatus.OPEN
        assert [e.kind for e in task.events] == [EventKind.CREATED]
        return
    assert response.status_code == 302
    assert task.status is TaskStatus.IN_PROGRESS
    event = task.events[-1]
    assert event.actor is not None
    assert (event.kind, event.actor.email, event.note) == (
        EventKind.PROGRESS,
        org.user(role).email,
        "Working group formed.",
    )
    assert (event.field, event.old_value, event.new_value) == ("status", "open", "in_progress")


@pytest.mark.parametrize("role", ROLES)
def test_mark_done_access(client, org, role: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{org.task.id}/done",
        {"note": "Concept approved by order N 12.", "evidence_url": "https://example.am/order-12"},
        page="/tasks",
    )
    task = refreshed(org.task)
    if role not in MAY_WORK:
        assert response.status_code == 403
        assert task.status is TaskStatus.OPEN
        return
    assert response.status_code == 302
    assert task.completion_note == "Concept approved by order N 12."
    assert task.completed_by is not None
    assert task.completed_by.email == org.user(role).email
    assert task.evidence_url == "https://example.am/order-12"
    event = task.events[-1]
    if role == "officer":  # an owner's report waits for whoever manages the task to accept it
        assert task.status is TaskStatus.AWAITING_ACCEPTANCE
        assert task.completed_at is None and task.submitted_at is not None
        assert (event.kind, event.old_value, event.new_value) == (
            EventKind.AWAITING_ACCEPTANCE,
            "open",
            "awaiting_acceptance",
        )
        return
    assert task.status is TaskStatus.DONE  # they may accept it themselves
    assert task.completed_at is not None
    assert (event.kind, event.old_value, event.new_value) == (EventKind.COMPLETED, "open", "done")


def test_mark_done_needs_a_note_and_keeps_what_was_typed(client, org) -> None:
    client.login(org.officer.email)
    response = client.submit(
        f"/tasks/{org.task.id}/done",
        {"note": "", "evidence_url": "https://example.am/typed"},
        page="/tasks",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="https://example.am/typed"' in html
    assert refreshed(org.task).status is TaskStatus.OPEN


def test_mark_done_with_an_evidence_file_that_can_be_downloaded(client, org) -> None:
    client.login(org.officer.email)
    token = client.csrf_token("/tasks")
    response = client.post(
        f"/tasks/{org.task.id}/done",
        data={
            "csrf_token": token,
            "note": "Signed.",
            "evidence_file": (io.BytesIO(b"%PDF-1.4 order"), "Հրաման N 12.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    task = refreshed(org.task)
    assert task.evidence_filename == "Հրաման N 12.pdf"
    download = client.get(f"/tasks/{task.id}/evidence")
    assert download.status_code == 200
    assert download.data == b"%PDF-1.4 order"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    client.submit("/logout", {}, page="/tasks")
    client.login(org.other_officer.email)
    assert client.get(f"/tasks/{task.id}/evidence").status_code == 403


def test_a_done_task_cannot_be_marked_done_again(client, org) -> None:
    client.login(org.officer.email)
    client.submit(f"/tasks/{org.task.id}/done", {"note": "Once."}, page="/tasks")
    response = client.submit(f"/tasks/{org.task.id}/done", {"note": "Twice."}, page="/tasks")
    assert response.status_code == 302
    task = refreshed(org.task)
    assert task.completion_note == "Once."
    assert [e.kind for e in task.events].count(EventKind.AWAITING_ACCEPTANCE) == 1


@pytest.mark.parametrize("role", ROLES)
def test_cancel_access(client, org, role: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{org.task.id}/cancel",
        {"reason": "Superseded by the new strategy."},
        page="/tasks",
    )
    task = refreshed(org.task)
    if role not in MAY_MANAGE:
        assert response.status_code == 403
        assert task.status is TaskStatus.OPEN
        return
    assert response.status_code == 302
    assert task.status is TaskStatus.CANCELLED
    assert task.cancel_reason == "Superseded by the new strategy."
    event = task.events[-1]
    assert (event.kind, event.note) == (EventKind.CANCELLED, "Superseded by the new strategy.")


@pytest.mark.parametrize("role", ROLES)
def test_deadline_change_access_keeps_the_old_one_in_history(client, org, role: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{org.task.id}/deadline",
        {"deadline": "2025-06-30", "reason": "The working group needs a quarter more."},
        page="/tasks",
    )
    task = refreshed(org.task)
    if role not in MAY_MANAGE:
        assert response.status_code == 403
        assert task.deadline == date(2025, 3, 31)
        return
    assert response.status_code == 302
    assert task.deadline == date(2025, 6, 30)
    event = task.events[-1]
    assert event.kind is EventKind.DEADLINE_CHANGED
    assert (event.old_value, event.new_value) == ("2025-03-31", "2025-06-30")
    assert event.note == "The working group needs a quarter more."


def test_deadline_change_needs_a_reason_and_keeps_the_date_typed(client, org) -> None:
    client.login(org.manager.email)
    response = client.submit(
        f"/tasks/{org.task.id}/deadline",
        {"deadline": "2025-07-15", "reason": ""},
        page="/tasks",
    )
    assert response.status_code == 400
    assert 'value="2025-07-15"' in response.get_data(as_text=True)
    assert refreshed(org.task).deadline == date(2025, 3, 31)


def test_task_form_without_csrf_token_changes_nothing(client, org) -> None:
    client.login(org.officer.email)
    response = client.post(f"/tasks/{org.task.id}/done", data={"note": "Forged."})
    assert response.status_code == 400
    assert refreshed(org.task).status is TaskStatus.OPEN


def test_history_is_shown_on_the_task_page(client, org) -> None:
    client.login(org.manager.email)
    client.submit(
        f"/tasks/{org.task.id}/deadline",
        {"deadline": "2025-06-30", "reason": "More time."},
        page="/tasks",
    )
    html = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert "Karen Manager" in html
    # The stored ISO days, in the user's language and the pages' one date format.
    assert "changed the deadline from Mar 31, 2025 to Jun 30, 2025" in html
    assert "More time." in html


def test_my_tasks_sorted_by_deadline_with_overdue_marked(
    client, clock, make_user, make_task
) -> None:
    owner = make_user(name="Ani")
    someone_else = make_user()
    today = clock.day
    make_task(owner, title="Later", deadline=today + timedelta(days=30))
    make_task(owner, title="No date")
    make_task(owner, title="Late", deadline=today - timedelta(days=3))
    make_task(owner, title="Soon", deadline=today + timedelta(days=2))
    make_task(owner, title="Finished", deadline=today - timedelta(days=9), status=TaskStatus.DONE)
    make_task(someone_else, title="Not mine")
    client.login(owner.email)
    html = client.get("/tasks").get_data(as_text=True)
    positions = [html.index(title) for title in ("Late", "Soon", "Later", "No date")]
    assert positions == sorted(positions)
    assert "Not mine" not in html and "Finished" not in html
    assert html.count('class="overdue"') == 1
    assert "3 days overdue" in html
    assert "Finished" in client.get("/tasks?closed=1").get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "expected", "hidden"),
    [
        ("officer", ["Digital services concept"], ["Youth exchange"]),
        ("manager", ["Digital services concept"], ["Youth exchange"]),
        ("other_manager", ["Youth exchange"], ["Digital services concept"]),
        ("staff", ["Digital services concept", "Youth exchange"], []),
    ],
)
def test_all_tasks_page_shows_what_the_role_may_see(client, org, role, expected, hidden) -> None:
    client.login(org.user(role).email)
    html = client.get("/tasks?scope=all", follow_redirects=True).get_data(as_text=True)
    for title in expected:
        assert title in html
    for title in hidden:
        assert title not in html
