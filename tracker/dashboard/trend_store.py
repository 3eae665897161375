"""The trends' closed months kept (#14): each scope's figures at a closed month's end,
written once into trend_months so that the dashboard's trend reads rows instead of
replaying every task's history (tracker/dashboard/trends.py reads them).

`keep_closed_months` runs each day (a daily planner of the notifications scheduler) and by
hand (`tracker trends keep`): every closed month of the last twelve without rows yet is
counted in one replay pass over the tasks, for every kept scope at once: "all" (every task
but drafts), "department:<id>" (a task with an owner there, or unowned and its own) and
"tree:<id>" (the department and those below it, each task once). A month kept stays as it
was: a person moved or a task reopened later changes the replay, not the kept figures.
Inserts skip a row already there, so two processes keeping at once write each row once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.dashboard.trends import (
    ALL_SCOPE,
    _month_days,
    _Tallies,
    department_scope,
    tally_scope,
    tree_scope,
)
from tracker.extensions import db
from tracker.models import Department, Task, TaskStatus, TrendMonth, utcnow

KEPT_MONTHS = 12  # the dashboard's trend: the current month and the eleven closed before it
_COLUMNS = (
    "recommendations",
    "cancelled",
    "done_on_time",
    "done_late",
    "open",
    "overdue",
    "awaiting_acceptance",
)


def closed_months(today: date, months: int = KEPT_MONTHS) -> list[tuple[date, date]]:
    """(first day, last day) of each closed month among the last `months` (the current
    one counted, so `months - 1` of them), the oldest first."""
    return [(first, last) for first, last in _month_days(today, months) if last < today]


def department_roots() -> dict[int, frozenset[int]]:
    """Each department's own id and those of every department above it."""
    parents: dict[int, int | None] = {
        id_: parent
        for id_, parent in db.session.execute(select(Department.id, Department.parent_id))
    }
    roots: dict[int, frozenset[int]] = {}
    for department in parents:
        found: list[int] = []
        current: int | None = department
        while current is not None and current not in found:  # a cycle stops the walk
            found.append(current)
            current = parents.get(current)
        roots[department] = frozenset(found)
    return roots


def _missing(months: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    firsts = [first for first, _last in months]
    kept = set(
        db.session.scalars(
            select(TrendMonth.month).where(
                TrendMonth.scope == ALL_SCOPE, TrendMonth.month.in_(firsts)
            )
        )
    )
    return [(first, last) for first, last in months if first not in kept]


def _insert(rows: list[dict[str, object]]) -> None:
    """Insert the rows, skipping any (scope, month) already there (kept meanwhile by
    another process)."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(TrendMonth).on_conflict_do_nothing(index_elements=["scope", "month"])
    for start in range(0, len(rows), 500):
        db.session.execute(statement, rows[start : start + 500])


def keep_closed_months(today: date, timezone: str, months: int = KEPT_MONTHS) -> int:
    """Keep the figures of every closed month among the last `months` that has none yet,
    for every scope, at the month's end in `timezone`; how many months were kept. One
    replay pass over the tasks whatever the months missing. Does not commit."""
    missing = _missing(closed_months(today, months))
    if not missing:
        return 0
    tallies = _Tallies([last for _first, last in missing], None, department_roots())
    tally_scope(tallies, [Task.status != TaskStatus.DRAFT], timezone, by_department=True)
    now = utcnow()
    rows: list[dict[str, object]] = []
    scoped = [
        (ALL_SCOPE, tallies.total),
        *((department_scope(id_), tally) for id_, tally in tallies.by_department.items()),
        *((tree_scope(id_), tally) for id_, tally in tallies.by_tree.items()),
    ]
    for index, (first, _last) in enumerate(missing):
        for scope, tally in scoped:
            counts = tally[index]
            if scope != ALL_SCOPE and not any(counts):
                continue  # no row: no task (the "all" row marks the month kept)
            rows.append(
                {"scope": scope, "month": first, "computed_at": now}
                | dict(zip(_COLUMNS, counts, strict=True))
            )
    # The scopes' rows before the "all" rows that mark a month kept (one transaction anyway).
    rows.sort(key=lambda row: row["scope"] == ALL_SCOPE)
    _insert(rows)
    return len(missing)


def plan_kept_months(day: date) -> None:
    """The scheduler's daily planner: keep the months closed by `day` (catching up any
    missed while it was down), in a transaction of its own."""
    keep_closed_months(day, current_app.config["TRACKER_TIMEZONE"])
    db.session.commit()
