"""The notification policy on real Armenian calendar dates: stages, holidays, catch-up."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from tracker.notifications.policy import (
    DepartmentFacts,
    Due,
    Kind,
    Organisation,
    PolicySettings,
    TaskFacts,
    notifications_due,
)
from tracker.workdays import is_working_day, next_working_day

R, D, OV, E = Kind.REMINDER, Kind.DUE_TODAY, Kind.OVERDUE, Kind.ESCALATION
OWNERS = (1, 2)
# Owners 1 and 2 work in department 20 (head 200), under department 10 (head 100).
ORG = Organisation(
    departments={10: DepartmentFacts(10, None, 100), 20: DepartmentFacts(20, 10, 200)},
    user_departments={1: 20, 2: 20},
    admin_ids=(900,),
)
DEFAULT = PolicySettings()
WED_DEADLINE = date(2025, 3, 26)


def task(
    deadline: date | None = WED_DEADLINE,
    status: str = "open",
    owners: tuple[int, ...] = OWNERS,
) -> TaskFacts:
    return TaskFacts(task_id=7, deadline=deadline, status=status, owner_ids=owners)


def owed(
    today: date, deadline: date | None = WED_DEADLINE, settings: PolicySettings = DEFAULT
) -> list[tuple[Kind, int]]:
    return [
        (due.kind, due.level) for due in notifications_due(task(deadline), today, ORG, settings)
    ]


def first_day_owed(
    deadline: date, kind: Kind, level: int, settings: PolicySettings = DEFAULT
) -> date | None:
    """The first day a daily run would owe (kind, level), scanning 60 days either side."""
    day = deadline - timedelta(days=60)
    while day <= deadline + timedelta(days=60):
        if (kind, level) in owed(day, deadline, settings):
            return day
        day += timedelta(days=1)
    return None


def simulate(
    deadline: date,
    start: date,
    end: date,
    down: tuple[date, date] | None = None,
    settings: PolicySettings = DEFAULT,
) -> dict[tuple[int, str, int, date], date]:
    """Run the policy every day from start to end like the scheduler, deduping by key as the
    outbox does; `down` is an inclusive range of days the server was off. Returns each key
    with the day it was sent."""
    sent: dict[tuple[int, str, int, date], date] = {}
    day = start
    while day <= end:
        if down is None or not down[0] <= day <= down[1]:
            for due in notifications_due(task(deadline), day, ORG, settings):
                sent.setdefault(due.key, day)
        day += timedelta(days=1)
    return sent


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 1), False),
        (date(2025, 1, 2), False),
        (date(2025, 1, 3), True),
        (date(2025, 1, 6), False),
        (date(2025, 3, 8), False),
        (date(2025, 4, 24), False),
        (date(2025, 5, 1), False),
        (date(2025, 5, 9), False),
        (date(2025, 5, 28), False),
        (date(2025, 12, 31), False),
        (date(2026, 1, 6), False),
        (WED_DEADLINE, True),
    ],
    ids=str,
)
def test_the_calendar_these_tests_rely_on(day: date, working: bool) -> None:
    assert is_working_day(day) is working
    if not working and day.weekday() < 5:
        assert day in holidays.country_holidays("AM", years=day.year)


def test_womens_day_2025_is_a_saturday_and_a_holiday() -> None:
    day = date(2025, 3, 8)
    assert day.weekday() == 5
    assert day in holidays.country_holidays("AM", years=2025)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 3, 14), []),
        (date(2025, 3, 17), [(R, 7)]),
        (date(2025, 3, 20), [(R, 7)]),
        (date(2025, 3, 22), []),
        (date(2025, 3, 24), [(R, 7)]),
        (date(2025, 3, 25), [(R, 1)]),
        (date(2025, 3, 26), [(D, 0)]),
        (date(2025, 3, 27), [(OV, 0)]),
        (date(2025, 3, 28), [(OV, 0)]),
        (date(2025, 3, 30), []),
        (date(2025, 3, 31), [(OV, 0), (E, 1)]),
        (date(2025, 4, 3), [(OV, 1), (E, 1)]),
        (date(2025, 4, 8), [(OV, 1), (E, 1)]),
        (date(2025, 4, 9), [(OV, 1), (E, 1), (E, 2)]),
        (date(2025, 4, 10), [(OV, 2), (E, 1), (E, 2)]),
        (date(2025, 4, 24), []),
        (date(2025, 4, 25), [(OV, 4), (E, 1), (E, 2)]),
    ],
    ids=lambda value: str(value) if isinstance(value, date) else None,
)
def test_timeline_of_a_wednesday_deadline(today: date, expected: list[tuple[Kind, int]]) -> None:
    assert owed(today) == expected


def test_reminders_and_overdue_notices_go_to_the_owners() -> None:
    assert notifications_due(task(), date(2025, 3, 17), ORG) == [
        Due(7, R, 7, WED_DEADLINE, OWNERS, days_overdue=0)
    ]
    assert notifications_due(task(), date(2025, 3, 26), ORG) == [
        Due(7, D, 0, WED_DEADLINE, OWNERS, days_overdue=0)
    ]
    assert notifications_due(task(), date(2025, 3, 27), ORG) == [
        Due(7, OV, 0, WED_DEADLINE, OWNERS, days_overdue=1)
    ]


def test_escalations_go_up_the_tree_and_carry_the_days_overdue() -> None:
    assert notifications_due(task(), date(2025, 4, 9), ORG) == [
        Due(7, OV, 1, WED_DEADLINE, OWNERS, days_overdue=14),
        Due(7, E, 1, WED_DEADLINE, (200,), days_overdue=14),
        Due(7, E, 2, WED_DEADLINE, (100,), days_overdue=14),
    ]


def test_the_key_is_task_kind_level_deadline_with_a_plain_string_kind() -> None:
    (due,) = notifications_due(task(), date(2025, 3, 17), ORG)
    assert due.key == (7, "reminder", 7, WED_DEADLINE)
    assert type(due.key[1]) is str


def test_owner_ids_are_deduped_and_sorted() -> None:
    (due,) = notifications_due(task(owners=(2, 1, 2)), date(2025, 3, 17), ORG)
    assert due.recipient_ids == (1, 2)


def test_a_task_without_owners_owes_nothing() -> None:
    assert notifications_due(task(owners=()), date(2025, 3, 17), ORG) == []
    assert notifications_due(task(owners=()), date(2025, 4, 10), ORG) == []


def test_a_rerun_on_the_same_day_gives_the_same_answer() -> None:
    for today in (date(2025, 3, 17), date(2025, 3, 26), date(2025, 4, 10)):
        assert notifications_due(task(), today, ORG) == notifications_due(task(), today, ORG)


@pytest.mark.parametrize(
    "today",
    [
        date(2025, 3, 8),  # Saturday and Women's Day
        date(2025, 3, 29),
        date(2025, 3, 30),
        date(2025, 4, 24),
        date(2025, 5, 1),
        date(2025, 5, 9),
        date(2025, 5, 28),
        date(2025, 12, 31),
    ],
    ids=str,
)
def test_nothing_is_sent_on_a_weekend_or_holiday_even_when_owed(today: date) -> None:
    assert owed(today, deadline=date(2025, 3, 7)) == []
    assert owed(next_working_day(today), deadline=date(2025, 3, 7)) != []


class TestDeadlineOnAHoliday:
    @pytest.mark.parametrize(
        ("today", "expected"),
        [
            (date(2025, 5, 19), [(R, 7)]),
            (date(2025, 5, 27), [(R, 1)]),
            (date(2025, 5, 28), []),
            (date(2025, 5, 29), [(OV, 0)]),
            (date(2025, 6, 2), [(OV, 0), (E, 1)]),
        ],
        ids=lambda value: str(value) if isinstance(value, date) else None,
    )
    def test_republic_day(self, today: date, expected: list[tuple[Kind, int]]) -> None:
        assert owed(today, deadline=date(2025, 5, 28)) == expected

    @pytest.mark.parametrize(
        ("today", "expected"),
        [
            (date(2025, 12, 22), [(R, 7)]),
            (date(2025, 12, 30), [(R, 1)]),
            (date(2025, 12, 31), []),
            (date(2026, 1, 1), []),
            (date(2026, 1, 2), []),
            (date(2026, 1, 5), [(OV, 0)]),
            (date(2026, 1, 6), []),
            (date(2026, 1, 8), [(OV, 0), (E, 1)]),
        ],
        ids=lambda value: str(value) if isinstance(value, date) else None,
    )
    def test_new_years_eve(self, today: date, expected: list[tuple[Kind, int]]) -> None:
        assert owed(today, deadline=date(2025, 12, 31)) == expected

    @pytest.mark.parametrize("deadline", [date(2025, 5, 28), date(2025, 12, 31)], ids=str)
    def test_never_a_due_today_notice(self, deadline: date) -> None:
        assert first_day_owed(deadline, D, 0) is None

    def test_days_overdue_counts_calendar_days(self) -> None:
        dues = notifications_due(task(date(2025, 12, 31)), date(2026, 1, 5), ORG)
        assert [due.days_overdue for due in dues] == [5]


@pytest.mark.parametrize(
    ("deadline", "level", "expected"),
    [
        (date(2025, 5, 12), 1, date(2025, 5, 8)),  # skips Victory Day, Fri 9 May
        (date(2025, 5, 12), 7, date(2025, 4, 29)),  # skips Labour Day, Thu 1 May
        (date(2025, 4, 28), 7, date(2025, 4, 16)),  # skips Remembrance Day, 24 April
        (date(2025, 1, 8), 1, date(2025, 1, 7)),  # 6 January is Christmas
        (date(2025, 1, 8), 7, date(2024, 12, 24)),  # skips 31 Dec, 1, 2, 6 Jan and weekends
        (date(2026, 1, 5), 1, date(2025, 12, 30)),  # five days off in a row before it
        (date(2026, 1, 5), 7, date(2025, 12, 22)),
        (WED_DEADLINE, 7, date(2025, 3, 17)),
        (WED_DEADLINE, 1, date(2025, 3, 25)),
    ],
    ids=lambda value: str(value) if isinstance(value, date) else f"R{value}",
)
def test_reminders_count_working_days_across_holidays(
    deadline: date, level: int, expected: date
) -> None:
    assert first_day_owed(deadline, R, level) == expected


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (date(2025, 3, 28), date(2025, 3, 31)),  # Friday -> Monday
        (date(2025, 1, 3), date(2025, 1, 7)),  # Friday -> Tuesday: Monday is Christmas
        (date(2026, 9, 18), date(2026, 9, 22)),  # Friday -> Tuesday: Monday is Independence Day
        (date(2025, 4, 23), date(2025, 4, 25)),  # the day after is Remembrance Day
        (WED_DEADLINE, date(2025, 3, 27)),
    ],
    ids=str,
)
def test_the_first_overdue_notice_is_on_the_next_working_day(
    deadline: date, expected: date
) -> None:
    assert first_day_owed(deadline, OV, 0) == expected


@pytest.mark.parametrize(
    ("deadline", "repeat", "settings", "expected"),
    [
        (date(2025, 3, 28), 1, DEFAULT, date(2025, 4, 7)),
        (date(2025, 3, 28), 2, DEFAULT, date(2025, 4, 14)),
        (date(2025, 3, 28), 3, DEFAULT, date(2025, 4, 21)),
        # From Thu 17 April the weekly repeats land on Remembrance Day and Labour Day.
        (date(2025, 4, 16), 1, DEFAULT, date(2025, 4, 25)),
        (date(2025, 4, 16), 2, DEFAULT, date(2025, 5, 2)),
        (date(2025, 4, 16), 3, DEFAULT, date(2025, 5, 8)),
        # Every 3 days from Thu 27 March: Sun 30 March moves to Monday.
        (WED_DEADLINE, 1, PolicySettings(overdue_repeat_days=3), date(2025, 3, 31)),
        (WED_DEADLINE, 2, PolicySettings(overdue_repeat_days=3), date(2025, 4, 2)),
        (date(2025, 3, 28), 1, PolicySettings(overdue_repeat_days=14), date(2025, 4, 14)),
        (date(2025, 3, 28), 2, PolicySettings(overdue_repeat_days=14), date(2025, 4, 28)),
    ],
    ids=[
        "weekly-1",
        "weekly-2",
        "weekly-3",
        "on-remembrance-day",
        "on-labour-day",
        "back-on-thursday",
        "every-3-on-sunday",
        "every-3-next",
        "every-14-1",
        "every-14-2",
    ],
)
def test_overdue_notices_repeat_moving_off_days_off(
    deadline: date, repeat: int, settings: PolicySettings, expected: date
) -> None:
    assert first_day_owed(deadline, OV, repeat, settings) == expected


@pytest.mark.parametrize(
    ("deadline", "level", "expected"),
    [
        (WED_DEADLINE, 1, date(2025, 3, 31)),
        (WED_DEADLINE, 2, date(2025, 4, 9)),
        (date(2025, 4, 16), 1, date(2025, 4, 21)),
        (date(2025, 4, 16), 2, date(2025, 5, 2)),  # 24 April and 1 May do not count
        (date(2025, 12, 31), 1, date(2026, 1, 8)),
        (date(2025, 12, 31), 2, date(2026, 1, 19)),
    ],
    ids=lambda value: str(value) if isinstance(value, date) else f"E{value}",
)
def test_escalation_after_3_and_10_working_days_overdue(
    deadline: date, level: int, expected: date
) -> None:
    assert first_day_owed(deadline, E, level) == expected


class TestCatchUp:
    def test_a_week_down_before_the_deadline_sends_only_the_latest_reminder(self) -> None:
        assert owed(date(2025, 3, 25)) == [(R, 1)]
        sent = simulate(
            WED_DEADLINE,
            date(2025, 3, 1),
            date(2025, 3, 26),
            down=(date(2025, 3, 14), date(2025, 3, 24)),
        )
        assert sent == {
            (7, "reminder", 1, WED_DEADLINE): date(2025, 3, 25),
            (7, "due_today", 0, WED_DEADLINE): WED_DEADLINE,
        }

    def test_down_until_the_deadline_sends_only_due_today(self) -> None:
        sent = simulate(
            WED_DEADLINE,
            date(2025, 3, 1),
            WED_DEADLINE,
            down=(date(2025, 3, 10), date(2025, 3, 25)),
        )
        assert list(sent) == [(7, "due_today", 0, WED_DEADLINE)]

    def test_two_weeks_down_after_the_deadline_sends_both_escalation_levels(self) -> None:
        assert owed(date(2025, 4, 11)) == [(OV, 2), (E, 1), (E, 2)]
        sent = simulate(
            WED_DEADLINE,
            date(2025, 3, 27),
            date(2025, 4, 11),
            down=(date(2025, 3, 27), date(2025, 4, 10)),
        )
        assert sent == {
            (7, "overdue", 2, WED_DEADLINE): date(2025, 4, 11),
            (7, "escalation", 1, WED_DEADLINE): date(2025, 4, 11),
            (7, "escalation", 2, WED_DEADLINE): date(2025, 4, 11),
        }

    def test_running_every_day_sends_every_stage_once_on_its_day(self) -> None:
        sent = simulate(WED_DEADLINE, date(2025, 3, 1), date(2025, 4, 30))
        assert sent == {
            (7, "reminder", 7, WED_DEADLINE): date(2025, 3, 17),
            (7, "reminder", 1, WED_DEADLINE): date(2025, 3, 25),
            (7, "due_today", 0, WED_DEADLINE): date(2025, 3, 26),
            (7, "overdue", 0, WED_DEADLINE): date(2025, 3, 27),
            (7, "escalation", 1, WED_DEADLINE): date(2025, 3, 31),
            (7, "overdue", 1, WED_DEADLINE): date(2025, 4, 3),
            (7, "escalation", 2, WED_DEADLINE): date(2025, 4, 9),
            (7, "overdue", 2, WED_DEADLINE): date(2025, 4, 10),
            (7, "overdue", 3, WED_DEADLINE): date(2025, 4, 17),
            # Thu 24 April is Remembrance Day.
            (7, "overdue", 4, WED_DEADLINE): date(2025, 4, 25),
        }


class TestDeadlineMoved:
    NEW_DEADLINE = date(2025, 4, 16)

    def test_moved_later_after_a_reminder_starts_a_fresh_set(self) -> None:
        (old,) = notifications_due(task(), date(2025, 3, 17), ORG)
        assert notifications_due(task(self.NEW_DEADLINE), date(2025, 3, 17), ORG) == []
        (new,) = notifications_due(task(self.NEW_DEADLINE), date(2025, 4, 7), ORG)
        assert (new.kind, new.level) == (old.kind, old.level) == (R, 7)
        assert new.key == (7, "reminder", 7, self.NEW_DEADLINE) != old.key

    def test_moved_later_while_overdue_stops_the_overdue_notices(self) -> None:
        assert owed(date(2025, 4, 1)) == [(OV, 0), (E, 1)]
        assert owed(date(2025, 4, 1), deadline=self.NEW_DEADLINE) == []
        assert owed(date(2025, 4, 15), deadline=self.NEW_DEADLINE) == [(R, 1)]

    def test_moved_earlier_past_the_seven_day_stage_sends_the_one_day_reminder(self) -> None:
        assert owed(date(2025, 3, 25), deadline=date(2025, 3, 26)) == [(R, 1)]


class TestStatus:
    DAYS = (
        date(2025, 3, 17),
        date(2025, 3, 25),
        WED_DEADLINE,
        date(2025, 3, 27),
        date(2025, 4, 9),
    )

    @pytest.mark.parametrize("status", ["draft", "done", "cancelled"])
    def test_closed_and_draft_tasks_get_nothing(self, status: str) -> None:
        for today in self.DAYS:
            assert notifications_due(task(status=status), today, ORG) == []

    @pytest.mark.parametrize("status", ["open", "in_progress"])
    def test_active_tasks_without_a_deadline_get_nothing(self, status: str) -> None:
        for today in self.DAYS:
            assert notifications_due(task(None, status=status), today, ORG) == []

    def test_in_progress_is_treated_like_open(self) -> None:
        for today in self.DAYS:
            assert notifications_due(task(status="in_progress"), today, ORG) == (
                notifications_due(task(status="open"), today, ORG)
            )

    def test_a_task_done_the_day_before_the_deadline_gets_nothing(self) -> None:
        assert owed(date(2025, 3, 25)) == [(R, 1)]
        done = task(status="done")
        day = WED_DEADLINE
        while day <= date(2025, 5, 31):
            assert notifications_due(done, day, ORG) == []
            day += timedelta(days=1)


class TestSettings:
    def test_a_single_three_day_reminder(self) -> None:
        settings = PolicySettings(reminder_working_days=(3,))
        assert owed(date(2025, 3, 17), settings=settings) == []
        assert owed(date(2025, 3, 21), settings=settings) == [(R, 3)]
        assert owed(date(2025, 3, 25), settings=settings) == [(R, 3)]
        assert owed(WED_DEADLINE, settings=settings) == [(D, 0)]

    def test_reminder_order_in_the_settings_does_not_matter(self) -> None:
        settings = PolicySettings(reminder_working_days=(1, 7))
        for today in (date(2025, 3, 17), date(2025, 3, 25)):
            assert owed(today, settings=settings) == owed(today)

    def test_without_the_day_itself_the_last_reminder_stays_the_latest_stage(self) -> None:
        settings = PolicySettings(remind_on_the_day=False)
        assert owed(WED_DEADLINE, settings=settings) == [(R, 1)]
        assert first_day_owed(WED_DEADLINE, D, 0, settings) is None

    def test_no_reminders_at_all(self) -> None:
        settings = PolicySettings(reminder_working_days=(), remind_on_the_day=False)
        day = date(2025, 3, 1)
        while day <= WED_DEADLINE:
            assert owed(day, settings=settings) == []
            day += timedelta(days=1)
        assert owed(date(2025, 3, 27), settings=settings) == [(OV, 0)]

    def test_fortnightly_overdue_notices(self) -> None:
        settings = PolicySettings(overdue_repeat_days=14)
        assert owed(date(2025, 4, 9), settings=settings) == [(OV, 0), (E, 1), (E, 2)]
        assert owed(date(2025, 4, 10), settings=settings) == [(OV, 1), (E, 1), (E, 2)]

    def test_escalation_thresholds_and_levels(self) -> None:
        settings = PolicySettings(escalation_working_days=(5,))
        assert first_day_owed(WED_DEADLINE, E, 1, settings) == date(2025, 4, 2)
        assert first_day_owed(WED_DEADLINE, E, 2, settings) is None
        assert (
            first_day_owed(WED_DEADLINE, E, 1, PolicySettings(escalation_working_days=())) is None
        )

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"reminder_working_days": (7, 0)},
            {"reminder_working_days": (-1,)},
            {"overdue_repeat_days": 0},
            {"escalation_working_days": (0, 10)},
        ],
        ids=["reminder-0", "reminder-negative", "repeat-0", "escalation-0"],
    )
    def test_offsets_below_one_are_refused(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            PolicySettings(**kwargs)  # type: ignore[arg-type]


def test_an_escalation_nobody_can_receive_is_left_out() -> None:
    nobody = Organisation(departments={}, user_departments={}, admin_ids=())
    assert [
        (due.kind, due.level) for due in notifications_due(task(), date(2025, 4, 9), nobody)
    ] == [(OV, 1)]
