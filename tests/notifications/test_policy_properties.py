"""Properties of the notification policy over random dates, settings and organisations."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.notifications.policy import (
    DepartmentFacts,
    Kind,
    Organisation,
    PolicySettings,
    TaskFacts,
    earliest_deadline_needing_notice,
    escalation_recipients,
    notifications_due,
    pairs_owed,
)
from tracker.workdays import add_working_days, is_working_day, working_days_between

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
policy_settings = st.builds(
    PolicySettings,
    reminder_working_days=st.lists(st.integers(1, 15), max_size=3).map(tuple),
    remind_on_the_day=st.booleans(),
    overdue_repeat_days=st.integers(1, 21),
    escalation_working_days=st.lists(st.integers(1, 20), max_size=3, unique=True).map(
        lambda days: tuple(sorted(days))
    ),
)
ORG = Organisation(
    departments={1: DepartmentFacts(1, None, 100), 2: DepartmentFacts(2, 1, 200)},
    user_departments={1: 2, 2: 2},
    admin_ids=(900,),
)


def open_task(deadline: date, owners: tuple[int, ...] = (1, 2)) -> TaskFacts:
    return TaskFacts(task_id=1, deadline=deadline, status="open", owner_ids=owners)


@FAST
@given(today=days, gap=st.integers(1, 90), policy=policy_settings)
def test_deadlines_after_the_cut_off_need_no_reminder_today(
    today: date, gap: int, policy: PolicySettings
) -> None:
    deadline = earliest_deadline_needing_notice(today, policy) + timedelta(days=gap)
    kinds = {due.kind for due in notifications_due(open_task(deadline), today, ORG, policy)}
    assert kinds.isdisjoint({Kind.REMINDER, Kind.DUE_TODAY})


@FAST
@given(today=days, policy=policy_settings)
def test_the_cut_off_is_tight_on_working_days(today: date, policy: PolicySettings) -> None:
    # The deadline exactly at the cut-off owes its earliest reminder today: a planner
    # filtering on `deadline <= cut-off` loses nothing and the bound cannot be lowered.
    if not is_working_day(today) or not policy.reminder_working_days:
        return
    deadline = earliest_deadline_needing_notice(today, policy)
    dues = notifications_due(open_task(deadline), today, ORG, policy)
    assert [(due.kind, due.level) for due in dues] == [
        (Kind.REMINDER, max(policy.reminder_working_days))
    ]


@FAST
@given(today=days, deadline=days, policy=policy_settings)
def test_every_answer_is_well_formed(today: date, deadline: date, policy: PolicySettings) -> None:
    dues = notifications_due(open_task(deadline), today, ORG, policy)
    if not is_working_day(today):
        assert dues == []
    owner_notices = [due for due in dues if due.kind is not Kind.ESCALATION]
    assert len(owner_notices) <= 1
    for due in dues:
        assert due.deadline == deadline
        assert due.days_overdue == max((today - deadline).days, 0)
        assert due.recipient_ids == tuple(sorted(set(due.recipient_ids)))
        assert due.recipient_ids
        if due.kind is Kind.ESCALATION:
            assert not {1, 2} & set(due.recipient_ids)
            threshold = policy.escalation_working_days[due.level - 1]
            assert working_days_between(deadline, today) >= threshold
        else:
            assert due.recipient_ids == (1, 2)
        if due.kind in (Kind.REMINDER, Kind.DUE_TODAY):
            assert today <= deadline
        else:
            assert today > deadline
    assert dues == notifications_due(open_task(deadline), today, ORG, policy)


@FEWER
@given(
    deadline=days,
    policy=policy_settings,
    down_start=st.integers(-20, 40),
    down_length=st.integers(0, 15),
)
def test_a_missed_run_catches_up(
    deadline: date, policy: PolicySettings, down_start: int, down_length: int
) -> None:
    """With the server down for a while, every escalation is still sent, the overdue notice
    ends at the same level, and nothing is sent that an always-on server would not send."""
    start, end = deadline - timedelta(days=25), deadline + timedelta(days=45)
    down = range(down_start, down_start + down_length)

    def sent(skip: range) -> set[tuple[int, str, int, date]]:
        keys: set[tuple[int, str, int, date]] = set()
        day = start
        while day <= end:
            if (day - deadline).days not in skip:
                keys.update(
                    due.key for due in notifications_due(open_task(deadline), day, ORG, policy)
                )
            day += timedelta(days=1)
        return keys

    always_on, with_outage = sent(range(0)), sent(down)
    assert with_outage <= always_on

    def escalations(keys: set[tuple[int, str, int, date]]) -> set[int]:
        return {level for _, kind, level, _ in keys if kind == Kind.ESCALATION}

    def last_overdue(keys: set[tuple[int, str, int, date]]) -> int | None:
        return max((level for _, kind, level, _ in keys if kind == Kind.OVERDUE), default=None)

    back = deadline + timedelta(days=down_start + down_length)
    while not is_working_day(back):
        back += timedelta(days=1)
    if back <= end:  # a run after the outage falls inside the window
        assert escalations(with_outage) == escalations(always_on)
        assert last_overdue(with_outage) == last_overdue(always_on)


@FAST
@given(
    parents=st.lists(st.one_of(st.none(), st.integers(0, 7)), min_size=8, max_size=8),
    heads=st.lists(st.one_of(st.none(), st.integers(100, 104)), min_size=8, max_size=8),
    owner_departments=st.lists(st.one_of(st.none(), st.integers(0, 8)), min_size=1, max_size=3),
    owner_is_head=st.booleans(),
    level=st.integers(1, 6),
)
def test_escalation_recipients_terminate_and_never_include_owners(
    parents: list[int | None],
    heads: list[int | None],
    owner_departments: list[int | None],
    owner_is_head: bool,
    level: int,
) -> None:
    # Random parent links make loops, dangling parents (8 is not a department) and heads of
    # several departments likely.
    departments = {i: DepartmentFacts(i, parents[i], heads[i]) for i in range(8)}
    owners = tuple(range(1, len(owner_departments) + 1))
    user_departments: dict[int, int | None] = dict(zip(owners, owner_departments, strict=True))
    if owner_is_head and heads[0] is not None:
        owners = (*owners, heads[0])
        user_departments[heads[0]] = 0
    org = Organisation(departments, user_departments, admin_ids=(900, 901))
    recipients = escalation_recipients(owners, level, org)
    assert recipients == tuple(sorted(set(recipients)))
    assert not set(owners) & set(recipients)
    assert set(recipients) <= {100, 101, 102, 103, 104, 900, 901}
    assert recipients


def test_the_cut_off_with_the_default_settings() -> None:
    # Friday 18 April 2025: seven working days on, skipping 24 April and 1 May.
    today = date(2025, 4, 18)
    assert earliest_deadline_needing_notice(today, PolicySettings()) == date(2025, 4, 30)
    assert earliest_deadline_needing_notice(today, PolicySettings()) == add_working_days(today, 7)


def test_the_cut_off_without_reminders_is_today() -> None:
    settings_ = PolicySettings(reminder_working_days=())
    assert earliest_deadline_needing_notice(date(2025, 4, 18), settings_) == date(2025, 4, 18)


@FAST
@given(
    today=days,
    deadline=days,
    policy=policy_settings,
    parents=st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=4, max_size=4),
    heads=st.lists(st.one_of(st.none(), st.integers(100, 102)), min_size=4, max_size=4),
    owner_departments=st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=3),
    admins=st.sampled_from([(), (900,)]),
    status=st.sampled_from(["open", "in_progress"]),
)
def test_a_task_is_owed_no_pair_its_deadline_is_not_owed(
    today: date,
    deadline: date,
    policy: PolicySettings,
    parents: list[int | None],
    heads: list[int | None],
    owner_departments: list[int | None],
    admins: tuple[int, ...],
    status: str,
) -> None:
    """The planner evaluates only tasks missing one of `pairs_owed`: so whatever the owners
    and the tree (none, loops, no heads, no admins), a task is owed nothing outside them."""
    departments = {i: DepartmentFacts(i, parents[i], heads[i]) for i in range(4)}
    owners = tuple(range(1, len(owner_departments) + 1))
    org = Organisation(departments, dict(zip(owners, owner_departments, strict=True)), admins)
    task = TaskFacts(task_id=7, deadline=deadline, status=status, owner_ids=owners)
    owed = {(due.kind.value, due.level) for due in notifications_due(task, today, org, policy)}
    assert owed <= pairs_owed(deadline, today, policy)


@FAST
@given(today=days, deadline=days, policy=policy_settings)
def test_a_task_with_an_owner_a_head_and_an_admin_is_owed_every_pair(
    today: date, deadline: date, policy: PolicySettings
) -> None:
    owed = {
        (due.kind.value, due.level)
        for due in notifications_due(open_task(deadline), today, ORG, policy)
    }
    assert owed == pairs_owed(deadline, today, policy)


def test_the_pairs_owed_for_a_task_overdue_two_weeks() -> None:
    thursday = date(2026, 11, 26)
    assert pairs_owed(thursday - timedelta(days=14), thursday, PolicySettings()) == {
        ("overdue", 1),
        ("escalation", 1),
        ("escalation", 2),
    }
    assert pairs_owed(thursday + timedelta(days=1), thursday, PolicySettings()) == {("reminder", 1)}
    assert pairs_owed(thursday + timedelta(days=60), thursday, PolicySettings()) == frozenset()
