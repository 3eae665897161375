"""The review page at real scale (#10 item 8) and a recommendation the parser missed (#11
item 7): the owner choice grouped and sorted, a refused confirm's summary, the discard asked
first, a row added by hand."""

from __future__ import annotations

import html as html_module
import re

import pytest
from sqlalchemy import func, select

from tests.reports.test_report_pages import review_form, upload
from tracker.extensions import db
from tracker.models import (
    EventKind,
    OutboxMessage,
    Report,
    ReportStatus,
    Role,
    Task,
    TaskStatus,
    User,
)


@pytest.fixture
def people(make_department, make_user) -> dict[str, User]:
    """Armenian and Latin names in two departments, and the registry."""
    digital = make_department("Թվային բաժին")
    cooperation = make_department("Cooperation")

    def officer(name: str, department, position: str | None = None) -> User:
        user = make_user(Role.OFFICER, name=name, department=department)
        user.position = position
        db.session.commit()
        return user

    return {
        "staff": make_user(Role.STAFF, name="Նարինե Մկրտչյան", department=cooperation),
        "admin": make_user(Role.ADMIN, name="Aram Vardanyan"),
        "zara": officer("Zara Adams", digital),
        "sargis": officer("Սարգիս Զաքարյան", digital),
        "ani": officer("Անի Ադամյան", digital, "Գլխավոր մասնագետ"),
        "brown": officer("Ani Brown", digital),
        "karen": make_user(Role.MANAGER, name="Կարեն Բաղիշյան", department=cooperation),
        "gohar": officer("Gohar Petrosyan", cooperation),
        "loner": officer("Լևոն Մելքոնյան", None),
    }


def first_select(html: str) -> str:
    found = re.search(r'<select[^>]*name="rows-0-owners"[^>]*>(.*?)</select>', html, re.S)
    assert found, "no owner select"
    return found[1]


def groups(select_html: str) -> list[tuple[str, list[str]]]:
    """(group label, option labels) in the page's order."""
    return [
        (
            html_module.unescape(label),
            [html_module.unescape(text) for text in re.findall(r"<option[^>]*>([^<]*)<", body)],
        )
        for label, body in re.findall(
            r'<optgroup label="([^"]*)">(.*?)</optgroup>', select_html, re.S
        )
    ]


def review_url_for(client, samples, people, sample: str = "hy-vilnius-2025-02.txt") -> str:
    client.login(people["staff"].email)
    response = upload(client, samples / sample)
    assert response.status_code == 302
    return response.headers["Location"]


def test_the_owner_choice_is_grouped_by_department_and_sorted_across_scripts(
    client, samples, people
) -> None:
    html = client.get(review_url_for(client, samples, people)).get_data(as_text=True)
    shown = groups(first_select(html))
    assert [label for label, _ in shown] == [
        "Cooperation",
        "Թվային բաժին",  # tvayin bazhin
        "No department",
        "Staff and administrators (not usually owners)",
    ]
    assert shown[0][1] == ["Gohar Petrosyan", "Կարեն Բաղիշյան"]
    assert shown[1][1] == [
        "Անի Ադամյան — Գլխավոր մասնագետ",  # ani adamyan
        "Ani Brown",
        "Սարգիս Զաքարյան",  # sargis
        "Zara Adams",
    ]
    assert shown[2][1] == ["Լևոն Մելքոնյան"]
    # The registry last, so making one of them an owner is a choice made on purpose.
    assert shown[3][1] == ["Aram Vardanyan", "Նարինե Մկրտչյան"]
    # What the picker script searches: the name in Latin letters.
    option = re.search(rf'<option[^>]*value="{people["ani"].id}"[^>]*>', html)
    assert option and 'data-latin="ani adamyan glkhavor masnaget"' in option[0]
    # Only the first row's select carries it: the script reads it once for every row.
    assert html.count("data-latin=") == len(people)
    assert html.count(f'<option value="{people["ani"].id}">') == 2
    assert 'src="/static/js/owner-picker.js"' in html and "<script>" not in html


def test_an_owner_from_the_last_group_can_still_be_chosen(client, samples, people) -> None:
    review_url = review_url_for(client, samples, people, "hy-tbilisi-2024-07.txt")
    form = review_form(client.get(review_url).get_data(as_text=True))
    form["rows-0-owners"] = [str(people["admin"].id), str(people["ani"].id)]
    form["save"] = "y"
    assert client.post(review_url, data=form).status_code == 302
    db.session.expire_all()
    first = db.session.scalars(select(Task).order_by(Task.position)).first()
    assert first is not None
    assert {owner.name for owner in first.owners} == {"Aram Vardanyan", "Անի Ադամյան"}


def test_a_refused_confirm_lands_on_a_summary_of_the_rows_in_error(client, samples, people) -> None:
    review_url = review_url_for(client, samples, people, "hy-tbilisi-2024-07.txt")
    page = client.get(review_url).get_data(as_text=True)
    assert 'id="error-summary"' not in page
    form = review_form(page)
    rows = sorted({int(n) for n in re.findall(r'name="rows-(\d+)-task_id"', page)})
    for index in rows:
        form[f"rows-{index}-owners"] = [str(people["gohar"].id)]
    form["rows-1-owners"] = []  # the second recommendation has nobody
    form["rows-0-title"] = "   "  # and the first no title
    form["confirm"] = "y"
    response = client.post(review_url, data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = re.search(
        r'<div class="error-summary" id="error-summary" role="alert" tabindex="-1">(.*?)</div>',
        html,
        re.S,
    )
    assert summary, "no error summary"
    links = re.findall(r'<a href="(#row-\d+)">([^<]*)</a>', summary[1])
    assert links == [
        ("#row-1", "Recommendation 1: A recommendation needs a title."),
        ("#row-2", "Recommendation 2: Choose at least one responsible person."),
    ]
    assert 'id="row-2"' in html
    # Without JavaScript the browser scrolls to the summary: the form's action says where.
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*class="review-form"', html)
    assert action and action[1] == f"{review_url}#error-summary"
    db.session.expire_all()
    assert db.session.scalars(select(Report)).one().status is ReportStatus.DRAFT
    assert set(db.session.scalars(select(Task.status))) == {TaskStatus.DRAFT}
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.owners.any())) == 0


def test_discarding_is_asked_first(client, samples, people) -> None:
    review_url = review_url_for(client, samples, people)
    review = client.get(review_url).get_data(as_text=True)
    discard_url = review_url.replace("/review", "/discard")
    assert f'href="{discard_url}"' in review
    page = client.get(discard_url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This deletes the draft and its 3 recommendations." in text
    assert f'href="{review_url}"' in text  # "Keep it"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 3

    # No CSRF token: refused, nothing deleted.
    assert client.post(discard_url, data={}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1

    response = client.submit(discard_url, {})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0
    assert db.session.scalar(select(func.count()).select_from(Task)) == 0


def test_a_confirmed_report_offers_no_discard(client, samples, people, runner) -> None:
    client.login(people["staff"].email)
    result = runner.invoke(args=["import", str(samples / "hy-vilnius-2025-02.txt"), "--confirm"])
    assert result.exit_code == 0, result.output
    report = db.session.scalars(select(Report)).one()
    response = client.get(f"/reports/{report.id}/discard")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/{report.id}"


def add_data(people, **fields: object) -> dict[str, object]:
    return {
        "title": "Ստեղծել համատեղ աշխատանքային խումբ",
        "owners": [str(people["ani"].id), str(people["karen"].id)],
        "deadline": "2025-09-30",
        "deadline_text": "մինչև սեպտեմբերի 30-ը",
        "expected_result": "Խումբը ստեղծված է։",
        "method": "Մարզպետի որոշում",
        **fields,
    }


def test_a_recommendation_the_parser_missed_is_added_and_confirmed_with_the_others(
    client, samples, people
) -> None:
    review_url = review_url_for(client, samples, people)
    report_id = int(review_url.split("/")[2])
    add_url = f"/reports/{report_id}/recommendations/new"
    # "Save and add" keeps what was typed, then opens the page for the new row.
    form = review_form(client.get(review_url).get_data(as_text=True))
    form["rows-0-title"] = "Edited before adding"
    response = client.post(review_url, data={**form, "add": "y"})
    assert response.headers["Location"] == add_url
    db.session.expire_all()
    first = db.session.scalars(select(Task).order_by(Task.position)).first()
    assert first is not None and first.title == "Edited before adding"

    page = client.get(add_url).get_data(as_text=True)
    assert '<optgroup label="Staff and administrators (not usually owners)">' in page
    response = client.submit(add_url, add_data(people))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{review_url}#row-4"
    db.session.expire_all()
    tasks = db.session.scalars(
        select(Task).where(Task.report_id == report_id).order_by(Task.position)
    ).all()
    assert len(tasks) == 4
    added = tasks[-1]
    assert added.title == "Ստեղծել համատեղ աշխատանքային խումբ"
    assert added.status is TaskStatus.DRAFT
    assert added.position > tasks[-2].position
    assert [owner.name for owner in added.owners] == ["Անի Ադամյան", "Կարեն Բաղիշյան"]
    assert added.deadline is not None and added.deadline.isoformat() == "2025-09-30"
    assert added.deadline_text == "մինչև սեպտեմբերի 30-ը"
    assert added.expected_result == "Խումբը ստեղծված է։"
    assert added.method == "Մարզպետի որոշում"
    assert added.created_by_id == people["staff"].id
    assert [(event.kind, event.actor_id) for event in added.events] == [
        (EventKind.CREATED, people["staff"].id)
    ]
    # A draft is nobody's work yet: no email until the report is confirmed.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    # It is a review row like the parsed ones, and is opened with them.
    html = client.get(review_url).get_data(as_text=True)
    assert html.count('class="card review-row"') == 4
    assert 'id="row-4"' in html and "Ստեղծել համատեղ աշխատանքային խումբ" in html
    form = review_form(html)
    for index in range(4):
        form[f"rows-{index}-owners"] = form.get(f"rows-{index}-owners") or [str(people["gohar"].id)]
    assert client.post(review_url, data={**form, "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get_one(Task, added.id).status is TaskStatus.OPEN
    assert (
        db.session.scalar(
            select(func.count()).select_from(Task).where(Task.status == TaskStatus.OPEN)
        )
        == 4
    )


def test_a_recommendation_needs_a_title_and_keeps_what_was_typed(client, samples, people) -> None:
    review_url = review_url_for(client, samples, people)
    add_url = review_url.replace("/review", "/recommendations/new")
    response = client.submit(add_url, add_data(people, title="", method="Typed method"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "A recommendation needs a title." in html and "Typed method" in html
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 3


def test_adding_a_recommendation_needs_the_csrf_token(client, samples, people) -> None:
    review_url = review_url_for(client, samples, people)
    add_url = review_url.replace("/review", "/recommendations/new")
    assert client.post(add_url, data=add_data(people)).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 3


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER])
def test_only_the_registry_adds_recommendations(
    client, samples, people, make_user, runner, role
) -> None:
    assert runner.invoke(args=["import", str(samples / "hy-vilnius-2025-02.txt")]).exit_code == 0
    report = db.session.scalars(select(Report)).one()
    client.login(make_user(role).email)
    add_url = f"/reports/{report.id}/recommendations/new"
    assert client.get(add_url).status_code == 403
    assert client.submit(add_url, add_data(people), page="/settings").status_code == 403
    assert client.get(f"/reports/{report.id}/discard").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 3


def test_a_confirmed_report_takes_no_new_recommendation(client, samples, people, runner) -> None:
    result = runner.invoke(args=["import", str(samples / "hy-vilnius-2025-02.txt"), "--confirm"])
    assert result.exit_code == 0, result.output
    report = db.session.scalars(select(Report)).one()
    client.login(people["staff"].email)
    add_url = f"/reports/{report.id}/recommendations/new"
    assert client.get(add_url).headers["Location"] == f"/reports/{report.id}"
    assert client.submit(add_url, add_data(people), page="/settings").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 3


def test_a_review_without_the_csrf_token_is_refused(client, samples, people) -> None:
    review_url = review_url_for(client, samples, people)
    form = review_form(client.get(review_url).get_data(as_text=True))
    del form["csrf_token"]
    form["rows-0-owners"] = [str(people["gohar"].id)]
    response = client.post(review_url, data={**form, "confirm": "y"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalars(select(Report)).one().status is ReportStatus.DRAFT
    first = db.session.scalars(select(Task).order_by(Task.position)).first()
    assert first is not None and people["gohar"] not in first.owners
