"""A hook through which other features narrow the task list (`/tasks`) from its arguments:
an email digest's "and N more" link, for one. The tasks package offers the hook and the
feature fills it when the application is built, so tasks never imports that feature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from flask import Flask, current_app

from tracker.models import Task, User
from tracker.tasks.search import fold
from tracker.tasks.services import TaskPage

_EXTENSION = "tracker.task_list_narrowings"


@dataclass(frozen=True)
class Narrowed:
    """The tasks the list shows instead (every status), and what its page says about them."""

    tasks: Sequence[Task]
    context: Mapping[str, object] = field(default_factory=dict)


# (the viewer, the request's arguments, whether only the viewer's own tasks are listed)
Narrowing = Callable[[User, Mapping[str, str], bool], Narrowed | None]


def add_narrowing(app: Flask, narrowing: Narrowing) -> None:
    app.extensions.setdefault(_EXTENSION, []).append(narrowing)


def narrowed_list(user: User, args: Mapping[str, str], *, mine: bool) -> Narrowed | None:
    """The first narrowing the arguments ask for, or None for the plain list."""
    narrowings: list[Narrowing] = current_app.extensions.get(_EXTENSION, [])
    for narrowing in narrowings:
        result = narrowing(user, args, mine)
        if result is not None:
            return result
    return None


def narrowed_page(narrowed: Narrowed, scope: str, *, search_for: str = "") -> TaskPage:
    """A narrowed list (a digest's section, read whole by its feature and shown whole, as
    its email's "see all N" promises), searched as the plain list is: the same folded text."""
    folded = fold(search_for.strip())
    tasks = [task for task in narrowed.tasks if folded in task.search_text]
    return TaskPage(scope, tasks, 1, max(len(tasks), 1), has_next=False)
