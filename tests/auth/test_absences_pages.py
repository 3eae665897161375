"""Absences over HTTP: everyone records and removes their own on the settings page; only an
admin records or removes someone else's (/admin/users/<id>/absences), others get 403; a
form without its CSRF token is refused (400); refused dates keep what was typed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.audit import AuditKind
from tracker.auth.absences import set_absence
from tracker.extensions import db
from tracker.models import Absence, AuditEvent

ROLES = ["officer", "manager", "staff", "admin"]


def absences_of(user) -> list[Absence]:
    db.session.expire_all()
    return list(db.session.scalars(select(Absence).where(Absence.user_id == user.id)))


def audit_kinds(subject) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.kind)
            .where(
                AuditEvent.subject == f"user:{subject.id}",
                AuditEvent.kind.in_([AuditKind.ABSENCE_SET, AuditKind.ABSENCE_REMOVED]),
            )
            .order_by(AuditEvent.id)
        )
    )


def form(substitute, first: str = "2026-06-20", last: str = "2026-06-30") -> dict[str, str]:
    return {
        "starts_on": first,
        "ends_on": last,
        "substitute": str(substitute.id),
        "note": "Annual leave",
    }


@pytest.mark.parametrize("role", ROLES)
def test_everyone_records_and_removes_their_own_absence(org, clock, client, role) -> None:
    user = org.user(role)
    substitute = org.other_officer if role != "other_officer" else org.officer
    client.login(user.email)
    settings = client.get("/settings").get_data(as_text=True)
    assert 'id="absences"' in settings and "No absence planned." in settings

    response = client.submit("/settings/absences", form(substitute), page="/settings")
    assert response.status_code == 302
    (absence,) = absences_of(user)
    assert (absence.starts_on, absence.ends_on, absence.substitute_id) == (
        date(2026, 6, 20),
        date(2026, 6, 30),
        substitute.id,
    )
    assert (absence.note, absence.created_by_id) == ("Annual leave", user.id)
    page = client.get("/settings").get_data(as_text=True)
    assert substitute.name in page and "Annual leave" in page

    removed = client.submit(f"/settings/absences/{absence.id}/remove", {}, page="/settings")
    assert removed.status_code == 302
    assert absences_of(user) == []
    assert audit_kinds(user) == [AuditKind.ABSENCE_SET, AuditKind.ABSENCE_REMOVED]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"ends_on": "2026-06-19"}, "The last day cannot be before the first day."),
        ({"starts_on": "2026-06-01", "ends_on": "2026-06-10"}, "This absence is already over."),
        ({"substitute": "me"}, "Not a valid choice"),
    ],
)
def test_a_refused_absence_keeps_what_was_typed(org, clock, client, typed, message) -> None:
    client.login(org.officer.email)
    data = {**form(org.other_officer), **typed}
    if data["substitute"] == "me":
        data["substitute"] = str(org.officer.id)  # not offered: one cannot stand in for oneself
    response = client.submit("/settings/absences", data, page="/settings")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{data["starts_on"]}"' in html and 'value="Annual leave"' in html
    assert absences_of(org.officer) == []


def test_an_overlap_and_an_absent_substitute_are_refused(org, clock, client) -> None:
    set_absence(
        org.other_officer,
        org.other_officer,
        starts_on=date(2026, 6, 18),
        ends_on=date(2026, 6, 22),
        substitute=org.manager,
        note=None,
        today=date(2026, 6, 15),
    )
    set_absence(
        org.officer,
        org.officer,
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 3),
        substitute=org.manager,
        note=None,
        today=date(2026, 6, 15),
    )
    db.session.commit()
    client.login(org.officer.email)
    absent_substitute = client.submit(
        "/settings/absences", form(org.other_officer), page="/settings"
    )
    assert absent_substitute.status_code == 400
    assert "The substitute is absent on the first day" in absent_substitute.get_data(as_text=True)
    overlap = client.submit(
        "/settings/absences", form(org.staff, last="2026-07-01"), page="/settings"
    )
    assert overlap.status_code == 400
    assert "overlaps another one" in overlap.get_data(as_text=True)
    assert len(absences_of(org.officer)) == 1


def test_the_admin_records_and_removes_someones_absence(org, clock, client) -> None:
    client.login(org.admin.email)
    url = f"/admin/users/{org.officer.id}/absences"
    page = client.get(url)
    assert page.status_code == 200 and org.officer.name in page.get_data(as_text=True)
    assert client.submit(url, form(org.other_officer)).status_code == 302
    (absence,) = absences_of(org.officer)
    assert absence.created_by_id == org.admin.id
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == AuditKind.ABSENCE_SET)
    ).one()
    assert (event.actor_id, event.subject) == (org.admin.id, f"user:{org.officer.id}")
    assert client.submit(f"{url}/{absence.id}/remove", {}, page=url).status_code == 302
    assert absences_of(org.officer) == []


@pytest.mark.parametrize("role", ["officer", "other_officer", "manager", "staff"])
def test_only_an_admin_sets_someone_elses_absence(org, clock, client, role) -> None:
    set_absence(
        org.officer,
        org.officer,
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 3),
        substitute=org.manager,
        note=None,
        today=date(2026, 6, 15),
    )
    db.session.commit()
    (absence,) = absences_of(org.officer)
    # Someone else: the officer's colleague for the officer, the officer for the others.
    target = org.other_officer if role == "officer" else org.officer
    before = len(absences_of(target))
    client.login(org.user(role).email)
    url = f"/admin/users/{target.id}/absences"
    token = client.csrf_token("/settings")
    assert client.get(url).status_code == 403
    data = {"csrf_token": token, **form(org.staff)}
    assert client.post(url, data=data).status_code == 403
    assert len(absences_of(target)) == before
    # Nor by removing it through one's own settings.
    if role != "officer":
        removed = client.post(f"/settings/absences/{absence.id}/remove", data={"csrf_token": token})
        assert removed.status_code == 403
    assert len(absences_of(org.officer)) == 1
    assert audit_kinds(target).count(AuditKind.ABSENCE_REMOVED) == 0


@pytest.mark.parametrize(
    ("role", "url"),
    [("officer", "/settings/absences"), ("admin", "/admin/users/{id}/absences")],
)
def test_a_form_without_its_csrf_token_is_refused(org, clock, client, role, url) -> None:
    client.login(org.user(role).email)
    response = client.post(url.format(id=org.officer.id), data=form(org.other_officer))
    assert response.status_code == 400
    assert absences_of(org.officer) == []
