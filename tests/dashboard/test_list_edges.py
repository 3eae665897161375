"""The dashboard list's Status column, a reversed deadline period and pages past the end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tracker.extensions import db
from tracker.models import OutboxMessage, OutboxStatus, TaskStatus
from tracker.tasks.services import mark_done


@pytest.fixture(autouse=True)
def done_at_once(app):
    """An owner's "mark done" closes the task here, as before verification of completion
    (tests/tasks/test_verification.py covers the wait for acceptance)."""
    app.config["TRACKER_REQUIRE_ACCEPTANCE"] = False


def statuses(html: str) -> dict[str, str]:
    """Each listed task's id → the Status column's label."""
    cell = r'<td data-status="[a-z_]+"><span class="badge[^"]*">([^<]+)</span>'
    return dict(re.findall(r'data-task-id="(\d+)">.*?' + cell, html, re.S))


def test_the_list_has_a_status_column_in_the_users_language(
    client, clock, org, make_task, make_user
) -> None:
    today = clock.day
    finished = make_task(org.officer, title="Finished", deadline=today - timedelta(days=2))
    mark_done(finished, org.officer, "Done.")
    db.session.commit()
    client.login(org.staff.email)
    html = client.get("/dashboard?status=all").get_data(as_text=True)
    assert "<th>Status</th>" in html
    assert statuses(html) == {
        str(org.task.id): "Open",
        str(org.other_task.id): "Open",
        str(finished.id): "Done",
    }
    armenian = make_user("staff", language="hy")
    client.submit("/logout", {}, page="/dashboard")
    client.login(armenian.email)
    html = client.get("/dashboard?status=all").get_data(as_text=True)
    assert set(statuses(html).values()) == {"Բաց", "Կատարված"}
    assert statuses(html)[str(finished.id)] == "Կատարված"


def test_a_reversed_deadline_period_is_said_not_shown_empty(client, clock, org) -> None:
    client.login(org.staff.email)
    response = client.get("/dashboard?status=all&deadline_from=2026-05-01&deadline_to=2025-01-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The end of the period is before its start." in html
    assert 'aria-invalid="true"' in html
    # The period is not applied: the list shows what the other filters give.
    assert str(org.task.id) in statuses(html) and str(org.other_task.id) in statuses(html)


def test_a_date_out_of_range_is_said(client, clock, org) -> None:
    client.login(org.staff.email)
    html = client.get("/dashboard?deadline_from=0202-11-20").get_data(as_text=True)
    assert "Enter a date between 2000-01-01 and 2100-12-31." in html


def test_a_page_past_the_end_goes_to_the_last_page_and_says_so(
    client, clock, org, make_task, monkeypatch
) -> None:
    monkeypatch.setattr("tracker.dashboard.views.PER_PAGE", 2)
    for number in range(3):  # with the org's two: five overdue tasks, three pages
        make_task(org.officer, title=f"Late {number}", deadline=clock.day - timedelta(days=1))
    client.login(org.staff.email)
    response = client.get("/dashboard?status=overdue&sort=title&page=9")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard?status=overdue&sort=title&page=3"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There is no page 9: this is the last one." in html
    assert "Page 3 of 3" in html and len(statuses(html)) == 1


@pytest.mark.parametrize("page", ["0", "-4", "x"])
def test_a_page_below_one_is_the_first(client, clock, org, page: str) -> None:
    client.login(org.staff.email)
    response = client.get(f"/dashboard?page={page}")
    assert response.status_code == 200
    assert len(statuses(response.get_data(as_text=True))) == 2


def test_an_outbox_page_past_the_end_goes_to_the_last(client, org) -> None:
    for number in range(3):
        db.session.add(
            OutboxMessage(
                to_address="ani@example.am",
                language="en",
                subject=f"Reminder {number}",
                body_text="Hello",
                body_html="<p>Hello</p>",
                message_id=f"<x.{number}@tracker.test>",
                status=OutboxStatus.PENDING,
            )
        )
    db.session.commit()
    client.login(org.admin.email)
    response = client.get("/admin/outbox?page=7")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/outbox?page=1"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There is no page 7: this is the last one." in html
    assert "Reminder 2" in html
    assert client.get("/admin/outbox?page=0").status_code == 200


def test_the_status_column_names_every_status(client, clock, org, make_task) -> None:
    make_task(org.officer, title="Working", status=TaskStatus.IN_PROGRESS)
    client.login(org.staff.email)
    html = client.get("/dashboard?status=in_progress").get_data(as_text=True)
    assert list(statuses(html).values()) == ["In progress"]


HUGE = "9" * 23  # beyond SQLite's 64 bits (and PostgreSQL's integer)


@pytest.mark.parametrize(
    "query",
    [
        *(f"{key}={HUGE}" for key in ("department", "owner", "report")),
        *(f"{key}={HUGE}" for key in ("in_department", "with_owner")),
        *(f"{key}=%C2%B2" for key in ("department", "in_department", "with_owner")),  # "²"
        "department=2147483648",
    ],
)
def test_an_id_typed_too_long_or_not_ascii_is_ignored(client, clock, org, query: str) -> None:
    client.login(org.staff.email)
    for path in ("/dashboard", "/dashboard/export.csv", "/dashboard/export.xlsx"):
        assert client.get(f"{path}?{query}").status_code == 200, path
    html = client.get(f"/dashboard?{query}").get_data(as_text=True)
    assert len(statuses(html)) == 2  # as without the id


def test_a_page_number_typed_too_long_is_the_last_page(client, clock, org) -> None:
    client.login(org.staff.email)
    response = client.get(f"/dashboard?page={HUGE}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard?page=1"
    assert client.get(f"/dashboard/without-owner?orphans_page={HUGE}").status_code == 200
