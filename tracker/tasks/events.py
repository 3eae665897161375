"""What happens to tasks, announced to whoever listens (blinker signals, as Flask's own).

The task services announce each change once it is made; other features subscribe when the
application is built (the notifications mail an extension request to the manager, for
instance), so the tasks package never imports them. Receivers run synchronously inside the
service call, in its transaction: what they write is committed, or rolled back, with the
change itself.

    extension_requested.connect(app, queue_extension_request)   # at registration
    extension_requested.announce(ExtensionRequested(...))      # in the service
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from blinker import Namespace
from flask import Flask, current_app

from tracker.models import ExtensionRequest, Task, TaskComment, TaskEvent, User

Payload = TypeVar("Payload")

_signals = Namespace()


class TaskSignal(Generic[Payload]):
    """A blinker signal whose receivers get one typed payload; scoped to one application."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._signal = _signals.signal(name)
        # One adapter per receiver, shared by every application that connects it.
        self._adapters: dict[Callable[[Payload], object], Callable[..., None]] = {}

    def connect(self, app: Flask, receiver: Callable[[Payload], object]) -> None:
        """Call `receiver(payload)` for what this application announces."""
        adapter = self._adapters.get(receiver)
        if adapter is None:

            def adapter(_sender: Flask, *, payload: Payload) -> None:
                receiver(payload)

            self._adapters[receiver] = adapter
        # The sender is held weakly: an application that is gone leaves no connection.
        self._signal.connect(adapter, sender=app, weak=False)

    def announce(self, payload: Payload) -> None:
        self._signal.send(current_app._get_current_object(), payload=payload)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class TaskCreated:
    task: Task
    actor: User | None


@dataclass(frozen=True)
class ProgressReported:
    task: Task
    actor: User
    note: str


@dataclass(frozen=True)
class TaskCompleted:
    task: Task
    actor: User
    note: str


@dataclass(frozen=True)
class TaskCancelled:
    task: Task
    actor: User
    reason: str


@dataclass(frozen=True)
class DeadlineChanged:
    task: Task
    actor: User
    old: date | None
    new: date | None
    reason: str


@dataclass(frozen=True)
class ExtensionRequested:
    """An owner asks for `deadline`; `event` is the history entry, already flushed."""

    task: Task
    actor: User
    deadline: date
    reason: str
    event: TaskEvent
    # The request to decide on (None only for a request recorded as history alone).
    request: ExtensionRequest | None = None


@dataclass(frozen=True)
class ExtensionDecided:
    """A manager approved (the deadline moved) or refused the request, with a note."""

    task: Task
    actor: User
    request: ExtensionRequest
    approved: bool


@dataclass(frozen=True)
class OwnersChanged:
    """Owners were given the task (on confirming a report, on reassignment, on a task made
    by hand) or taken off it."""

    task: Task
    actor: User | None
    added: tuple[User, ...]
    removed: tuple[User, ...]


@dataclass(frozen=True)
class TaskEdited:
    """Fields of a confirmed task changed: {field: (old, new)} (title, description, ...)."""

    task: Task
    actor: User
    changes: dict[str, tuple[str | None, str | None]]


@dataclass(frozen=True)
class AwaitingAcceptance:
    """An owner marked the task done; it waits for the manager to accept it."""

    task: Task
    actor: User
    note: str


@dataclass(frozen=True)
class TaskReturned:
    """Awaiting acceptance, the task went back to the owners for more work."""

    task: Task
    actor: User
    reason: str


@dataclass(frozen=True)
class TaskReopened:
    """A done or cancelled task is open again."""

    task: Task
    actor: User
    reason: str


@dataclass(frozen=True)
class CommentAdded:
    task: Task
    actor: User
    comment: TaskComment


task_created: TaskSignal[TaskCreated] = TaskSignal("task-created")
progress_reported: TaskSignal[ProgressReported] = TaskSignal("progress-reported")
task_completed: TaskSignal[TaskCompleted] = TaskSignal("task-completed")
task_cancelled: TaskSignal[TaskCancelled] = TaskSignal("task-cancelled")
deadline_changed: TaskSignal[DeadlineChanged] = TaskSignal("deadline-changed")
extension_requested: TaskSignal[ExtensionRequested] = TaskSignal("extension-requested")
extension_decided: TaskSignal[ExtensionDecided] = TaskSignal("extension-decided")
owners_changed: TaskSignal[OwnersChanged] = TaskSignal("owners-changed")
task_edited: TaskSignal[TaskEdited] = TaskSignal("task-edited")
awaiting_acceptance: TaskSignal[AwaitingAcceptance] = TaskSignal("awaiting-acceptance")
task_returned: TaskSignal[TaskReturned] = TaskSignal("task-returned")
task_reopened: TaskSignal[TaskReopened] = TaskSignal("task-reopened")
comment_added: TaskSignal[CommentAdded] = TaskSignal("comment-added")
