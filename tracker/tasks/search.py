"""The task list's search: what a task is found by, and how a query finds it.

Each task keeps `search_text`: its title, its report's title and its owners' names, folded
(`fold`), so the search is one case-insensitive substring test that behaves the same on
SQLite and PostgreSQL, Armenian capitals included (neither database folds them on its own:
SQLite's LIKE folds only ASCII, PostgreSQL's LOWER follows the server's locale).

The text is kept current at every flush (`keep_current`), whichever service changed a
title, the owners, a report's title or a person's name: no caller has to remember it.

Indexed by the migration d13a00000001: a pg_trgm GIN index on PostgreSQL, which serves
`LIKE '%…%'`; on SQLite an FTS5 table with the trigram tokenizer (`tasks_search`, kept in
step by triggers), which narrows the rows the same LIKE then checks. Queries shorter than
three characters have no trigram and scan.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, event, select, text
from sqlalchemy.orm import Session, attributes

from tracker.extensions import db
from tracker.models import Report, Task, User, task_owners

# Between the parts of the text, so a query never matches across two of them by accident.
SEPARATOR = " · "
# The shortest query the trigram indexes can serve.
INDEXED_LENGTH = 3


def fold(value: str) -> str:
    """The value as searched: compatibility forms resolved, case folded.

    Armenian "և" folds to "եւ", but its capital form is "ԵՎ" ("ԵՐԵՎԱՆ" is "Երևան"): "եւ"
    is written "եվ" so both spellings meet."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return folded.replace("եւ", "եվ")


def search_text(title: str, report_title: str | None, owner_names: Iterable[str]) -> str:
    """The title, the report's title and the owners' names (sorted), folded."""
    parts = [title, report_title or "", *sorted(owner_names)]
    return fold(SEPARATOR.join(part for part in parts if part))


def _like_pattern(folded: str) -> str:
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _glob(folded: str) -> str:
    return "*" + "".join(f"[{c}]" if c in "*?[" else c for c in folded) + "*"


def candidates(query: str, limit: int) -> int:
    """SQLite: how many tasks the trigram table finds for the query, counted up to `limit`
    (the table stops looking there: cheap however common the words are)."""
    statement = text(
        "SELECT count(*) FROM (SELECT rowid FROM tasks_search"
        " WHERE search_text GLOB :search_glob LIMIT :limit)"
    )
    found = db.session.scalar(
        statement, {"search_glob": _glob(fold(query.strip())), "limit": limit}
    )
    return int(found or 0)


def matching(query: str, dialect: str) -> ColumnElement[bool]:
    """Tasks whose search text holds the query (folded, taken literally: % and _ too),
    found through the trigram index where the query is long enough for one."""
    folded = fold(query.strip())
    contains = Task.search_text.like(_like_pattern(folded), escape="\\")
    if dialect != "sqlite" or len(folded) < INDEXED_LENGTH:
        return contains  # PostgreSQL's trigram index serves the LIKE itself
    # The FTS5 trigram table finds the candidates (GLOB: case-sensitive, as the table is);
    # the LIKE keeps the exact meaning on both databases.
    found = text(
        "tasks.id IN (SELECT rowid FROM tasks_search WHERE search_text GLOB :search_glob)"
    ).bindparams(search_glob=_glob(folded))
    return and_(found, contains)


def matching_unindexed(query: str, words: ColumnElement[str] | None = None) -> ColumnElement[bool]:
    """The same test, written so that no trigram index serves it: for reading the list in
    its order and testing each row, which is cheaper when many tasks match. `words`: the
    search text as another query names it (a subquery's column)."""
    folded = fold(query.strip())
    column = (Task.search_text + "") if words is None else words
    return column.like(_like_pattern(folded), escape="\\")


def is_indexed(query: str) -> bool:
    return len(fold(query.strip())) >= INDEXED_LENGTH


def refresh(session: Session, task: Task) -> None:
    """Recompute one task's search text from its current title, report and owners."""
    report = task.report
    if report is None and task.report_id is not None:  # only the id was set
        report = session.get(Report, task.report_id)
    report_title = report.title if report is not None else None
    value = search_text(task.title or "", report_title, (owner.name for owner in task.owners))
    if task.search_text != value:
        task.search_text = value


def _changed(obj: object, *names: str) -> bool:
    state = attributes.instance_state(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _affected(session: Session, obj: object) -> Iterable[Task]:
    """The tasks whose words a changed object changes: itself, a report's, a person's."""
    if isinstance(obj, Task) and _changed(obj, "title", "owners", "report", "report_id"):
        return [obj]
    if isinstance(obj, Report) and _changed(obj, "title"):
        return obj.tasks
    if isinstance(obj, User) and obj.id is not None and _changed(obj, "name"):
        owned = select(Task).join(task_owners).where(task_owners.c.user_id == obj.id)
        return session.scalars(owned).all()
    return []


def _tasks_to_refresh(session: Session) -> set[Task]:
    tasks = {obj for obj in session.new if isinstance(obj, Task)}
    for obj in session.dirty:
        tasks.update(_affected(session, obj))
    return tasks


def keep_current(session: Session, _context: object, _instances: object) -> None:
    """Before each flush: refresh the search text of every task whose words changed."""
    with session.no_autoflush:
        for task in _tasks_to_refresh(session):
            if task not in session.deleted:
                refresh(session, task)


event.listen(Session, "before_flush", keep_current)
