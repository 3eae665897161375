from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.models import OutboxMessage, OutboxStatus, Role


@pytest.fixture
def failed_mail(app) -> OutboxMessage:
    row = OutboxMessage(
        to_address="ani@example.am",
        language="hy",
        subject="Reminder for Ani",
        body_text="Hello Ani",
        body_html="<p>Hello <b>Ani</b></p>",
        message_id="<x.1@tracker.test>",
        status=OutboxStatus.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused: mailbox full",
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_admins_see_the_outbox_and_retry_a_failed_email(client, make_user, failed_mail) -> None:
    client.login(make_user(Role.ADMIN).email)
    listing = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Reminder for Ani" in listing and "mailbox full" in listing
    assert "No mail server is configured" in listing
    page = client.get(f"/admin/outbox/{failed_mail.id}").get_data(as_text=True)
    assert "Hello Ani" in page
    response = client.submit(
        f"/admin/outbox/{failed_mail.id}/retry", {}, page=f"/admin/outbox/{failed_mail.id}"
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(OutboxMessage, failed_mail.id)
    assert row is not None and row.status is OutboxStatus.PENDING and row.attempts == 0


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.STAFF])
def test_only_admins_see_the_outbox(client, make_user, failed_mail, role) -> None:
    client.login(make_user(role).email)
    assert client.get("/admin/outbox").status_code == 403
    assert client.get(f"/admin/outbox/{failed_mail.id}").status_code == 403


def test_an_unknown_status_filter_is_404(client, make_user) -> None:
    client.login(make_user(Role.ADMIN).email)
    assert client.get("/admin/outbox?status=lost").status_code == 404


def test_the_outbox_tells_admins_how_many_emails_failed(client, make_user, failed_mail) -> None:
    client.login(make_user(Role.ADMIN).email)
    everything = client.get("/admin/outbox").get_data(as_text=True)
    assert "1 email could not be delivered" in everything
    assert 'href="/admin/outbox?status=failed"' in everything
    failed_mail.status = OutboxStatus.SENT
    db.session.commit()
    assert "could not be delivered" not in client.get("/admin/outbox").get_data(as_text=True)
