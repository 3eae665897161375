"""The task list (/tasks) paged and searchable (#13), on SQLite and PostgreSQL: pages in the
list's order with no task twice or lost, a page past the end sends to the last one, and one
search box over the task's title, its report's title and its owners' names, case-insensitive
for Armenian and Latin letters, taking % and _ literally, inside what the role may see."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask

from tests.conftest import TrackerClient
from tracker.extensions import db
from tracker.models import Report, ReportStatus, Role, Task, TaskStatus, User
from tracker.tasks import changes, services
from tracker.tasks.changes import Wording
from tracker.tasks.search import fold
from tracker.tasks.services import PER_PAGE
from tracker.unit_of_work import unit_of_work

DAY = date(2026, 7, 1)


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories on each migrated database."""
    return any_database_app


@pytest.fixture(params=["read in order", "through the trigram index"])
def search_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each search test both ways a page can be read (services._search_walk chooses by
    the numbers of matches, which these small lists cannot reach)."""
    in_order = request.param == "read in order"

    def walk(_listed: object, _in_order: bool, _search: str, needed: int) -> int | None:
        return needed if in_order else None

    monkeypatch.setattr(services, "_search_walk", walk)
    return str(request.param)


def listed(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-task-id="(\d+)"', html)]


def signed_in(app: Flask, user: User) -> TrackerClient:
    app.test_client_class = TrackerClient
    browser: TrackerClient = app.test_client()  # type: ignore[assignment]
    assert browser.login(user.email).status_code == 302
    return browser


# --- Pages --------------------------------------------------------------------------------


def every_page(browser: TrackerClient, path: str) -> list[list[int]]:
    """The tasks of each page, following the "Next" links from the first page."""
    pages: list[list[int]] = []
    while True:
        html = browser.get(f"{path}&page={len(pages) + 1}").get_data(as_text=True)
        pages.append(listed(html))
        if 'rel="next"' not in html:
            return pages


def in_list_order(tasks: list[Task]) -> list[int]:
    ordered = sorted(tasks, key=lambda t: (t.deadline is None, t.deadline or DAY, t.id))
    return [task.id for task in ordered]


def test_pages_follow_the_list_order_and_hold_every_task_once(app: Flask, org, make_task) -> None:
    # Shared deadlines (ties broken by id) and tasks without a deadline (listed last).
    made = [
        make_task(org.officer, title=f"Paged {n:03d}", deadline=DAY + timedelta(days=n % 7))
        for n in range(PER_PAGE + 25)
    ]
    made += [make_task(org.officer, title=f"Undated {n}") for n in range(30)]
    browser = signed_in(app, org.admin)
    pages = every_page(browser, "/tasks?scope=all")
    assert [len(page) for page in pages] == [PER_PAGE, PER_PAGE, 7]
    seen = [task_id for page in pages for task_id in page]
    # Every task once, in order (another department's task is on the admin's list too).
    assert in_list_order([*made, org.task, org.other_task]) == seen

    second = browser.get("/tasks?scope=all&page=2").get_data(as_text=True)
    assert listed(second) == seen[PER_PAGE : 2 * PER_PAGE]
    assert f"tasks {PER_PAGE + 1}–{2 * PER_PAGE}" in second
    assert 'rel="prev"' in second


def test_a_page_past_the_end_sends_to_the_last_one_with_the_arguments_kept(
    app: Flask, org, make_task
) -> None:
    for n in range(PER_PAGE + 1):
        make_task(org.officer, title=f"Report item {n}", deadline=DAY)
    browser = signed_in(app, org.admin)
    response = browser.get("/tasks?scope=all&closed=1&q=report+item&page=9")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "page=2" in location and "closed=1" in location and "q=report+item" in location
    html = browser.get(location).get_data(as_text=True)
    assert "There is no page 9: this is the last one." in html
    assert len(listed(html)) == 1
    # An empty list has one page: page 5 of nothing goes to page 1.
    nothing = browser.get("/tasks?scope=all&q=no+such+words&page=5")
    assert nothing.status_code == 302 and "page=1" in nothing.headers["Location"]
    # A number larger than any database takes is past the end too.
    huge = browser.get(f"/tasks?scope=all&page={10**30}")
    assert huge.status_code == 302 and "page=2" in huge.headers["Location"]
    # A page number that is not one is the first page.
    assert browser.get("/tasks?scope=all&page=abc").status_code == 200


def test_page_links_keep_the_search_and_the_finished_tasks(
    app: Flask, org, make_task, search_path: str
) -> None:
    for n in range(PER_PAGE + 3):
        make_task(org.officer, title=f"Budget line {n}", deadline=DAY)
    make_task(org.officer, title="Budget line done", deadline=DAY, status=TaskStatus.DONE)
    browser = signed_in(app, org.admin)
    html = browser.get("/tasks?scope=all&closed=1&q=budget").get_data(as_text=True)
    (next_link,) = re.findall(r'href="([^"]+)" rel="next"', html)
    next_link = next_link.replace("&amp;", "&")
    assert "q=budget" in next_link and "closed=1" in next_link and "page=2" in next_link
    second = browser.get(next_link).get_data(as_text=True)
    assert len(listed(second)) == PER_PAGE + 4 - PER_PAGE
    assert 'value="budget"' in second  # the box keeps what was typed


# --- Search -------------------------------------------------------------------------------


def test_search_finds_the_title_the_report_title_and_an_owners_name(
    app: Flask, org, make_task, search_path: str
) -> None:
    report = Report(
        source_filename="visit.docx",
        content_hash="d13a-report",
        file_type="docx",
        language="hy",
        status=ReportStatus.CONFIRMED,
        title="Visit to Tbilisi",
    )
    db.session.add(report)
    from_report = make_task(org.other_officer, title="Sign the memorandum", deadline=DAY)
    from_report.report = report
    db.session.commit()
    browser = signed_in(app, org.admin)

    def found(query: str) -> set[int]:
        return set(listed(browser.get(f"/tasks?scope=all&q={query}").get_data(as_text=True)))

    assert found("services+concept") == {org.task.id}  # the title
    assert found("TBILISI") == {from_report.id}  # the report's title, any case
    assert found("lilit") == {org.other_task.id, from_report.id}  # an owner's name
    assert found("") == {org.task.id, org.other_task.id, from_report.id}


def test_armenian_capitals_find_small_letters_and_the_other_way(
    app: Flask, org, make_user, make_task, search_path: str
) -> None:
    yerevan = make_task(org.officer, title="Երևանի քաղաքապետարանի հետ հանդիպում", deadline=DAY)
    owner = make_user(Role.OFFICER, department=org.digital, name="Արմինե Սարգսյան")
    theirs = make_task(owner, title="Concept note", deadline=DAY)
    browser = signed_in(app, org.admin)

    def found(query: str) -> set[int]:
        html = browser.get("/tasks", query_string={"scope": "all", "q": query}).get_data(
            as_text=True
        )
        return set(listed(html))

    assert found("ԵՐԵՎԱՆԻ") == {yerevan.id}  # "և" in capitals is "ԵՎ"
    assert found("երեվան") == {yerevan.id}
    assert found("ՔԱՂԱՔԱՊԵՏԱՐԱՆԻ") == {yerevan.id}
    assert found("սարգսյան") == {theirs.id}
    assert found("ԱՐՄԻՆԵ") == {theirs.id}
    assert found("CONCEPT") == {org.task.id, theirs.id}
    assert fold("ԵՐԵՎԱՆ") == fold("Երևան") == "երեվան"


def test_percent_and_underscore_are_taken_literally(
    app: Flask, org, make_task, search_path: str
) -> None:
    percent = make_task(org.officer, title="Raise coverage to 80% by June", deadline=DAY)
    underscore = make_task(org.officer, title="Rename file_name fields", deadline=DAY)
    make_task(org.officer, title="Rename filename fields 80 times", deadline=DAY)
    browser = signed_in(app, org.admin)

    def found(query: str) -> set[int]:
        html = browser.get("/tasks", query_string={"scope": "all", "q": query}).get_data(
            as_text=True
        )
        return set(listed(html))

    assert found("80%") == {percent.id}
    assert found("%") == {percent.id}
    assert found("file_name") == {underscore.id}
    assert found("_") == {underscore.id}
    assert found("e_n") == {underscore.id}


def test_an_empty_result_says_so_and_keeps_the_query(app: Flask, org) -> None:
    browser = signed_in(app, org.admin)
    html = browser.get("/tasks", query_string={"scope": "all", "q": "Nothing like it"}).get_data(
        as_text=True
    )
    assert listed(html) == []
    assert "No task matches “Nothing like it”." in html
    assert 'value="Nothing like it"' in html


def test_a_manager_never_finds_another_departments_task(app: Flask, org, search_path: str) -> None:
    browser = signed_in(app, org.manager)
    for query in ("Youth", "Lilit", "exchange", "o"):  # "o": short, scanned, still scoped
        html = browser.get("/tasks", query_string={"scope": "all", "q": query}).get_data(
            as_text=True
        )
        assert org.other_task.id not in listed(html), query
    html = browser.get("/tasks?scope=all&q=digital").get_data(as_text=True)
    assert listed(html) == [org.task.id]
    # An officer's own list searches only their own tasks.
    mine = signed_in(app, org.officer).get("/tasks?q=e").get_data(as_text=True)
    assert listed(mine) == [org.task.id]


# --- The search text stays current --------------------------------------------------------


def test_the_search_text_follows_edits_owners_reports_and_renamed_people(
    app: Flask, org, make_user
) -> None:
    task_id = org.task.id

    def search_text() -> str:
        db.session.expire_all()
        task = db.session.get(Task, task_id)
        assert task is not None
        return task.search_text

    assert search_text() == "digital services concept · ani officer"

    with unit_of_work():
        changes.edit_task(org.task, org.staff, Wording(title="Օնլայն ԾԱՌԱՅՈՒԹՅՈՒՆՆԵՐ"))
    assert search_text() == "օնլայն ծառայություններ · ani officer"

    colleague = make_user(Role.OFFICER, department=org.digital, name="Aram Petrosyan")
    with unit_of_work():
        changes.change_owners(org.task, org.staff, [colleague, org.officer])
    assert search_text() == "օնլայն ծառայություններ · ani officer · aram petrosyan"

    report = _report_of(task_id, "First title")
    assert search_text() == "օնլայն ծառայություններ · first title · ani officer · aram petrosyan"
    with unit_of_work():
        report.title = "Second Title"
    assert "second title" in search_text()

    with unit_of_work():
        colleague.name = "Aram Hakobyan"
    assert search_text().endswith("ani officer · aram hakobyan")

    # And the search finds it by the new words only.
    browser = signed_in(app, org.admin)
    assert listed(browser.get("/tasks?scope=all&q=hakobyan").get_data(as_text=True)) == [task_id]
    assert listed(browser.get("/tasks?scope=all&q=petrosyan").get_data(as_text=True)) == []
    assert listed(browser.get("/tasks?scope=all&q=second+title").get_data(as_text=True)) == [
        task_id
    ]


def _report_of(task_id: int, title: str) -> Report:
    """A report, now the task's."""
    report = Report(
        source_filename="r.docx", content_hash="d13a-renamed", file_type="docx", language="en"
    )
    report.title = title
    with unit_of_work():
        db.session.add(report)
        task = db.session.get(Task, task_id)
        assert task is not None
        task.report = report
    return report
