"""The trends drawn on the server as SVG (#14): the overdue count as bars, the implementation
rate as a line, one slot a month. Readable without JavaScript, and by a screen reader: each
picture is an image with a title and a description that says every month's figures.

Two sizes: `trend_svg`, the whole scope's chart, drawn for a phone's width (340 units wide,
shown at 100% of its box: about 1:1 in a card of a 390 px screen, so its 12-unit text stays
legible);
and `trend_sparkline`, a small one of the same marks for each department's row of a table
(the department, its line, its rate and overdue count now): small multiples in a table
keep dozens of departments comparable on a phone, where a chart with a line per department
would be a tangle and twelve columns of rates would not fit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from math import ceil
from threading import Lock
from time import monotonic

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from tracker.dashboard.charts import label_width
from tracker.dashboard.services import Filters, Standing
from tracker.dashboard.trends import (
    Trend,
    TrendPoint,
    closed_months_replayed,
    history_mark,
    kept_closed_months,
    monthly_trend,
    today_point,
)
from tracker.models import User

WIDTH = 340
HEIGHT = 220
LEFT = 30  # the overdue axis's numbers end here
RIGHT = WIDTH - 38  # the rate axis's percentages start here
TOP = 34
BOTTOM = 190  # the baseline; the month labels are below it
FONT = 12
BAR_COLOR = "#b42318"  # the dashboard's overdue red (--danger)
LINE_COLOR = "#1f5fae"  # --accent
GRID_COLOR = "#d9dee7"  # --line


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def _whole_percent(rate: float | None) -> str:
    return "—" if rate is None else str(round(rate * 100))


def month_label(point: TrendPoint) -> str:
    """The month in the user's language, as a month alone ("Mar", "մրտ")."""
    return str(format_date(point.month, "LLL"))


def month_and_year(point: TrendPoint) -> str:
    return str(format_date(point.month, "LLLL y"))


def short_month_and_year(point: TrendPoint) -> str:
    return str(format_date(point.month, "LLL y"))


def describe(points: Sequence[TrendPoint]) -> str:
    """Every month's figures in words: the pictures' text alternative."""
    return "; ".join(
        _(
            "%(month)s: %(overdue)d overdue, implementation rate %(rate)s",
            month=month_and_year(point),
            overdue=point.overdue,
            rate=percent(point.implementation_rate),
        )
        for point in points
    )


def _nice_ceiling(value: int) -> int:
    """The axis's top: 1, 2, 4, 6, 10, 20, 40, 60, 100, ... at least `value` (even, so the
    middle line has a whole number)."""
    if value <= 1:
        return 1 if value <= 0 else 2
    scale = 1
    while True:
        for step in (1, 2, 4, 6):
            if step * scale >= value:
                return max(step * scale, 2)
        scale *= 10


def _label_step(labels: Sequence[str], slot: float) -> int:
    """Every how many months a label is shown so that none overlaps the next."""
    widest = max((label_width(label, FONT) for label in labels), default=0)
    return max(1, ceil((widest + 4) / slot))


def _rate_path(coordinates: Sequence[tuple[float, float] | None]) -> str:
    """The line through the months that have a rate; a month without one breaks it."""
    parts = []
    pen_down = False
    for point in coordinates:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]:.1f} {point[1]:.1f}")
        pen_down = True
    return " ".join(parts)


def _axes(top_count: int) -> list[str]:
    """The three grid lines, the overdue numbers on the left and the rates on the right."""
    parts = []
    for fraction in (0.0, 0.5, 1.0):
        y = BOTTOM - fraction * (BOTTOM - TOP)
        parts.append(
            f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOR}" stroke-width="1"></line>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT}">'
            f"{round(top_count * fraction)}</text>"
            f'<text x="{RIGHT + 4}" y="{y + 4:.1f}" font-size="{FONT}">'
            f"{round(fraction * 100)}%</text>"
        )
    return parts


def _legend() -> str:
    """Above each axis, what it measures: the bars' on the left, the line's on the right."""
    overdue, rate = escape(_("Overdue")), escape(_("Implementation rate"))
    return (
        f'<rect x="0" y="6" width="10" height="10" fill="{BAR_COLOR}" rx="2"></rect>'
        f'<text x="14" y="16" font-size="{FONT}" class="trend-axis-title">{overdue}</text>'
        f'<line x1="{WIDTH - 14}" x2="{WIDTH}" y1="11" y2="11" stroke="{LINE_COLOR}" '
        f'stroke-width="2.5"></line>'
        f'<text x="{WIDTH - 18}" y="15" text-anchor="end" font-size="{FONT}" '
        f'class="trend-axis-title">{rate}</text>'
    )


def trend_svg(points: Sequence[TrendPoint], *, title: str, ident: str = "trend") -> Markup:
    """The overdue count (bars, left axis) and the implementation rate (line, right axis,
    0 to 100%) of each month, the oldest on the left. `ident` names the description (unique
    on the page)."""
    slot = (RIGHT - LEFT) / max(len(points), 1)
    top_count = _nice_ceiling(max((point.overdue for point in points), default=0))
    height = BOTTOM - TOP
    labels = [month_label(point) for point in points]
    step = _label_step(labels, slot)
    description = describe(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-label="{escape(title)}" aria-describedby="{escape(ident)}-desc" '
        f'class="chart trend-chart">',
        f"<title>{escape(title)}</title>",
        f'<desc id="{escape(ident)}-desc">{escape(description)}</desc>',
        _legend(),
        *_axes(top_count),
    ]
    line: list[tuple[float, float] | None] = []
    last = len(points) - 1
    for index, point in enumerate(points):
        middle = LEFT + slot * (index + 0.5)
        bar = height * point.overdue / top_count
        tip = escape(
            _(
                "%(month)s: %(overdue)d overdue, implementation rate %(rate)s",
                month=month_and_year(point),
                overdue=point.overdue,
                rate=percent(point.implementation_rate),
            )
        )
        parts.append(
            f'<g class="trend-month" data-month="{point.month.isoformat()}" '
            f'data-overdue="{point.overdue}"><title>{tip}</title>'
            f'<rect x="{middle - slot * 0.3:.1f}" y="{BOTTOM - bar:.1f}" '
            f'width="{slot * 0.6:.1f}" height="{bar:.1f}" fill="{BAR_COLOR}" rx="2"></rect></g>'
        )
        if (last - index) % step == 0:  # the latest month always has its label
            parts.append(
                f'<text x="{middle:.1f}" y="{BOTTOM + 16}" text-anchor="middle" '
                f'font-size="{FONT}">{escape(labels[index])}</text>'
            )
        rate = point.implementation_rate
        line.append(None if rate is None else (middle, BOTTOM - height * rate))
    parts.append(_line(line, radius=3))
    parts.append("</svg>")
    return Markup("".join(parts))


def _line(
    points: Sequence[tuple[float, float] | None], *, radius: float, width: float = 2.5
) -> str:
    dots = "".join(
        f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="{radius}" fill="{LINE_COLOR}">'
        "</circle>"
        for point in points
        if point is not None
    )
    path = _rate_path(points)
    drawn = (
        f'<path d="{path}" fill="none" stroke="{LINE_COLOR}" stroke-width="{width}" '
        'stroke-linejoin="round" class="trend-rate"></path>'
        if path
        else ""
    )
    return drawn + dots


SPARK_WIDTH = 120  # drawn at this size in px: a table column of a phone's page
SPARK_HEIGHT = 32


def trend_sparkline(points: Sequence[TrendPoint], *, label: str) -> Markup:
    """A department's months in small: the overdue bars (scaled to its own most) behind
    the rate line (0 to 100%). An image labelled with `label` and described in words."""
    slot = SPARK_WIDTH / max(len(points), 1)
    most = max((point.overdue for point in points), default=0) or 1
    inner = SPARK_HEIGHT - 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" role="img" aria-label="{escape(label)}" '
        'class="chart trend-sparkline">',
        f"<title>{escape(label)}</title><desc>{escape(describe(points))}</desc>",
        f'<line x1="0" x2="{SPARK_WIDTH}" y1="{SPARK_HEIGHT - 1}" y2="{SPARK_HEIGHT - 1}" '
        f'stroke="{GRID_COLOR}" stroke-width="1"></line>',
    ]
    line: list[tuple[float, float] | None] = []
    for index, point in enumerate(points):
        middle = slot * (index + 0.5)
        bar = inner * point.overdue / most
        if bar:
            parts.append(
                f'<rect x="{middle - slot * 0.3:.1f}" y="{SPARK_HEIGHT - 1 - bar:.1f}" '
                f'width="{slot * 0.6:.1f}" height="{bar:.1f}" fill="{BAR_COLOR}" '
                'opacity="0.45"></rect>'
            )
        rate = point.implementation_rate
        line.append(None if rate is None else (middle, SPARK_HEIGHT - 2 - inner * rate))
    parts.append(_line(line, radius=1.5, width=1.8))
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class DepartmentRow:
    department_id: int
    name: str
    sparkline: Markup
    rate: str  # the current month's, in percent without the sign ("—" without any)
    overdue: int  # today


@dataclass(frozen=True)
class TrendSection:
    """The trends: the chart of the whole scope, its months for the table beside it, and
    a row per department (none on the dashboard, which draws only the whole scope's)."""

    chart: Markup
    months: tuple[tuple[str, TrendPoint], ...]  # (the month and year in words, its figures)
    departments: tuple[DepartmentRow, ...] = ()


def total_section(points: Sequence[TrendPoint]) -> TrendSection:
    """The whole scope's chart and its months as a table."""
    chart = trend_svg(points, title=_("Overdue tasks and implementation rate by month"))
    months = tuple((short_month_and_year(point), point) for point in points)
    return TrendSection(chart=chart, months=months)


def section(trend: Trend) -> TrendSection:
    rows = tuple(
        DepartmentRow(
            department_id=department.department_id,
            name=department.name,
            sparkline=trend_sparkline(
                department.points, label=_("%(department)s, by month", department=department.name)
            ),
            rate=_whole_percent(department.points[-1].implementation_rate)
            if department.points
            else "—",
            overdue=department.points[-1].overdue if department.points else 0,
        )
        for department in trend.by_department
    )
    return replace(total_section(trend.total), departments=rows)


# A trend by department reads its closed months kept (trend_store.py) and counts today's
# figures over the scope's tasks, and each department's (a pass over the tasks and their
# owners: about a second for the whole organisation at a million tasks); a scope not kept
# is replayed (seconds). The trends page keeps each scope's trend, and the dashboard the
# closed months it had to replay, a few minutes while no task or event is added, in each
# application (each process).
CACHE_SECONDS = 300.0
CACHE_SIZE = 64


class _KeptTrends:
    def __init__(self) -> None:
        self.trends: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self.lock = Lock()

    def get(self, key: Hashable) -> object | None:
        with self.lock:
            kept = self.trends.get(key)
            if kept is None or monotonic() - kept[0] >= CACHE_SECONDS:
                return None
            self.trends.move_to_end(key)
            return kept[1]

    def put(self, key: Hashable, trend: object) -> None:
        with self.lock:
            self.trends[key] = (monotonic(), trend)
            self.trends.move_to_end(key)
            while len(self.trends) > CACHE_SIZE:
                self.trends.popitem(last=False)


def _kept() -> _KeptTrends:
    kept: _KeptTrends = current_app.extensions.setdefault("tracker_kept_trends", _KeptTrends())
    return kept


def _key(kind: str, user: User, filters: Filters, today: date, timezone: str) -> Hashable:
    """A kept trend's key: the scope, the day and what changes with the task history."""
    scope = (user.id, user.role, user.department_id, replace(filters, status="all"))
    return (kind, *scope, today, timezone, *history_mark())


def dashboard_trend(
    user: User, filters: Filters, today: date, timezone: str, standing: Standing
) -> TrendSection:
    """The dashboard's trend: the whole scope's closed months (kept rows, a few of them)
    and today's point from the figures the page counted already (`standing`), no task
    read again and no department's line (those are on the trends page). A scope not kept
    (an owner, report or deadline filter) or a month not kept yet is replayed and the
    replay kept CACHE_SECONDS while no task or event is added."""
    closed = kept_closed_months(user, filters, today)
    if closed is None:
        kept = _kept()
        key = _key("closed", user, filters, today, timezone)
        found = kept.get(key)
        if isinstance(found, tuple):
            closed = found
        else:
            closed = closed_months_replayed(user, filters, today, timezone)
            kept.put(key, closed)
    return total_section((*closed, today_point(today, standing)))


def department_trends(user: User, filters: Filters, today: date, timezone: str) -> TrendSection:
    """The trends page: the whole scope's trend and each department's, for the user's scope
    and filters (their status aside); kept CACHE_SECONDS while no task or event is added
    (a person moved to another department shows when it expires)."""
    kept = _kept()
    key = _key("departments", user, filters, today, timezone)
    trend = kept.get(key)
    if not isinstance(trend, Trend):
        trend = monthly_trend(user, filters, today, timezone)
        kept.put(key, trend)
    return section(trend)
