from __future__ import annotations

from tracker.extensions import db
from tracker.models import User


def test_a_user_changes_language_and_reminders(client, make_user) -> None:
    user = make_user(language="hy")
    client.login(user.email)
    page = client.get("/settings").get_data(as_text=True)
    assert "Կարգավորումներ" in page
    response = client.submit("/settings", {"language": "en"})  # the box left unticked
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert saved is not None and saved.language == "en" and saved.wants_reminders is False
    assert "Email me reminders before my deadlines" in client.get("/settings").get_data(
        as_text=True
    )
    client.submit("/settings", {"language": "en", "wants_reminders": "y"})
    db.session.expire_all()
    assert db.session.get_one(User, user.id).wants_reminders is True


def test_an_unknown_language_keeps_the_form(client, make_user) -> None:
    user = make_user(language="en")
    client.login(user.email)
    assert client.submit("/settings", {"language": "fr"}).status_code == 400


def test_a_user_switches_off_informational_emails(client, make_user) -> None:
    user = make_user(language="en")
    assert user.wants_event_emails is True
    client.login(user.email)
    page = client.get("/settings").get_data(as_text=True)
    assert "Email me about informational updates" in page
    assert '<input checked id="wants_event_emails" name="wants_event_emails"' in page
    response = client.submit("/settings", {"language": "en", "wants_reminders": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get_one(User, user.id)
    assert (saved.wants_event_emails, saved.wants_reminders) == (False, True)
    client.submit("/settings", {"language": "en", "wants_event_emails": "y"})
    db.session.expire_all()
    saved = db.session.get_one(User, user.id)
    assert (saved.wants_event_emails, saved.wants_reminders) == (True, False)


def test_the_settings_form_needs_its_csrf_token(client, make_user) -> None:
    user = make_user(language="en")
    client.login(user.email)
    response = client.post("/settings", data={"language": "en"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get_one(User, user.id).wants_event_emails is True
