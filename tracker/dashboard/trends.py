"""The implementation rate and the overdue count per month, as they stood at each month's
end, rebuilt from the task history (#14). Seam: the builder fills this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TrendPoint:
    month: date  # its first day
    recommendations: int  # tasks that existed at the month's end, drafts aside
    cancelled: int
    done: int  # done at the month's end (on time or late)
    overdue: int  # open or in progress with the deadline of then passed at the month's end

    @property
    def implementation_rate(self) -> float | None:
        """Done of the recommendations not cancelled, at the month's end (as
        tracker.reporting.model.HeadlineFigures.implementation_rate)."""
        counted = self.recommendations - self.cancelled
        return self.done / counted if counted else None


@dataclass(frozen=True)
class DepartmentTrend:
    department_id: int
    name: str
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class Trend:
    total: tuple[TrendPoint, ...]  # the oldest month first, the current month last
    by_department: tuple[DepartmentTrend, ...] = ()
