"""The audit log page (#12 item 8): admins only; newest first, paged; filtered by person,
kind and period (the organisation's days); exported to CSV (streamed, safe to open in a
spreadsheet, itself recorded); exports of the dashboard and resent emails are recorded; the
database refuses to change or remove an entry, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tracker import audit
from tracker.audit import AuditKind
from tracker.extensions import db
from tracker.models import AuditEvent, OutboxMessage, OutboxStatus, Role, User


def entry(
    kind: AuditKind,
    actor: User | None,
    at: datetime,
    *,
    subject: str | None = None,
    details: dict | None = None,
    label: str | None = None,
) -> AuditEvent:
    row = audit.record(
        kind, actor=actor, subject=subject, details=details, address="10.0.0.7", actor_label=label
    )
    row.created_at = at
    db.session.commit()
    return row


def entries(kind: AuditKind) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.kind == kind.value).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


@pytest.fixture
def log(make_user):
    """A small log: two people, a stranger's failed sign-in, a policy change; times in UTC
    (Yerevan is 4 hours ahead)."""
    admin = make_user(Role.ADMIN, name="Vardan Adamyan", email="vardan@example.am")
    ani = make_user(Role.OFFICER, name="Ani Sargsyan", email="ani@example.am")
    return {
        "admin": admin,
        "ani": ani,
        "ani_in": entry(AuditKind.SIGNED_IN, ani, datetime(2026, 6, 12, 6, 0, tzinfo=UTC)),
        "stranger": entry(
            AuditKind.SIGN_IN_FAILED,
            None,
            datetime(2026, 6, 13, 21, 30, tzinfo=UTC),  # 14 June 01:30 in Yerevan
            label='=HYPERLINK("http://evil.example")',
        ),
        "ani_changed": entry(
            AuditKind.USER_CHANGED,
            admin,
            datetime(2026, 6, 14, 8, 0, tzinfo=UTC),
            subject=audit.about(ani),
            details={"role": ["officer", "manager"]},
        ),
        "policy": entry(
            AuditKind.POLICY_CHANGED,
            admin,
            datetime(2026, 6, 15, 7, 0, tzinfo=UTC),
            subject="policy",
            details={"TRACKER_REMINDER_HOUR": ["9", "7"]},
        ),
    }


def page_of(client, query: str = "") -> str:
    response = client.get(f"/admin/audit{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown(client, query: str = "") -> str:
    """The rows of the list (the kind filter's options name every kind)."""
    page = page_of(client, query)
    return page[page.index("<tbody>") : page.index("</tbody>")] if "<tbody>" in page else ""


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.STAFF])
def test_only_admins_read_or_export_the_log(client, make_user, log, role) -> None:
    client.login(make_user(role).email)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    assert entries(AuditKind.DATA_EXPORTED) == []


def test_the_log_lists_newest_first_with_readable_kinds_and_subjects(client, log) -> None:
    client.login(log["admin"].email)
    page = shown(client)
    # The admin's own sign-in may be recorded above them: these four, newest first.
    markers = ("Planning hour: 9 → 7", "Role: Officer", "HYPERLINK", ">ani@example.am</td>")
    order = [page.index(marker) for marker in markers]
    assert order == sorted(order)
    assert "Planning hour: 9 → 7" in page
    assert "Ani Sargsyan &lt;ani@example.am&gt;" in page  # user:N named
    assert "Role: Officer → Manager" in page


def test_filters_by_person_kind_and_period(client, log) -> None:
    client.login(log["admin"].email)
    assert 'class="error"' not in page_of(client)  # no filter given: none refused
    # A person: what they did, and what was done to them.
    ani = shown(client, "?person=sargsyan")
    assert "Signed in" in ani and "User changed" in ani
    assert "Sign-in failed" not in ani and "Reminder policy changed" not in ani
    typed = shown(client, "?person=HYPERLINK")
    assert "Sign-in failed" in typed and "Signed in<" not in typed
    # A kind.
    kind = shown(client, "?kind=policy_changed")
    assert "Planning hour" in kind and "User changed" not in kind
    everything = shown(client).count("<tr>")
    assert shown(client, "?kind=nonsense").count("<tr>") == everything  # refused: not narrowed
    # A period, in Yerevan's days: the 01:30 failure is on 14 June there.
    day = shown(client, "?start=2026-06-14&end=2026-06-14")
    assert "Sign-in failed" in day and "User changed" in day
    assert "Signed in<" not in day and "Reminder policy changed" not in day
    reversed_period = page_of(client, "?start=2026-06-15&end=2026-06-12")
    assert "The end of the period is before its start." in reversed_period
    assert shown(client, "?start=2026-06-15&end=2026-06-12").count("<tr>") == everything


def test_the_log_is_paged(client, make_user) -> None:
    admin = make_user(Role.ADMIN)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    for number in range(55):  # the database refuses an UPDATE: the time is set before the INSERT
        row = audit.record(AuditKind.DATA_EXPORTED, actor=admin, details={"n": number})
        row.created_at = start + timedelta(minutes=number)
    db.session.commit()
    client.login(admin.email)  # its own sign-in may be recorded too: count ours only
    first = shown(client, "?person=" + admin.email + "&kind=data_exported")
    assert first.count("n: ") == 50 and "n: 54" in first and "n: 4<" not in first
    assert "page=2" in page_of(client, "?person=" + admin.email + "&kind=data_exported")
    second = shown(client, "?person=" + admin.email + "&kind=data_exported&page=2")
    assert "n: 4<" in second and "n: 0<" in second and "n: 5<" not in second
    past = client.get("/admin/audit?kind=data_exported&page=9")
    assert past.status_code == 302


def test_the_csv_export_is_streamed_filtered_safe_and_recorded(client, log) -> None:
    client.login(log["admin"].email)
    # Read in the test's own context: TrackerClient runs each request in a context of its
    # own, which a streamed body, read after the request returned, cannot re-enter.
    response = FlaskClient.open(client, "/admin/audit.csv?start=2026-06-13&end=2026-06-14")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert table[0] == ["Time", "Actor", "Kind", "Subject", "Details", "Address"]
    assert [row[2] for row in table[1:]] == ["User changed", "Sign-in failed"]
    changed, failed = table[1:]
    assert changed[1] == "vardan@example.am"
    assert changed[3] == "Ani Sargsyan <ani@example.am>"
    assert changed[4] == "Role: Officer → Manager"
    assert changed[5] == "10.0.0.7"
    assert changed[0].startswith("Jun 14, 2026") and "12:00" in changed[0]  # Yerevan time
    assert failed[1] == '\'=HYPERLINK("http://evil.example")'  # a text, not a formula
    [export] = entries(AuditKind.DATA_EXPORTED)
    assert export.actor_id == log["admin"].id and export.subject == "audit"
    assert export.details == {
        "format": "csv",
        "filters": {"from": "2026-06-13", "to": "2026-06-14"},
    }


def test_dashboard_exports_are_recorded(client, make_user) -> None:
    manager = make_user(Role.MANAGER, email="manager@example.am")
    client.login(manager.email)
    assert client.get("/dashboard/export.csv?status=all").status_code == 200
    assert client.get("/dashboard/export.xlsx").status_code == 200
    recorded = entries(AuditKind.DATA_EXPORTED)
    assert [(row.actor_label, row.subject, row.details["format"]) for row in recorded] == [
        ("manager@example.am", "dashboard", "csv"),
        ("manager@example.am", "dashboard", "xlsx"),
    ]
    assert recorded[0].details["filters"] == {"status": "all"}
    officer_client = client.application.test_client()
    officer_client.login(make_user(Role.OFFICER).email)
    assert officer_client.get("/dashboard/export.csv").status_code == 403
    assert len(entries(AuditKind.DATA_EXPORTED)) == 2


def test_dashboard_export_cells_are_not_formulas(client, make_user, make_task) -> None:
    officer = make_user(Role.OFFICER)
    make_task(officer, title="=1+2", deadline=datetime(2025, 1, 10).date())
    client.login(make_user(Role.STAFF).email)
    body = client.get("/dashboard/export.csv?status=all").get_data(as_text=True)
    assert "'=1+2" in body


def test_an_email_sent_again_is_recorded(client, make_user) -> None:
    admin = make_user(Role.ADMIN)
    row = OutboxMessage(
        to_address="ani@example.am",
        language="hy",
        subject="Reminder for Ani",
        body_text="Hello",
        body_html="<p>Hello</p>",
        message_id="<audit.1@tracker.test>",
        status=OutboxStatus.FAILED,
        attempts=6,
    )
    db.session.add(row)
    db.session.commit()
    client.login(admin.email)
    page = f"/admin/outbox/{row.id}"
    assert client.submit(f"{page}/retry", {}, page=page).status_code == 302
    [resent] = entries(AuditKind.EMAIL_RESENT)
    assert resent.actor_id == admin.id and resent.subject == f"email:{row.id}"
    assert resent.details == {"to": "ani@example.am", "subject": "Reminder for Ani"}
    assert resent.address == "127.0.0.1"


def test_the_database_refuses_to_change_or_remove_an_entry(any_database_app: Flask) -> None:
    with any_database_app.app_context():
        audit.record(AuditKind.SIGNED_IN, actor=None, actor_label="ani@example.am")
        db.session.commit()
        for statement in (
            sa.update(AuditEvent).values(actor_label="someone@else.am"),
            sa.delete(AuditEvent),
        ):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
        assert db.session.scalar(select(AuditEvent.actor_label)) == "ani@example.am"


def test_the_filters_and_the_chunked_export_read_both_databases(any_database_app: Flask) -> None:
    """The person filter (an actor's name or email, or the user an entry is about) and the
    export's chunks (server-side cursors on PostgreSQL) on each database."""
    from tracker.admin import audit_log

    with any_database_app.test_request_context():
        ani = User(
            email="ani@example.am", name="Անի Սարգսյան", role=Role.OFFICER, password_hash="x"
        )
        admin = User(email="vardan@example.am", name="Վարդան", role=Role.ADMIN, password_hash="x")
        db.session.add_all([ani, admin])
        db.session.flush()
        audit.record(AuditKind.USER_CHANGED, actor=admin, subject=audit.about(ani))
        for _ in range(audit_log.EXPORT_CHUNK + 3):
            audit.record(AuditKind.SIGNED_IN, actor=admin)
        db.session.commit()
        about_ani = audit_log.AuditFilter(person="Սարգսյան")
        assert [row.kind for row in db.session.scalars(audit_log.query(about_ani))] == [
            "user_changed"
        ]
        lines = list(audit_log.csv_lines(audit_log.AuditFilter(), ["h"], lambda moment: "t"))
        assert len(lines) == 3  # the header, then two chunks
        assert sum(chunk.count("\n") for chunk in lines) == 1 + audit_log.EXPORT_CHUNK + 4
