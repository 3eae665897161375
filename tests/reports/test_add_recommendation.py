"""A recommendation the parser missed (#11 item 7), the service, on SQLite and PostgreSQL:
a draft task at the end of the report, added by the registry only, to a draft only."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from tests.reports.conftest import SAMPLES
from tracker.extensions import db
from tracker.models import EventKind, Report, Role, Task, TaskStatus, User
from tracker.permissions import PermissionDenied
from tracker.reports import services
from tracker.reports.parsing import parse_report
from tracker.unit_of_work import unit_of_work


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories on each migrated database."""
    return any_database_app


def imported(staff: User, *, confirm: bool = False) -> Report:
    content = (SAMPLES / "hy-vilnius-2025-02.txt").read_bytes()
    with unit_of_work():
        result = services.import_report(
            parse_report(content, "hy-vilnius-2025-02.txt"),
            content,
            uploaded_by=staff,
            confirm=confirm,
        )
    return result.report


def missed(owners: list[User]) -> services.NewRecommendation:
    return services.NewRecommendation(
        title="  Ստեղծել համատեղ աշխատանքային խումբ ",
        owners=owners,
        deadline=date(2025, 9, 30),
        deadline_text="մինչև սեպտեմբերի 30-ը",
        expected_result="",
        method="Մարզպետի որոշում",
    )


def test_the_missed_recommendation_is_the_last_draft_task(make_user, make_department) -> None:
    staff = make_user(Role.STAFF)
    officer = make_user(Role.OFFICER, department=make_department())
    report = imported(staff)
    with unit_of_work():
        task = services.add_recommendation(report, staff, missed([officer]))
    db.session.expire_all()
    tasks = db.session.scalars(
        select(Task).where(Task.report_id == report.id).order_by(Task.position)
    ).all()
    assert [t.position for t in tasks] == [0, 1, 2, 3] and tasks[-1].id == task.id
    added = tasks[-1]
    assert added.title == "Ստեղծել համատեղ աշխատանքային խումբ"
    assert added.status is TaskStatus.DRAFT
    assert [owner.id for owner in added.owners] == [officer.id]
    assert added.department_id == officer.department_id
    assert added.expected_result is None  # left empty
    assert added.owner_names == [] and added.created_by_id == staff.id
    assert [(event.kind, event.actor_id) for event in added.events] == [
        (EventKind.CREATED, staff.id)
    ]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER])
def test_only_the_registry_adds_one(make_user, role: Role) -> None:
    report = imported(make_user(Role.STAFF))
    with pytest.raises(PermissionDenied), unit_of_work():
        services.add_recommendation(report, make_user(role), missed([]))
    db.session.expire_all()
    assert len(db.session.scalars(select(Task)).all()) == 3


def test_a_confirmed_report_takes_none(make_user) -> None:
    staff = make_user(Role.STAFF)
    report = imported(staff, confirm=True)
    with pytest.raises(services.ReportImportError), unit_of_work():
        services.add_recommendation(report, staff, missed([]))
    db.session.expire_all()
    assert len(db.session.scalars(select(Task)).all()) == 3
