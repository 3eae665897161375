"""The review page at real scale (#10 item 8), in chromium: with some 300 people to choose
from, a reviewer finds an Armenian name by typing Latin letters, picks it with the keyboard,
removes a chip and confirms; without JavaScript the plain select still does the job; a refused
confirm lands on the summary of the rows in error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD_HASH, make_app
from tracker.extensions import db
from tracker.models import Department, Report, ReportStatus, Role, Task, TaskStatus, User

FIRST_NAMES = [
    "Արամ", "Գայանե", "Դավիթ", "Էլեն", "Հասմիկ", "Մարիամ", "Նարեկ", "Տիգրան", "Սոնա", "Վահե",
    "Lusine", "Ruben", "Anna", "Hayk", "Mane", "Arpine", "Սուրեն", "Լիանա", "Գոռ", "Շուշան",
]  # fmt: skip
SURNAMES = [
    "Աբրահամյան", "Բաբայան", "Գևորգյան", "Դավթյան", "Մարտիրոսյան", "Ներսիսյան", "Պողոսյան",
    "Սիմոնյան", "Վարդանյան", "Օհանյան", "Harutyunyan", "Avetisyan", "Mkrtchyan", "Khachatryan",
    "Ստեփանյան",
]  # fmt: skip
POSITIONS = ["Գլխավոր մասնագետ", "Առաջատար մասնագետ", "Բաժնի պետի տեղակալ", None]
# Whom the reviewer looks for: one of a kind among the 300, found by "ghaz".
WANTED = "Անահիտ Ղազարյան"


@pytest.fixture
def crowded_server(live_server: str, tmp_path: Path) -> Iterator[str]:
    """The demo's server with 300 more people in eight departments, written into its
    database while it runs."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.sqlite'}")
    with app.app_context():
        departments = [Department(name=f"Ստորաբաժանում {number}") for number in range(1, 9)]
        db.session.add_all(departments)
        names = [f"{first} {last}" for first, last in product(FIRST_NAMES, SURNAMES)]
        for number, name in enumerate([*names[:299], WANTED]):
            db.session.add(
                User(
                    email=f"person{number}@crowd.am",
                    name=name,
                    position=POSITIONS[number % len(POSITIONS)],
                    role=Role.MANAGER if number % 25 == 0 else Role.OFFICER,
                    department=departments[number % len(departments)],
                    language="hy",
                    password_hash=PASSWORD_HASH,
                    active=True,
                )
            )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield live_server


def database(tmp_path: Path):
    """The live server's database, read from the test."""
    return make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.sqlite'}")


def draft_reports(tmp_path: Path) -> list[int]:
    with database(tmp_path).app_context():
        ids = list(
            db.session.scalars(
                select(Report.id).where(Report.status == ReportStatus.DRAFT).order_by(Report.id)
            )
        )
        db.engine.dispose()
    return ids


def owners_by_row(tmp_path: Path, report_id: int) -> list[tuple[TaskStatus, list[str]]]:
    with database(tmp_path).app_context():
        tasks = db.session.scalars(
            select(Task).where(Task.report_id == report_id).order_by(Task.position)
        ).all()
        found = [(task.status, [owner.name for owner in task.owners]) for task in tasks]
        db.engine.dispose()
    return found


def rows_of(page) -> int:
    return page.locator("section.review-row").count()


def pick(page, row: int, typed: str) -> None:
    """Type into a row's picker, go down to the first person offered and press Enter."""
    search = page.locator(f"#rows-{row}-owners-search")
    search.click()
    search.fill(typed)
    page.wait_for_selector(f"#rows-{row}-owners-listbox [role=option]")
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == f"rows-{row}-owners-listbox-0"
    search.press("Enter")


def chips(page, row: int) -> list[str]:
    return page.locator(f"#row-{row + 1} .owner-chip > span").all_inner_texts()


def test_a_reviewer_picks_owners_with_the_keyboard_among_300_people(
    browser, crowded_server, tmp_path
) -> None:
    report_id = draft_reports(tmp_path)[0]
    page = sign_in(browser, crowded_server, "staff@demo.am", "demo-staff")
    page.goto(f"{crowded_server}/reports/{report_id}/review")
    rows = rows_of(page)
    assert rows >= 2
    # Every row's select became a picker; the select stays, hidden, in the form.
    assert page.locator(".owner-picker").count() == rows
    assert page.locator("select[name=rows-0-owners]").is_hidden()
    assert page.locator("select[name=rows-0-owners] option").count() > 300
    search = page.locator("#rows-0-owners-search")
    assert search.get_attribute("role") == "combobox"
    assert search.get_attribute("aria-expanded") == "false"
    assert page.locator("label[for=rows-0-owners-search]").count() == 1

    # Latin letters find the Armenian name; her position and department are shown.
    search.click()
    search.fill("ghaz")
    assert search.get_attribute("aria-expanded") == "true"
    offered = page.locator("#rows-0-owners-listbox [role=option]")
    assert offered.count() == 1
    assert "Ստորաբաժանում" in offered.first.inner_text()
    page.screenshot(path=str(tmp_path / "review-picker.png"))
    search.press("ArrowDown")
    search.press("Enter")
    assert WANTED in chips(page, 0)
    assert search.input_value() == ""
    assert search.get_attribute("aria-expanded") == "false"

    # A short search offers the first 50 and says how many more there are.
    search.fill("ա")
    assert offered.count() == 50
    assert page.locator("#row-1 .owner-note").inner_text().startswith("ևս ")
    search.fill("")

    # A second person (the demo's, with her position and department), then removed again
    # with the chip's button.
    search.fill("Gohar")
    assert offered.first.inner_text().split("\n") == [
        "Gohar Petrosyan",
        "Միջազգային համագործակցության բաժնի մասնագետ · Միջազգային համագործակցության բաժին",
    ]
    pick(page, 0, "Gohar")
    assert "Gohar Petrosyan" in chips(page, 0)
    page.locator("#row-1 button[aria-label$='Gohar Petrosyan']").click()
    assert "Gohar Petrosyan" not in chips(page, 0)

    # The registry is offered only when asked for.
    search.fill("Նարինե")
    page.screenshot(path=str(tmp_path / "review-picker-registry.png"))
    assert page.locator("#rows-0-owners-listbox [role=option]").count() == 0
    assert page.locator("#row-1 .owner-note").inner_text() == "Համընկնող անուն չկա։"
    page.locator("#rows-0-owners-unusual").check()
    assert page.locator("#rows-0-owners-listbox [role=option]").count() == 1
    search.press("Escape")
    search.press("Escape")
    assert search.input_value() == ""

    # Every other row gets an owner too, and every row keeps only what was chosen.
    for row in range(1, rows):
        for _ in chips(page, row):
            page.locator(f"#row-{row + 1} .owner-chip-remove").first.click()
        pick(page, row, "Lusine Avet")
    page.locator("input[name=confirm]").click()
    page.wait_for_url(re.compile(rf".*/reports/{report_id}(#.*)?$"))
    found = owners_by_row(tmp_path, report_id)
    assert found[0][0] is TaskStatus.OPEN
    assert WANTED in found[0][1] and "Gohar Petrosyan" not in found[0][1]
    assert all(owners == ["Lusine Avetisyan"] for _, owners in found[1:])
    page.context.close()


def test_without_javascript_the_plain_select_still_chooses(
    browser, crowded_server, tmp_path
) -> None:
    report_id = draft_reports(tmp_path)[0]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="hy-AM", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{crowded_server}/login")
    page.fill("input[name=email]", "staff@demo.am")
    page.fill("input[name=password]", "demo-staff")
    page.click("input[type=submit]")
    page.goto(f"{crowded_server}/reports/{report_id}/review")
    assert page.locator(".owner-picker").count() == 0
    rows = rows_of(page)
    for row in range(rows):
        owners = page.locator(f"select[name=rows-{row}-owners]")
        assert owners.is_visible()
        wanted = WANTED if row == 0 else "Lusine Avetisyan"
        value = owners.locator("option", has_text=wanted).first.get_attribute("value")
        owners.select_option(value=value)
    page.locator("input[name=confirm]").click()
    page.wait_for_url(re.compile(rf".*/reports/{report_id}(#.*)?$"))
    found = owners_by_row(tmp_path, report_id)
    assert [owners for _, owners in found] == [[WANTED]] + [["Lusine Avetisyan"]] * (rows - 1)
    assert {status for status, _ in found} == {TaskStatus.OPEN}
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_refused_confirm_lands_on_the_summary(
    browser, crowded_server, tmp_path, javascript
) -> None:
    report_id = draft_reports(tmp_path)[-1]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="hy-AM", java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{crowded_server}/login")
    page.fill("input[name=email]", "staff@demo.am")
    page.fill("input[name=password]", "demo-staff")
    page.click("input[type=submit]")
    page.goto(f"{crowded_server}/reports/{report_id}/review")
    last = rows_of(page) - 1
    page.locator(f"select[name=rows-{last}-owners]").evaluate(
        "select => { for (const option of select.options) option.selected = false; }"
    ) if javascript else page.locator(f"select[name=rows-{last}-owners]").select_option([])
    page.locator("input[name=confirm]").click()
    page.wait_for_selector("#error-summary")
    assert page.url.endswith("#error-summary")
    summary = page.locator("#error-summary")
    assert f"#row-{last + 1}" in summary.inner_html()
    assert page.evaluate("window.scrollY") > 0
    box = summary.bounding_box()
    assert box is not None and -1 < box["y"] < 900
    if javascript:
        assert page.evaluate("document.activeElement.id") == "error-summary"
    summary.locator(f"a[href='#row-{last + 1}']").click()
    assert page.url.endswith(f"#row-{last + 1}")
    assert [status for status, _ in owners_by_row(tmp_path, report_id)] == [TaskStatus.DRAFT] * (
        last + 1
    )
    context.close()


def test_the_review_page_with_its_pickers_fits_a_phone(browser, crowded_server, tmp_path) -> None:
    report_id = draft_reports(tmp_path)[0]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="hy-AM")
    page = context.new_page()
    page.goto(f"{crowded_server}/login")
    page.fill("input[name=email]", "staff@demo.am")
    page.fill("input[name=password]", "demo-staff")
    page.click("input[type=submit]")
    page.goto(f"{crowded_server}/reports/{report_id}/review")
    pick(page, 0, "ghaz")
    page.locator("#rows-1-owners-search").fill("ա")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    page.screenshot(path=str(tmp_path / "review-phone.png"), full_page=False)
    # The pages it leads to: the discard asked first, a recommendation added by hand.
    for address in ("discard", "recommendations/new"):
        page.goto(f"{crowded_server}/reports/{report_id}/{address}")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (address, width)
    context.close()
