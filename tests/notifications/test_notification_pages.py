"""The notifications page (#11 item 6): a person's own notices, unread first, paged; "mark
all read" changes the database; a notice's link marks it read and opens its task; someone
else's notice is not found; the menu counts the unread ones."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Notice
from tracker.notifications.notices import unread_count
from tracker.tasks import services
from tracker.unit_of_work import unit_of_work


def notices_of(user) -> list[Notice]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notice).where(Notice.user_id == user.id)))


@pytest.fixture
def told(org):
    """Ani has three notices about her task: two deadline moves and a cancellation."""
    with unit_of_work():
        services.change_deadline(org.task, org.manager, date(2026, 7, 1), "First move.")
        services.change_deadline(org.task, org.manager, date(2026, 8, 1), "Second move.")
        services.cancel(org.task, org.manager, "Not needed.")
    return org


def test_the_list_shows_unread_first_then_the_newest(app, client, told) -> None:
    first, second, third = sorted(notices_of(told.officer), key=lambda n: n.id)
    first.read_at = first.created_at  # the oldest unread stays below the unread ones
    third.read_at = third.created_at
    db.session.commit()
    client.login(told.officer.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.index("Second move.") < page.index("Not needed.") < page.index("First move.")
    assert "Karen Manager changed the deadline from Jul 1, 2026 to Aug 1, 2026" in page
    assert "Karen Manager cancelled the task" in page
    assert f'href="/notifications/{second.id}"' in page
    assert "Notifications (1)" in page  # the menu's counter
    assert "Mark all read" in page


def test_mark_all_read_marks_the_database(app, client, told) -> None:
    client.login(told.officer.email)
    assert unread_count(told.officer) == 3
    response = client.submit("/notifications/read-all", {}, page="/notifications")
    assert response.status_code == 302
    assert all(n.read_at is not None for n in notices_of(told.officer))
    page = client.get("/notifications").get_data(as_text=True)
    assert "All your notifications are marked read." in page
    assert "Notifications (" not in page
    assert "Mark all read" not in page


def test_mark_all_read_needs_the_csrf_token(app, client, told) -> None:
    client.login(told.officer.email)
    assert client.post("/notifications/read-all").status_code == 400
    assert all(n.read_at is None for n in notices_of(told.officer))


def test_mark_all_read_leaves_other_peoples_notices(app, client, told) -> None:
    with unit_of_work():
        services.change_deadline(told.other_task, told.other_manager, date(2026, 9, 1), "Later.")
    client.login(told.officer.email)
    client.submit("/notifications/read-all", {}, page="/notifications")
    (theirs,) = notices_of(told.other_officer)
    assert theirs.read_at is None


def test_opening_a_notice_marks_it_read_and_opens_the_task(app, client, told) -> None:
    notice = notices_of(told.officer)[0]
    client.login(told.officer.email)
    response = client.get(f"/notifications/{notice.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tasks/{told.task.id}")
    read = {n.id: n.read_at for n in notices_of(told.officer)}
    assert read[notice.id] is not None
    assert sum(value is None for value in read.values()) == 2


def test_someone_elses_notice_is_not_found(app, client, told) -> None:
    notice = notices_of(told.officer)[0]
    client.login(told.other_officer.email)
    assert client.get(f"/notifications/{notice.id}").status_code == 404
    assert client.get("/notifications/999999").status_code == 404
    assert notices_of(told.officer)[0].read_at is None
    page = client.get("/notifications").get_data(as_text=True)
    assert "changed the deadline" not in page
    assert "Nothing yet" in page


def test_the_list_is_paged(app, client, org, make_task) -> None:
    tasks = [make_task(org.officer, title=f"Task number {i:02d}") for i in range(30)]
    with unit_of_work():
        for task in tasks:
            services.cancel(task, org.manager, "Closed.")
    client.login(org.officer.email)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Task number 29" in first and "Task number 04" not in first
    assert 'href="/notifications?page=2"' in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Task number 04" in second and "Task number 29" not in second
    far = client.get("/notifications?page=9", follow_redirects=True)
    assert "There is no page 9" in far.get_data(as_text=True)


def test_the_page_needs_a_sign_in(app, client) -> None:
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
