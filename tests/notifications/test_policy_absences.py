"""The policy routes what is meant for an absent person to their stand-in: the substitute,
the substitute's substitute when they are away too (up to a limit), the person themselves
when the chain finds nobody present; an absent head's escalation to the head's substitute."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tracker.notifications.policy import (
    MAX_SUBSTITUTE_HOPS,
    DepartmentFacts,
    Kind,
    Organisation,
    TaskFacts,
    notifications_due,
    routed,
    stand_in,
    stood_in_for,
)

# 1 Administration (head 100) └── 2 Digital (head 200): officers 1, 2; deputy 201.
ORG = Organisation(
    departments={1: DepartmentFacts(1, None, 100), 2: DepartmentFacts(2, 1, 200)},
    user_departments={1: 2, 2: 2, 200: 2, 201: 2, 100: 1},
    admin_ids=(900,),
)
DEADLINE = date(2025, 3, 26)


@pytest.mark.parametrize(
    ("absences", "person", "expected"),
    [
        ({}, 1, 1),  # present
        ({1: 2}, 1, 2),  # absent: the substitute
        ({1: 2, 2: 3}, 1, 3),  # the substitute away too: theirs
        ({1: 2, 2: 3, 3: 4}, 1, 4),
        ({1: 2, 2: 1}, 1, 1),  # a cycle: nobody present, the person keeps it
        ({1: 2, 2: 3, 3: 1}, 2, 2),
        ({1: None}, 1, 1),  # absent without a substitute
        ({1: 2, 2: None}, 1, 1),  # the substitute away with nobody: back to the person
        ({1: 1}, 1, 1),  # oneself (the service refuses it; the policy survives it)
    ],
)
def test_stand_in(absences: dict[int, int | None], person: int, expected: int) -> None:
    assert stand_in(person, absences) == expected


def test_a_chain_longer_than_the_limit_stays_with_the_person() -> None:
    within = {person: person + 1 for person in range(1, MAX_SUBSTITUTE_HOPS + 1)}
    assert stand_in(1, within) == MAX_SUBSTITUTE_HOPS + 1
    too_long = {person: person + 1 for person in range(1, MAX_SUBSTITUTE_HOPS + 2)}
    assert stand_in(1, too_long) == 1


def test_who_stands_in_for_whom() -> None:
    absences = {1: 2, 2: 3, 5: 3, 7: 8, 8: 7}
    assert stood_in_for(3, absences) == (1, 2, 5)
    assert stood_in_for(2, absences) == ()  # away: their own people go on to 3
    assert stood_in_for(7, absences) == ()  # a cycle: each keeps their own


def test_routed_names_each_substitution_and_keeps_owners_out() -> None:
    organisation = replace(ORG, absences={1: 2, 200: 1})
    assert routed((1, 100), organisation) == ((2, 100), ((2, 1),))
    # An owner never receives the escalation of their own task: the absent head keeps it.
    head_away = replace(ORG, absences={200: 1})
    assert routed((200,), head_away, keep_from=(1,)) == ((200,), ())
    assert routed((200,), head_away) == ((1,), ((1, 200),))


def reminder(organisation: Organisation, today: date, owners=(1,)):
    task = TaskFacts(10, DEADLINE, "open", owners)
    return notifications_due(task, today, organisation)


def test_an_absent_owners_reminder_goes_to_the_substitute_with_the_same_key() -> None:
    present = reminder(ORG, date(2025, 3, 17))
    absent = reminder(replace(ORG, absences={1: 2}), date(2025, 3, 17))
    assert [due.recipient_ids for due in present] == [(1,)]
    assert [due.recipient_ids for due in absent] == [(2,)]
    assert absent[0].substituting == ((2, 1),)
    # The same notification: planned once, whoever received it.
    assert absent[0].key == present[0].key


def test_two_owners_one_absent_with_the_other_as_substitute() -> None:
    (due,) = reminder(replace(ORG, absences={1: 2}), date(2025, 3, 17), owners=(1, 2))
    assert due.recipient_ids == (2,)
    assert due.substituting == ((2, 1),)


def test_an_absent_head_is_skipped_to_their_substitute() -> None:
    task = TaskFacts(10, DEADLINE, "open", (1,))
    dues = notifications_due(task, date(2025, 4, 9), replace(ORG, absences={200: 201}))
    escalations = {due.level: due for due in dues if due.kind is Kind.ESCALATION}
    assert escalations[1].recipient_ids == (201,)
    assert escalations[1].substituting == ((201, 200),)
    assert escalations[2].recipient_ids == (100,)  # the level above is present
    overdue = next(due for due in dues if due.kind is Kind.OVERDUE)
    assert overdue.recipient_ids == (1,)


def test_an_absent_head_with_an_absent_substitute_reaches_the_next_one() -> None:
    task = TaskFacts(10, DEADLINE, "open", (1,))
    organisation = replace(ORG, absences={200: 201, 201: 100})
    dues = notifications_due(task, date(2025, 3, 31), organisation)
    (level_1,) = [due for due in dues if due.kind is Kind.ESCALATION]
    assert level_1.recipient_ids == (100,)
    assert level_1.substituting == ((100, 200),)


def test_an_absent_admin_at_the_top_is_replaced_too() -> None:
    lone = Organisation(departments={}, user_departments={1: None}, admin_ids=(900,))
    task = TaskFacts(10, DEADLINE, "open", (1,))
    dues = notifications_due(task, date(2025, 3, 31), replace(lone, absences={900: 901}))
    (level_1,) = [due for due in dues if due.kind is Kind.ESCALATION]
    assert level_1.recipient_ids == (901,)
