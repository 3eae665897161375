"""A mistaken reminder setting fails at start-up naming the setting to fix, in full: an
operator reads this message, so the test pins it rather than a phrase every one of them has
("at least 1")."""

from __future__ import annotations

import re

import pytest

from tracker.notifications.policy import Organisation, PolicySettings, escalation_recipients


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reminder_working_days": (7, 0)}, "reminder_working_days must all be at least 1"),
        ({"overdue_repeat_days": 0}, "overdue_repeat_days must be at least 1"),
        ({"escalation_working_days": (3, -1)}, "escalation_working_days must all be at least 1"),
        (
            {"escalation_working_days": (10, 3)},
            "escalation_working_days must increase from one level to the next",
        ),
        (
            {"escalation_working_days": (3, 3)},
            "escalation_working_days must increase from one level to the next",
        ),
    ],
    ids=["reminder", "repeat", "escalation", "decreasing", "equal"],
)
def test_each_refused_setting_is_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        PolicySettings(**kwargs)  # type: ignore[arg-type]


def test_escalation_level_zero_is_refused_with_the_rule() -> None:
    organisation = Organisation(departments={}, user_departments={}, admin_ids=(9,))
    with pytest.raises(ValueError, match=r"^escalation levels start at 1$"):
        escalation_recipients((1,), 0, organisation)
