"""Upload, review, confirm: the registry's flow through the web pages."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import EventKind, Report, Role, Task, TaskStatus


def upload(client, path: Path, name: str | None = None):
    token = client.csrf_token("/reports/upload")
    return client.post(
        "/reports/upload",
        data={"csrf_token": token, "file": (io.BytesIO(path.read_bytes()), name or path.name)},
        content_type="multipart/form-data",
    )


def review_form(html: str) -> dict[str, str | list[str]]:
    """The review form as the browser would submit it untouched."""
    data: dict[str, str | list[str]] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name in re.findall(r'<input[^>]*checked[^>]*name="([^"]+)"', html) + re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*checked', html
    ):
        data[name] = "y"
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        data[name] = [
            re.findall(r'\bvalue="([^"]*)"', attributes)[0]
            for attributes in re.findall(r"<option\b([^>]*)>", body)
            if re.search(r"(?:^|\s)selected(?:\s|$)", re.sub(r'"[^"]*"', '""', attributes))
        ]
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body.strip()
    return {key: value for key, value in data.items() if key not in ("save", "add", "confirm")}


def test_upload_review_edit_confirm_and_the_owners_see_their_tasks(
    client, samples, sample_people
) -> None:
    client.login(sample_people["staff"].email)
    response = upload(client, samples / "hy-vilnius-2025-02.txt")
    assert response.status_code == 302
    review_url = response.headers["Location"]
    assert re.fullmatch(r"/reports/\d+/review", review_url)
    html = client.get(review_url).get_data(as_text=True)
    assert html.count('class="card review-row"') == 3
    assert "Անի Սարգսյան" in html and "2025թ. II եռամսյակ" in html

    form = review_form(html)
    title = form["rows-0-title"]
    assert isinstance(title, str) and title.startswith("Մշակել մարզպետարանում")
    form["rows-1-title"] = "Սեմինար համայնքների ղեկավարների համար"
    form["rows-1-owners"] = [str(sample_people["ani"].id), str(sample_people["karen"].id)]
    form["rows-1-deadline"] = "2025-07-15"
    del form["rows-2-include"]  # the third recommendation is left out
    form["confirm"] = "y"
    response = client.post(review_url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)

    db.session.expire_all()
    report = db.session.scalars(select(Report)).one()
    assert report.status.value == "confirmed"
    tasks = db.session.scalars(select(Task).order_by(Task.position)).all()
    assert len(tasks) == 2
    assert all(task.status is TaskStatus.OPEN for task in tasks)
    edited = tasks[1]
    assert edited.title == "Սեմինար համայնքների ղեկավարների համար"
    assert edited.deadline == date(2025, 7, 15)
    assert {owner.name for owner in edited.owners} == {"Անի Սարգսյան", "Կարեն Բաղիշյան"}
    kinds = [event.kind for event in edited.events]
    assert kinds[0] is EventKind.CREATED and kinds[-1] is EventKind.CONFIRMED
    assert EventKind.OWNERS_CHANGED in kinds and EventKind.EDITED in kinds

    client.submit("/logout", {}, page="/tasks")
    client.login(sample_people["ani"].email)
    mine = client.get("/tasks").get_data(as_text=True)
    assert "Մշակել մարզպետարանում" in mine
    assert "Սեմինար համայնքների ղեկավարների համար" in mine
    assert "Պարբերաբար թարմացնել" not in mine
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ" in page  # the original text beside the tasks


def test_confirming_needs_an_owner_and_keeps_what_was_typed(client, samples, sample_people) -> None:
    client.login(sample_people["staff"].email)
    review_url = upload(client, samples / "hy-tbilisi-2024-07.txt").headers["Location"]
    form = review_form(client.get(review_url).get_data(as_text=True))
    form["rows-0-title"] = "Typed by the reviewer"
    form["confirm"] = "y"
    response = client.post(review_url, data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Typed by the reviewer"' in html
    db.session.expire_all()
    assert db.session.scalars(select(Report)).one().status.value == "draft"
    assert set(db.session.scalars(select(Task.status))) == {TaskStatus.DRAFT}


def test_saving_a_draft_keeps_it_for_later(client, samples, sample_people) -> None:
    client.login(sample_people["staff"].email)
    review_url = upload(client, samples / "hy-tbilisi-2024-07.txt").headers["Location"]
    form = review_form(client.get(review_url).get_data(as_text=True))
    form["rows-0-owners"] = [str(sample_people["karen"].id)]
    form["save"] = "y"
    assert client.post(review_url, data=form).headers["Location"] == review_url
    db.session.expire_all()
    first = db.session.scalars(select(Task).order_by(Task.position)).first()
    assert first is not None and [owner.name for owner in first.owners] == ["Կարեն Բաղիշյան"]
    assert first.status is TaskStatus.DRAFT


def test_a_draft_can_be_discarded(client, samples, sample_people) -> None:
    client.login(sample_people["staff"].email)
    review_url = upload(client, samples / "hy-vilnius-2025-02.txt").headers["Location"]
    report_id = review_url.split("/")[2]
    response = client.submit(f"/reports/{report_id}/discard", {}, page=review_url)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 0
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.txt", b"Dear colleagues, thank you.", "not a trip report"),
        ("empty.txt", b"", "empty"),
        ("scan.pdf", b"%PDF-1.4 broken", "PDF"),
        ("notes.odt", b"whatever", "Only .txt, .docx, .doc and .pdf"),
    ],
)
def test_a_bad_upload_says_why_and_writes_nothing(
    client, sample_people, tmp_path, name, content, message
) -> None:
    client.login(sample_people["staff"].email)
    (tmp_path / name).write_bytes(content)
    response = upload(client, tmp_path / name)
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_the_same_file_twice_is_refused_on_upload(client, samples, sample_people) -> None:
    client.login(sample_people["staff"].email)
    upload(client, samples / "hy-vilnius-2025-02.txt")
    response = upload(client, samples / "hy-vilnius-2025-02.txt", name="renamed.txt")
    assert response.status_code == 400
    assert "hy-vilnius-2025-02.txt" in response.get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused(app, client, sample_people, tmp_path) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2000
    client.login(sample_people["staff"].email)
    (tmp_path / "big.txt").write_bytes(b"x" * 5000)
    assert upload(client, tmp_path / "big.txt").status_code == 413


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER])
def test_only_the_registry_uploads_and_reviews(client, make_user, samples, role, runner) -> None:
    runner.invoke(args=["import", str(samples / "hy-vilnius-2025-02.txt")])
    client.login(make_user(role).email)
    assert client.get("/reports/upload").status_code == 403
    assert client.get("/reports/1/review").status_code == 403
    assert client.get("/reports/1").status_code == 403  # a draft, and none of it is theirs
    assert "hy-vilnius" not in client.get("/reports").get_data(as_text=True)
