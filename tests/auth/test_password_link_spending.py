"""A password link is spent once, on SQLite and PostgreSQL alike (the insert of its nonce is
the check), and setting a password retires the links made before."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD_HASH
from tracker.auth import links
from tracker.auth.links import LinkAlreadyUsed, PasswordLinkSigner, Purpose
from tracker.extensions import db
from tracker.models import Role, User, utcnow


@pytest.fixture
def app(any_database_app):
    return any_database_app


def test_a_link_is_spent_once(app) -> None:
    user = User(email="ani@example.am", name="Ani", role=Role.OFFICER, password_hash=PASSWORD_HASH)
    db.session.add(user)
    db.session.commit()
    signer = PasswordLinkSigner("secret")
    token, other = signer.make(Purpose.RESET, user), signer.make(Purpose.RESET, user)
    link = signer.read(token, Purpose.RESET, 3600)
    links.spend(link)
    db.session.commit()
    with pytest.raises(LinkAlreadyUsed):
        signer.read(token, Purpose.RESET, 3600)
    with pytest.raises(LinkAlreadyUsed):
        links.spend(link)
    db.session.rollback()
    # The second link still works until a password is set; then it is retired too.
    assert signer.read(other, Purpose.RESET, 3600).user.id == user.id
    user.password_changed_at = utcnow()
    db.session.commit()
    with pytest.raises(LinkAlreadyUsed):
        signer.read(other, Purpose.RESET, 3600)
