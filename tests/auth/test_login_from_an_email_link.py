"""Opening an email's link signed out: the login page brings the user back to the link,
through the `next` its form carries, submitted as a browser submits it."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from tracker.action_links import Action, ActionLinkSigner
from tracker.extensions import db
from tracker.models import Task, TaskStatus

PASSWORD = "correct horse battery"  # the factories' (tests/conftest.py)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name} on the page"
    return html.unescape(match.group(1))


def test_signing_in_from_an_email_link_comes_back_to_it(app, client, org) -> None:
    token = ActionLinkSigner(app.config["SECRET_KEY"]).make(
        org.task.id, org.officer.id, Action.DONE
    )
    link = f"/tasks/action/{token}"

    sent_to_login = client.get(link)
    assert sent_to_login.status_code == 302
    login_url = sent_to_login.headers["Location"]
    assert urlsplit(login_url).path == "/login"
    assert parse_qs(urlsplit(login_url).query)["next"] == [link]

    # The page the user signs in on carries the link in its form.
    page = client.get(login_url).get_data(as_text=True)
    assert hidden(page, "next") == link
    response = client.post(
        login_url,
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "email": org.officer.email,
            "password": PASSWORD,
            "next": hidden(page, "next"),
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == link
    # Back on the link, the confirmation does what the email offered.
    assert client.submit(link, {"note": "Done, see the order."}).status_code == 302
    db.session.expire_all()
    # The owner's report, waiting for acceptance (verification of completion is on).
    assert db.session.get_one(Task, org.task.id).status is TaskStatus.AWAITING_ACCEPTANCE


def test_a_signed_in_user_sent_to_the_login_page_goes_on_to_next(client, org) -> None:
    client.login(org.officer.email)
    response = client.get(f"/login?next=/tasks/{org.task.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{org.task.id}"
