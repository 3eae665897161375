"""The dashboard's figures, lists and exports, and who may see what in them."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tracker.extensions import db
from tracker.models import Role, TaskStatus
from tracker.tasks.services import mark_done


@pytest.fixture(autouse=True)
def done_at_once(app):
    """An owner's "mark done" closes the task here, as before verification of completion
    (tests/tasks/test_verification.py covers the wait for acceptance)."""
    app.config["TRACKER_REQUIRE_ACCEPTANCE"] = False


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)"><span class="number">([^<]+)', html))


def rate_parts(html: str) -> tuple[str, str]:
    """The rate's two numbers, done on time and due: each a link to its tasks."""
    found = dict(re.findall(r'data-figure="(done-on-time|due)" data-count="(\d+)"', html))
    return found["done-on-time"], found["due"]


@pytest.fixture
def office(clock, org, make_task):
    """The `org` of the task tests, with work at every stage in both branches, on the
    `clock`'s day (after the `org` tasks' deadlines)."""
    today = clock.day
    make_task(org.officer, title="Digital late 10", deadline=today - timedelta(days=10))
    make_task(org.officer, title="Digital late 40", deadline=today - timedelta(days=40))
    make_task(org.officer, title="Digital soon", deadline=today + timedelta(days=5))
    finished = make_task(org.officer, title="Digital done", deadline=today + timedelta(days=1))
    mark_done(finished, org.officer, "Done early.")
    make_task(org.other_officer, title="Coop late 3", deadline=today - timedelta(days=3))
    make_task(org.other_officer, title="Coop late 100", deadline=today - timedelta(days=100))
    db.session.commit()
    return org


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/export.csv", "/dashboard/export.xlsx"])
def test_officers_get_403(client, office, path: str) -> None:
    client.login(office.officer.email)
    assert client.get(path).status_code == 403


def test_the_figures_for_staff_cover_everything(client, office) -> None:
    client.login(office.staff.email)
    html = client.get("/dashboard").get_data(as_text=True)
    # Overdue: the org's two tasks (due 2025-03-31 and 2026-04-30, before the clock's day)
    # and the four late ones.
    assert figures(html)["overdue"] == "6"
    assert figures(html)["open"] == "7"
    assert figures(html)["due-soon"] == "1"
    assert figures(html)["done-this-month"] == "1"
    for title in ("Digital late 10", "Coop late 100", "Digital services concept"):
        assert title in html
    assert "Digital soon" not in html  # the list shows overdue tasks by default
    assert "<svg" in html and "Cooperation" in html


def test_a_manager_never_sees_another_departments_tasks(client, office) -> None:
    client.login(office.manager.email)
    html = client.get("/dashboard?status=all").get_data(as_text=True)
    assert figures(html)["overdue"] == "3"  # Digital's three, none of Cooperation's
    assert "Coop late" not in html and "Lilit Officer" not in html
    assert "Youth exchange" not in html
    # Filtering by a department outside the manager's tree narrows to nothing.
    outside = client.get(f"/dashboard?status=all&department={office.cooperation.id}")
    assert figures(outside.get_data(as_text=True))["open"] == "0"
    exported = client.get("/dashboard/export.csv?status=all").data.decode("utf-8-sig")
    assert "Digital late 10" in exported and "Coop late" not in exported
    assert f'value="{office.cooperation.id}"' not in html  # not even offered as a filter


def test_filters_narrow_the_list(client, office, clock) -> None:
    client.login(office.staff.email)
    html = client.get(f"/dashboard?owner={office.other_officer.id}").get_data(as_text=True)
    assert "Coop late 3" in html and "Digital late 10" not in html
    today = clock.day
    period = (
        f"/dashboard?deadline_from={today - timedelta(days=50)}"
        f"&deadline_to={today - timedelta(days=5)}"
    )
    html = client.get(period).get_data(as_text=True)
    assert "Digital late 10" in html and "Digital late 40" in html
    assert "Coop late 3" not in html and "Coop late 100" not in html
    done = client.get("/dashboard?status=done").get_data(as_text=True)
    assert "Digital done" in done and "Digital late 10" not in done


def test_the_list_sorts_and_pages(client, office, clock, make_task) -> None:
    today = clock.day
    for number in range(30):
        make_task(
            office.officer,
            title=f"Bulk {number:02d}",
            deadline=today - timedelta(days=200 + number),
        )
    db.session.commit()
    client.login(office.staff.email)
    first = client.get("/dashboard").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert first.index("Bulk 29") < first.index("Bulk 20")  # oldest deadline first
    assert "Bulk 00" not in first
    newest_first = client.get("/dashboard?sort=-deadline").get_data(as_text=True)
    assert "Coop late 3" in newest_first and "Bulk 29" not in newest_first
    second = client.get("/dashboard?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Bulk 00" in second


def test_csv_has_a_bom_and_the_filtered_rows(client, office) -> None:
    client.login(office.staff.email)
    response = client.get(f"/dashboard/export.csv?owner={office.other_officer.id}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    titles = sorted(row[1] for row in rows[1:])
    assert titles == ["Coop late 100", "Coop late 3", "Youth exchange"]
    late = next(row for row in rows if row[1] == "Coop late 100")
    assert late[rows[0].index("Days overdue")] == "100"


def test_xlsx_opens_with_the_same_rows(client, office) -> None:
    client.login(office.manager.email)
    response = client.get("/dashboard/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True)]
    titles = sorted(str(row[1]) for row in values[1:])
    assert titles == ["Digital late 10", "Digital late 40", "Digital services concept"]


def test_the_rate_counts_done_on_time_of_those_due(client, clock, make_user, make_task) -> None:
    staff = make_user(Role.STAFF)
    owner = make_user()
    today = clock.day
    on_time = make_task(owner, deadline=today + timedelta(days=3))
    mark_done(on_time, owner, "Early.")
    make_task(owner, deadline=today - timedelta(days=2))  # due, not done
    late = make_task(owner, deadline=today - timedelta(days=30))
    mark_done(late, owner, "Late.")  # done, but after its deadline
    make_task(owner, deadline=today - timedelta(days=5), status=TaskStatus.CANCELLED)
    db.session.commit()
    client.login(staff.email)
    html = client.get("/dashboard?status=all").get_data(as_text=True)
    # Due: the two whose deadline passed and were not cancelled; done on time: none of them.
    assert figures(html)["rate"] == "0%"
    assert rate_parts(html) == ("0", "2")
