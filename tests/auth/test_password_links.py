"""Invitation and "forgot password" through the web pages, the links read from the emails
as a real SMTP server received them; each link works once."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from tracker.audit import AuditKind
from tracker.auth.services import authenticate, find_user_by_email
from tracker.extensions import db
from tracker.models import AuditEvent, Role, User
from tracker.notifications.jobs import deliver_outbox

NEW_PASSWORD = "spring rain on mount aragats"


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_path(message: EmailMessage, kind: str) -> str:
    match = re.search(rf"http://tracker\.test(/password/{kind}/\S+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def kinds_about(user: User) -> list[str]:
    query = select(AuditEvent.kind).where(AuditEvent.subject == f"user:{user.id}")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_invited_user_sets_a_password_and_signs_in(app, client, make_user, mail_to) -> None:
    admin = make_user(Role.ADMIN)
    client.login(admin.email)
    response = client.submit(
        "/admin/users",
        {"email": "Ani@Example.am", "name": "Անի Սարգսյան", "role": "officer", "language": "hy"},
    )
    assert response.status_code == 302
    user = find_user_by_email("ani@example.am")
    assert user is not None and user.active
    assert authenticate("ani@example.am", "") is None  # no password until she sets one

    deliver_outbox()
    (invitation,) = mail_to.to("ani@example.am")
    assert len(mail_to.messages) == 1
    assert invitation["Subject"] == (
        "Ձեր հաշիվը «Առաջարկությունների կատարման հսկողություն» համակարգում"
    )
    path = link_path(invitation, "set")

    visitor = app.test_client()
    visitor.__class__ = type(client)
    # Opening the link (a mail scanner does) spends nothing, and speaks her language.
    for _ in range(2):
        page = visitor.get(path)
        assert page.status_code == 200
        assert "Սահմանեք ձեր գաղտնաբառը" in page.get_data(as_text=True)
    refused = visitor.submit(path, {"password": "short", "confirm": "short"})
    assert refused.status_code == 400
    assert "առնվազն 12 նիշ" in refused.get_data(as_text=True)
    different = visitor.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})
    assert different.status_code == 400

    done = visitor.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/login")
    signed_in = visitor.login("ani@example.am", NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert visitor.get("/tasks").status_code == 200

    again = app.test_client()
    again.__class__ = type(client)
    used = again.submit(path, {"password": "another long passphrase", "confirm": "x"})
    assert used.status_code == 410
    assert authenticate("ani@example.am", NEW_PASSWORD) is not None
    db.session.expire_all()
    assert kinds_about(user)[:3] == [
        AuditKind.USER_CREATED,
        AuditKind.INVITATION_SENT,
        AuditKind.PASSWORD_CHANGED,
    ]


def test_an_admin_resends_the_invitation_and_the_first_link_dies_once_one_is_used(
    app, client, make_user, mail_to
) -> None:
    admin = make_user(Role.ADMIN)
    client.login(admin.email)
    client.submit(
        "/admin/users", {"email": "k@example.am", "name": "K", "role": "staff", "language": "en"}
    )
    user = find_user_by_email("k@example.am")
    assert user is not None
    resent = client.submit(f"/admin/users/{user.id}/invite", {}, page=f"/admin/users/{user.id}")
    assert resent.status_code == 302
    deliver_outbox()
    first, second = mail_to.to("k@example.am")
    assert first["Subject"] == "Your account on the Follow-up Tracker"
    visitor = app.test_client()
    visitor.__class__ = type(client)
    path = link_path(second, "set")
    assert (
        visitor.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    )
    # The older invitation was not used, but a password has been set since.
    old = visitor.submit(
        link_path(first, "set"), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert old.status_code == 410
    assert "already been used" in old.get_data(as_text=True)


def forgot(client, email: str):
    return client.submit("/password/forgot", {"email": email})


def test_reset_link_works_once(app, client, make_user, mail_to) -> None:
    user = make_user(email="lilit@example.am", language="en")
    other = app.test_client()
    other.__class__ = type(client)
    other.login(user.email)
    assert other.get("/tasks").status_code == 200

    answer = forgot(client, "Lilit@Example.am")
    assert answer.status_code == 302
    deliver_outbox()
    (mail,) = mail_to.to("lilit@example.am")
    assert mail["Subject"] == "Set a new password for the Follow-up Tracker"
    path = link_path(mail, "reset")
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # GET never spends the link
    done = client.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert authenticate(user.email, NEW_PASSWORD) is not None
    # A reset ends every session: the other browser is signed out.
    assert other.get("/tasks").status_code == 302
    second = client.submit(path, {"password": "yet another passphrase", "confirm": "x"})
    assert second.status_code == 410
    assert "This link has already been used." in second.get_data(as_text=True)
    assert authenticate(user.email, NEW_PASSWORD) is not None
    db.session.expire_all()
    assert kinds_about(user)[-2:] == [AuditKind.PASSWORD_RESET_ASKED, AuditKind.PASSWORD_RESET]


@pytest.mark.parametrize("address", ["nobody@example.am", "gone@example.am"])
def test_forgot_password_reveals_nothing_and_sends_nothing(
    client, make_user, mail_to, address: str
) -> None:
    make_user(email="gone@example.am", active=False)
    known = make_user(email="known@example.am")
    answers = []
    for email in (address, known.email):
        response = forgot(client, email)
        assert response.status_code == 302
        answers.append(client.get(response.location).get_data(as_text=True))
    assert "Եթե այս հասցեով հաշիվ կա" in answers[0]
    token = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')
    assert token.sub("", answers[0]) == token.sub("", answers[1])
    deliver_outbox()
    assert [m["To"] for m in mail_to.messages] == [known.email]


def test_an_expired_link_says_so_in_its_users_language(app, client, make_user, monkeypatch) -> None:
    user = make_user(language="hy")
    hours = app.config["TRACKER_RESET_HOURS"]
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: int(time.time()) - hours * 3600 - 5
    )
    with app.test_request_context():
        from tracker.auth.links import PasswordLinkSigner, Purpose

        token = PasswordLinkSigner(app.config["SECRET_KEY"]).make(Purpose.RESET, user)
    monkeypatch.undo()
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 410
    assert "Այս հղման ժամկետն անցել է։" in page.get_data(as_text=True)
    post = client.submit(
        f"/password/reset/{token}",
        {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        page="/password/forgot",
    )
    assert post.status_code == 410
    assert authenticate(user.email, NEW_PASSWORD) is None


def test_a_forged_or_cross_purpose_link_is_refused(app, client, make_user) -> None:
    user = make_user()
    with app.test_request_context():
        from tracker.auth.links import PasswordLinkSigner, Purpose

        invitation = PasswordLinkSigner(app.config["SECRET_KEY"]).make(Purpose.INVITATION, user)
    assert client.get(f"/password/reset/{invitation}").status_code == 404
    assert client.get(f"/password/set/{invitation}x").status_code == 404
    assert client.get("/password/set/not-a-token").status_code == 404


def test_forgot_password_is_throttled(client, make_user, mail_to) -> None:
    user = make_user()
    statuses = [forgot(client, user.email).status_code for _ in range(12)]
    assert 429 in statuses
    assert statuses[0] == 302
    deliver_outbox()
    assert 0 < len(mail_to.to(user.email)) < 12


def test_forms_without_csrf_are_refused(app, client, make_user) -> None:
    user = make_user()
    assert client.post("/password/forgot", data={"email": user.email}).status_code == 400
    with app.test_request_context():
        from tracker.auth.links import PasswordLinkSigner, Purpose

        token = PasswordLinkSigner(app.config["SECRET_KEY"]).make(Purpose.RESET, user)
    forged = client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert forged.status_code == 400
    assert client.get(f"/password/reset/{token}").status_code == 200  # not spent
    client.login(user.email)
    response = client.post(
        "/settings/password",
        data={
            "current": "correct horse battery",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert authenticate(user.email, NEW_PASSWORD) is None


def test_the_link_page_keeps_a_language_the_visitor_chose(app, client, make_user) -> None:
    """Opened fresh, the page speaks its reader's language; once the visitor switches it
    there, the switch holds on every reload."""
    user = make_user(language="hy")
    with app.test_request_context():
        from tracker.auth.links import PasswordLinkSigner, Purpose

        token = PasswordLinkSigner(app.config["SECRET_KEY"]).make(Purpose.INVITATION, user)
    path = f"/password/set/{token}"
    assert '<html lang="hy">' in client.get(path).get_data(as_text=True)
    client.submit("/language", {"language": "en", "next": path}, page=path)
    assert '<html lang="en">' in client.get(path).get_data(as_text=True)
    assert '<html lang="en">' in client.get(path).get_data(as_text=True)
