"""The review page's deadline stays within 2000-01-01..2100-12-31 (#9 item 1): a row whose
deadline was typed with a short year is refused with a message, and nothing is saved."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Task, TaskStatus


def upload(client, path: Path) -> str:
    token = client.csrf_token("/reports/upload")
    response = client.post(
        "/reports/upload",
        data={"csrf_token": token, "file": (io.BytesIO(path.read_bytes()), path.name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return response.headers["Location"]


def review_data(client, review_url: str) -> dict[str, str | list[str]]:
    html = client.get(review_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token
    data: dict[str, str | list[str]] = {"csrf_token": token[1], "save": "y"}
    for index in sorted(set(re.findall(r'name="rows-(\d+)-task_id"', html))):
        task_id = re.search(rf'name="rows-{index}-task_id"[^>]*value="(\d+)"', html)
        assert task_id
        data[f"rows-{index}-task_id"] = task_id[1]
        data[f"rows-{index}-include"] = "y"
        data[f"rows-{index}-title"] = f"Recommendation {index}"
    return data


def test_a_review_deadline_outside_the_range_is_refused(client, samples, sample_people) -> None:
    client.login(sample_people["staff"].email)
    review_url = upload(client, samples / "hy-tbilisi-2024-07.txt")
    data = review_data(client, review_url)
    data["rows-0-deadline"] = "0202-11-20"
    response = client.post(review_url, data=data)
    assert response.status_code == 400
    assert "Enter a date between 2000-01-01 and 2100-12-31." in response.get_data(as_text=True)
    db.session.expire_all()
    first = db.session.scalars(select(Task).order_by(Task.position)).first()
    assert first is not None and first.title != "Recommendation 0"
    assert first.status is TaskStatus.DRAFT


def test_a_review_deadline_inside_the_range_is_saved(client, samples, sample_people) -> None:
    client.login(sample_people["staff"].email)
    review_url = upload(client, samples / "hy-tbilisi-2024-07.txt")
    data = review_data(client, review_url)
    data["rows-0-deadline"] = "2100-12-31"
    assert client.post(review_url, data=data).headers["Location"] == review_url
    db.session.expire_all()
    first = db.session.scalars(select(Task).order_by(Task.position)).first()
    assert first is not None and first.deadline is not None and first.deadline.year == 2100
