"""One transaction per request or command, owned in one place.

    with unit_of_work():
        services.mark_done(task, user, note)   # services change the session, never commit

On a normal exit the session is committed, then the side effects registered during the work
run (`after_commit`: a file moved into place, a scheduler woken); on any exception the
session is rolled back, those side effects are dropped and the exception goes on. Cleanups
(`when_done`: a temporary file removed) run in both cases, last. A unit of work inside
another joins it: only the outermost commits.

The work is kept on `flask.g`, so it belongs to the application context of one request or
one command; services register side effects without knowing who commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import g

from tracker.extensions import db

logger = logging.getLogger(__name__)

SideEffect = Callable[[], None]


@dataclass
class _Work:
    after_commit: list[SideEffect] = field(default_factory=list)
    when_done: list[SideEffect] = field(default_factory=list)


def _stack() -> list[_Work]:
    stack: list[_Work] = g.setdefault("tracker_units_of_work", [])
    return stack


def _current() -> _Work:
    stack = _stack()
    if not stack:
        raise RuntimeError("a side effect needs a unit of work: run the change in unit_of_work()")
    return stack[0]


def after_commit(callback: SideEffect) -> None:
    """Run `callback` once the current unit of work has committed; never if it rolls back."""
    _current().after_commit.append(callback)


def when_done(callback: SideEffect) -> None:
    """Run `callback` when the current unit of work ends, committed or rolled back."""
    _current().when_done.append(callback)


def in_unit_of_work() -> bool:
    return bool(_stack())


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block changed, or roll all of it back if the block (or the commit)
    raises; then the side effects registered inside, in order."""
    stack = _stack()
    if stack:  # joins the outer unit of work, which commits
        yield
        return
    work = _Work()
    stack.append(work)
    try:
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            stack.remove(work)
        _run(work.after_commit, "after the commit")
    finally:
        _run(work.when_done, "at the end of the unit of work")


def _run(callbacks: list[SideEffect], moment: str) -> None:
    # The change is committed (or rolled back) already: a failing side effect is logged,
    # and does not stop the others or turn the request into an error.
    for callback in callbacks:
        try:
            callback()
        except Exception:
            logger.exception("side effect %r failed %s", callback, moment)
