"""The signed links of the emails: the planner's fast signing makes exactly the tokens
itsdangerous makes, and reading them refuses any change."""

from __future__ import annotations

import pytest
from itsdangerous import TimestampSigner

from tracker.action_links import SALT, Action, ActionLinkSigner, LinkInvalid

KEY = "a-secret-key-long-enough-for-the-tests-0123456789"


@pytest.mark.parametrize("action", list(Action))
def test_a_link_is_the_token_itsdangerous_signs(
    action: Action, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_790_000_000)
    token = ActionLinkSigner(KEY).make(4711, 42, action)
    payload = token.rsplit(".", 2)[0]
    assert payload.startswith(f"4711.42.{action.value}.")
    assert TimestampSigner(KEY, salt=SALT).sign(payload).decode() == token


def test_a_link_reads_back_and_every_change_is_refused() -> None:
    signer = ActionLinkSigner(KEY)
    token = signer.make(4711, 42, Action.DONE)
    link = signer.read(token, max_age_days=30)
    assert (link.task_id, link.user_id, link.action) == (4711, 42, Action.DONE)
    payload, signature = token.rsplit(".", 1)
    # The signature's first character: its last may only carry base64's padding bits.
    other_first = "A" if signature[0] != "A" else "B"
    for forged in (
        token.replace("4711.", "4712.", 1),
        f"{payload}.{other_first}{signature[1:]}",
        ActionLinkSigner(KEY + "x").make(4711, 42, Action.DONE),
    ):
        with pytest.raises(LinkInvalid):
            signer.read(forged, max_age_days=30)


def test_two_links_for_the_same_action_differ() -> None:
    signer = ActionLinkSigner(KEY)
    assert signer.make(1, 2, Action.EXTEND) != signer.make(1, 2, Action.EXTEND)
