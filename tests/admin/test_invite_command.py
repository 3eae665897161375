"""`tracker users add --invite` and `tracker users invite`: the invitation email instead of
a printed password, delivered to a real SMTP server."""

from __future__ import annotations

from tracker.auth.services import authenticate, find_user_by_email
from tracker.notifications.jobs import deliver_outbox


def test_users_add_with_invite_mails_a_link_and_prints_no_password(runner, mail_to) -> None:
    result = runner.invoke(
        args=["users", "add", "ani@example.am", "--name", "Ani", "--role", "officer", "--invite"]
    )
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert "Invitation to set a password queued for ani@example.am." in result.output
    deliver_outbox()
    (mail,) = mail_to.to("ani@example.am")
    assert "/password/set/" in mail.get_body(("plain",)).get_content()
    assert authenticate("ani@example.am", "") is None


def test_users_invite_sends_the_invitation_again(runner, make_user, mail_to) -> None:
    user = make_user(email="k@example.am")
    result = runner.invoke(args=["users", "invite", "K@example.am"])
    assert result.exit_code == 0, result.output
    deliver_outbox()
    assert len(mail_to.to(user.email)) == 1
    assert runner.invoke(args=["users", "invite", "nobody@example.am"]).exit_code == 2


def test_users_add_refuses_both_a_password_and_an_invitation(runner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "add",
            "x@example.am",
            "--name",
            "X",
            "--role",
            "staff",
            "--invite",
            "--password",
            "a long secret passphrase",
        ]
    )
    assert result.exit_code == 2
    assert find_user_by_email("x@example.am") is None
