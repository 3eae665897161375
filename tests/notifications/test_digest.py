"""Digests a person can read (#8 item 5): at most TRACKER_DIGEST_MAX_ITEMS items per section,
the most overdue first, each task once, then "and N more" with a link that lists exactly the
tasks of that section of that digest, to its recipient only and within what they may see.

Run on a migrated SQLite and PostgreSQL database: the link's filter reads the JSON list of
recipients, which each database answers in its own SQL.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from tracker.extensions import db
from tracker.models import Department, Role, Task, User
from tracker.tasks.services import create_task
from tracker.workdays import is_working_day, working_days_between

AS_OF = date(2025, 6, 4)  # a Wednesday
BASE = "http://tracker.test"


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories, client and mail fixtures, on each migrated database."""
    return any_database_app


@dataclass
class Office:
    director: User  # heads Administration: escalation level 2 of everything below
    karen: User  # heads Digital: level 1 of Ani's tasks
    armen: User  # heads Cooperation: level 1 of Lilit's tasks
    ani: User  # 120 overdue tasks, 1 to 120 days overdue
    lilit: User  # 3 overdue tasks
    digital: Department
    cooperation: Department
    ani_tasks: list[Task]
    lilit_tasks: list[Task]


@pytest.fixture
def office(make_department, make_user) -> Office:
    assert is_working_day(AS_OF)
    director = make_user(Role.MANAGER, name="Director Davtyan", email="director@example.am")
    root = make_department("Administration", head=director)
    karen = make_user(Role.MANAGER, name="Karen Baghishyan", email="karen@example.am")
    armen = make_user(Role.MANAGER, name="Armen Petrosyan", email="armen@example.am")
    digital = make_department("Digital", parent=root, head=karen)
    cooperation = make_department("Cooperation", parent=root, head=armen)
    director.department, karen.department, armen.department = root, digital, cooperation
    ani = make_user(Role.OFFICER, department=digital, name="Ani Sargsyan", email="ani@example.am")
    lilit = make_user(
        Role.OFFICER, department=cooperation, name="Lilit Hakobyan", email="lilit@example.am"
    )
    ani_tasks = [
        create_task(f"Ani task {n:03d}", [ani], actor=None, deadline=AS_OF - timedelta(days=n))
        for n in range(1, 121)
    ]
    lilit_tasks = [
        create_task(f"Lilit task {n}", [lilit], actor=None, deadline=AS_OF - timedelta(days=n))
        for n in (30, 31, 32)
    ]
    db.session.commit()
    return Office(director, karen, armen, ani, lilit, digital, cooperation, ani_tasks, lilit_tasks)


def signed_in(client, email: str):
    """A browser of its own for `email` (the `client` fixture's class, a fresh session)."""
    browser = client.application.test_client()
    browser.login(email)
    return browser


def remind(runner, day: date = AS_OF) -> None:
    result = runner.invoke(args=["remind", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def only_digest(smtp, address: str):
    messages = smtp.to(address)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return messages[0]


def listed_titles(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("* ")]


def more_link(text: str) -> str:
    """The path and query of the digest's one "and N more" link."""
    links = re.findall(rf"{re.escape(BASE)}(/(?:tasks|dashboard)\?\S+)", text)
    assert len(links) == 1, links
    return links[0]


def listed_ids(html: str) -> set[int]:
    return {int(number) for number in re.findall(r'data-task-id="(\d+)"', html)}


def ids(tasks: list[Task]) -> set[int]:
    return {task.id for task in tasks}


def escalated(tasks: list[Task], working_days: int) -> list[Task]:
    return [t for t in tasks if working_days_between(t.deadline, AS_OF) >= working_days]  # type: ignore[arg-type]


@pytest.mark.postgres
def test_120_overdue_tasks_give_50_items_and_a_link_to_exactly_the_120(
    runner, client, mail_to, office
) -> None:
    remind(runner)
    message = only_digest(mail_to, "ani@example.am")
    text = text_of(message)
    # The 50 most overdue, most overdue first; the rest behind the link.
    assert listed_titles(text) == [f"Ani task {n:03d}" for n in range(120, 70, -1)]
    assert "OVERDUE: your tasks (120)" in text
    assert "… and 70 more. See all 120: " in text
    assert message["Subject"] == "Follow-up Tracker: 120 overdue, 0 due soon"
    html = html_of(message)
    assert html.count('<li style="margin-bottom: 12px;">') == 50
    assert "and 70 more" in html

    link = more_link(text)
    assert link.startswith("/tasks?")
    assert link in html.replace("&amp;", "&")  # the HTML part links to the same list
    client.login("ani@example.am")
    page = client.get(link)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert listed_ids(body) == ids(office.ani_tasks)
    assert set(re.findall(r"Ani task \d{3}", body)) == {t.title for t in office.ani_tasks}
    assert "The tasks of your email of" in body

    # A task done since still shows: the link lists the digest's tasks, whatever their status.
    from tracker.tasks.services import mark_done

    mark_done(db.session.get(Task, office.ani_tasks[0].id), office.ani, "Done.")  # type: ignore[arg-type]
    db.session.commit()
    assert listed_ids(client.get(link).get_data(as_text=True)) == ids(office.ani_tasks)


@pytest.mark.postgres
def test_another_user_opening_the_link_sees_only_their_own_digest(
    runner, client, mail_to, office
) -> None:
    remind(runner)
    link = more_link(text_of(only_digest(mail_to, "ani@example.am")))
    # Lilit's own digest of that run lists her three overdue tasks, never Ani's.
    lilit = signed_in(client, "lilit@example.am")
    assert listed_ids(lilit.get(link).get_data(as_text=True)) == ids(office.lilit_tasks)
    # Karen may see Ani's tasks, but they were not in Karen's "overdue: your tasks".
    karen = signed_in(client, "karen@example.am")
    assert listed_ids(karen.get(link).get_data(as_text=True)) == set()
    # Armen's escalation list (the dashboard) holds Lilit's tasks only, not Digital's.
    director_link = more_link(text_of(only_digest(mail_to, "director@example.am")))
    armen = signed_in(client, "armen@example.am")
    csv_path = director_link.replace("/dashboard?", "/dashboard/export.csv?")
    assert csv_ids(armen.get(csv_path).get_data(as_text=True)) == ids(office.lilit_tasks)
    # A damaged link shows nothing rather than everything.
    ani = signed_in(client, "ani@example.am")
    damaged = ani.get("/tasks?notified=yesterday&section=overdue").get_data(as_text=True)
    assert listed_ids(damaged) == set()
    assert "cannot be read" in damaged


def csv_ids(body: str) -> set[int]:
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    return {int(row[0]) for row in rows[1:]}


@pytest.mark.postgres
def test_a_heads_link_opens_the_dashboard_with_exactly_their_escalations(
    runner, client, mail_to, office
) -> None:
    remind(runner)
    expected = escalated(office.ani_tasks, 3)
    assert len(expected) > 50
    text = text_of(only_digest(mail_to, "karen@example.am"))
    link = more_link(text)
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/dashboard"
    assert query["section"] == ["escalations"] and query["status"] == ["all"]
    assert f"… and {len(expected) - 50} more. See all {len(expected)}: " in text

    client.login("karen@example.am")
    page = client.get(link).get_data(as_text=True)
    assert f"({len(expected)})" in page  # the list's total
    export = client.get(link.replace("/dashboard?", "/dashboard/export.csv?"))
    assert csv_ids(export.get_data(as_text=True)) == ids(expected)


@pytest.mark.postgres
def test_escalations_to_a_head_are_counted_per_department(runner, mail_to, office) -> None:
    remind(runner)
    from_digital = escalated(office.ani_tasks, 10)
    text = text_of(only_digest(mail_to, "director@example.am"))
    total = len(from_digital) + 3
    assert f"OVERDUE in your department ({total})" in text
    counts = text.split("Overdue tasks by department:\n", 1)[1].split("\n\n", 1)[0]
    assert counts.splitlines() == [f"  Digital: {len(from_digital)}", "  Cooperation: 3"]
    # The counts come before the items, which start with the most overdue.
    assert text.index("Overdue tasks by department:") < text.index("* Ani task 120")
    html = html_of(only_digest(mail_to, "director@example.am"))
    assert f'>Digital</td><td style="text-align: right;">{len(from_digital)}</td>' in html
    # A head with few escalations (Armen: 3) gets the items without counts.
    assert "by department" not in text_of(only_digest(mail_to, "armen@example.am"))


@pytest.mark.postgres
def test_the_cap_is_configurable(app, runner, mail_to, office) -> None:
    app.config["TRACKER_DIGEST_MAX_ITEMS"] = 10
    remind(runner)
    text = text_of(only_digest(mail_to, "ani@example.am"))
    assert listed_titles(text) == [f"Ani task {n:03d}" for n in range(120, 110, -1)]
    assert "… and 110 more. See all 120: " in text
    # Lilit's three fit under the cap: no link.
    lilit = text_of(only_digest(mail_to, "lilit@example.am"))
    assert len(listed_titles(lilit)) == 3
    assert "See all" not in lilit and "/tasks?" not in lilit


@pytest.mark.postgres
def test_a_head_reached_by_both_levels_gets_the_task_once(
    runner, mail_to, make_department, make_user
) -> None:
    # Ani's first escalation goes to Karen, her second to the director; Bob works in the
    # director's own department, so his first goes to the director too. Both levels of the
    # one task reach the director in the same run (the catch-up of a 10-day backlog).
    director = make_user(Role.MANAGER, name="Director Davtyan", email="director@example.am")
    root = make_department("Administration", head=director)
    karen = make_user(Role.MANAGER, name="Karen Baghishyan", email="karen@example.am")
    digital = make_department("Digital", parent=root, head=karen)
    ani = make_user(Role.OFFICER, department=digital, name="Ani Sargsyan")
    bob = make_user(Role.OFFICER, department=root, name="Bob Grigoryan")
    make_user(Role.ADMIN, name="Vardan Admin", email="admin@example.am")
    task = create_task("Shared task", [ani, bob], actor=None, deadline=AS_OF - timedelta(days=20))
    db.session.commit()
    remind(runner)
    from tracker.models import Notification

    escalations = db.select(Notification).where(Notification.kind == "escalation")
    levels = {(n.level, tuple(n.recipient_ids)) for n in db.session.scalars(escalations)}
    assert (1, tuple(sorted((karen.id, director.id)))) in levels
    assert any(level == 2 and director.id in who for level, who in levels)

    message = only_digest(mail_to, "director@example.am")
    assert listed_titles(text_of(message)) == ["Shared task"]
    assert text_of(message).count(f"{BASE}/tasks/{task.id}\n") == 1
    assert html_of(message).count(f'href="{BASE}/tasks/{task.id}"') == 1
    assert message["Subject"] == "Follow-up Tracker: 1 overdue, 0 due soon"
