"""A task's whole life (#11, "Done when") walked through the web pages as people do it, with
the event emails and reminders delivered to a real SMTP server and counted per address.

Each step is a form posted with its CSRF token by the person who would post it; then the
database is checked, `tracker notify` runs once inside the digest window (nothing may go out)
and once after it, and what arrived at each address is counted and read.

Confirming a report of ten tasks mails each owner exactly one email: that walk exists in
tests/notifications/test_event_mail.py (the report of ten, counted at the SMTP server) and
tests/notifications/test_event_mail_web.py (confirmed in the review page), not repeated here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from flask.testing import FlaskCliRunner

from tests.conftest import TODAY, MovingClock, SMTPServer, TrackerClient, refreshed, requests_of
from tests.main.test_armenian_everywhere import english_words
from tracker.display import format_day
from tracker.extensions import db
from tracker.models import (
    Department,
    EventKind,
    ExtensionStatus,
    Role,
    Task,
    TaskStatus,
    User,
)
from tracker.workdays import add_working_days

WINDOW = timedelta(minutes=5, seconds=1)  # TRACKER_EVENT_WINDOW_MINUTES, and a second more


@dataclass
class Office:
    """Three departments, each with its head; four officers, three of them in Digital."""

    digital: Department
    cooperation: Department
    finance: Department
    karen: User  # head of Digital
    armen: User  # head of Cooperation
    gohar: User  # head of Finance: no task of theirs here
    ani: User
    aram: User
    gayane: User
    lilit: User  # in Cooperation


@pytest.fixture
def office(make_department, make_user) -> Office:
    karen = make_user(Role.MANAGER, name="Karen Baghishyan", email="karen@example.am")
    armen = make_user(Role.MANAGER, name="Armen Petrosyan", email="armen@example.am")
    gohar = make_user(Role.MANAGER, name="Gohar Hakobyan", email="gohar@example.am")
    digital = make_department("Digital", head=karen)
    cooperation = make_department("Cooperation", head=armen)
    finance = make_department("Finance", head=gohar)
    karen.department, armen.department, gohar.department = digital, cooperation, finance
    db.session.commit()
    return Office(
        digital,
        cooperation,
        finance,
        karen,
        armen,
        gohar,
        ani=make_user(department=digital, name="Ani Sargsyan", email="ani@example.am"),
        aram=make_user(department=digital, name="Aram Hovhannisyan", email="aram@example.am"),
        gayane=make_user(department=digital, name="Gayane Grigoryan", email="gayane@example.am"),
        lilit=make_user(department=cooperation, name="Lilit Avetisyan", email="lilit@example.am"),
    )


# --- What a person does and what arrives --------------------------------------------------


def sign_in(client: TrackerClient, user: User) -> None:
    """Whoever was signed in leaves; `user` signs in."""
    client.submit("/logout", {}, page="/login")
    assert client.login(user.email).status_code == 302


def post(client: TrackerClient, url: str, data: dict[str, object], task: Task) -> None:
    """A form of the task page, sent as the browser sends it: back to the task page."""
    response = client.submit(url, data, page=f"/tasks/{task.id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"] in (f"/tasks/{task.id}", "/tasks/requests")


def run(runner: FlaskCliRunner, *args: str) -> None:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def after_the_window(
    runner: FlaskCliRunner, clock: MovingClock, smtp: SMTPServer
) -> dict[str, list[str]]:
    """`tracker notify` inside the window (nothing goes out), then once it has closed: the
    plain text of each email that arrived, by address."""
    before = len(smtp.messages)
    run(runner, "notify")
    assert len(smtp.messages) == before, "an event email went out inside the window"
    clock.advance(seconds=WINDOW.total_seconds())
    run(runner, "notify")
    arrived: dict[str, list[str]] = {}
    for message in smtp.messages[before:]:
        arrived.setdefault(str(message["To"]), []).append(text_of(message))
    return arrived


LINK = re.compile(r"http://tracker\.test(/[^\s”]*)")


def links_lead_to(client: TrackerClient, body: str, task: Task) -> list[str]:
    """Each link of the email (the reader is signed in) opens a page that shows the task:
    a link to a list it is not in would send the reader looking. The paths followed."""
    paths = LINK.findall(body)
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        assert task.title in page.get_data(as_text=True), f"{path} does not show the task"
    return paths


def readers_follow_the_links(
    client: TrackerClient, arrived: dict[str, list[str]], task: Task, office: Office
) -> None:
    """Each person who got an email signs in and follows its links (`links_lead_to`)."""
    people = {user.email: user for user in vars(office).values() if isinstance(user, User)}
    for address, bodies in arrived.items():
        sign_in(client, people[address])
        for body in bodies:
            links_lead_to(client, body, task)


def counted(arrived: dict[str, list[str]]) -> dict[str, int]:
    return {address: len(bodies) for address, bodies in arrived.items()}


# --- Walks ---------------------------------------------------------------------------------

OLD_DEADLINE = add_working_days(TODAY, 7)  # its first reminder is due today
NEW_DEADLINE = date(2026, 7, 31)


def test_a_request_approved_moves_the_deadline_and_starts_fresh_reminders(
    client, runner, mail_to, moving_clock: MovingClock, office: Office, make_task
) -> None:
    """An Armenian-speaking officer asks for more time on the task page; her head approves
    it from the requests list; she is told in Armenian, and the reminders follow the new
    deadline, none of the old one's sent again."""
    smtp = mail_to
    ani, karen = office.ani, office.karen
    ani.name, ani.language = "Անի Սարգսյան", "hy"
    db.session.commit()
    title = "Էլեկտրոնային դիմումների հայեցակարգ"
    reason = "Նախարարությունը դեռ չի պատասխանել։"
    task = make_task(ani, title=title, deadline=OLD_DEADLINE)

    # Today the old deadline's first reminder goes out, once.
    run(runner, "remind")
    (reminder,) = smtp.to(ani.email)
    assert format_day(OLD_DEADLINE, "hy") in text_of(reminder)
    assert len(smtp.messages) == 1

    sign_in(client, ani)
    post(
        client,
        f"/tasks/{task.id}/extension",
        {"deadline": NEW_DEADLINE.isoformat(), "reason": reason},
        task,
    )
    (request,) = requests_of(task)
    assert (request.status, request.proposed_deadline) == (ExtensionStatus.PENDING, NEW_DEADLINE)
    assert refreshed(task).deadline == OLD_DEADLINE

    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {karen.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    (to_karen,) = arrived[karen.email]
    old_en, new_en = format_day(OLD_DEADLINE, "en"), format_day(NEW_DEADLINE, "en")
    assert f"Անի Սարգսյան asks for more time: from {old_en} to {new_en}" in to_karen
    assert reason in to_karen
    assert "http://tracker.test/tasks/requests" in to_karen

    sign_in(client, karen)
    listing = client.get("/tasks/requests").get_data(as_text=True)
    assert "Requests (1)" in listing and title in listing
    response = client.submit(
        f"/tasks/requests/{request.id}/approve",
        {"note": "", "back": "requests"},
        page="/tasks/requests",
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/tasks/requests")
    task = refreshed(task)
    assert task.deadline == NEW_DEADLINE
    approved = task.events[-1]
    assert (approved.kind, approved.old_value, approved.new_value, approved.actor_id) == (
        EventKind.EXTENSION_APPROVED,
        OLD_DEADLINE.isoformat(),
        NEW_DEADLINE.isoformat(),
        karen.id,
    )
    assert requests_of(task)[0].status is ExtensionStatus.APPROVED
    history = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert format_day(OLD_DEADLINE, "en") in history  # the old deadline, in its history

    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {ani.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    (decision,) = arrived[ani.email]
    new_hy = format_day(NEW_DEADLINE, "hy")
    assert f"Karen Baghishyan-ը տրամադրեց լրացուցիչ ժամանակ․ նոր ժամկետը՝ {new_hy}" in decision
    (decision_message,) = smtp.to(ani.email)[1:]
    data = [ani.name, karen.name, title, reason, ani.email]
    assert english_words(decision_message["Subject"], data) == []
    assert english_words(text_of(decision_message), data) == []
    html = decision_message.get_body(preferencelist=("html",)).get_content()
    assert english_words(html, data) == []

    # Day by day to the new deadline: a fresh set (7 and 1 working days before, on the
    # day), and nothing of the old deadline's (its day before, its day) or again.
    fresh_set = {
        add_working_days(NEW_DEADLINE, -7): "ՄՈՏԵՑՈՂ ԺԱՄԿԵՏՆԵՐ",
        add_working_days(NEW_DEADLINE, -1): "ՄՈՏԵՑՈՂ ԺԱՄԿԵՏՆԵՐ",
        NEW_DEADLINE: "ժամկետը այսօր է",
    }
    sent_on: dict[date, list[str]] = {}
    day = TODAY
    while day <= NEW_DEADLINE:
        moving_clock.set(day)
        before = len(smtp.messages)
        run(runner, "remind")
        run(runner, "remind")  # a second run the same day sends nothing again
        new = smtp.messages[before:]
        if new:
            sent_on[day] = [str(message["To"]) for message in new]
        for message in new:
            body = text_of(message)
            assert fresh_set[day] in body, day
            assert title in body and f"http://tracker.test/tasks/{task.id}" in body
            assert format_day(OLD_DEADLINE, "hy") not in body
            assert english_words(message["Subject"], data) == []
            assert english_words(body, data) == []
        day += timedelta(days=1)
    assert sent_on == {reminder_day: [ani.email] for reminder_day in fresh_set}
    assert format_day(NEW_DEADLINE, "hy") in text_of(smtp.to(ani.email)[2])
    assert Counter(str(message["To"]) for message in smtp.messages) == {
        ani.email: 5,  # the old first reminder, the decision, the fresh set of three
        karen.email: 1,  # the request
    }


def test_a_request_refused_with_a_reason_keeps_the_deadline(
    client, runner, mail_to, moving_clock: MovingClock, office: Office, make_task
) -> None:
    smtp = mail_to
    ani, karen = office.ani, office.karen
    task = make_task(ani, title="Digital services concept", deadline=OLD_DEADLINE)

    sign_in(client, ani)
    post(
        client,
        f"/tasks/{task.id}/extension",
        {"deadline": NEW_DEADLINE.isoformat(), "reason": "Holidays in July."},
        task,
    )
    assert counted(after_the_window(runner, moving_clock, smtp)) == {karen.email: 1}

    sign_in(client, karen)
    (request,) = requests_of(task)
    # A refusal without the page's CSRF token is refused, and changes nothing.
    forged = client.post(f"/tasks/requests/{request.id}/refuse", data={"reason": "Forged."})
    assert forged.status_code == 400
    assert requests_of(task)[0].status is ExtensionStatus.PENDING
    post(
        client,
        f"/tasks/requests/{request.id}/refuse",
        {"reason": "The Governor needs it before the session."},
        task,
    )
    assert refreshed(task).deadline == OLD_DEADLINE
    (request,) = requests_of(task)
    assert (request.status, request.decision_note, request.decided_by_id) == (
        ExtensionStatus.REFUSED,
        "The Governor needs it before the session.",
        karen.id,
    )
    assert refreshed(task).events[-1].kind is EventKind.EXTENSION_REFUSED

    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {ani.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    (told,) = arrived[ani.email]
    new_en = format_day(NEW_DEADLINE, "en")
    assert f"Karen Baghishyan refused the request for more time, until {new_en}" in told
    assert "“The Governor needs it before the session.”" in told
    assert Counter(str(message["To"]) for message in smtp.messages) == {
        karen.email: 1,
        ani.email: 1,
    }


def test_reassigning_tells_the_removed_the_new_and_the_remaining_owner_once(
    client, runner, mail_to, moving_clock: MovingClock, office: Office, make_task
) -> None:
    smtp = mail_to
    ani, aram, gayane, karen = office.ani, office.aram, office.gayane, office.karen
    task = make_task(ani, aram, title="Open data portal", deadline=NEW_DEADLINE)

    sign_in(client, karen)
    post(client, f"/tasks/{task.id}/owners", {"owners": [str(aram.id), str(gayane.id)]}, task)
    task = refreshed(task)
    assert sorted(owner.name for owner in task.owners) == [aram.name, gayane.name]
    assert task.events[-1].kind is EventKind.OWNERS_CHANGED

    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {ani.email: 1, gayane.email: 1, aram.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    assert "Karen Baghishyan took you off this task" in arrived[ani.email][0]
    # The task is named, not linked: its page would answer her 403.
    (to_ani,) = smtp.to(ani.email)
    html = to_ani.get_body(preferencelist=("html",)).get_content()
    for body in (arrived[ani.email][0], html):
        assert "Open data portal" in body and f"/tasks/{task.id}" not in body
    assert f"http://tracker.test/tasks/{task.id}" in arrived[gayane.email][0]
    assert "Karen Baghishyan gave you this task" in arrived[gayane.email][0]
    assert (
        "Karen Baghishyan changed the owners: added Gayane Grigoryan, removed Ani Sargsyan"
        in arrived[aram.email][0]
    )
    assert smtp.to(karen.email) == []
    assert len(smtp.messages) == 3

    # The owner taken off no longer opens the task; the one given it does. Her notice
    # opened from the notifications list says so instead of a 403.
    sign_in(client, ani)
    assert client.get(f"/tasks/{task.id}").status_code == 403
    listed = client.get("/notifications").get_data(as_text=True)
    (notice_path,) = re.findall(r'class="notice-task" href="([^"]+)"', listed)
    opened = client.get(notice_path, follow_redirects=True)
    assert (opened.status_code, opened.request.path) == (200, "/notifications")
    assert "You can no longer open this task." in opened.get_data(as_text=True)
    sign_in(client, gayane)
    assert client.get(f"/tasks/{task.id}").status_code == 200


def test_done_returned_done_again_and_accepted(
    client, runner, mail_to, moving_clock: MovingClock, office: Office, make_task
) -> None:
    smtp = mail_to
    ani, karen = office.ani, office.karen
    task = make_task(ani, title="Digital services concept", deadline=NEW_DEADLINE)

    sign_in(client, ani)
    post(client, f"/tasks/{task.id}/done", {"note": "The concept is approved."}, task)
    task = refreshed(task)
    assert task.status is TaskStatus.AWAITING_ACCEPTANCE and task.submitted_at is not None
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {karen.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    (to_karen,) = arrived[karen.email]
    assert "Ani Sargsyan marked the task done; it awaits your acceptance" in to_karen
    assert "“The concept is approved.”" in to_karen
    # Not the requests list: it holds requests for more time only.
    assert "/tasks/requests" not in to_karen

    sign_in(client, karen)
    post(client, f"/tasks/{task.id}/return", {"reason": "The order is not signed."}, task)
    task = refreshed(task)
    assert (task.status, task.submitted_at) == (TaskStatus.IN_PROGRESS, None)
    assert task.events[-1].kind is EventKind.RETURNED
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {ani.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    (returned,) = arrived[ani.email]
    assert "Karen Baghishyan returned the task for more work" in returned
    assert "“The order is not signed.”" in returned

    sign_in(client, ani)
    post(client, f"/tasks/{task.id}/done", {"note": "The signed order is attached."}, task)
    task = refreshed(task)
    assert task.status is TaskStatus.AWAITING_ACCEPTANCE
    submitted_at = task.submitted_at
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {karen.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    assert "“The signed order is attached.”" in arrived[karen.email][0]

    sign_in(client, karen)
    post(client, f"/tasks/{task.id}/accept", {"note": "Checked."}, task)
    task = refreshed(task)
    assert task.status is TaskStatus.DONE
    assert (task.completed_at, task.completed_by_id) == (submitted_at, ani.id)
    assert task.events[-1].kind is EventKind.ACCEPTED
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {ani.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    (accepted,) = arrived[ani.email]
    assert "Karen Baghishyan accepted the task as done" in accepted
    assert "marked the task done" not in accepted

    assert Counter(str(message["To"]) for message in smtp.messages) == {
        karen.email: 2,  # awaiting acceptance, twice
        ani.email: 2,  # returned, accepted
    }


def test_reopening_a_done_task_tells_its_owners_why(
    client, runner, mail_to, moving_clock: MovingClock, office: Office, make_task
) -> None:
    smtp = mail_to
    ani, aram, karen = office.ani, office.aram, office.karen
    task = make_task(ani, aram, title="Open data portal", deadline=NEW_DEADLINE)

    # The head closes it at once (no acceptance needed from themselves): the owners hear it.
    sign_in(client, karen)
    post(client, f"/tasks/{task.id}/done", {"note": "Published."}, task)
    assert refreshed(task).status is TaskStatus.DONE
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {ani.email: 1, aram.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    assert "Karen Baghishyan marked the task done" in arrived[ani.email][0]

    sign_in(client, karen)
    post(
        client,
        f"/tasks/{task.id}/reopen",
        {"reason": "Two datasets are missing.", "deadline": ""},
        task,
    )
    task = refreshed(task)
    assert (task.status, task.completed_at) == (TaskStatus.IN_PROGRESS, None)
    assert (task.events[-1].kind, task.events[-1].note) == (
        EventKind.REOPENED,
        "Two datasets are missing.",
    )
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {ani.email: 1, aram.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    for body in (arrived[ani.email][0], arrived[aram.email][0]):
        assert "Karen Baghishyan reopened the task" in body
        assert "“Two datasets are missing.”" in body
    assert smtp.to(karen.email) == []


def test_a_task_of_two_departments_reaches_both_heads(
    client, runner, mail_to, moving_clock: MovingClock, office: Office, make_task
) -> None:
    smtp = mail_to
    ani, lilit, karen, armen = office.ani, office.lilit, office.karen, office.armen
    task = make_task(ani, lilit, title="Joint water supply programme", deadline=OLD_DEADLINE)

    # Both heads open the task; the head of a third department may not.
    for head, status in ((karen, 200), (armen, 200), (office.gohar, 403)):
        sign_in(client, head)
        assert client.get(f"/tasks/{task.id}").status_code == status, head.name

    sign_in(client, ani)
    post(
        client,
        f"/tasks/{task.id}/extension",
        {"deadline": NEW_DEADLINE.isoformat(), "reason": "The partner's survey is late."},
        task,
    )
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {karen.email: 1, armen.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    for body in arrived.values():
        assert "Ani Sargsyan asks for more time" in body[0]
    (request,) = requests_of(task)
    for head in (karen, armen):
        sign_in(client, head)
        assert "Requests (1)" in client.get("/tasks/requests").get_data(as_text=True)

    # Armen, the second head, approves: the owner who asked and the co-owner are told.
    post(client, f"/tasks/requests/{request.id}/approve", {"note": "Agreed."}, task)
    assert refreshed(task).deadline == NEW_DEADLINE
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {ani.email: 1, lilit.email: 1}
    readers_follow_the_links(client, arrived, task, office)

    sign_in(client, lilit)
    post(client, f"/tasks/{task.id}/done", {"note": "Both surveys are in."}, task)
    assert refreshed(task).status is TaskStatus.AWAITING_ACCEPTANCE
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {karen.email: 1, armen.email: 1, ani.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    for head in (karen, armen):
        assert (
            "Lilit Avetisyan marked the task done; it awaits your acceptance"
            in (arrived[head.email][0])
        )
    assert "Lilit Avetisyan marked the task done; it awaits acceptance" in arrived[ani.email][0]

    sign_in(client, karen)
    post(client, f"/tasks/{task.id}/accept", {"note": ""}, task)
    assert refreshed(task).status is TaskStatus.DONE
    arrived = after_the_window(runner, moving_clock, smtp)
    assert counted(arrived) == {armen.email: 1, ani.email: 1, lilit.email: 1}
    readers_follow_the_links(client, arrived, task, office)
    for body in arrived.values():
        assert "Karen Baghishyan accepted the task as done" in body[0]

    assert Counter(str(message["To"]) for message in smtp.messages) == {
        karen.email: 2,  # the request, awaiting acceptance
        armen.email: 3,  # the request, awaiting acceptance, accepted by Karen
        ani.email: 3,  # the decision, Lilit's report, accepted
        lilit.email: 2,  # the decision, accepted
    }
    assert smtp.to(office.gohar.email) == []
