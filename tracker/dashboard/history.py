"""A task's status and deadline as they stood at a past moment, rebuilt from its history.

Pure: plain values in, plain values out (no Flask, no database). The trends
(tracker/dashboard/trends.py) feed it each task's current facts and its events.

What the history records (read from the services, #14):

- every status change is an event with field "status", old and new values the statuses:
  created (old none: `create_task`), confirmed (draft to open: `confirm_report`),
  progress (open to in progress), completed, awaiting acceptance, accepted, returned,
  cancelled, reopened (`_set_status`, `reopen`, tracker/tasks/verification.py);
- the deadline moves with an event whose field is "deadline" and whose old value is the
  label of the deadline before (`_deadline_label`: "2026-06-01", "2026-06-01 (phrase)", or
  "" for none): a manager's change (deadline changed), an approved extension (extension
  approved), an edit during the review of a report (edited). A requested or refused
  extension carries the field "deadline" too but moves nothing: it is not a change here;
- a task done at once is done at its "completed" event; a task accepted after waiting was
  done when the owner reported it (`accept` sets completed_at to submitted_at, the time of
  the "awaiting acceptance" event): the dashboard's on-time figures count that moment;
- reopening clears completed_at: a past completion time lives only in the history.

The state at a moment is replayed backwards from the current one: every change at or
after the moment is undone, latest first. A task without events (older data, made before
the history was kept) therefore keeps its current values back to its creation, with one
inference: a task done now whose completion no event recorded was not yet done before its
completed_at (it counts as open until then); a cancellation without an event has no time,
so such a task counts as cancelled since its creation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.models import ACTIVE_STATUSES, EventKind, TaskStatus

STATUS_FIELD = "status"
DEADLINE_FIELD = "deadline"
# The events whose field "deadline" means the deadline moved (a request or a refusal does not).
DEADLINE_MOVES = frozenset(
    {EventKind.DEADLINE_CHANGED, EventKind.EXTENSION_APPROVED, EventKind.EDITED}
)


@dataclass(frozen=True)
class TaskFacts:
    """A task as it is now."""

    created_at: datetime
    status: TaskStatus
    deadline: date | None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class Change:
    """One event of the task's history that changed its status or its deadline."""

    at: datetime
    kind: EventKind
    field: str  # STATUS_FIELD or DEADLINE_FIELD
    old: str | None
    new: str | None


@dataclass(frozen=True)
class TaskState:
    status: TaskStatus
    deadline: date | None
    done_at: datetime | None  # when it was done, while it is done


def is_change(kind: EventKind, field: str | None) -> bool:
    """Whether an event (its kind and field) changed the status or the deadline."""
    return field == STATUS_FIELD or (field == DEADLINE_FIELD and kind in DEADLINE_MOVES)


def deadline_from_label(label: str | None) -> date | None:
    """The date of a deadline label ("2026-06-01 (as written)"); None for none."""
    text = (label or "").strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def status_from_value(value: str | None) -> TaskStatus | None:
    try:
        return TaskStatus(value) if value else None
    except ValueError:
        return None


def end_of_day(day: date, timezone: str) -> datetime:
    """The first instant after `day` in the time zone (UTC): the state "at the end of the
    day" is the state after every change before this instant."""
    local = datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _sets(change: Change, status: TaskStatus) -> bool:
    return change.field == STATUS_FIELD and change.new == status.value


def _with_inferred_completion(facts: TaskFacts, changes: list[Change]) -> list[Change]:
    """The changes, and for a task done now whose completion no event recorded (older
    data), a completion at completed_at from the status the history had reached then
    (open without any)."""
    if facts.status is not TaskStatus.DONE or facts.completed_at is None:
        return changes
    if any(_sets(change, TaskStatus.DONE) for change in changes):
        return changes
    completed_at = _aware(facts.completed_at)
    before = TaskStatus.OPEN.value
    for change in changes:
        if change.field == STATUS_FIELD and change.at < completed_at and change.new:
            before = change.new
    inferred = Change(
        completed_at, EventKind.COMPLETED, STATUS_FIELD, before, TaskStatus.DONE.value
    )
    return sorted([*changes, inferred], key=lambda change: change.at)


def _undo(
    status: TaskStatus, deadline: date | None, change: Change
) -> tuple[TaskStatus, date | None]:
    if change.field == STATUS_FIELD:
        previous = status_from_value(change.old)
        return (previous or status), deadline
    return status, deadline_from_label(change.old)


def _last_setting(changes: Sequence[Change], before: int, status: TaskStatus) -> int | None:
    """The index of the latest of the first `before` changes that set `status`."""
    for index in range(before - 1, -1, -1):
        if _sets(changes[index], status):
            return index
    return None


def _done_at(facts: TaskFacts, changes: Sequence[Change], applied: int) -> datetime | None:
    """When the task was done, given that it is done after the first `applied` changes."""
    later_status = any(change.field == STATUS_FIELD for change in changes[applied:])
    if facts.completed_at is not None and not later_status:
        return _aware(facts.completed_at)  # the completion of now: the task's own record
    finishing = _last_setting(changes, applied, TaskStatus.DONE)
    if finishing is None:
        return _aware(facts.completed_at) if facts.completed_at is not None else None
    change = changes[finishing]
    if change.kind is EventKind.ACCEPTED:
        # Done when the owner reported it, the work waiting for acceptance since.
        submitted = _last_setting(changes, finishing, TaskStatus.AWAITING_ACCEPTANCE)
        if submitted is not None:
            return changes[submitted].at
    return change.at


class TaskHistory:
    """A task's facts and changes, ordered once, to be asked for its state at several moments."""

    def __init__(self, facts: TaskFacts, changes: Sequence[Change]) -> None:
        self.facts = facts
        self.created_at = _aware(facts.created_at)
        ordered = sorted((_normalised(change) for change in changes), key=lambda c: c.at)
        self.changes = _with_inferred_completion(facts, ordered)

    def state_at(self, moment: datetime) -> TaskState | None:
        """The status, deadline and completion time after every change before `moment` (an
        aware instant); None if the task did not exist yet."""
        if self.created_at >= moment:
            return None
        changes = self.changes
        status, deadline = self.facts.status, self.facts.deadline
        applied = len(changes)
        while applied and changes[applied - 1].at >= moment:
            applied -= 1
            status, deadline = _undo(status, deadline, changes[applied])
        done_at = _done_at(self.facts, changes, applied) if status is TaskStatus.DONE else None
        return TaskState(status, deadline, done_at)

    def states_at(self, moments: Sequence[datetime]) -> list[TaskState | None]:
        """`state_at` each of `moments` (aware, in ascending order) in one walk back through
        the changes; a state that did not change between two moments is the same object."""
        changes = self.changes
        status, deadline = self.facts.status, self.facts.deadline
        applied = len(changes)
        state: TaskState | None = None
        states: list[TaskState | None] = [None] * len(moments)
        for index in range(len(moments) - 1, -1, -1):
            moment = moments[index]
            if self.created_at >= moment:
                break  # nor at any earlier moment
            undone = applied
            while applied and changes[applied - 1].at >= moment:
                applied -= 1
                status, deadline = _undo(status, deadline, changes[applied])
            if state is None or undone != applied:
                done = status is TaskStatus.DONE
                done_at = _done_at(self.facts, changes, applied) if done else None
                state = TaskState(status, deadline, done_at)
            states[index] = state
        return states


def state_at(facts: TaskFacts, changes: Sequence[Change], moment: datetime) -> TaskState | None:
    """The task's state after every change before `moment`; None if it did not exist yet.
    `changes` are the task's status and deadline events (`is_change`), in the order they
    happened (ties keep that order)."""
    return TaskHistory(facts, changes).state_at(moment)


def _normalised(change: Change) -> Change:
    if change.at.tzinfo is not None:
        return change
    return Change(_aware(change.at), change.kind, change.field, change.old, change.new)


def local_day(moment: datetime, timezone: str) -> date:
    return _aware(moment).astimezone(ZoneInfo(timezone)).date()


def done_on_time(state: TaskState, timezone: str) -> bool:
    """Done by its deadline as it stood then: the day of completion in the organisation's
    time zone on or before the deadline. A task done without a deadline was not late."""
    if state.status is not TaskStatus.DONE:
        return False
    if state.deadline is None or state.done_at is None:
        return True
    return local_day(state.done_at, timezone) <= state.deadline


def is_overdue(state: TaskState, day: date) -> bool:
    """Open or in progress with its deadline before `day`: what the dashboard counted as
    overdue that day (`Task.is_overdue`)."""
    return state.status in ACTIVE_STATUSES and state.deadline is not None and state.deadline < day
