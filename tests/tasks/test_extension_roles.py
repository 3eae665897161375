"""Who may ask for more time, decide on a request, accept or return a task, and see the
requests list: every new action allowed and denied by role, refused without its CSRF
token, and a form sent back keeping what was typed (in the user's language)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import refreshed, requests_of
from tracker.extensions import db
from tracker.models import ExtensionRequest, ExtensionStatus, Task, TaskStatus
from tracker.tasks import services
from tracker.unit_of_work import unit_of_work

ROLES = ("officer", "other_officer", "manager", "other_manager", "staff", "admin")
MAY_ASK = {"officer", "manager", "staff", "admin"}  # the owner and whoever manages the task
MAY_DECIDE = {"manager", "staff", "admin"}  # whoever manages the task


@pytest.fixture
def pending(org) -> ExtensionRequest:
    """The officer's request for more time on their task."""
    with unit_of_work():
        request = services.request_extension(
            org.task, org.officer, date(2026, 7, 31), "The ministry has not answered."
        )
    return request


@pytest.fixture
def awaiting(org) -> Task:
    """The officer's task, reported done and waiting for acceptance."""
    with unit_of_work():
        services.mark_done(org.task, org.officer, "Concept approved.")
    assert org.task.status is TaskStatus.AWAITING_ACCEPTANCE
    return org.task


@pytest.mark.parametrize("role", ROLES)
def test_who_may_ask_for_more_time(client, org, role: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{org.task.id}/extension",
        {"deadline": "2026-07-31", "reason": "Holidays."},
        page="/tasks",
    )
    if role not in MAY_ASK:
        assert response.status_code == 403
        assert requests_of(org.task) == []
        return
    assert response.status_code == 302
    (request,) = requests_of(org.task)
    assert (request.status, request.requested_by_id) == (
        ExtensionStatus.PENDING,
        org.user(role).id,
    )


@pytest.mark.parametrize("decision", ["approve", "refuse"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_decide_on_a_request(client, org, pending, role: str, decision: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/requests/{pending.id}/{decision}", {"reason": "Not now."}, page="/tasks"
    )
    (request,) = requests_of(org.task)
    if role not in MAY_DECIDE:  # the owner too: the person asking does not decide
        assert response.status_code == 403
        assert request.status is ExtensionStatus.PENDING
        assert refreshed(org.task).deadline == date(2025, 3, 31)
        return
    assert response.status_code == 302
    assert request.decided_by_id == org.user(role).id
    if decision == "approve":
        assert request.status is ExtensionStatus.APPROVED
        assert refreshed(org.task).deadline == date(2026, 7, 31)
    else:
        assert request.status is ExtensionStatus.REFUSED
        assert refreshed(org.task).deadline == date(2025, 3, 31)


@pytest.mark.parametrize("action", ["accept", "return"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_accept_or_return(client, org, awaiting, role: str, action: str) -> None:
    client.login(org.user(role).email)
    response = client.submit(
        f"/tasks/{awaiting.id}/{action}", {"reason": "Attach the order."}, page="/tasks"
    )
    task = refreshed(awaiting)
    if role not in MAY_DECIDE:  # the owner does not accept their own work
        assert response.status_code == 403
        assert task.status is TaskStatus.AWAITING_ACCEPTANCE
        return
    assert response.status_code == 302
    expected = TaskStatus.DONE if action == "accept" else TaskStatus.IN_PROGRESS
    assert task.status is expected
    assert task.events[-1].actor_id == org.user(role).id


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_requests_list_and_its_menu_item(client, org, pending, role: str) -> None:
    client.login(org.user(role).email)
    response = client.get("/tasks/requests")
    if role in ("officer", "other_officer"):
        assert response.status_code == 403
        assert "/tasks/requests" not in client.get("/tasks").get_data(as_text=True)
        return
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = 0 if role == "other_manager" else 1  # not a task of their department
    assert f"Requests ({expected})" in html
    assert ("The ministry has not answered." in html) is (expected == 1)


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/tasks/{task}/extension", "officer"),
        ("/tasks/requests/{request}/approve", "manager"),
        ("/tasks/requests/{request}/refuse", "manager"),
        ("/tasks/{task}/accept", "manager"),
        ("/tasks/{task}/return", "manager"),
    ],
)
def test_a_form_without_its_csrf_token_changes_nothing(client, org, path: str, who: str) -> None:
    with unit_of_work():
        services.mark_done(org.other_task, org.other_officer, "Done.")
        request = services.request_extension(org.task, org.officer, date(2026, 7, 31), "Why.")
    task = org.other_task if path.endswith(("accept", "return")) else org.task
    client.login(org.user(who).email)
    response = client.post(
        path.format(task=task.id, request=request.id),
        data={"deadline": "2026-08-31", "reason": "Forged.", "note": "Forged."},
    )
    assert response.status_code == 400
    assert [r.status for r in requests_of(org.task)] == [ExtensionStatus.PENDING]
    assert refreshed(org.task).deadline == date(2025, 3, 31)
    assert refreshed(org.other_task).status is TaskStatus.AWAITING_ACCEPTANCE


def test_asking_without_a_reason_keeps_the_date_typed_in_armenian(client, org) -> None:
    org.officer.language = "hy"
    db.session.commit()
    client.login(org.officer.email)
    response = client.submit(
        f"/tasks/{org.task.id}/extension",
        {"deadline": "2026-07-31", "reason": ""},
        page="/tasks",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="extension-deadline"' in html and 'value="2026-07-31"' in html
    assert "Այս դաշտը պարտադիր է։" in html
    assert requests_of(org.task) == []


def test_asking_without_a_date_keeps_the_reason_typed(client, org) -> None:
    client.login(org.officer.email)
    response = client.submit(
        f"/tasks/{org.task.id}/extension",
        {"deadline": "", "reason": "The ministry has not answered."},
        page="/tasks",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="extension-reason"[^>]*>\s*The ministry has not answered\.<', html)
    assert requests_of(org.task) == []


def test_a_date_before_the_deadline_is_refused_with_a_message(client, org) -> None:
    client.login(org.officer.email)
    response = client.submit(
        f"/tasks/{org.task.id}/extension",
        {"deadline": "2025-03-01", "reason": "Earlier?"},
        page="/tasks",
        follow_redirects=True,
    )
    assert "Ask for a date after the current deadline." in response.get_data(as_text=True)
    assert requests_of(org.task) == []


def test_refusing_from_the_list_without_a_reason_stays_on_the_list(client, org, pending) -> None:
    client.login(org.manager.email)
    response = client.submit(
        f"/tasks/requests/{pending.id}/refuse",
        {"reason": "", "back": "requests"},
        page="/tasks/requests",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<h1>Requests for more time</h1>" in html
    assert f'id="refuse-reason-{pending.id}"' in html and "This field is required." in html
    assert requests_of(org.task)[0].status is ExtensionStatus.PENDING


def test_the_requests_list_is_paged_oldest_first(client, org, make_task) -> None:
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    # Stored from the newest request to the oldest: the list goes by when each was asked.
    tasks = [
        make_task(org.officer, title=f"Request {number:02d}", deadline=date(2026, 7, 1))
        for number in reversed(range(27))
    ]
    for task in tasks:
        number = int(task.title.split()[-1])
        asked = start + timedelta(hours=number)
        services.request_extension(task, org.officer, date(2026, 8, 1), "More.", now=asked)
    db.session.commit()
    titles = [f"Request {number:02d}" for number in range(27)]
    client.login(org.manager.email)

    def listed(page: int) -> list[str]:
        html = client.get(f"/tasks/requests?page={page}").get_data(as_text=True)
        assert "Requests (27)" in html
        return re.findall(r'<h2><a href="/tasks/\d+">(Request \d\d)</a></h2>', html)

    assert listed(1) == titles[:25]
    assert listed(2) == titles[25:]
    past_the_end = client.get("/tasks/requests?page=3")
    assert past_the_end.status_code == 302
    assert past_the_end.headers["Location"] == "/tasks/requests?page=2"

    client.submit("/logout", {}, page="/tasks")
    client.login(org.other_manager.email)
    assert "Requests (0)" in client.get("/tasks/requests").get_data(as_text=True)
    client.submit("/logout", {}, page="/tasks")
    client.login(org.staff.email)
    assert "Requests (27)" in client.get("/tasks/requests").get_data(as_text=True)
