"""The pages as a person uses them, in chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.browser.conftest import sign_in

DOCS = Path(__file__).resolve().parents[2] / "docs"


def overdue_figure(page) -> int:
    return int(page.locator('[data-figure="overdue"] .number').inner_text())


def test_a_manager_filters_the_dashboard_and_opens_an_overdue_task(browser, live_server) -> None:
    page = sign_in(browser, live_server, "manager@demo.am", "demo-manager")
    page.click("nav.mainnav >> text=Վահանակ")
    page.wait_for_url(f"{live_server}/dashboard")
    # Ani's and Karen's Vilnius tasks, and three of the demo's own (Karen's, Ani's two).
    assert overdue_figure(page) == 5
    # The three overdue charts (the trends below them draw charts of their own).
    assert page.locator("svg.chart:not(.trend-chart):not(.trend-sparkline)").count() == 3
    assert page.locator("svg.trend-chart").count() == 1

    page.select_option("select[name=owner]", label="Անի Սարգսյան")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*owner=\d+.*"))
    rows = page.locator("table.tasks tbody tr")
    assert rows.count() == 3  # the Vilnius task and two of the demo's own
    vilnius = rows.filter(has_text="Մշակել մարզպետարանում")
    assert vilnius.count() == 1

    vilnius.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+$"))
    assert page.locator("h1").inner_text().startswith("Մշակել մարզպետարանում")
    assert page.locator(".badge-overdue").count() == 1
    page.context.close()


def test_an_officer_marks_a_task_done_and_the_managers_figure_drops(browser, live_server) -> None:
    manager = sign_in(browser, live_server, "manager@demo.am", "demo-manager")
    manager.goto(f"{live_server}/dashboard")
    before = overdue_figure(manager)

    officer = sign_in(browser, live_server, "officer@demo.am", "demo-officer")
    officer.locator("table.tasks tbody tr.overdue a").first.click()
    officer.fill("#done textarea[name=note]", "Հայեցակարգը հաստատվել է մարզպետի որոշմամբ։")
    officer.fill("#done input[name=evidence_url]", "https://shirak.mtad.am/decision-12")
    officer.click("#done input[type=submit]")
    officer.wait_for_selector(".flash-success")
    # The officer's report waits for the manager's acceptance (verification of completion).
    assert officer.locator(".badge-awaiting_acceptance").count() == 1
    assert "Հայեցակարգը հաստատվել է" in officer.locator("#history").inner_text()

    manager.goto(officer.url)
    manager.click("#accept-submit")
    manager.wait_for_selector(".flash-success")
    assert manager.locator(".badge-done").count() == 1
    manager.goto(f"{live_server}/dashboard")
    assert overdue_figure(manager) == before - 1
    # With the demo's own task Ani finished the day it was loaded (Gohar's ones are outside
    # this manager's departments).
    assert manager.locator('[data-figure="done-this-month"] .number').inner_text() == "2"
    officer.context.close()
    manager.context.close()


def test_the_language_switch_works_and_is_remembered(browser, live_server) -> None:
    page = sign_in(browser, live_server, "staff@demo.am", "demo-staff")
    assert page.locator("html").get_attribute("lang") == "hy"
    assert page.locator("h1").inner_text() == "Վահանակ"  # staff land on the dashboard
    page.click("button[data-language=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Dashboard"
    page.goto(f"{live_server}/tasks")
    assert page.locator("h1").inner_text() == "My tasks"
    page.click("button[data-language=hy]")
    page.wait_for_selector("html[lang=hy]")
    assert page.locator("h1").inner_text() == "Իմ առաջադրանքները"
    page.context.close()


def test_the_dashboard_of_the_demo_as_staff(browser, live_server, tmp_path) -> None:
    """The picture in the README: TRACKER_UPDATE_SCREENSHOTS=1 writes it to docs/."""
    page = sign_in(browser, live_server, "staff@demo.am", "demo-staff")
    page.goto(f"{live_server}/dashboard")
    # Vilnius: Ani's and Karen's; Chisinau: the referral desk and the translation; and six
    # of the demo's own tasks.
    assert overdue_figure(page) == 10
    shot = page.screenshot(full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    target = DOCS if os.environ.get("TRACKER_UPDATE_SCREENSHOTS") == "1" else tmp_path
    (target / "dashboard.png").write_bytes(shot)
    page.context.close()
