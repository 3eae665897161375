"""An administrator edits, deactivates and reactivates accounts over HTTP; a deactivated
person cannot sign in, loses every session, receives no mail (counted at a real SMTP
server), and their unfinished tasks are listed on the dashboard for reassignment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import TrackerClient
from tracker.audit import AuditKind
from tracker.auth.services import authenticate
from tracker.extensions import db
from tracker.models import AuditEvent, Role, TaskStatus, User, utcnow
from tracker.notifications.jobs import deliver_outbox


def second_client(app) -> TrackerClient:
    app.test_client_class = TrackerClient
    return app.test_client()


def refreshed_user(user: User) -> User:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh is not None
    return fresh


def audit_entries(kind: AuditKind) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind.value)))


def test_admin_edits_every_field_and_the_change_is_recorded(client, org) -> None:
    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    assert client.get(page).status_code == 200
    response = client.submit(
        page,
        {
            "name": "Ani Sargsyan",
            "email": "Ani.S@Example.am",
            "position": "Chief specialist",
            "role": "manager",
            "department": str(org.cooperation.id),
            "language": "hy",
        },
    )
    assert response.status_code == 302
    officer = refreshed_user(org.officer)
    assert (officer.name, officer.email, officer.role, officer.department_id, officer.language) == (
        "Ani Sargsyan",
        "ani.s@example.am",
        Role.MANAGER,
        org.cooperation.id,
        "hy",
    )
    (entry,) = audit_entries(AuditKind.USER_CHANGED)
    assert entry.actor_id == org.admin.id and entry.subject == f"user:{officer.id}"
    assert entry.details["role"] == ["officer", "manager"]
    assert entry.details["department"] == ["Digital", "Cooperation"]
    assert entry.details["email"][1] == "ani.s@example.am"
    # Saving again with nothing changed records nothing.
    client.submit(
        page,
        {
            "name": "Ani Sargsyan",
            "email": "ani.s@example.am",
            "position": "Chief specialist",
            "role": "manager",
            "department": str(org.cooperation.id),
            "language": "hy",
        },
    )
    assert len(audit_entries(AuditKind.USER_CHANGED)) == 1


def test_an_edit_error_keeps_what_was_typed(client, org) -> None:
    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    response = client.submit(
        page,
        {
            "name": "Typed name",
            "email": org.manager.email,
            "role": "officer",
            "department": "",
            "language": "en",
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "already exists" in text and 'value="Typed name"' in text
    assert refreshed_user(org.officer).name == "Ani Officer"


def test_an_admin_cannot_demote_or_deactivate_themself(client, org) -> None:
    client.login(org.admin.email)
    page = f"/admin/users/{org.admin.id}"
    demoted = client.submit(
        page,
        {
            "name": "X",
            "email": org.admin.email,
            "role": "officer",
            "department": "",
            "language": "en",
        },
    )
    assert demoted.status_code == 400
    client.submit(f"{page}/deactivate", {}, page=page)
    admin = refreshed_user(org.admin)
    assert admin.role is Role.ADMIN and admin.active


def test_deactivation_ends_sessions_sign_in_and_mail(app, client, runner, org, mail_to) -> None:
    officer_browser = second_client(app)
    assert officer_browser.login(org.officer.email).status_code == 302
    assert officer_browser.get("/tasks").status_code == 200

    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    response = client.submit(f"{page}/deactivate", {}, page=page)
    assert response.status_code == 302
    officer = refreshed_user(org.officer)
    assert not officer.active and officer.deactivated_at is not None
    assert [e.subject for e in audit_entries(AuditKind.USER_DEACTIVATED)] == [f"user:{officer.id}"]

    # The open session ends at once; the password no longer signs in.
    assert officer_browser.get("/tasks").status_code == 302
    assert officer_browser.login(org.officer.email).status_code == 401
    assert authenticate(org.officer.email, "correct horse battery") is None

    # Reminders and escalations for the overdue task: none to her, the heads still told.
    result = runner.invoke(args=["remind", "--as-of", "2026-06-15"])
    assert result.exit_code == 0, result.output
    deliver_outbox()
    assert mail_to.to(org.officer.email) == []
    assert mail_to.messages  # the run did mail the others (her colleague, the heads)

    # A forgotten-password request for her sends nothing either.
    count = len(mail_to.messages)
    client.submit("/password/forgot", {"email": org.officer.email})
    deliver_outbox()
    assert len(mail_to.messages) == count


def test_an_inactive_owner_gets_no_event_email(app, client, org, make_user, mail_to) -> None:
    """An edit of her task tells the owners: not a deactivated one."""
    from tracker.notifications.event_mail import mail_due_notices
    from tracker.tasks.changes import Wording, edit_task

    colleague = make_user(Role.OFFICER, department=org.digital, email="colleague@example.am")
    org.task.owners.append(colleague)
    db.session.commit()
    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    client.submit(f"{page}/deactivate", {}, page=page)
    db.session.expire_all()
    edit_task(
        org.task, org.staff, Wording(title="Digital services concept, revised", description="")
    )
    db.session.commit()
    app.config["TRACKER_EVENT_WINDOW_MINUTES"] = 0
    mail_due_notices(now=utcnow() + timedelta(minutes=1))
    db.session.commit()
    deliver_outbox(include_waiting=True)
    assert mail_to.to(org.officer.email) == []
    assert len(mail_to.to(colleague.email)) == 1


def test_reactivation_lets_her_sign_in_again(app, client, org) -> None:
    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    client.submit(f"{page}/deactivate", {}, page=page)
    response = client.submit(f"{page}/reactivate", {}, page=page)
    assert response.status_code == 302
    officer = refreshed_user(org.officer)
    assert officer.active and officer.deactivated_at is None
    assert len(audit_entries(AuditKind.USER_REACTIVATED)) == 1
    assert second_client(app).login(org.officer.email).status_code == 302


def test_tasks_without_an_active_owner_are_listed_on_the_dashboard(
    app, client, org, make_task
) -> None:
    done = make_task(org.officer, title="Finished already", status=TaskStatus.DONE)
    shared = make_task(org.officer, org.manager, title="Shared with the head")
    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    client.submit(f"{page}/deactivate", {}, page=page)

    manager = second_client(app)
    manager.login(org.manager.email)  # Digital is under the manager's Development
    dashboard = manager.get("/dashboard").get_data(as_text=True)
    assert 'href="/dashboard/without-owner"' in dashboard
    text = manager.get("/dashboard/without-owner").get_data(as_text=True)
    assert f'href="/tasks/{org.task.id}"' in text
    assert done.title not in text
    assert shared.title not in text
    assert org.draft.title not in text

    other_manager = second_client(app)
    other_manager.login(org.other_manager.email)  # Cooperation: not her department
    text = other_manager.get("/dashboard/without-owner").get_data(as_text=True)
    assert f'href="/tasks/{org.task.id}"' not in text
    assert "No tasks here." in text
    staff = second_client(app)
    staff.login(org.staff.email)
    text = staff.get("/dashboard/without-owner").get_data(as_text=True)
    assert f'href="/tasks/{org.task.id}"' in text


def test_the_list_of_tasks_without_an_active_owner_is_paged(app, client, org, make_task) -> None:
    for number in range(25):
        make_task(org.officer, title=f"Left behind {number:02}", deadline=date(2026, 7, 1))
    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    client.submit(f"{page}/deactivate", {}, page=page)
    staff = second_client(app)
    staff.login(org.staff.email)
    first = staff.get("/dashboard/without-owner").get_data(as_text=True)
    assert "(26)" in first  # the 25 and her overdue task; never the draft
    assert "orphans_page=2" in first
    second = staff.get("/dashboard/without-owner?orphans_page=2").get_data(as_text=True)
    assert "Left behind 24" in second


@pytest.mark.parametrize("role", ["officer", "manager", "staff"])
def test_account_pages_and_actions_are_for_admins_only(client, org, role: str) -> None:
    target = org.other_officer
    client.login(org.user(role).email)
    page = f"/admin/users/{target.id}"
    assert client.get(page).status_code == 403
    token = client.csrf_token("/settings")
    for action in ("deactivate", "reactivate", "invite"):
        response = client.post(f"{page}/{action}", data={"csrf_token": token})
        assert response.status_code == 403
    edited = client.post(
        page,
        data={
            "csrf_token": token,
            "name": "X",
            "email": target.email,
            "role": "admin",
            "department": "",
            "language": "en",
        },
    )
    assert edited.status_code == 403
    assert refreshed_user(target).active and refreshed_user(target).role is Role.OFFICER


def test_account_actions_without_csrf_are_refused(client, org) -> None:
    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    for action in ("deactivate", "invite"):
        assert client.post(f"{page}/{action}").status_code == 400
    assert client.post(page, data={"name": "X"}).status_code == 400
    assert refreshed_user(org.officer).active
    assert audit_entries(AuditKind.INVITATION_SENT) == []


def test_an_unknown_user_is_not_found(client, org) -> None:
    client.login(org.admin.email)
    assert client.get("/admin/users/99999").status_code == 404


def test_mail_written_before_the_deactivation_is_not_sent(app, client, org, mail_to) -> None:
    """A reset link asked just before she leaves waits in the outbox: it is withheld, and
    the outbox says why."""
    from tracker.admin.services import WITHHELD_FOR_DEACTIVATION
    from tracker.models import OutboxMessage, OutboxStatus

    second_client(app).submit("/password/forgot", {"email": org.officer.email})
    client.login(org.admin.email)
    page = f"/admin/users/{org.officer.id}"
    client.submit(f"{page}/deactivate", {}, page=page)
    deliver_outbox()
    assert mail_to.to(org.officer.email) == []
    db.session.expire_all()
    (row,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == org.officer.id)
    ).all()
    assert (row.status, row.last_error) == (OutboxStatus.FAILED, WITHHELD_FOR_DEACTIVATION)
