"""The trend's SVG: what it draws, for a phone, in both languages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask_babel import force_locale

from tracker.dashboard.charts import label_width
from tracker.dashboard.trend_chart import (
    FONT,
    LEFT,
    RIGHT,
    WIDTH,
    _label_step,
    _nice_ceiling,
    _rate_path,
    month_label,
    section,
    total_section,
    trend_sparkline,
    trend_svg,
)
from tracker.dashboard.trends import DepartmentTrend, Trend, TrendPoint


def months(*figures: tuple[int, int, int, int]) -> list[TrendPoint]:
    """(recommendations, cancelled, done, overdue) for months from July 2025 on."""
    return [
        TrendPoint(date(2025 + (6 + index) // 12, (6 + index) % 12 + 1, 1), *values)
        for index, values in enumerate(figures)
    ]


YEAR = months(*[(10, 1, index % 9, index) for index in range(12)])


@pytest.fixture
def context(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 2), (2, 2), (3, 4), (5, 6), (7, 10), (11, 20), (61, 100)]
)
def test_the_overdue_axis_ends_on_a_round_number(value: int, top: int) -> None:
    assert _nice_ceiling(value) == top


def test_a_month_without_a_rate_breaks_the_line() -> None:
    assert _rate_path([(1, 2), (3, 4), None, (5, 6)]) == "M1.0 2.0 L3.0 4.0 M5.0 6.0"
    assert _rate_path([None, None]) == ""


@pytest.mark.parametrize("language", ["hy", "en"])
def test_the_chart_is_an_image_with_every_month_in_words(context, language: str) -> None:
    with force_locale(language):
        svg = str(trend_svg(YEAR, title="Trend <of> all"))
        labels = [month_label(point) for point in YEAR]
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 340 220" ')
    assert 'width="100%" role="img" aria-label="Trend &lt;of&gt; all"' in svg
    assert "<title>Trend &lt;of&gt; all</title>" in svg
    description = re.search(r'<desc id="trend-desc">(.*?)</desc>', svg)
    assert description is not None and description.group(1).count(";") == 11
    assert len(re.findall(r'class="trend-month"', svg)) == 12
    # Every x inside the picture; the month labels shown never overlap.
    assert all(0 <= float(x) <= WIDTH for x in re.findall(r' (?:x|cx|x1|x2)="([\d.]+)"', svg))
    slot = (RIGHT - LEFT) / 12
    step = _label_step(labels, slot)
    assert max(label_width(label, FONT) for label in labels) <= step * slot
    shown = re.findall(rf'font-size="{FONT}">([^<]+)</text>', svg)
    assert labels[-1] in shown  # the current month always named


def test_the_overdue_bars_and_the_rate_line_follow_the_figures(context) -> None:
    points = months((4, 0, 1, 2), (0, 0, 0, 0), (4, 2, 2, 4))
    svg = str(trend_svg(points, title="t"))
    bars = re.findall(r'class="trend-month".*?<rect [^>]*height="([\d.]+)"', svg)
    heights = [float(height) for height in bars]
    assert heights[0] * 2 == pytest.approx(heights[2]) and heights[1] == 0
    path = re.search(r'<path d="([^"]+)"', svg)
    assert path is not None and path.group(1).count("M") == 2  # the empty month breaks it
    assert svg.count("<circle") == 2


def test_nothing_to_draw_is_still_a_picture(context) -> None:
    svg = str(trend_svg([], title="Empty"))
    assert svg.endswith("</svg>") and "<path" not in svg
    assert "<path" not in str(trend_svg(months((0, 0, 0, 0), (2, 2, 0, 0)), title="t"))


def test_each_department_gets_a_small_chart_and_its_figures_now(context) -> None:
    trend = Trend(
        total=tuple(YEAR),
        by_department=(DepartmentTrend(7, "Digital & co", tuple(months((4, 0, 1, 3)))),),
    )
    with force_locale("en"):
        drawn = section(trend)
    (row,) = drawn.departments
    assert (row.department_id, row.name, row.rate, row.overdue) == (7, "Digital & co", "25", 3)
    assert 'role="img" aria-label="Digital &amp; co, by month"' in str(row.sparkline)
    assert 'width="120" height="32"' in str(row.sparkline)
    assert len(drawn.months) == 12 and drawn.months[0][1] == YEAR[0]
    assert "<desc>" in str(trend_sparkline([], label="none"))


def test_the_dashboards_section_is_the_whole_scopes_chart_alone(context) -> None:
    """The dashboard draws one chart and the months' table; the departments' rows are the
    trends page's (`section`)."""
    with force_locale("en"):
        drawn = total_section(YEAR)
    assert drawn.departments == ()
    assert str(drawn.chart).count('class="chart trend-chart"') == 1
    assert [point for _label, point in drawn.months] == YEAR
    assert drawn.months[-1][0] == "Jun 2026"
