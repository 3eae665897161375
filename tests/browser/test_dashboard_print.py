"""The dashboard printed by chromium on A4 (#14: "navigation and filters printed, right-hand
columns cut"): the list, without the menus and the filter form, every column on the paper."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.browser.test_progress_report import PRINTED_WIDTH_PX

# The right edge of the widest thing printed (an SVG counts by its own box).
WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter((element) => element.tagName === 'svg' || !element.closest('svg'))
  .reduce((right, element) => Math.max(right, element.getBoundingClientRect().right), 0)"""


def test_the_printed_dashboard_keeps_every_column_and_leaves_out_the_menus(
    browser, live_server
) -> None:
    page = sign_in(browser, live_server, "staff@demo.am", "demo-staff")
    page.set_viewport_size({"width": round(PRINTED_WIDTH_PX), "height": 1000})
    page.goto(f"{live_server}/dashboard?status=all")
    assert page.locator("table.tasks tbody tr").count() > 5
    page.emulate_media(media="print")

    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate(WIDEST) <= width + 0.5
    for hidden in ("header.topbar", "#filters", "#list .heading-row .filters"):
        assert not page.locator(hidden).is_visible(), hidden
    text = " ".join(
        " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(page.pdf())).pages).split()
    )
    # The list's last columns, in Armenian: days overdue and the last escalation.
    assert "Ուշացման օրեր" in text
    assert "Վերջին ծանուցումը ղեկավարին" in text
    page.context.close()
