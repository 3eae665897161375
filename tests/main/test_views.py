from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_is_public_and_checks_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_pages_are_in_armenian_by_default(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="hy">' in html
    assert "Գաղտնաբառ" in html


def test_language_switch_is_remembered_before_and_after_login(client, make_user) -> None:
    user = make_user(language="hy", name="Ani")
    response = client.submit("/language", {"language": "en", "next": "/login"}, page="/login")
    assert response.headers["Location"] == "/login"
    assert "Password" in client.get("/login").get_data(as_text=True)
    client.login(user.email)
    # A signed-in user's own choice wins, and switching stores it on the account.
    assert "Իմ առաջադրանքները" in client.get("/tasks").get_data(as_text=True)
    client.submit("/language", {"language": "en", "next": "/tasks"}, page="/tasks")
    assert "My tasks" in client.get("/tasks").get_data(as_text=True)
    from tracker.auth.services import find_user_by_email
    from tracker.extensions import db

    db.session.expire_all()
    assert find_user_by_email(user.email).language == "en"  # type: ignore[union-attr]


def test_an_unknown_language_is_ignored(client) -> None:
    client.submit("/language", {"language": "fr", "next": "/login"}, page="/login")
    assert '<html lang="hy">' in client.get("/login").get_data(as_text=True)


def test_every_string_is_translated_into_armenian() -> None:
    method_map = [
        ("tracker/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    source_ids = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(ROOT), method_map, keywords=keywords)
    }
    with (ROOT / "tracker/translations/hy/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
        and (all(message.string) if isinstance(message.string, tuple) else message.string)
        and not message.fuzzy
    }
    missing = sorted(source_ids - translated)
    assert not missing, f"not translated into Armenian (run `make translations`): {missing}"
