"""As a user sees it: staff confirm a sample report in the web pages; each owner gets one
email in Armenian about all their new tasks once the window has closed, counted at a real
SMTP server, and finds the same notices under Notifications."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import MovingClock
from tests.reports.conftest import SAMPLES
from tests.reports.test_report_pages import review_form, upload
from tracker.extensions import db
from tracker.models import Notice, NoticeKind, Role, Task, TaskStatus
from tracker.notifications.event_mail import mail_due_notices
from tracker.notifications.jobs import deliver_outbox


def test_confirming_a_report_in_the_pages_mails_each_owner_once(
    app, client, make_department, make_user, mail_to, moving_clock: MovingClock
) -> None:
    digital = make_department("Digital")
    staff = make_user(Role.STAFF, name="Նարինե Մկրտչյան")
    ani = make_user(Role.OFFICER, name="Անի Սարգսյան", department=digital, language="hy")
    karen = make_user(Role.MANAGER, name="Կարեն Բաղիշյան", department=digital)
    client.login(staff.email)
    review_url = upload(client, SAMPLES / "hy-vilnius-2025-02.txt").headers["Location"]
    form = review_form(client.get(review_url).get_data(as_text=True))
    for row in range(3):
        form[f"rows-{row}-owners"] = [str(ani.id)]
    form["rows-1-owners"] = [str(ani.id), str(karen.id)]
    form["confirm"] = "y"
    assert client.post(review_url, data=form).status_code == 302
    db.session.expire_all()
    tasks = db.session.scalars(select(Task).order_by(Task.position)).all()
    assert [task.status for task in tasks] == [TaskStatus.OPEN] * 3

    assert mail_due_notices() == 0
    deliver_outbox()
    assert mail_to.messages == []
    moving_clock.advance(minutes=5, seconds=1)
    assert mail_due_notices() == 2
    deliver_outbox()

    (to_ani,) = mail_to.to(ani.email)
    (to_karen,) = mail_to.to(karen.email)
    assert to_ani["Subject"] == "3 թարմացում Ձեր առաջադրանքներում"
    assert to_karen["Subject"] == "1 update on your tasks"
    body = to_ani.get_body(preferencelist=("plain",)).get_content()
    assert body.count("Նարինե Մկրտչյան-ը Ձեզ հանձնարարեց այս առաջադրանքը") == 3
    for task in tasks:
        assert f"http://tracker.test/tasks/{task.id}" in body
    assert len(mail_to.messages) == 2

    kinds = db.session.scalars(select(Notice.kind).where(Notice.user_id == ani.id)).all()
    assert kinds == [NoticeKind.ASSIGNED] * 3
    client.submit("/logout", {}, page="/tasks")
    client.login(ani.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count("Ձեզ հանձնարարեց այս առաջադրանքը") == 3
    assert "Ծանուցումներ (3)" in page
