"""The menu in chromium: one row at 1366 px in Armenian (an admin's, the longest), and on a
phone a "Menu" toggle that opens it without JavaScript; the skip link is the first Tab stop."""

from __future__ import annotations

from tests.browser.conftest import sign_in


def test_the_admins_armenian_menu_fits_one_row_at_1366(browser, live_server) -> None:
    page = sign_in(browser, live_server, "admin@demo.am", "demo-admin")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/admin/outbox")
    assert page.locator("html").get_attribute("lang") == "hy"
    items = page.locator("nav.mainnav a")
    assert items.count() == 9  # with Requests (N) and Notifications (N)
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert len(tops) == 1, tops
    # Above it, the brand and the tools side by side.
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".topbar .tools").bounding_box()
    assert brand and tools and abs(brand["y"] - tools["y"]) < 20
    assert page.locator("nav.mainnav a[aria-current=page]").inner_text() == "Ելքային նամակներ"
    page.context.close()


def test_on_a_phone_the_menu_opens_from_its_toggle(browser, live_server) -> None:
    page = sign_in(browser, live_server, "staff@demo.am", "demo-staff")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server}/dashboard")
    menu = page.locator("nav.mainnav")
    assert not menu.is_visible()
    page.click("label.menu-button")
    assert menu.is_visible()
    assert page.locator("nav.mainnav a[aria-current=page]").get_attribute("href") == "/dashboard"
    box = menu.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.click("label.menu-button")
    assert not menu.is_visible()
    page.context.close()


def test_the_skip_link_is_the_first_tab_stop(browser, live_server) -> None:
    page = sign_in(browser, live_server, "officer@demo.am", "demo-officer")
    page.goto(f"{live_server}/tasks")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.context.close()
