from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tracker.workdays import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)


def slow_count(start: date, end: date) -> int:
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    days = (start + timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sign * sum(1 for day in days if is_working_day(day))


@given(
    st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=-800, max_value=800),
)
def test_the_cached_count_equals_counting_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert working_days_between(start, end) == slow_count(start, end)


def test_known_armenian_calendar_facts() -> None:
    assert not is_working_day(date(2025, 1, 6))  # Christmas
    assert not is_working_day(date(2025, 4, 24))  # Remembrance Day
    assert not is_working_day(date(2025, 3, 29))  # a Saturday
    assert is_working_day(date(2025, 3, 31))
    assert add_working_days(date(2025, 4, 23), 1) == date(2025, 4, 25)
    assert add_working_days(date(2025, 1, 3), -1) == date(2024, 12, 30)  # 31 Dec is a holiday
    assert next_working_day(date(2025, 5, 9)) == date(2025, 5, 12)
    assert working_days_between(date(2025, 3, 26), date(2025, 3, 31)) == 3
    assert working_days_between(date(2025, 3, 31), date(2025, 3, 26)) == -3
