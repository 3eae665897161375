"""The progress report's values (tracker/reporting/progress.py) on SQLite and PostgreSQL: the
figures counted from tasks built here, each role's scope, the period's narrowing, what
changed during the period, and a number of statements that does not grow with the tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from tracker.extensions import db
from tracker.models import (
    Department,
    ExtensionStatus,
    Report,
    ReportStatus,
    Role,
    Task,
    TaskStatus,
    User,
)
from tracker.permissions import PermissionDenied
from tracker.reporting.model import HeadlineFigures, ProgressReport, ReportScope
from tracker.reporting.periods import Period
from tracker.reporting.progress import build_progress, change_label, period_label
from tracker.tasks import changes, extensions, services, verification

TODAY = date(2026, 6, 15)


def period(key: str) -> Period:
    parsed = Period.parse(key)
    assert parsed is not None
    return parsed


JUNE = period("2026-06")
ZONE = "Asia/Yerevan"  # UTC+4 all year
BASE = "https://tracker.example.am"


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories on each migrated database."""
    return any_database_app


def at(day: date, hour: int = 8) -> datetime:
    """A moment of that day in UTC (08:00 UTC is noon in Yerevan)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def march(day: int) -> datetime:
    return at(date(2026, 3, day))


@dataclass
class World:
    manager: User
    other_manager: User
    staff: User
    admin: User
    officer: User
    vilnius: Report
    tasks: dict[str, Task]


def trip_report(title: str, destination: str, start: date, digest: str) -> Report:
    report = Report(
        source_filename=f"{destination}.docx",
        content_hash=digest * 64,
        file_type="docx",
        language="hy",
        status=ReportStatus.CONFIRMED,
        title=title,
        destination=destination,
        trip_start=start,
        trip_end=start.replace(day=start.day + 4),
    )
    db.session.add(report)
    return report


@pytest.fixture
def world(make_department, make_user, make_task) -> World:
    """A trip report's seven recommendations in two branches, a task made by hand and a
    draft, with a history from March to June 2026 (today: 15 June)."""
    root = make_department("Administration")
    development = make_department("Development", parent=root)
    digital = make_department("Digital", parent=development)
    cooperation = make_department("Cooperation", parent=root)
    ani = make_user(Role.OFFICER, department=digital, name="Ani Officer")
    lilit = make_user(Role.OFFICER, department=cooperation, name="Lilit Officer")
    gohar = make_user(Role.OFFICER, department=cooperation, name="Gohar Officer")
    manager = make_user(Role.MANAGER, department=development, name="Karen Manager")
    other_manager = make_user(Role.MANAGER, department=cooperation, name="Armen Manager")
    staff = make_user(Role.STAFF, department=root, name="Narine Staff")
    admin = make_user(Role.ADMIN, department=root, name="Vardan Admin")
    vilnius = trip_report("Visit to Vilnius", "Vilnius", date(2026, 3, 1), "a")
    db.session.commit()

    def recommendation(key: str, owner: User, deadline: date, position: int, **fields: Any) -> Task:
        task = make_task(owner, title=key, deadline=deadline, now=march(10), **fields)
        task.report = vilnius
        task.position = position
        db.session.commit()
        return task

    # Listed out of order: the report lists them by position.
    tasks = {
        "late": recommendation("late", ani, date(2026, 5, 10), 2),
        "on time": recommendation("on time", ani, date(2026, 5, 31), 1),
        "late by the zone": recommendation(
            "late by the zone", ani, date(2026, 6, 10), 3, deadline_text="by 10 June"
        ),
        "overdue": recommendation("overdue", ani, date(2026, 6, 1), 4),
        "awaiting": recommendation("awaiting", ani, date(2026, 7, 1), 5),
        "cancelled": recommendation("cancelled", lilit, date(2026, 7, 15), 6),
        "moved": recommendation("moved", lilit, date(2026, 5, 15), 7),
    }
    tasks["by hand"] = make_task(
        ani, title="by hand", deadline=date(2026, 9, 1), now=at(date(2026, 6, 3))
    )
    tasks["draft"] = make_task(ani, title="draft", status=TaskStatus.DRAFT, now=march(10))

    services.mark_done(tasks["on time"], staff, "Signed.", now=at(date(2026, 5, 30)))
    services.mark_done(tasks["late"], staff, "Signed late.", now=at(date(2026, 5, 20)))
    # 21:00 UTC on the deadline is 01:00 the next day in Yerevan: late.
    late_by_zone = tasks["late by the zone"]
    services.mark_done(late_by_zone, staff, "Just after midnight.", now=at(date(2026, 6, 10), 21))
    late_by_zone.evidence_url = "https://shirak.example.am/decision-12"
    late_by_zone.evidence_file = "stored-name.pdf"
    late_by_zone.evidence_filename = "decision.pdf"
    request = services.request_extension(
        tasks["overdue"],
        ani,
        date(2026, 6, 30),
        "The budget comes later.",
        now=at(date(2026, 6, 2)),
    )
    db.session.flush()
    extensions.refuse(request, staff, "The budget is there.", now=at(date(2026, 6, 5)))
    services.mark_done(tasks["awaiting"], ani, "Done, please accept.", now=at(date(2026, 6, 14)))
    services.change_deadline(
        tasks["moved"], staff, date(2026, 8, 1), "New plan.", now=at(date(2026, 6, 6))
    )
    changes.change_owners(tasks["moved"], staff, [gohar, lilit], now=at(date(2026, 6, 8)))
    services.cancel(tasks["cancelled"], staff, "No longer needed.", now=at(date(2026, 6, 12)))
    db.session.commit()
    return World(manager, other_manager, staff, admin, ani, vilnius, tasks)


def report_for(user: User, scope: ReportScope | None = None, **options: Any) -> ProgressReport:
    return build_progress(
        user,
        scope or ReportScope(period=JUNE),
        today=TODAY,
        timezone=ZONE,
        language="en",
        base_url=BASE + "/",
        now=at(TODAY),
        **options,
    )


def titles(report: ProgressReport) -> list[list[str]]:
    return [[line.title for line in section.lines] for section in report.sections]


# --- Figures -------------------------------------------------------------------------------


def test_the_figures_count_each_kind_of_recommendation_once(world: World) -> None:
    report = report_for(world.admin)

    assert report.figures == HeadlineFigures(
        recommendations=8,  # the draft aside
        done_on_time=1,
        done_late=2,  # a day late, and an hour after midnight by the organisation's clock
        open=3,  # the overdue one, the moved one and the one made by hand
        overdue=1,
        awaiting_acceptance=1,
        cancelled=1,
    )
    assert report.figures.implementation_rate == pytest.approx(3 / 7)
    assert (report.lines_total, report.truncated) == (8, False)
    assert (report.as_of, report.language, report.scope_label) == (TODAY, "en", "All departments")
    assert (report.generated_at, report.generated_by) == (at(TODAY), "Vardan Admin")


def test_the_lines_follow_the_report_and_say_everything_about_each_recommendation(
    world: World,
) -> None:
    report = report_for(world.staff)

    assert titles(report) == [
        ["on time", "late", "late by the zone", "overdue", "awaiting", "cancelled", "moved"],
        ["by hand"],
    ]
    vilnius, by_hand = report.sections
    # Named where the trip went, as everywhere in the tracker.
    assert (vilnius.report_id, vilnius.title, vilnius.destination) == (
        world.vilnius.id,
        "Vilnius",
        "Vilnius",
    )
    assert (vilnius.trip_start, vilnius.trip_end) == (date(2026, 3, 1), date(2026, 3, 5))
    assert (by_hand.report_id, by_hand.title) == (None, "Tasks not from a trip report")

    lines = {line.title: line for section in report.sections for line in section.lines}
    zone = lines["late by the zone"]
    assert zone.url == f"{BASE}/tasks/{zone.task_id}"
    assert (zone.status, zone.completed_on, zone.done_late) == (
        TaskStatus.DONE,
        date(2026, 6, 11),
        True,
    )
    assert (zone.deadline, zone.deadline_text, zone.owners) == (
        date(2026, 6, 10),
        "by 10 June",
        ("Ani Officer",),
    )
    assert zone.completion_note == "Just after midnight."
    assert [(link.label, link.url) for link in zone.evidence] == [
        ("https://shirak.example.am/decision-12", "https://shirak.example.am/decision-12"),
        ("decision.pdf", f"{BASE}/tasks/{zone.task_id}/evidence"),
    ]
    assert (lines["on time"].done_late, lines["on time"].completed_on) == (False, date(2026, 5, 30))
    assert lines["overdue"].days_overdue == 14
    assert lines["awaiting"].days_overdue == 0 and lines["awaiting"].completed_on is None
    assert lines["cancelled"].cancel_reason == "No longer needed."
    assert lines["moved"].owners == ("Gohar Officer", "Lilit Officer")

    (refused,) = lines["overdue"].extensions
    assert (refused.requested_on, refused.requested_by, refused.reason) == (
        date(2026, 6, 2),
        "Ani Officer",
        "The budget comes later.",
    )
    assert (refused.current_deadline, refused.proposed_deadline) == (
        date(2026, 6, 1),
        date(2026, 6, 30),
    )
    assert (refused.status, refused.decided_on, refused.decided_by, refused.decision_note) == (
        ExtensionStatus.REFUSED,
        date(2026, 6, 5),
        "Narine Staff",
        "The budget is there.",
    )
    assert [line.title for line in report.most_overdue] == ["overdue"]


# --- Who sees what -------------------------------------------------------------------------


def test_an_officer_may_not_have_a_report(world: World) -> None:
    with pytest.raises(PermissionDenied):
        report_for(world.officer)


def test_a_manager_sees_only_their_departments_tasks(world: World) -> None:
    report = report_for(world.manager)

    assert titles(report) == [
        ["on time", "late", "late by the zone", "overdue", "awaiting"],
        ["by hand"],
    ]
    assert report.figures == HeadlineFigures(
        recommendations=6,
        done_on_time=1,
        done_late=2,
        open=2,
        overdue=1,
        awaiting_acceptance=1,
        cancelled=0,
    )
    other = report_for(world.other_manager)
    assert titles(other) == [["cancelled", "moved"]]
    # A department outside the manager's tree narrows to nothing; it never widens.
    cooperation = db.session.scalars(
        db.select(Department).where(Department.name == "Cooperation")
    ).one()
    outside = report_for(world.manager, ReportScope(period=JUNE, department_id=cooperation.id))
    assert outside.figures.recommendations == 0 and outside.sections == ()


def test_a_department_and_a_trip_report_narrow_the_report(world: World) -> None:
    digital = db.session.scalars(db.select(Department).where(Department.name == "Digital")).one()
    by_department = report_for(world.admin, ReportScope(period=JUNE, department_id=digital.id))
    assert by_department.figures.recommendations == 6
    assert by_department.scope_label == "Digital and the departments below it"

    by_report = report_for(world.admin, ReportScope(period=JUNE, report_id=world.vilnius.id))
    assert titles(by_report)[0][0] == "on time" and len(by_report.sections) == 1
    assert by_report.figures.recommendations == 7
    assert by_report.scope_label == "Trip report: Vilnius"


def test_the_period_narrows_to_the_recommendations_due_in_it(world: World) -> None:
    report = report_for(world.admin, ReportScope(period=JUNE, due_in_period=True))

    assert titles(report) == [["late by the zone", "overdue"]]
    assert report.figures == HeadlineFigures(recommendations=2, done_late=1, open=1, overdue=1)
    assert report.scope_label == "All departments, due in June 2026"
    may = report_for(world.admin, ReportScope(period=period("2026-05"), due_in_period=True))
    assert titles(may) == [["on time", "late"]]


def test_the_lines_are_capped_and_the_report_says_so(world: World) -> None:
    report = report_for(world.admin, max_lines=3)
    assert titles(report) == [["on time", "late", "late by the zone"]]
    assert (report.lines_total, report.truncated) == (8, True)
    assert report.figures.recommendations == 8  # the figures count every task
    assert [line.title for line in report.most_overdue] == ["overdue"]


# --- What changed --------------------------------------------------------------------------


def test_the_periods_events_come_latest_first(world: World) -> None:
    report = report_for(world.admin)
    changed = report.changes

    assert changed.previous_period == period("2026-05")
    assert [(change.on, change.kind, change.title) for change in changed.events] == [
        (date(2026, 6, 14), "reported_done", "awaiting"),
        (date(2026, 6, 12), "cancelled", "cancelled"),
        (date(2026, 6, 11), "completed", "late by the zone"),
        (date(2026, 6, 8), "owners_changed", "moved"),
        (date(2026, 6, 6), "deadline_moved", "moved"),
        (date(2026, 6, 5), "extension_decided", "overdue"),
        (date(2026, 6, 3), "created", "by hand"),
        (date(2026, 6, 2), "extension_requested", "overdue"),
    ]
    assert changed.events_total == 8
    details = {change.kind: change.detail for change in changed.events}
    assert details["cancelled"] == "No longer needed."
    assert details["owners_changed"] == "Lilit Officer → Gohar Officer, Lilit Officer"
    assert details["deadline_moved"] == "May 15, 2026 → Aug 1, 2026: New plan."
    assert details["extension_decided"] == "Refused: The budget is there."
    assert details["extension_requested"] == "Jun 1, 2026 → Jun 30, 2026: The budget comes later."

    capped = report_for(world.admin, max_events=2).changes
    assert [change.kind for change in capped.events] == ["reported_done", "cancelled"]
    assert capped.events_total == 8

    # The manager's departments' events only.
    kinds = [change.kind for change in report_for(world.manager).changes.events]
    assert kinds == [
        "reported_done",
        "completed",
        "extension_decided",
        "created",
        "extension_requested",
    ]


def test_work_reported_done_and_returned_is_among_the_periods_events(world: World) -> None:
    verification.return_task(
        world.tasks["awaiting"], world.staff, "The minutes are missing.", now=at(TODAY)
    )
    db.session.commit()

    events = report_for(world.admin).changes.events
    assert [(change.kind, change.title) for change in events[:2]] == [
        ("returned", "awaiting"),
        ("reported_done", "awaiting"),
    ]
    assert [change_label(change.kind) for change in events[:2]] == [
        "Returned for more work",
        "Reported done",
    ]


def test_the_previous_period_is_counted_as_it_stood_at_its_end(world: World) -> None:
    previous = report_for(world.admin).changes.previous
    # On 31 May: seven recommendations (the one made by hand came in June), two done, and
    # the moved one overdue (its deadline then was 15 May).
    assert previous.recommendations == 7
    assert previous.done == 2
    assert previous.overdue == 1
    assert previous.cancelled == 0


def test_the_report_is_worded_in_its_language(world: World) -> None:
    report = build_progress(
        world.admin,
        ReportScope(period=JUNE, due_in_period=True),
        today=TODAY,
        timezone=ZONE,
        language="hy",
        base_url=BASE,
        now=at(TODAY),
    )
    assert report.scope_label == "Բոլոր ստորաբաժանումները, ժամկետը՝ 2026 թ․ հունիս"
    refused = next(change for change in report.changes.events if change.kind == "extension_decided")
    assert refused.detail == "Մերժվել է՝ The budget is there."
    assert period_label(period("2026-Q3"), "en") == "3rd quarter 2026"
    assert period_label(period("2026"), "en") == "2026"


# --- A bounded number of statements --------------------------------------------------------


def statements_for(user: User) -> int:
    counted = []

    def count(*_args: Any) -> None:
        counted.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        db.session.expire_all()
        report_for(user)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def test_the_number_of_statements_does_not_grow_with_the_tasks(
    world: World, make_user, make_task
) -> None:
    before = statements_for(world.admin)
    owners = [make_user(name=f"Owner {number}") for number in range(4)]
    for number in range(60):
        task = make_task(owners[number % 4], owners[(number + 1) % 4], deadline=date(2026, 6, 1))
        task.report = world.vilnius
        task.position = 10 + number
        services.request_extension(task, owners[number % 4], date(2026, 7, 1), "More time.")
    db.session.commit()

    assert statements_for(world.admin) == before
    assert report_for(world.admin).figures.overdue == 61
