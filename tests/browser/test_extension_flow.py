"""More time, as people ask and decide in chromium (#11 item 1): the officer asks on the task
page, the manager approves from the Requests list, the officer sees the new deadline on the
task page and the decision among their notifications."""

from __future__ import annotations

import re
from datetime import date

from tests.browser.conftest import sign_in
from tracker.display import format_day

NEW_DEADLINE = date(2026, 12, 30)  # after every deadline of the demo's officer
PHONE = {"width": 390, "height": 844}


def fits_a_phone(page) -> bool:
    """The page, at a phone's width, scrolls no wider than the screen."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    return bool(width <= PHONE["width"])


def test_the_officer_asks_the_manager_approves_the_officer_sees_it(browser, live_server) -> None:
    officer = sign_in(browser, live_server, "officer@demo.am", "demo-officer")
    officer.locator("table.tasks tbody tr a").first.click()
    officer.wait_for_url(re.compile(r".*/tasks/\d+$"))
    task_url = officer.url
    title = officer.locator("h1").inner_text()
    officer.fill("#extension-deadline", NEW_DEADLINE.isoformat())
    officer.fill("#extension-reason", "Նախարարությունը դեռ չի պատասխանել։")
    officer.click("#extension-submit")
    officer.wait_for_selector(".flash-success")
    assert officer.locator("#extension .waiting").count() == 1  # waiting for a decision
    assert officer.locator("#extension-deadline").count() == 0  # one request at a time
    assert fits_a_phone(officer)

    manager = sign_in(browser, live_server, "manager@demo.am", "demo-manager")
    requests_item = manager.locator("nav.mainnav a", has_text="Խնդրանքներ (1)")
    assert requests_item.count() == 1
    requests_item.click()
    manager.wait_for_url(f"{live_server}/tasks/requests")
    row = manager.locator("ol.extension-requests > li", has_text=title)
    assert row.count() == 1
    assert "Նախարարությունը դեռ չի պատասխանել։" in row.inner_text()
    assert fits_a_phone(manager)
    row.locator("input[type=submit].primary").click()  # Approve, with no note
    manager.wait_for_selector(".flash-success")
    assert manager.locator("ol.extension-requests > li").count() == 0
    assert manager.locator("nav.mainnav a", has_text="Խնդրանքներ (0)").count() == 1

    officer.goto(task_url)
    facts = officer.locator("dl.facts").first.inner_text()
    assert format_day(NEW_DEADLINE, "hy") in facts
    assert officer.locator("#extension-deadline").count() == 1  # may ask again
    history = officer.locator("#history").inner_text()
    assert "Նախարարությունը դեռ չի պատասխանել։" in history

    officer.goto(f"{live_server}/notifications")
    # The decision, worded with the new deadline (the demo's own notices are there too).
    notice = officer.locator("li.notice-unread", has_text=title).filter(
        has_text=format_day(NEW_DEADLINE, "hy")
    )
    assert notice.count() == 1
    assert "Կարեն Բաղիշյան" in notice.inner_text()  # the manager who decided
    notice.locator("a.notice-task").click()
    officer.wait_for_url(task_url)
    officer.context.close()
    manager.context.close()
