"""Who is told what about a task: the notices the domain events leave (#11 item 5), and the
pure rule of which kinds a person may switch off."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.notifications.conftest import notice_kinds
from tracker.extensions import db
from tracker.models import EventKind, Notice, NoticeEmail, NoticeKind, TaskComment, TaskStatus
from tracker.notifications.notices import (
    INFORMATIONAL_KINDS,
    MANDATORY_KINDS,
    email_state,
    is_informational,
)
from tracker.tasks import events, services
from tracker.unit_of_work import unit_of_work

# --- The pure rule -------------------------------------------------------------------------


def test_assignments_decisions_and_requests_cannot_be_switched_off() -> None:
    assert {
        NoticeKind.ASSIGNED,
        NoticeKind.UNASSIGNED,
        NoticeKind.DEADLINE_CHANGED,
        NoticeKind.RETURNED,
        NoticeKind.REOPENED,
        NoticeKind.EXTENSION_DECIDED,
        NoticeKind.AWAITING_ACCEPTANCE,
        NoticeKind.EXTENSION_REQUESTED,
    } == MANDATORY_KINDS
    assert set(NoticeKind) == INFORMATIONAL_KINDS | MANDATORY_KINDS
    assert not INFORMATIONAL_KINDS & MANDATORY_KINDS


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_a_switched_off_person_gets_only_the_mandatory_emails(kind: NoticeKind) -> None:
    assert email_state(kind, True) is NoticeEmail.PENDING
    expected = NoticeEmail.SKIPPED if is_informational(kind) else NoticeEmail.PENDING
    assert email_state(kind, False) is expected


@pytest.mark.parametrize(
    ("details", "informational"),
    [
        ({"status": "done", "accepted": True}, False),  # the manager accepted their work
        ({"status": "cancelled"}, False),  # someone else closed their task
        ({"status": "done"}, True),  # a co-owner or a manager marked it done
        ({"status": "awaiting_acceptance"}, True),  # a co-owner reported it done
        (None, True),
    ],
)
def test_a_decision_told_as_a_status_change_is_always_mailed(details, informational) -> None:
    assert is_informational(NoticeKind.STATUS_CHANGED, details) is informational
    expected = NoticeEmail.SKIPPED if informational else NoticeEmail.PENDING
    assert email_state(NoticeKind.STATUS_CHANGED, False, details) is expected


# --- What the events leave -----------------------------------------------------------------


@pytest.fixture
def headed(org):
    """The org with a head for Digital: Karen decides on Ani's tasks."""
    org.digital.head = org.manager
    db.session.commit()
    return org


def announce(signal, payload) -> None:
    with unit_of_work():
        signal.announce(payload)


def test_owners_changed_tells_the_added_the_removed_and_those_who_stay(
    app, headed, make_user
) -> None:
    org = headed
    newcomer = make_user(department=org.digital, name="Gohar New")
    stays = org.officer
    leaves = make_user(department=org.digital, name="Lilit Leaves")
    org.task.owners = [stays, newcomer]
    db.session.commit()
    announce(
        events.owners_changed,
        events.OwnersChanged(org.task, org.manager, added=(newcomer,), removed=(leaves,)),
    )
    assert notice_kinds(newcomer) == [NoticeKind.ASSIGNED]
    assert notice_kinds(leaves) == [NoticeKind.UNASSIGNED]
    assert notice_kinds(stays) == [NoticeKind.OWNERS_CHANGED]
    assert notice_kinds(org.manager) == []  # the actor is never told of their own change
    notice = db.session.scalars(select(Notice).where(Notice.user_id == newcomer.id)).one()
    assert (notice.task_id, notice.actor_id) == (org.task.id, org.manager.id)
    assert notice.details == {"added": ["Gohar New"], "removed": ["Lilit Leaves"]}
    assert notice.email is NoticeEmail.PENDING and notice.read_at is None


def test_a_deadline_change_tells_the_owners(app, headed) -> None:
    with unit_of_work():
        services.change_deadline(headed.task, headed.manager, date(2026, 9, 30), "More work.")
    assert notice_kinds(headed.officer) == [NoticeKind.DEADLINE_CHANGED]
    notice = db.session.scalars(select(Notice)).one()
    assert notice.details == {"old": "2025-03-31", "new": "2026-09-30", "reason": "More work."}


def test_completion_tells_the_deciders_and_the_other_owners(app, headed, make_user) -> None:
    org = headed
    partner = make_user(department=org.digital)
    org.task.owners.append(partner)
    db.session.commit()
    announce(events.task_completed, events.TaskCompleted(org.task, org.officer, "Done."))
    assert notice_kinds(org.manager) == [NoticeKind.COMPLETED]
    assert notice_kinds(partner) == [NoticeKind.STATUS_CHANGED]
    assert notice_kinds(org.officer) == []


@pytest.mark.parametrize(
    ("signal", "payload", "owners_hear"),
    [
        (events.task_returned, events.TaskReturned, NoticeKind.RETURNED),
        (events.task_reopened, events.TaskReopened, NoticeKind.REOPENED),
        (events.task_cancelled, events.TaskCancelled, NoticeKind.STATUS_CHANGED),
    ],
)
def test_a_managers_decision_tells_the_owners(app, headed, signal, payload, owners_hear) -> None:
    announce(signal, payload(headed.task, headed.manager, "Because."))
    assert notice_kinds(headed.officer) == [owners_hear]
    assert notice_kinds(headed.manager) == []


def test_awaiting_acceptance_and_a_request_for_time_reach_the_decider(app, headed) -> None:
    org = headed
    announce(events.awaiting_acceptance, events.AwaitingAcceptance(org.task, org.officer, "Done."))
    with unit_of_work():
        event = services.record_event(org.task, org.officer, EventKind.PROGRESS)
        db.session.flush()
        events.extension_requested.announce(
            events.ExtensionRequested(org.task, org.officer, date(2026, 9, 1), "Wait.", event)
        )
    assert notice_kinds(org.manager) == [
        NoticeKind.AWAITING_ACCEPTANCE,
        NoticeKind.EXTENSION_REQUESTED,
    ]
    assert notice_kinds(org.officer) == []


def test_nobody_hears_about_a_draft(app, headed) -> None:
    assert headed.draft.status is TaskStatus.DRAFT
    announce(
        events.owners_changed,
        events.OwnersChanged(headed.draft, headed.staff, added=(headed.officer,), removed=()),
    )
    assert db.session.scalars(select(Notice)).all() == []


def test_a_comment_tells_owners_deciders_and_earlier_commenters_not_its_author(
    app, headed, make_user
) -> None:
    org = headed
    earlier = org.staff
    db.session.add(TaskComment(task=org.task, author=earlier, body="A first word."))
    db.session.commit()
    comment = TaskComment(task=org.task, author=org.officer, body="  Second   word. ")
    db.session.add(comment)
    db.session.flush()
    announce(events.comment_added, events.CommentAdded(org.task, org.officer, comment))
    told = {n.user_id: n for n in db.session.scalars(select(Notice))}
    assert set(told) == {org.manager.id, org.staff.id}
    assert {n.kind for n in told.values()} == {NoticeKind.COMMENTED}
    assert told[org.manager.id].details["excerpt"] == "Second word."


def test_a_person_who_switched_informational_emails_off_still_gets_the_notice(
    app, headed, make_user
) -> None:
    org = headed
    org.officer.wants_event_emails = False
    db.session.commit()
    announce(
        events.task_edited,
        events.TaskEdited(org.task, org.manager, {"title": ("Old title", "New title")}),
    )
    announce(events.task_reopened, events.TaskReopened(org.task, org.manager, "Needed after all."))
    states = {
        n.kind: n.email
        for n in db.session.scalars(select(Notice).where(Notice.user_id == org.officer.id))
    }
    assert states == {
        NoticeKind.EDITED: NoticeEmail.SKIPPED,
        NoticeKind.REOPENED: NoticeEmail.PENDING,
    }


def test_an_inactive_account_is_not_told(app, headed) -> None:
    headed.officer.active = False
    db.session.commit()
    with unit_of_work():
        services.change_deadline(headed.task, headed.manager, date(2026, 9, 30), "Later.")
    assert db.session.scalars(select(Notice)).all() == []
