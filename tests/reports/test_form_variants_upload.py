"""A report without Section 9 through the web upload (#15 point 4): stored as a draft with the
warning and the sections found on the review page, no task guessed, confirmed with none, and a
recommendation added by hand."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from tests.reports.test_report_pages import review_form
from tracker.extensions import db
from tracker.models import Report, Task, TaskStatus

SECTION9_MISSING = {
    "hy": "Բաժին 9-ը (առաջարկություններ) չի գտնվել։ Այս հաշվետվությունից ոչ մի առաջադրանք չի"
    " ստեղծվել։ Եթե այն առաջարկություններ ունի, ավելացրեք դրանք ձեռքով",
    "en": "Section 9 (recommendations) was not found: no task was created from this report;"
    " add recommendations by hand if it has any",
}
FORM_DIFFERS = {
    "hy": "Հաշվետվության ձևը տարբերվում է օրինակելի ձևից։ Գտնված բաժինները՝ 1, 2, 3, 4, 10",
    "en": "The report&#39;s form differs from the model form: sections found: 1, 2, 3, 4, 10",
}


def without_sections_5_to_9(text: str) -> str:
    """The sample's text with its Sections 5-9 (headings and text) left out."""
    start = re.search(r"(?m)^5\. ", text)
    end = re.search(r"(?m)^10\. ", text)
    assert start and end
    return text[: start.start()] + text[end.start() :]


def upload_text(client, text: str, name: str):
    token = client.csrf_token("/reports/upload")
    return client.post(
        "/reports/upload",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("sample", "language"),
    [("hy-vilnius-2025-02.txt", "hy"), ("en-chisinau-2025-05.txt", "en")],
)
def test_a_report_without_section9_is_stored_with_the_warning_and_confirmed_with_no_task(
    client, samples, sample_people, sample: str, language: str
) -> None:
    staff = sample_people["staff"]
    staff.language = language
    db.session.commit()
    client.login(staff.email)
    text = without_sections_5_to_9((samples / sample).read_text(encoding="utf-8"))
    response = upload_text(client, text, "short-form.txt")
    assert response.status_code == 302, response.get_data(as_text=True)
    review_url = response.headers["Location"]

    db.session.expire_all()
    report = db.session.scalars(select(Report)).one()
    assert report.status.value == "draft"
    assert report.author_name and report.signed_on
    assert report.sections["9"] == ""
    assert db.session.scalars(select(Task)).all() == []
    codes = [item["code"] for item in report.warnings if isinstance(item, dict)]
    assert "section9_missing" in codes and "sections_found" in codes

    html = client.get(review_url).get_data(as_text=True)
    assert SECTION9_MISSING[language] in html
    assert FORM_DIFFERS[language] in html
    assert 'class="card review-row"' not in html

    form = review_form(html)
    form["confirm"] = "y"
    response = client.post(review_url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Report)).one().status.value == "confirmed"
    assert db.session.scalars(select(Task)).all() == []


def test_a_recommendation_is_added_by_hand_to_a_report_without_section9(
    client, samples, sample_people
) -> None:
    client.login(sample_people["staff"].email)
    text = without_sections_5_to_9((samples / "hy-vilnius-2025-02.txt").read_text("utf-8"))
    review_url = upload_text(client, text, "short-form.txt").headers["Location"]
    report_id = int(review_url.split("/")[2])
    add_url = f"/reports/{report_id}/recommendations/new"
    # With no row to review, the page still offers to add one.
    assert 'name="add"' in client.get(review_url).get_data(as_text=True)
    data = {
        "title": "Ստեղծել աշխատանքային խումբ",
        "owners": [str(sample_people["ani"].id)],
        "deadline": "2025-09-30",
    }
    response = client.submit(add_url, data)
    assert response.status_code == 302, response.get_data(as_text=True)

    html = client.get(review_url).get_data(as_text=True)
    assert html.count('class="card review-row"') == 1
    form = review_form(html)
    form["confirm"] = "y"
    assert client.post(review_url, data=form).status_code == 302
    db.session.expire_all()
    task = db.session.scalars(select(Task)).one()
    assert task.title == "Ստեղծել աշխատանքային խումբ"
    assert task.status is TaskStatus.OPEN
    assert [owner.name for owner in task.owners] == ["Անի Սարգսյան"]
    assert db.session.scalars(select(Report)).one().status.value == "confirmed"
