"""A task's state at a past moment from its history: pure, small cases and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.dashboard.history import (
    Change,
    TaskFacts,
    TaskHistory,
    TaskState,
    deadline_from_label,
    done_on_time,
    end_of_day,
    is_change,
    is_overdue,
    state_at,
)
from tracker.models import EventKind, TaskStatus

ZONE = "Asia/Yerevan"  # UTC+4, no summer time
OPEN, IN_PROGRESS, DONE = TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.DONE
AWAITING, CANCELLED, DRAFT = (
    TaskStatus.AWAITING_ACCEPTANCE,
    TaskStatus.CANCELLED,
    TaskStatus.DRAFT,
)


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def status(when: datetime, kind: EventKind, old: TaskStatus | None, new: TaskStatus) -> Change:
    return Change(when, kind, "status", old.value if old else None, new.value)


def moved(when: datetime, old: str, new: str, kind: EventKind = EventKind.DEADLINE_CHANGED):
    return Change(when, kind, "deadline", old, new)


CREATED = status(at(1), EventKind.CREATED, None, OPEN)


def known(facts: TaskFacts, changes: list[Change], moment: datetime) -> TaskState:
    """The state at a moment after the task was made."""
    state = state_at(facts, changes, moment)
    assert state is not None
    return state


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2026-06-01", date(2026, 6, 1)),
        ("2026-06-01 (by the end of May)", date(2026, 6, 1)),
        ("", None),
        (None, None),
        ("(by spring)", None),
        ("garbage", None),
    ],
)
def test_a_deadline_label_gives_its_date(label: str | None, expected: date | None) -> None:
    assert deadline_from_label(label) == expected


@pytest.mark.parametrize(
    ("kind", "field", "expected"),
    [
        (EventKind.CREATED, "status", True),
        (EventKind.REOPENED, "status", True),
        (EventKind.DEADLINE_CHANGED, "deadline", True),
        (EventKind.EXTENSION_APPROVED, "deadline", True),
        (EventKind.EDITED, "deadline", True),
        (EventKind.EXTENSION_REQUESTED, "deadline", False),
        (EventKind.EXTENSION_REFUSED, "deadline", False),
        (EventKind.EDITED, "title", False),
        (EventKind.PROGRESS, None, False),
        (EventKind.OWNERS_CHANGED, "owners", False),
    ],
)
def test_which_events_change_the_state(kind: EventKind, field: str | None, expected: bool) -> None:
    assert is_change(kind, field) is expected


def test_end_of_day_is_the_next_local_midnight_in_utc() -> None:
    assert end_of_day(date(2026, 3, 31), ZONE) == datetime(2026, 3, 31, 20, tzinfo=UTC)
    assert end_of_day(date(2026, 3, 31), "UTC") == datetime(2026, 4, 1, tzinfo=UTC)


def test_a_task_did_not_exist_before_it_was_made() -> None:
    facts = TaskFacts(at(1), OPEN, date(2026, 3, 10))
    assert state_at(facts, [CREATED], at(1)) is None
    assert state_at(facts, [CREATED], at(1) - timedelta(days=3)) is None
    assert state_at(facts, [CREATED], at(1) + timedelta(seconds=1)) == TaskState(
        OPEN, date(2026, 3, 10), None
    )


def test_a_moved_deadline_is_the_old_one_before_the_move() -> None:
    facts = TaskFacts(at(1), OPEN, date(2026, 4, 30))
    changes = [CREATED, moved(at(5), "2026-03-10 (early March)", "2026-04-30")]
    assert state_at(facts, changes, at(5)) == TaskState(OPEN, date(2026, 3, 10), None)
    assert state_at(facts, changes, at(6)) == TaskState(OPEN, date(2026, 4, 30), None)


def test_an_approved_extension_moves_the_deadline_a_request_does_not_count() -> None:
    facts = TaskFacts(at(1), OPEN, date(2026, 4, 30))
    changes = [
        CREATED,
        # A request is not a change: the caller leaves it out (`is_change`).
        moved(at(7), "2026-03-10", "2026-04-30", EventKind.EXTENSION_APPROVED),
    ]
    assert known(facts, changes, at(6)).deadline == date(2026, 3, 10)
    assert known(facts, changes, at(8)).deadline == date(2026, 4, 30)


def test_a_deadline_set_where_there_was_none() -> None:
    facts = TaskFacts(at(1), OPEN, date(2026, 4, 30))
    changes = [CREATED, moved(at(5), "", "2026-04-30")]
    assert known(facts, changes, at(4)).deadline is None


def test_done_at_once_is_done_at_its_completion() -> None:
    facts = TaskFacts(at(1), DONE, date(2026, 3, 10), completed_at=at(12))
    changes = [CREATED, status(at(12), EventKind.COMPLETED, OPEN, DONE)]
    assert state_at(facts, changes, at(11)) == TaskState(OPEN, date(2026, 3, 10), None)
    assert state_at(facts, changes, at(13)) == TaskState(DONE, date(2026, 3, 10), at(12))


def test_an_accepted_task_was_done_when_the_owner_reported_it() -> None:
    facts = TaskFacts(at(1), DONE, date(2026, 3, 10), completed_at=at(9))
    changes = [
        CREATED,
        status(at(9), EventKind.AWAITING_ACCEPTANCE, OPEN, AWAITING),
        status(at(14), EventKind.ACCEPTED, AWAITING, DONE),
    ]
    assert state_at(facts, changes, at(10)) == TaskState(AWAITING, date(2026, 3, 10), None)
    done = state_at(facts, changes, at(15))
    assert done == TaskState(DONE, date(2026, 3, 10), at(9))
    assert done_on_time(done, ZONE)


def test_a_reopened_task_was_done_before_and_its_past_completion_is_kept() -> None:
    # Done late on the 12th (deadline the 10th), reopened on the 20th with a new deadline.
    facts = TaskFacts(at(1), IN_PROGRESS, date(2026, 4, 30), completed_at=None)
    changes = [
        CREATED,
        status(at(12), EventKind.COMPLETED, OPEN, DONE),
        status(at(20), EventKind.REOPENED, DONE, IN_PROGRESS),
        moved(at(20), "2026-03-10", "2026-04-30"),
    ]
    then = state_at(facts, changes, at(15))
    assert then == TaskState(DONE, date(2026, 3, 10), at(12))
    assert not done_on_time(then, ZONE)
    assert state_at(facts, changes, at(21)) == TaskState(IN_PROGRESS, date(2026, 4, 30), None)


def test_done_again_after_a_reopening_counts_the_latest_completion() -> None:
    facts = TaskFacts(at(1), DONE, date(2026, 3, 10), completed_at=at(25))
    changes = [
        CREATED,
        status(at(5), EventKind.COMPLETED, OPEN, DONE),
        status(at(20), EventKind.REOPENED, DONE, IN_PROGRESS),
        status(at(25), EventKind.COMPLETED, IN_PROGRESS, DONE),
    ]
    assert known(facts, changes, at(6)).done_at == at(5)
    assert known(facts, changes, at(21)).status is IN_PROGRESS
    assert known(facts, changes, at(26)).done_at == at(25)


def test_a_draft_before_its_report_was_confirmed() -> None:
    facts = TaskFacts(at(1), OPEN, date(2026, 3, 10))
    changes = [
        status(at(1), EventKind.CREATED, None, DRAFT),
        Change(at(2), EventKind.EDITED, "deadline", "", "2026-03-10"),
        status(at(3), EventKind.CONFIRMED, DRAFT, OPEN),
    ]
    assert state_at(facts, changes, at(2)) == TaskState(DRAFT, None, None)
    assert state_at(facts, changes, at(4)) == TaskState(OPEN, date(2026, 3, 10), None)


def test_a_cancelled_task_was_open_before() -> None:
    facts = TaskFacts(at(1), CANCELLED, date(2026, 3, 10))
    changes = [CREATED, status(at(8), EventKind.CANCELLED, OPEN, CANCELLED)]
    assert known(facts, changes, at(8)).status is OPEN
    assert known(facts, changes, at(9)).status is CANCELLED


def test_a_task_returned_after_waiting_is_in_progress_again() -> None:
    facts = TaskFacts(at(1), IN_PROGRESS, date(2026, 3, 10))
    changes = [
        CREATED,
        status(at(5), EventKind.AWAITING_ACCEPTANCE, OPEN, AWAITING),
        status(at(7), EventKind.RETURNED, AWAITING, IN_PROGRESS),
    ]
    assert known(facts, changes, at(6)).status is AWAITING
    assert known(facts, changes, at(4)).status is OPEN


def test_without_any_event_the_current_values_hold_since_creation() -> None:
    facts = TaskFacts(at(1), CANCELLED, date(2026, 3, 10))
    assert state_at(facts, [], at(2)) == TaskState(CANCELLED, date(2026, 3, 10), None)


def test_a_completion_no_event_recorded_happened_at_completed_at() -> None:
    facts = TaskFacts(at(1), DONE, date(2026, 3, 10), completed_at=at(12))
    assert state_at(facts, [], at(11)) == TaskState(OPEN, date(2026, 3, 10), None)
    assert state_at(facts, [], at(13)) == TaskState(DONE, date(2026, 3, 10), at(12))
    progressed = [CREATED, status(at(4), EventKind.PROGRESS, OPEN, IN_PROGRESS)]
    assert known(facts, progressed, at(11)).status is IN_PROGRESS


def test_naive_times_are_read_as_utc() -> None:
    naive = datetime(2026, 3, 1, 10)
    facts = TaskFacts(naive, OPEN, None)
    assert state_at(facts, [], at(2)) == TaskState(OPEN, None, None)


@pytest.mark.parametrize(
    ("done_at", "deadline", "on_time"),
    [
        (datetime(2026, 3, 10, 19, 59, tzinfo=UTC), date(2026, 3, 10), True),
        # 20:00 UTC is midnight in Yerevan: the 11th there, a day late.
        (datetime(2026, 3, 10, 20, 0, tzinfo=UTC), date(2026, 3, 10), False),
        (datetime(2026, 3, 9, 23, 0, tzinfo=UTC), date(2026, 3, 10), True),
        (datetime(2026, 3, 9, 23, 0, tzinfo=UTC), None, True),
    ],
)
def test_on_time_is_judged_on_the_organisations_day(
    done_at: datetime, deadline: date | None, on_time: bool
) -> None:
    assert done_on_time(TaskState(DONE, deadline, done_at), ZONE) is on_time


def test_only_open_work_is_overdue_after_its_deadline_day() -> None:
    deadline = date(2026, 3, 10)
    assert not is_overdue(TaskState(OPEN, deadline, None), date(2026, 3, 10))
    assert is_overdue(TaskState(OPEN, deadline, None), date(2026, 3, 11))
    assert is_overdue(TaskState(IN_PROGRESS, deadline, None), date(2026, 3, 11))
    assert not is_overdue(TaskState(AWAITING, deadline, None), date(2026, 3, 11))
    assert not is_overdue(TaskState(DONE, deadline, at(1)), date(2026, 3, 11))
    assert not is_overdue(TaskState(OPEN, None, None), date(2026, 3, 11))


# --- Properties: a history built by a walk through the services' transitions ----------

TRANSITIONS: dict[TaskStatus, list[tuple[EventKind, TaskStatus]]] = {
    OPEN: [
        (EventKind.PROGRESS, IN_PROGRESS),
        (EventKind.COMPLETED, DONE),
        (EventKind.AWAITING_ACCEPTANCE, AWAITING),
        (EventKind.CANCELLED, CANCELLED),
    ],
    IN_PROGRESS: [
        (EventKind.COMPLETED, DONE),
        (EventKind.AWAITING_ACCEPTANCE, AWAITING),
        (EventKind.CANCELLED, CANCELLED),
    ],
    AWAITING: [
        (EventKind.ACCEPTED, DONE),
        (EventKind.RETURNED, IN_PROGRESS),
        (EventKind.CANCELLED, CANCELLED),
    ],
    DONE: [(EventKind.REOPENED, IN_PROGRESS)],
    CANCELLED: [(EventKind.REOPENED, IN_PROGRESS)],
}


@st.composite
def histories(draw: st.DrawFn) -> tuple[TaskFacts, list[Change], list[tuple[datetime, TaskState]]]:
    """A task's facts, its changes, and the state after each change (the truth)."""
    created = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 500_000)))
    deadline = draw(st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31)))
    state = TaskState(OPEN, deadline, None)
    submitted: datetime | None = None
    changes = [Change(created, EventKind.CREATED, "status", None, OPEN.value)]
    truth = [(created, state)]
    when = created
    for _step in range(draw(st.integers(0, 8))):
        when += timedelta(minutes=draw(st.integers(0, 80_000)))
        if draw(st.booleans()) and state.status in (OPEN, IN_PROGRESS):
            new_deadline = draw(st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31)))
            old = state.deadline.isoformat() if state.deadline else ""
            changes.append(
                Change(when, EventKind.DEADLINE_CHANGED, "deadline", old, str(new_deadline or ""))
            )
            state = TaskState(state.status, new_deadline, state.done_at)
        else:
            kind, new = draw(st.sampled_from(TRANSITIONS[state.status]))
            changes.append(Change(when, kind, "status", state.status.value, new.value))
            if new is AWAITING:
                submitted = when
            done_at = (submitted if kind is EventKind.ACCEPTED else when) if new is DONE else None
            state = TaskState(new, state.deadline, done_at)
        truth.append((when, state))
    facts = TaskFacts(created, state.status, state.deadline, state.done_at)
    return facts, changes, truth


@given(histories())
def test_the_state_now_is_the_current_state(history) -> None:
    facts, changes, _truth = history
    later = changes[-1].at + timedelta(seconds=1)
    assert state_at(facts, changes, later) == TaskState(
        facts.status, facts.deadline, facts.completed_at
    )


@given(histories())
def test_the_state_after_each_change_is_what_it_was(history) -> None:
    facts, changes, truth = history
    replay = TaskHistory(facts, changes)
    for index, (when, state) in enumerate(truth):
        # Changes at the same instant: the state after the last of them.
        if index + 1 < len(truth) and truth[index + 1][0] == when:
            continue
        assert replay.state_at(when + timedelta(microseconds=1)) == state


@given(histories(), st.integers(-10, 1_000_000))
def test_nothing_before_creation_and_the_order_of_asking_does_not_matter(
    history, minutes: int
) -> None:
    facts, changes, _truth = history
    moment = facts.created_at + timedelta(minutes=minutes)
    replay = TaskHistory(facts, changes)
    first = replay.state_at(moment)
    replay.state_at(moment + timedelta(days=30))
    assert replay.state_at(moment) == first
    assert (first is None) is (moment <= facts.created_at)


@given(histories(), st.lists(st.integers(-1_000, 1_000_000), max_size=14))
def test_the_states_at_several_moments_are_each_moments_state(history, offsets) -> None:
    facts, changes, _truth = history
    moments = sorted(facts.created_at + timedelta(minutes=offset) for offset in offsets)
    replay = TaskHistory(facts, changes)
    assert replay.states_at(moments) == [replay.state_at(moment) for moment in moments]
