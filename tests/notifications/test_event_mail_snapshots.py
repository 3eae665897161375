"""The event email as its readers see it, in both languages, text and HTML, compared with
reviewed snapshots in tests/notifications/snapshots/ (as test_digest_snapshots.py does).

After a deliberate change: `TRACKER_UPDATE_SNAPSHOTS=1` pytest on this file rewrites them;
review their diff before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import assert_matches_snapshots
from tracker.extensions import db
from tracker.models import Notice, NoticeKind
from tracker.notifications.event_mail import write_event_email

SNAPSHOTS = Path(__file__).parent / "snapshots"


def notices_for(org) -> list[Notice]:
    """Seven events on two tasks, of every wording an owner reads."""
    first, second = org.task, org.other_task
    # Ani owns both: the email links only the tasks its reader may open.
    second.owners.append(org.officer)
    rows = [
        (first, NoticeKind.ASSIGNED, {"added": ["Ani Officer"], "removed": []}),
        (
            first,
            NoticeKind.DEADLINE_CHANGED,
            {"old": "2025-03-31", "new": "2026-09-30", "reason": "The ministry answers in June."},
        ),
        (first, NoticeKind.EDITED, {"fields": ["expected_result", "title"]}),
        (first, NoticeKind.COMMENTED, {"excerpt": "Please attach the signed memorandum."}),
        (second, NoticeKind.EXTENSION_DECIDED, {"approved": True, "new": "2026-06-30"}),
        (second, NoticeKind.RETURNED, {"note": "The annex is missing."}),
        (second, NoticeKind.STATUS_CHANGED, {"status": "done", "accepted": True}),
    ]
    notices = [
        Notice(user=org.officer, task=task, actor=org.manager, kind=kind, details=details)
        for task, kind, details in rows
    ]
    db.session.add_all(notices)
    db.session.flush()
    return notices


@pytest.mark.parametrize("language", ["hy", "en"])
def test_the_event_email_matches_the_reviewed_snapshot(app, org, language: str) -> None:
    org.officer.language = language
    message = write_event_email(org.officer, notices_for(org))
    assert_matches_snapshots(SNAPSHOTS, f"event_updates.{language}", message)
    # Whatever the snapshots say: each task once, with its link, its lines under it.
    assert message.body_text.count(f"http://tracker.test/tasks/{org.task.id}\n") == 1
    assert message.body_text.count(f"http://tracker.test/tasks/{org.other_task.id}\n") == 1
    assert message.to_address == org.officer.email and message.language == language
