"""The digest as its readers see it, in both languages, text and HTML, compared with reviewed
snapshots in tests/notifications/snapshots/.

After a deliberate change to the digest: `TRACKER_UPDATE_SNAPSHOTS=1 make test` (or pytest
on this file) rewrites the snapshots; review their diff before committing them.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import assert_matches_snapshots
from tracker.notifications.digest import DigestItem, DigestWriter, Recipient
from tracker.notifications.policy import Due, Kind

SNAPSHOTS = Path(__file__).parent / "snapshots"
AS_OF = date(2025, 6, 4)
RUN_AT = datetime(2025, 6, 4, 5, 0, 0, 123456, tzinfo=UTC)


def item(task_id: int, kind: Kind, level: int, deadline: date, **fields) -> DigestItem:
    days_overdue = max((AS_OF - deadline).days, 0)
    due = Due(task_id, kind, level, deadline, (7,), days_overdue)
    defaults = {
        "title": f"Task {task_id}",
        "deadline_text": None,
        "owner_names": ("Ani Sargsyan",),
        "recipient_owns_task": kind is not Kind.ESCALATION,
        "department_name": "Digital",
    }
    return DigestItem(due=due, **{**defaults, **fields})


# A head who also owns tasks: every section, each over the cap of 2.
ITEMS = [
    item(1, Kind.OVERDUE, 1, date(2025, 5, 23), title="Concept for electronic applications"),
    item(
        2,
        Kind.OVERDUE,
        0,
        date(2025, 5, 30),
        title="Memorandum with the Georgian ministry",
        deadline_text="մինչև 2025 թվականի մայիսի 30-ը",
    ),
    item(3, Kind.OVERDUE, 5, date(2025, 4, 25), title="Youth exchange programme"),
    # Task 4 reaches this head at both levels: listed once.
    item(4, Kind.ESCALATION, 1, date(2025, 5, 12), title="Translate the agreement"),
    item(4, Kind.ESCALATION, 2, date(2025, 5, 12), title="Translate the agreement"),
    item(
        5,
        Kind.ESCALATION,
        1,
        date(2025, 5, 20),
        title="Road safety study",
        owner_names=("Lilit Hakobyan", "Gohar Mkrtchyan"),
        department_name="Cooperation",
    ),
    item(6, Kind.ESCALATION, 2, date(2025, 5, 2), title="Visit report to the Government"),
    item(7, Kind.DUE_TODAY, 0, AS_OF, title="Send the invitation"),
    item(8, Kind.REMINDER, 1, date(2025, 6, 5), title="Book the venue"),
    item(9, Kind.REMINDER, 7, date(2025, 6, 13), title="Draft the programme"),
]


def normalised(body: str) -> str:
    """Action tokens carry a timestamp and a random nonce: replaced by a placeholder."""
    return re.sub(r"/tasks/action/[\w.\-]+", "/tasks/action/TOKEN", body)


@pytest.mark.parametrize("language", ["hy", "en"])
def test_digest_matches_the_reviewed_snapshot(app, language: str) -> None:
    writer = DigestWriter(
        as_of=AS_OF,
        base_url="http://tracker.test",
        secret_key="snapshot",
        sender_domain="tracker.test",
        run_at=RUN_AT,
        max_items=2,
    )
    recipient = Recipient(7, "karen@example.am", "Karen Baghishyan", language, True)
    with app.test_request_context():
        message = writer.write(recipient, ITEMS)
    assert_matches_snapshots(SNAPSHOTS, f"digest.{language}", message, normalised)
    # Whatever the snapshots say: each task once, and the caps hold.
    assert message.body_text.count("http://tracker.test/tasks/4\n") == 1
    assert len(re.findall(r"^\* ", message.body_text, re.MULTILINE)) == 6
