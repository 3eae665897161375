"""The progress report's page (/reports/progress) and its PDF's address, for each role:
who may open it, what the scope form offers and keeps, and the figures it shows."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tracker.audit import AuditKind
from tracker.extensions import db
from tracker.models import AuditEvent, Report, ReportStatus, Task

FIGURE = re.compile(r'data-figure="([a-z-]+)"[^>]*><dt>[^<]*</dt><dd>([^<]*)</dd>')


def figures(html: str) -> dict[str, str]:
    return dict(FIGURE.findall(html))


def chosen_kind(html: str) -> str | None:
    found = re.search(r'<input checked [^>]*name="kind" type="radio" value="([a-z]+)"', html)
    return found.group(1) if found else None


def section_titles(html: str) -> list[str]:
    found = re.findall(
        r'<section class="report-block report-section"[^>]*>\s*<h2>([^<]*)</h2>', html
    )
    return [unescape(title) for title in found]


@pytest.fixture
def vilnius(org) -> Report:
    """A confirmed trip report holding the `org`'s two tasks (Digital's and Cooperation's)."""
    report = Report(
        source_filename="vilnius.docx",
        content_hash="b" * 64,
        file_type="docx",
        language="en",
        status=ReportStatus.CONFIRMED,
        title="Visit to Vilnius",
        destination="Vilnius",
        trip_start=date(2025, 2, 10),
        trip_end=date(2025, 2, 14),
    )
    db.session.add(report)
    org.task.report = report
    org.other_task.report = report
    org.other_task.position = 1
    db.session.commit()
    return report


def test_an_officer_may_not_open_the_report_nor_its_pdf(client, org, clock) -> None:
    client.login(org.officer.email)
    assert client.get("/reports/progress").status_code == 403
    assert client.get("/reports/progress.pdf").status_code == 403


def test_before_signing_in_the_page_asks_for_it(client, org) -> None:
    response = client.get("/reports/progress")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "overdue", "titles"),
    [
        ("manager", "1", ["Digital services concept"]),
        ("other_manager", "1", ["Youth exchange"]),
        ("staff", "2", ["Digital services concept", "Youth exchange"]),
        ("admin", "2", ["Digital services concept", "Youth exchange"]),
    ],
)
def test_each_role_sees_its_own_scope(client, org, vilnius, clock, role, overdue, titles) -> None:
    client.login(org.user(role).email)
    response = client.get("/reports/progress")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert figures(html)["overdue"] == overdue
    assert figures(html)["recommendations"] == str(len(titles))
    assert section_titles(html) == ["Vilnius"]
    listed = re.findall(r'<td data-label="Recommendation"><a href="[^"]+">([^<]+)</a>', html)
    # The most overdue first, then the trip report's table.
    assert listed[len(titles) :] == titles
    # The default: the current month, everything the reader may see.
    assert 'value="2026-06"' in html
    assert chosen_kind(html) == "all"


def test_a_manager_is_offered_only_their_departments(client, org, clock) -> None:
    client.login(org.manager.email)
    html = client.get("/reports/progress").get_data(as_text=True)
    department_select = re.search(r'<select id="department".*?</select>', html, re.S)
    assert department_select
    offered = re.findall(r"<option [^>]*>([^<]+)</option>", department_select.group(0))
    assert offered == ["—", "Development", "Digital"]


def test_a_manager_is_offered_only_the_trip_reports_of_their_departments(
    client, org, vilnius, make_task, clock
) -> None:
    tbilisi = Report(
        source_filename="tbilisi.docx",
        content_hash="c" * 64,
        file_type="docx",
        language="en",
        status=ReportStatus.CONFIRMED,
        destination="Tbilisi",
    )
    db.session.add(tbilisi)
    make_task(org.other_officer, title="Cooperation only").report = tbilisi
    db.session.commit()

    def offered(user) -> list[str]:
        reader = client.application.test_client()  # a browser of their own
        reader.login(user.email)
        html = reader.get("/reports/progress").get_data(as_text=True)
        select_element = re.search(r'<select id="report".*?</select>', html, re.S)
        assert select_element
        return re.findall(r"<option [^>]*>([^<]+)</option>", select_element.group(0))

    assert offered(org.manager) == ["—", "Vilnius"]
    # The latest trip first; a report without the trip's dates last.
    assert offered(org.other_manager) == ["—", "Vilnius", "Tbilisi"]
    assert offered(org.staff) == ["—", "Vilnius", "Tbilisi"]
    client.login(org.manager.email)
    refused = client.get(f"/reports/progress?kind=report&report={tbilisi.id}")
    assert 'data-error="report"' in refused.get_data(as_text=True)
    html = client.get(f"/reports/progress?kind=report&report={vilnius.id}").get_data(as_text=True)
    assert 'class="progress-report"' in html


def test_a_trip_report_link_narrows_the_report_to_it(
    client, org, vilnius, make_task, clock
) -> None:
    make_task(org.officer, title="Made by hand", deadline=date(2026, 7, 1))
    client.login(org.staff.email)

    everything = client.get("/reports/progress").get_data(as_text=True)
    assert section_titles(everything) == ["Vilnius", "Tasks not from a trip report"]

    html = client.get(f"/reports/progress?report={vilnius.id}").get_data(as_text=True)
    assert section_titles(html) == ["Vilnius"]
    assert "Trip report: Vilnius" in html
    assert chosen_kind(html) == "report"
    pdf_link = re.search(r'href="([^"]+)" data-pdf', html)
    assert pdf_link
    assert (
        unescape(pdf_link.group(1))
        == f"/reports/progress.pdf?kind=report&period=2026-06&report={vilnius.id}"
    )


def test_the_period_narrows_to_what_is_due_in_it(client, org, vilnius, clock) -> None:
    client.login(org.staff.email)
    html = client.get("/reports/progress?kind=period&period=2026-Q2").get_data(as_text=True)
    assert figures(html)["recommendations"] == "1"  # Youth exchange, due 30 April 2026
    assert "All departments, due in 2nd quarter 2026" in html
    assert (
        figures(client.get("/reports/progress?kind=period&period=2025").get_data(as_text=True))[
            "recommendations"
        ]
        == "1"
    )


@pytest.mark.parametrize(
    ("query", "field", "kept"),
    [
        ("period=2026-13", "period", 'value="2026-13"'),
        ("period=next+month&kind=period", "period", 'value="next month"'),
        ("kind=report", "report", 'checked id="kind-1"'),
        ("kind=department&period=2026-Q5", "department", 'value="2026-Q5"'),
        ("period=0000", "period", 'value="0000"'),
        ("period=9999-12&kind=period", "period", 'value="9999-12"'),
    ],
)
def test_a_bad_value_is_said_and_kept_and_no_report_is_made(
    client, org, clock, query: str, field: str, kept: str
) -> None:
    client.login(org.staff.email)
    response = client.get(f"/reports/progress?{query}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f'data-error="{field}"' in html
    assert kept in html
    assert 'class="progress-report"' not in html
    # The PDF of such an address: the page, with the same arguments, saying what is wrong.
    pdf = client.get(f"/reports/progress.pdf?{query}")
    assert pdf.status_code == 302
    assert pdf.headers["Location"] == f"/reports/progress?{query}"


def test_a_department_outside_the_managers_tree_is_refused_by_the_form(client, org, clock) -> None:
    client.login(org.manager.email)
    html = client.get(
        f"/reports/progress?kind=department&department={org.cooperation.id}"
    ).get_data(as_text=True)
    assert 'data-error="department"' in html
    assert 'class="progress-report"' not in html
    pdf = client.get(f"/reports/progress.pdf?kind=department&department={org.cooperation.id}")
    assert pdf.status_code == 302 and pdf.mimetype != "application/pdf"


def test_a_field_the_chosen_kind_does_not_use_is_not_read(client, org, clock) -> None:
    client.login(org.manager.email)
    outside = f"report=999999&department={org.cooperation.id}"
    everything = client.get(f"/reports/progress?kind=all&{outside}").get_data(as_text=True)
    assert "data-error=" not in everything
    assert figures(everything) == figures(
        client.get("/reports/progress?kind=all").get_data(as_text=True)
    )
    pdf = client.get(f"/reports/progress.pdf?kind=period&period=2026-06&{outside}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_the_page_shows_what_was_done_and_the_changes(client, org, vilnius, clock) -> None:
    from tracker.tasks.services import cancel

    task = db.session.get(Task, org.other_task.id)
    assert task is not None
    cancel(task, org.staff, "Merged with another recommendation.")
    db.session.commit()
    client.login(org.admin.email)
    html = client.get("/reports/progress").get_data(as_text=True)

    assert figures(html)["cancelled"] == "1"
    assert "Merged with another recommendation." in html
    assert "Events of June 2026" in html
    assert re.search(
        r'<td data-label="What">Cancelled</td>\s*<td data-label="Recommendation">Youth exchange',
        html,
    )


def test_the_page_is_in_armenian_for_an_armenian_reader(client, org, vilnius, clock) -> None:
    org.staff.language = "hy"
    db.session.commit()
    client.login(org.staff.email)
    html = client.get("/reports/progress").get_data(as_text=True)
    assert "<h1>Առաջընթացի հաշվետվություն</h1>" in html
    assert "Բոլոր ստորաբաժանումները" in html


def test_the_dashboard_and_a_trip_report_link_to_the_report(client, org, vilnius, clock) -> None:
    client.login(org.staff.email)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/reports/progress"' in dashboard
    detail = client.get(f"/reports/{vilnius.id}").get_data(as_text=True)
    assert f'href="/reports/progress?report={vilnius.id}"' in detail


def test_an_officer_sees_a_trip_report_without_the_link(client, org, vilnius, clock) -> None:
    # The trip report holds the officer's task, so they see it; the progress report is not theirs.
    client.login(org.officer.email)
    response = client.get(f"/reports/{vilnius.id}")
    assert response.status_code == 200
    assert "/reports/progress" not in response.get_data(as_text=True)


def test_the_pdf_is_the_same_report(client, org, vilnius, clock) -> None:
    client.login(org.staff.email)
    response = client.get(f"/reports/progress.pdf?kind=report&period=2026-06&report={vilnius.id}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="progress-2026-06-2026-06-15.pdf"'
    )
    assert response.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    flat = " ".join(text.split())
    assert "Trip report: Vilnius" in flat
    assert "Digital services concept" in flat and "Youth exchange" in flat
    (entry,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == AuditKind.DATA_EXPORTED.value)
    ).all()
    assert (entry.actor_id, entry.subject) == (org.staff.id, "progress_report")
    assert entry.details == {
        "format": "pdf",
        "rows": 2,
        "filters": {"kind": "report", "period": "2026-06", "report": str(vilnius.id)},
    }


def test_a_capped_report_says_how_many_it_lists(client, org, vilnius, clock, monkeypatch) -> None:
    monkeypatch.setattr("tracker.reporting.views.PAGE_MAX_LINES", 1)
    client.login(org.staff.email)
    html = client.get("/reports/progress").get_data(as_text=True)

    assert figures(html)["recommendations"] == "2"
    assert "The report lists the first 1 of 2 recommendations" in html


def test_the_pdf_lists_fewer_recommendations_than_the_page(
    client, org, vilnius, clock, monkeypatch
) -> None:
    monkeypatch.setattr("tracker.reporting.views.PDF_MAX_LINES", 1)
    client.login(org.staff.email)
    response = client.get("/reports/progress.pdf")

    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "first 1 of 2 recommendations" in " ".join(text.split())
