"""The policy in effect (tracker/policy_settings.py): the admin's rows over the environment's
values, read at the moment of use, so the planner, "mark done" and the scheduler's planning
hour follow a change without a restart."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tracker.extensions import db
from tracker.models import PolicySetting, Role, TaskStatus
from tracker.notifications import scheduling
from tracker.notifications.planner import policy_settings
from tracker.notifications.policy import PolicySettings
from tracker.notifications.scheduling import PlanningRun
from tracker.policy_settings import Policy, current_policy
from tracker.tasks.services import mark_done

YEREVAN = ZoneInfo("Asia/Yerevan")
SATURDAY = date(2026, 6, 13)  # planning skips it at once: these tests count runs, not mail


def store(key: str, value: str) -> None:
    row = db.session.get(PolicySetting, key) or PolicySetting(key=key)
    row.value = value
    db.session.add(row)
    db.session.commit()


def test_the_environment_values_are_the_defaults(app) -> None:
    app.config.update(TRACKER_REMINDER_DAYS="5,2", TRACKER_DIGEST_MAX_ITEMS=3)
    assert current_policy() == Policy(
        reminder_days=(5, 2),
        overdue_repeat_days=7,
        escalation_days=(3, 10),
        reminder_hour=9,
        digest_max_items=3,  # the environment is not held to the page's 5-500
        require_acceptance=True,
        acceptance_days=5,
    )
    app.config["TRACKER_ESCALATION_DAYS"] = "4"  # one level, as an environment may say it
    assert current_policy().escalation_days == (4,)


def test_a_saved_row_wins_and_the_planner_uses_it(app) -> None:
    store("TRACKER_REMINDER_DAYS", "10,3,1")
    store("TRACKER_ESCALATION_DAYS", "2,5,9")
    store("TRACKER_ACCEPTANCE_DAYS", "2")
    with app.test_request_context():
        assert policy_settings() == PolicySettings(
            reminder_working_days=(10, 3, 1),
            escalation_working_days=(2, 5, 9),
            acceptance_working_days=2,
        )


def test_a_row_written_by_hand_that_the_page_would_refuse_falls_back_to_the_default(
    app, caplog: pytest.LogCaptureFixture
) -> None:
    store("TRACKER_REMINDER_DAYS", "1,7")
    assert current_policy().reminder_days == (7, 1)
    assert "TRACKER_REMINDER_DAYS holds '1,7'" in caplog.text


def test_verification_switched_off_closes_an_owners_report_at_once(
    app, make_user, make_task
) -> None:
    officer = make_user(Role.OFFICER)
    first, second = make_task(officer), make_task(officer)
    mark_done(first, officer, "Done")
    store("TRACKER_REQUIRE_ACCEPTANCE", "off")
    mark_done(second, officer, "Done")
    db.session.commit()
    assert (first.status, second.status) == (TaskStatus.AWAITING_ACCEPTANCE, TaskStatus.DONE)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 15, hour, minute, tzinfo=YEREVAN)


def test_the_scheduler_follows_a_changed_planning_hour_without_a_restart(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    days_planned: list[date] = []
    monkeypatch.setattr(scheduling, "plan_today", lambda today: days_planned.append(today()))
    run = PlanningRun(app, today=lambda: SATURDAY)
    store("TRACKER_REMINDER_HOUR", "11")
    run.plan_if_due(at(10, 59))
    assert days_planned == []
    store("TRACKER_REMINDER_HOUR", "7")  # moved earlier while the scheduler runs
    run.plan_if_due(at(10, 59))
    assert days_planned == [SATURDAY] and run.planned_on == date(2026, 6, 15)
    run.plan_if_due(at(11, 0))
    run.plan_if_due(at(23, 59))
    assert days_planned == [SATURDAY], "once a day"
    store("TRACKER_REMINDER_HOUR", "12")
    run.plan_if_due(datetime(2026, 6, 16, 11, 59, tzinfo=YEREVAN))
    assert len(days_planned) == 1
    run.plan_if_due(datetime(2026, 6, 16, 12, 0, tzinfo=YEREVAN))
    assert len(days_planned) == 2


def test_a_failed_run_is_left_to_the_retry(app, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(today: object) -> None:
        raise RuntimeError("database locked")

    monkeypatch.setattr(scheduling, "plan_today", fail)
    run = PlanningRun(app, today=lambda: SATURDAY)
    run.plan_if_due(at(9, 0))
    assert run.failures == 1 and run.retry_at is not None and run.planned_on is None
    run.plan_if_due(at(9, 1))
    assert run.failures == 1, "the retry owns it"
