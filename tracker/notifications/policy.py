"""Who is owed which notification about a task on a given day.

Pure functions over plain facts (no Flask, no database): the planner loads the facts,
asks `notifications_due`, and dedupes the answer by `Due.key` against what was already
sent. The answer is "what is owed as of today", so a run that was missed catches up and a
rerun gives the same answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from tracker.workdays import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

# Plain strings, not tracker.models.TaskStatus, so that this module stays free of SQLAlchemy.
ACTIVE_STATUSES = frozenset({"open", "in_progress"})
AWAITING_ACCEPTANCE = "awaiting_acceptance"

# An acceptance left pending too long is an escalation of this level: overdue escalations
# are numbered from 1, so its key (task, "escalation", 0, acceptance deadline) never meets
# theirs, and the kinds stay the four the database allows. It goes to those who would get
# level ACCEPTANCE_RECIPIENT_LEVEL: the manager's manager.
ACCEPTANCE_LEVEL = 0
ACCEPTANCE_RECIPIENT_LEVEL = 2


class Kind(StrEnum):
    REMINDER = "reminder"  # before the deadline; level = working days before (e.g. 7, 1)
    DUE_TODAY = "due_today"  # on the deadline day; level = 0
    OVERDUE = "overdue"  # to the owners; level = repeat number 0, 1, 2, ...
    ESCALATION = "escalation"  # to managers; level = 1 or 2


@dataclass(frozen=True)
class PolicySettings:
    reminder_working_days: tuple[int, ...] = (7, 1)  # working days before the deadline
    remind_on_the_day: bool = True
    overdue_repeat_days: int = 7  # calendar days between overdue notices
    escalation_working_days: tuple[int, ...] = (3, 10)  # working days overdue for level 1, 2, ...
    acceptance_working_days: int = 5  # working days an acceptance may wait before escalating

    def __post_init__(self) -> None:
        # A zero or negative offset would put a "before" reminder on or after the deadline,
        # or an escalation before it: a configuration mistake, so fail loudly at start-up.
        if any(days < 1 for days in self.reminder_working_days):
            raise ValueError("reminder_working_days must all be at least 1")
        if self.overdue_repeat_days < 1:
            raise ValueError("overdue_repeat_days must be at least 1")
        if any(days < 1 for days in self.escalation_working_days):
            raise ValueError("escalation_working_days must all be at least 1")
        levels = self.escalation_working_days
        if any(later <= earlier for earlier, later in itertools.pairwise(levels)):
            # Level 2 before level 1 would reach the head above before the head.
            raise ValueError("escalation_working_days must increase from one level to the next")
        if self.acceptance_working_days < 1:
            raise ValueError("acceptance_working_days must be at least 1")


@dataclass(frozen=True)
class DepartmentFacts:
    id: int
    parent_id: int | None
    head_id: int | None


# How many substitutes deep a notice may travel (A absent -> B absent -> C ...): a chain
# longer than this is a mistake in the absences, and the notice stays with the absent person.
MAX_SUBSTITUTE_HOPS = 5


@dataclass(frozen=True)
class Organisation:
    departments: dict[int, DepartmentFacts]
    user_departments: dict[int, int | None]  # user id -> department id
    admin_ids: tuple[int, ...]
    # The people absent on the planning day -> their substitute (None: absent, no substitute).
    absences: Mapping[int, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskFacts:
    task_id: int
    deadline: date | None
    status: str  # "draft" | "open" | "in_progress" | "awaiting_acceptance" | "done" | "cancelled"
    owner_ids: tuple[int, ...]
    # The organisation's day on which it began to await acceptance (None otherwise).
    submitted_on: date | None = None


@dataclass(frozen=True, slots=True)
class Due:
    task_id: int
    kind: Kind
    level: int
    deadline: date
    recipient_ids: tuple[int, ...]
    days_overdue: int  # calendar days past the deadline as of `today` (0 if not overdue)
    # For an acceptance escalation: the day the task began to await acceptance. Its
    # `deadline` is then the acceptance deadline (that day + the working days allowed).
    awaiting_since: date | None = None
    # (recipient, absent person) pairs: the recipient gets it as that person's substitute.
    # Not part of the key: routing changes who is told, not what is owed.
    substituting: tuple[tuple[int, int], ...] = ()

    @property
    def key(self) -> tuple[int, str, int, date]:
        """The dedupe key: the deadline is part of it, so a moved deadline starts afresh."""
        return (self.task_id, self.kind.value, self.level, self.deadline)


def notifications_due(
    task: TaskFacts,
    today: date,
    organisation: Organisation,
    settings: PolicySettings = PolicySettings(),
) -> list[Due]:
    """Everything owed about `task` as of `today`; the caller drops what it already sent."""
    if task.status == AWAITING_ACCEPTANCE:
        # Reported done: the owners are not reminded; the wait for acceptance may escalate.
        return _acceptance_escalation_due(task, today, organisation, settings)
    deadline = task.deadline
    if deadline is None or task.status not in ACTIVE_STATUSES or not is_working_day(today):
        return []
    if today <= deadline:
        return _reminder_due(task, deadline, today, organisation, settings)
    return _overdue_notice_due(task, deadline, today, organisation, settings) + _escalations_due(
        task, deadline, today, organisation, settings
    )


def _reminder_due(
    task: TaskFacts,
    deadline: date,
    today: date,
    organisation: Organisation,
    settings: PolicySettings,
) -> list[Due]:
    """Before or on the deadline: the owners' latest reminder stage reached, if any."""
    owners = _sorted_unique(task.owner_ids)
    stage = _before_deadline_stage(deadline, today, settings)
    if stage is None or not owners:
        return []
    kind, level = stage
    recipients, substituting = routed(owners, organisation)
    return [Due(task.task_id, kind, level, deadline, recipients, 0, substituting=substituting)]


def _overdue_notice_due(
    task: TaskFacts,
    deadline: date,
    today: date,
    organisation: Organisation,
    settings: PolicySettings,
) -> list[Due]:
    """Past the deadline: the owners' latest overdue notice, numbered by repeat."""
    owners = _sorted_unique(task.owner_ids)
    if not owners:
        return []
    # Stage n is on next_working_day(first + n * repeat). Because today is a working day,
    # next_working_day(x) <= today whenever x <= today, so the latest stage is a division.
    first = next_working_day(deadline + timedelta(days=1))
    repeat = (today - first).days // settings.overdue_repeat_days
    days_overdue = (today - deadline).days
    recipients, substituting = routed(owners, organisation)
    return [
        Due(
            task.task_id,
            Kind.OVERDUE,
            repeat,
            deadline,
            recipients,
            days_overdue,
            substituting=substituting,
        )
    ]


def _escalations_due(
    task: TaskFacts,
    deadline: date,
    today: date,
    organisation: Organisation,
    settings: PolicySettings,
) -> list[Due]:
    """Past the deadline: every escalation level whose working-day threshold is reached
    and that has someone to go to."""
    days_overdue = (today - deadline).days
    working_days_overdue = working_days_between(deadline, today)
    dues: list[Due] = []
    for level, threshold in enumerate(settings.escalation_working_days, start=1):
        if working_days_overdue < threshold:
            continue
        heads = escalation_recipients(task.owner_ids, level, organisation)
        if heads:
            # An absent head is skipped to their substitute (never to an owner).
            recipients, substituting = routed(heads, organisation, task.owner_ids)
            dues.append(
                Due(
                    task.task_id,
                    Kind.ESCALATION,
                    level,
                    deadline,
                    recipients,
                    days_overdue,
                    substituting=substituting,
                )
            )
    return dues


def acceptance_deadline(submitted_on: date, settings: PolicySettings) -> date:
    """The day an acceptance still pending escalates: the working days allowed after the day
    it was submitted (the same count as an overdue escalation's working days overdue)."""
    return add_working_days(submitted_on, settings.acceptance_working_days)


def _acceptance_escalation_due(
    task: TaskFacts, today: date, organisation: Organisation, settings: PolicySettings
) -> list[Due]:
    """Awaiting acceptance for the working days allowed: once per submission (its key holds
    the acceptance deadline, so a task returned and submitted again starts afresh) to the
    manager's manager, as an overdue item's second escalation level would go."""
    if task.submitted_on is None or not is_working_day(today):
        return []
    limit = acceptance_deadline(task.submitted_on, settings)
    if today < limit:
        return []
    heads = escalation_recipients(task.owner_ids, ACCEPTANCE_RECIPIENT_LEVEL, organisation)
    if not heads:
        return []
    recipients, substituting = routed(heads, organisation, task.owner_ids)
    days_waiting = (today - limit).days
    return [
        Due(
            task.task_id,
            Kind.ESCALATION,
            ACCEPTANCE_LEVEL,
            limit,
            recipients,
            days_waiting,
            awaiting_since=task.submitted_on,
            substituting=substituting,
        )
    ]


def _before_deadline_stage(
    deadline: date, today: date, settings: PolicySettings
) -> tuple[Kind, int] | None:
    """The latest reminder stage reached by `today`: earlier missed stages are superseded,
    since a "7 days left" mail sent with 2 days left would only mislead."""
    # Reminder dates strictly decrease as the offset grows and all lie before the deadline,
    # so stage dates never tie and the latest one is unambiguous.
    stages = [
        (add_working_days(deadline, -days), Kind.REMINDER, days)
        for days in settings.reminder_working_days
    ]
    if settings.remind_on_the_day and is_working_day(deadline):
        stages.append((deadline, Kind.DUE_TODAY, 0))
    reached = [stage for stage in stages if stage[0] <= today]
    if not reached:
        return None
    _, kind, level = max(reached, key=lambda stage: stage[0])
    return kind, level


def escalation_recipients(
    owner_ids: Iterable[int], level: int, organisation: Organisation
) -> tuple[int, ...]:
    """The managers who receive escalation `level` (1-based) about a task of `owner_ids`.

    For each owner, walk up from their department and take the `level`-th distinct head
    who is not an owner (a missing head, or a head who owns the task, is skipped, so a head
    who owns the task escalates to their own superior). When the walk runs out of tree, or
    loops, the admins receive it instead. Owners never receive their own escalation.
    """
    if level < 1:
        raise ValueError("escalation levels start at 1")
    owners = frozenset(owner_ids)
    recipients: set[int] = set()
    for owner_id in owners:
        head = _nth_head_above(owner_id, level, owners, organisation)
        if head is None:
            recipients.update(organisation.admin_ids)
        else:
            recipients.add(head)
    return _sorted_unique(recipients - owners)


def _nth_head_above(
    owner_id: int, level: int, owners: frozenset[int], organisation: Organisation
) -> int | None:
    heads_seen: list[int] = []
    visited: set[int] = set()
    department_id = organisation.user_departments.get(owner_id)
    # A department id missing from `departments` (dangling parent, user without a
    # department) counts as the top of the tree; a revisited one means the tree loops.
    while department_id is not None and department_id not in visited:
        department = organisation.departments.get(department_id)
        if department is None:
            break
        visited.add(department_id)
        head = department.head_id
        # The same person heading two departments in the chain would get every level
        # otherwise; each level should reach someone higher.
        if head is not None and head not in owners and head not in heads_seen:
            heads_seen.append(head)
            if len(heads_seen) == level:
                return head
        department_id = department.parent_id
    return None


def stand_in(user_id: int, absences: Mapping[int, int | None]) -> int:
    """Who receives what is meant for `user_id` today: themselves when present; else their
    substitute, or the substitute's own substitute when they are away too, and so on (at
    most MAX_SUBSTITUTE_HOPS). When the chain finds nobody present (no substitute named, a
    cycle, a chain too long), the person themselves: a notice is never dropped."""
    current = user_id
    seen = {user_id}
    for _ in range(MAX_SUBSTITUTE_HOPS):
        if current not in absences:
            return current
        substitute = absences[current]
        if substitute is None or substitute in seen:
            return user_id
        seen.add(substitute)
        current = substitute
    return current if current not in absences else user_id


def stood_in_for(user_id: int, absences: Mapping[int, int | None]) -> tuple[int, ...]:
    """The absent people whose notices (and tasks) `user_id` takes today, by `stand_in`."""
    return tuple(
        sorted(
            absent
            for absent in absences
            if absent != user_id and stand_in(absent, absences) == user_id
        )
    )


def routed(
    recipient_ids: Iterable[int], organisation: Organisation, keep_from: Iterable[int] = ()
) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """The recipients with each absent one replaced by their stand-in, and the (stand-in,
    absent person) pairs. A stand-in among `keep_from` (an owner, for an escalation about
    their own task) is not used: the absent person keeps it."""
    refused = frozenset(keep_from)
    recipients: set[int] = set()
    substituting: set[tuple[int, int]] = set()
    for recipient_id in recipient_ids:
        target = stand_in(recipient_id, organisation.absences)
        if target in refused:
            target = recipient_id
        recipients.add(target)
        if target != recipient_id:
            substituting.add((target, recipient_id))
    return _sorted_unique(recipients), tuple(sorted(substituting))


def pairs_owed(deadline: date, today: date, settings: PolicySettings) -> frozenset[tuple[str, int]]:
    """The (kind, level) of every notification an active task with this deadline may be owed
    today, whoever owns it: what `notifications_due` gives such a task with an owner, a head
    above and an admin. A real task is owed a subset (it may lack owners, or heads for some
    level), so one that already holds all these needs no evaluation today."""
    owner, head, admin = -1, -2, -3
    organisation = Organisation({0: DepartmentFacts(0, None, head)}, {owner: 0}, (admin,))
    task = TaskFacts(0, deadline, "open", (owner,))
    return frozenset(
        (due.kind.value, due.level)
        for due in notifications_due(task, today, organisation, settings)
    )


def earliest_deadline_needing_notice(today: date, settings: PolicySettings) -> date:
    """The latest deadline for which a reminder may be owed today: tasks whose deadline is
    after this date need nothing today (lets the planner filter in SQL).

    Why it holds: a reminder n <= N working days before a deadline later than
    add_working_days(today, N) falls after today, as the N working days in
    (today, add_working_days(today, N)] all lie before that deadline.
    """
    return add_working_days(today, max(settings.reminder_working_days, default=0))


def _sorted_unique(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(ids)))
