"""The policy for a task of several departments and for a task awaiting acceptance (#11
items 3 and 4): escalations climb each owner's chain; a task reported done is reminded of
nothing, and an acceptance pending for the working days allowed escalates once, to the
manager's manager, under a key that no overdue notification can take."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.notifications.policy import (
    ACCEPTANCE_LEVEL,
    DepartmentFacts,
    Kind,
    Organisation,
    PolicySettings,
    TaskFacts,
    acceptance_deadline,
    escalation_recipients,
    notifications_due,
)
from tracker.workdays import add_working_days

# 1 Administration (head 100)
# ├── 2 North (head 200)
# │   └── 3 North unit (head 300)   officer 1
# └── 4 South (head 400)
#     └── 5 South unit (head 500)   officer 2
ORG = Organisation(
    departments={
        1: DepartmentFacts(1, None, 100),
        2: DepartmentFacts(2, 1, 200),
        3: DepartmentFacts(3, 2, 300),
        4: DepartmentFacts(4, 1, 400),
        5: DepartmentFacts(5, 4, 500),
    },
    user_departments={1: 3, 2: 5, 100: 1, 200: 2, 300: 3, 400: 4, 500: 5},
    admin_ids=(900,),
)
OWNERS = (1, 2)
DEADLINE = date(2025, 3, 26)  # a Wednesday with no holiday near it
SUBMITTED = date(2025, 4, 1)  # a Tuesday


def test_level_1_reaches_both_owners_heads_and_level_2_both_heads_above() -> None:
    assert escalation_recipients(OWNERS, 1, ORG) == (300, 500)
    assert escalation_recipients(OWNERS, 2, ORG) == (200, 400)
    assert escalation_recipients(OWNERS, 3, ORG) == (100,)  # both chains meet at the top


def test_an_overdue_two_department_task_escalates_up_both_chains() -> None:
    task = TaskFacts(7, DEADLINE, "open", OWNERS)
    level_2_day = add_working_days(DEADLINE, 10)
    dues = notifications_due(task, level_2_day, ORG)
    escalations = {due.level: due.recipient_ids for due in dues if due.kind is Kind.ESCALATION}
    assert escalations == {1: (300, 500), 2: (200, 400)}


@pytest.mark.parametrize(
    "day",
    [
        add_working_days(DEADLINE, -7),
        add_working_days(DEADLINE, -1),
        DEADLINE,
        add_working_days(DEADLINE, 1),
        add_working_days(DEADLINE, 10),
    ],
)
def test_a_task_awaiting_acceptance_is_reminded_of_nothing(day: date) -> None:
    # Submitted on the day itself: too early for the acceptance escalation too.
    waiting = TaskFacts(7, DEADLINE, "awaiting_acceptance", OWNERS, submitted_on=day)
    assert notifications_due(waiting, day, ORG) == []
    # The same task still open is owed something on each of those days.
    assert notifications_due(TaskFacts(7, DEADLINE, "open", OWNERS), day, ORG) != []


def test_an_acceptance_pending_for_the_working_days_allowed_escalates_to_the_managers_manager() -> (
    None
):
    settings = PolicySettings(acceptance_working_days=5)
    limit = acceptance_deadline(SUBMITTED, settings)
    assert limit == date(2025, 4, 8)  # five working days after Tuesday 1 April
    waiting = TaskFacts(7, DEADLINE, "awaiting_acceptance", OWNERS, submitted_on=SUBMITTED)

    assert notifications_due(waiting, date(2025, 4, 7), ORG, settings) == []
    (due,) = notifications_due(waiting, limit, ORG, settings)
    assert (due.kind, due.level, due.deadline) == (Kind.ESCALATION, ACCEPTANCE_LEVEL, limit)
    assert due.recipient_ids == (200, 400)  # level 2 of each owner's chain, never the owners
    assert due.awaiting_since == SUBMITTED
    # A missed run catches up with the same key (sent once, deduped by the planner).
    (later,) = notifications_due(waiting, date(2025, 4, 10), ORG, settings)
    assert later.key == due.key
    assert later.days_overdue == 2


def test_the_acceptance_key_never_meets_an_overdue_escalations_key() -> None:
    """Even when the acceptance deadline is the task's own deadline."""
    settings = PolicySettings(acceptance_working_days=5)
    submitted = add_working_days(DEADLINE, -5)
    waiting = TaskFacts(7, DEADLINE, "awaiting_acceptance", OWNERS, submitted_on=submitted)
    (acceptance,) = notifications_due(waiting, DEADLINE, ORG, settings)
    assert acceptance.deadline == DEADLINE
    returned = TaskFacts(7, DEADLINE, "in_progress", OWNERS)
    overdue_keys = {
        due.key
        for day in (add_working_days(DEADLINE, 3), add_working_days(DEADLINE, 10))
        for due in notifications_due(returned, day, ORG, settings)
    }
    assert acceptance.key not in overdue_keys


def test_a_second_submission_starts_a_fresh_acceptance_escalation() -> None:
    first = TaskFacts(7, DEADLINE, "awaiting_acceptance", OWNERS, submitted_on=SUBMITTED)
    again = TaskFacts(7, DEADLINE, "awaiting_acceptance", OWNERS, submitted_on=date(2025, 4, 14))
    (first_due,) = notifications_due(first, date(2025, 4, 30), ORG)
    (again_due,) = notifications_due(again, date(2025, 4, 30), ORG)
    assert first_due.key != again_due.key


def test_nothing_is_owed_on_a_weekend_nor_without_a_submission_day() -> None:
    waiting = TaskFacts(7, DEADLINE, "awaiting_acceptance", OWNERS, submitted_on=SUBMITTED)
    assert notifications_due(waiting, date(2025, 4, 12), ORG) == []  # a Saturday
    unknown = TaskFacts(7, DEADLINE, "awaiting_acceptance", OWNERS)
    assert notifications_due(unknown, date(2025, 4, 30), ORG) == []


def test_an_owner_at_the_top_hands_the_acceptance_escalation_to_the_admins() -> None:
    top = TaskFacts(7, DEADLINE, "awaiting_acceptance", (100,), submitted_on=SUBMITTED)
    (due,) = notifications_due(top, date(2025, 4, 30), ORG)
    assert due.recipient_ids == (900,)


def test_acceptance_working_days_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="acceptance_working_days"):
        PolicySettings(acceptance_working_days=0)
