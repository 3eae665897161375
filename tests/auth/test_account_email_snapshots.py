"""The invitation and the password-reset emails as their readers see them, in both
languages, text and HTML, compared with reviewed snapshots in tests/auth/snapshots/.

After a deliberate change: `TRACKER_UPDATE_SNAPSHOTS=1 pytest` on this file
rewrites them; review their diff before committing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import assert_matches_snapshots
from tracker.auth.accounts import send_invitation, send_reset_link
from tracker.extensions import db
from tracker.models import OutboxMessage, Role

SNAPSHOTS = Path(__file__).parent / "snapshots"


def normalised(body: str) -> str:
    """A link's token carries a timestamp and a random nonce: replaced by a placeholder."""
    return re.sub(r"/password/(set|reset)/[\w.\-]+", r"/password/\1/TOKEN", body)


@pytest.mark.parametrize("language", ["hy", "en"])
@pytest.mark.parametrize("template", ["invitation", "password_reset"])
def test_account_email_matches_the_reviewed_snapshot(
    app, make_user, language: str, template: str
) -> None:
    names = {"hy": ("Անի Սարգսյան", "Վարդան Ադամյան"), "en": ("Ani Sargsyan", "Vardan Adamyan")}
    reader_name, admin_name = names[language]
    admin = make_user(Role.ADMIN, name=admin_name, email="vardan@example.am", language=language)
    reader = make_user(name=reader_name, email="ani@example.am", language=language)
    with app.test_request_context():
        if template == "invitation":
            send_invitation(reader, admin)
        else:
            send_reset_link(reader.email)
        db.session.commit()
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert message.language == language
    assert_matches_snapshots(SNAPSHOTS, f"{template}.{language}", message, normalised)
