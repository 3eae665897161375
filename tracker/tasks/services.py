"""What can happen to a task. Services check permissions and write the history;
they never commit: the caller (a view, a CLI command, a job) owns the transaction."""

from __future__ import annotations

import io
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker import unit_of_work
from tracker.action_links import Action, ActionLink, ActionLinkSigner
from tracker.extensions import db
from tracker.models import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    UNFINISHED_STATUSES,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    Task,
    TaskEvent,
    TaskStatus,
    UsedActionToken,
    User,
    clipped,
    task_owners,
    utcnow,
)
from tracker.policy_settings import current_policy
from tracker.tasks import events, search
from tracker.tasks.permissions import (
    Scope,
    ScopeForm,
    can_list_all,
    can_manage,
    can_work_on,
    require,
    scope_of,
    visible_tasks,
)


class TaskError(ValueError):
    """A change the task's state does not allow; the message is shown to the user."""


class LinkAlreadyUsed(Exception):
    """An email action link whose one use is spent."""


_UNSAFE_FILENAME_CHARACTERS = re.compile(r"[^\w.\-]+", re.UNICODE)


class EvidenceUpload:
    """An evidence file sent with "mark done", kept only if the change is committed.

    Its size is checked when it is received, before anything touches the disk; mark_done
    writes it under a temporary name only once the task's state and the actor's right allow
    the change, inside the caller's unit of work, which moves it into place after the commit
    (`publish`) and removes it (`discard`) when the change is refused or rolled back. A
    refused request leaves no file.
    """

    _CHUNK = 1024 * 1024

    def __init__(self, directory: Path, filename: str, stream: IO[bytes], size: int) -> None:
        # Kept under a random name; the name it was uploaded with is only shown.
        suffix = Path(_UNSAFE_FILENAME_CHARACTERS.sub("_", filename)).suffix[:16]
        self.directory = directory
        self.stored_name = f"{secrets.token_hex(16)}{suffix}"
        self.filename = Path(filename).name[:255] or self.stored_name
        self._stream = stream
        self._size = size
        self._temporary: Path | None = None

    @classmethod
    def receive(
        cls, directory: Path, filename: str, stream: IO[bytes], *, max_bytes: int
    ) -> EvidenceUpload:
        """The upload, or a TaskError when it is over `max_bytes`; reads none of it."""
        try:
            size = stream.seek(0, os.SEEK_END)
            stream.seek(0)
        except (OSError, ValueError):  # not seekable: read it, never more than the limit
            content = stream.read(max_bytes + 1)
            stream, size = io.BytesIO(content), len(content)
        if size > max_bytes:
            raise TaskError(
                _l(
                    "The evidence file is too large: at most %(size)s MB.",
                    size=max_bytes // (1024 * 1024),
                )
            )
        return cls(directory, filename, stream, size)

    def write_temporary(self) -> None:
        """Write the file aside; published only if the current unit of work commits."""
        unit_of_work.after_commit(self.publish)
        unit_of_work.when_done(self.discard)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._temporary = self.directory / f".{self.stored_name}.part"
        with self._temporary.open("xb") as out:
            remaining = self._size
            while remaining > 0:
                chunk = self._stream.read(min(remaining, self._CHUNK))
                if not chunk:
                    break
                out.write(chunk)
                remaining -= len(chunk)

    def publish(self) -> None:
        """After the commit: the file takes the name the task now records."""
        if self._temporary is not None:
            os.replace(self._temporary, self.directory / self.stored_name)
            self._temporary = None

    def discard(self) -> None:
        """After a refusal or a rollback (harmless after publish)."""
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None


def record_event(
    task: Task,
    actor: User | None,
    kind: EventKind,
    *,
    field: str | None = None,
    old: str | None = None,
    new: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> TaskEvent:
    event = TaskEvent(
        kind=kind,
        actor=actor,
        field=field,
        old_value=old,
        new_value=new,
        note=note,
        created_at=now or utcnow(),
    )
    task.events.append(event)
    return event


def _require_active(task: Task) -> None:
    if task.status not in ACTIVE_STATUSES:
        raise TaskError(_l("This task is not open, so it cannot be changed."))


def _set_status(
    task: Task, actor: User, status: TaskStatus, kind: EventKind, note: str | None, now: datetime
) -> None:
    record_event(
        task,
        actor,
        kind,
        field="status",
        old=task.status.value,
        new=status.value,
        note=note,
        now=now,
    )
    task.status = status


LIST_ORDER = (Task.deadline.is_(None), Task.deadline, Task.id)  # ix_tasks_list_order
PER_PAGE = 50


def _statuses(include_closed: bool) -> tuple[TaskStatus, ...]:
    # Awaiting acceptance is unfinished: listed with the open tasks, not hidden as finished.
    return (*UNFINISHED_STATUSES, *CLOSED_STATUSES) if include_closed else UNFINISHED_STATUSES


def _list_query(
    user: User, scope: str, include_closed: bool, search_for: str, form: ScopeForm = "ids"
) -> Select[Any]:
    """The tasks of a list, unordered: the user's own ("mine"), or every task the
    permissions let them see ("all", the scope asked in `form`); the status and the search
    narrow either."""
    if scope == "all":
        base = visible_tasks(user, form)
    else:  # owned_by(user) as a list of ids: read from (user_id, task_id), not task by task
        owned = select(task_owners.c.task_id).where(task_owners.c.user_id == user.id)
        base = select(Task).where(Task.id.in_(owned))
    query = base.where(Task.status.in_(_statuses(include_closed)))
    if search_for.strip():
        query = query.where(search.matching(search_for, db.session.get_bind().dialect.name))
    return query


# The list's order written so that no index serves it, for a query that finds its rows
# elsewhere (a scope's ids, a search's matches) and sorts them: were the list-order index
# usable, a planner could walk all of it looking for rows that are not there.
SORTED_ORDER = (case((Task.deadline.is_(None), 1), else_=0), Task.deadline, Task.id)

# A scoped list (a manager's, a substitute's) is read along its order, testing each task,
# while that reads fewer rows of the table than this (see _walks); else from its ids.
LIST_WALK_ROWS = 50_000

# How a search reads a page (see _search_walk): below this many candidates
# from the trigram table, the index; else this many of the list's first rows are sampled,
# and the list is read in order while that should take fewer rows than SEARCH_WALK_ROWS.
SEARCH_CANDIDATES = 1000
SEARCH_SAMPLE = 200
SEARCH_WALK_ROWS = 50_000


def _walks(scope: Scope, needed: int) -> bool:
    """Whether the first `needed` tasks of a scoped list are cheaper read along the list's
    order, testing each task, than from the scope's ids (one lookup each, then sorted).

    The walk reads about needed × (tasks in the table / tasks in scope) rows, the scope
    spread over the order: it is chosen while that stays under LIST_WALK_ROWS, that is
    while the scope holds at least needed × table / LIST_WALK_ROWS tasks, counted from the
    owners' index up to there (the largest id stands for the table's size)."""
    table = db.session.scalar(select(func.max(Task.id))) or 0
    enough = needed * table // LIST_WALK_ROWS + 1
    counted = db.session.scalar(
        select(func.count()).select_from(scope.owners_side().limit(enough).subquery())
    )
    return (counted or 0) >= enough


def _scoped(
    scope: Scope, include_closed: bool, needed: int, walk: ScopeForm = "each"
) -> tuple[Select[Any], bool]:
    """A scoped list in the form its first `needed` rows are cheapest read, and whether
    that is along the list's order (testing each row in the form `walk`; else sorted)."""
    in_order = _walks(scope, needed)
    query = scope.tasks(walk if in_order else "ids" if _dialect() == "sqlite" else "array")
    return query.where(Task.status.in_(_statuses(include_closed))), in_order


def _search_walk(listed: Select[Any], in_order: bool, search_for: str, needed: int) -> int | None:
    """How many rows of the list a search page takes read in the list's order, testing each
    row; None when it is cheaper through the trigram index (every match found, then sorted).

    Many matches (a word every title has) make the index return most of the table, while
    the list's first rows already hold the page; few matches (an owner, a number) are the
    other way round. SQLite's trigram table is asked whether it has few candidates (it
    stops counting at SEARCH_CANDIDATES); otherwise the list's first rows, sampled, tell
    how many rows the ordered read would take (about needed × sampled / matches)."""
    if not search.is_indexed(search_for):
        return needed  # no trigram to look up: the ordered read is all there is
    if _dialect() == "sqlite" and (
        search.candidates(search_for, SEARCH_CANDIDATES) < SEARCH_CANDIDATES
    ):
        return None
    head = (
        listed.with_only_columns(Task.search_text.label("words"))
        .order_by(*(LIST_ORDER if in_order else SORTED_ORDER))
        .limit(SEARCH_SAMPLE)
        .subquery()
    )
    sampled, hits = db.session.execute(
        select(
            func.count(),
            func.count().filter(search.matching_unindexed(search_for, head.c.words)),
        ).select_from(head)
    ).one()
    if sampled < SEARCH_SAMPLE or hits >= needed:
        return needed  # the whole list was sampled, or its first rows hold the page
    rows = needed * sampled // hits if hits else SEARCH_WALK_ROWS + 1
    return rows if rows <= SEARCH_WALK_ROWS else None


def _page_query(
    user: User, shown: str, include_closed: bool, search_for: str, needed: int
) -> tuple[Select[Any], tuple[Any, ...]]:
    """The query of a page's ids and its order: a list without a scope along the list-order
    index; a scoped one along it (each task tested) for its first rows, else from the
    scope's ids (see _walks and _scoped_search)."""
    scope = scope_of(user) if shown == "all" else None
    if scope is not None:
        if search_for.strip():
            return _scoped_search(scope, include_closed, search_for, needed)
        query, in_order = _scoped(scope, include_closed, needed)
        return query, LIST_ORDER if in_order else SORTED_ORDER
    query = _list_query(user, shown, include_closed, "")
    if search_for.strip():
        # PostgreSQL's planner weighs the two ways itself there, from its statistics of
        # search_text (the list has no scope whose tasks the matches might all miss).
        if _dialect() == "sqlite" and _search_walk(query, True, search_for, needed) is None:
            query = query.where(search.matching(search_for, "sqlite"))
        elif _dialect() == "sqlite" or not search.is_indexed(search_for):
            query = query.where(search.matching_unindexed(search_for))
        else:
            query = query.where(search.matching(search_for, _dialect()))
    return query, LIST_ORDER


def _scoped_search(
    scope: Scope, include_closed: bool, search_for: str, needed: int
) -> tuple[Select[Any], tuple[Any, ...]]:
    """A search page of a scoped list, read one of two ways (_search_walk chooses, on both
    databases: no planner's statistics know that an owner's tasks may all lie outside a
    manager's departments): the trigram index's matches, each tested for the scope, then
    sorted (an order no index serves, so that no plan walks the table looking for them);
    or the list's order read and each row tested, from the scope's ids when deep.

    The rows are tested with EXISTS on SQLite and against the hashed set of the owners'
    task ids on PostgreSQL ("probe"), the cheaper on each (measured at a million tasks).
    PostgreSQL is given the indexed test in the ordered read too: from its statistics it
    sees that many rows match, and walks the order (an unindexed test would look rare to
    it: it would sort every match)."""
    statuses = Task.status.in_(_statuses(include_closed))
    form: ScopeForm = "each" if _dialect() == "sqlite" else "probe"
    sample, in_order = _scoped(scope, include_closed, SEARCH_SAMPLE, form)
    rows = _search_walk(sample, in_order, search_for, needed)
    if rows is None:
        query = scope.tasks(form).where(statuses, search.matching(search_for, _dialect()))
        return query, SORTED_ORDER
    query, in_order = _scoped(scope, include_closed, rows, form)
    if _dialect() == "sqlite":
        query = query.where(search.matching_unindexed(search_for))
    else:
        query = query.where(search.matching(search_for, _dialect()))
    return query, LIST_ORDER if in_order else SORTED_ORDER


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _loaded(query: Select[Any]) -> Sequence[Task]:
    return db.session.scalars(
        query.options(selectinload(Task.owners), selectinload(Task.department)).order_by(
            *LIST_ORDER
        )
    ).all()


def my_tasks(user: User, *, include_closed: bool = False) -> Sequence[Task]:
    """Tasks the user owns, soonest deadline first (tasks without a deadline last)."""
    return _loaded(_list_query(user, "mine", include_closed, ""))


def tasks_visible_to(user: User, *, include_closed: bool = False) -> Sequence[Task]:
    """Every task the user may see (a manager's department, everything for staff)."""
    return _loaded(_list_query(user, "all", include_closed, ""))


@dataclass(frozen=True)
class TaskPage:
    """One page of a task list: its tasks in the list's order, and whether more follow.

    No total: counting a million tasks (through a manager's permission checks, or a
    search) costs far more than reading a page, which stops after `per_page + 1` rows."""

    scope: str
    tasks: Sequence[Task]
    page: int
    per_page: int
    has_next: bool

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.tasks) - 1


def task_list(
    user: User,
    scope: str,
    *,
    include_closed: bool = False,
    search_for: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> TaskPage:
    """A page of the task list a user asked for: "all" (what their role may see) for those
    who may list everyone's tasks, else their own; says the scope actually shown.

    The page's ids come first (see _page_query: for the first pages from the list-order
    index alone, the rows skipped before it never read); then only its tasks are loaded."""
    shown = "all" if scope == "all" and can_list_all(user) else "mine"
    page = max(page, 1)
    query, order = _page_query(user, shown, include_closed, search_for, page * per_page + 1)
    ids = db.session.scalars(
        query.with_only_columns(Task.id)
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    loaded = db.session.scalars(
        select(Task)
        .where(Task.id.in_(ids[:per_page]))
        .options(selectinload(Task.owners), selectinload(Task.department))
    ).all()
    by_id = {task.id: task for task in loaded}
    tasks = [by_id[task_id] for task_id in ids[:per_page]]
    return TaskPage(shown, tasks, page, per_page, has_next=len(ids) > per_page)


def last_page(
    user: User,
    scope: str,
    *,
    include_closed: bool = False,
    search_for: str = "",
    per_page: int = PER_PAGE,
) -> int:
    """The number of the list's last page (1 when it is empty). It counts the whole list:
    only asked when a page past the end was requested, never for an ordinary page."""
    shown = "all" if scope == "all" and can_list_all(user) else "mine"
    query = _list_query(user, shown, include_closed, search_for)
    total = db.session.scalar(
        select(func.count()).select_from(query.with_only_columns(Task.id).subquery())
    )
    return max((int(total or 0) + per_page - 1) // per_page, 1)


def add_progress(task: Task, actor: User, note: str, *, now: datetime | None = None) -> None:
    require(can_work_on(actor, task))
    _require_active(task)
    now = now or utcnow()
    if task.status is TaskStatus.OPEN:
        _set_status(task, actor, TaskStatus.IN_PROGRESS, EventKind.PROGRESS, note, now)
    else:
        record_event(task, actor, EventKind.PROGRESS, note=note, now=now)
    events.progress_reported.announce(events.ProgressReported(task, actor, note))


def mark_done(
    task: Task,
    actor: User,
    note: str,
    *,
    evidence_url: str | None = None,
    evidence: EvidenceUpload | None = None,
    now: datetime | None = None,
) -> None:
    """The work is done: the task is done at once when the actor may accept it themselves
    (a manager, staff, an admin) or verification is off (TRACKER_REQUIRE_ACCEPTANCE);
    an owner's report otherwise awaits acceptance (tracker/tasks/verification.py)."""
    require(can_work_on(actor, task))
    _require_active(task)
    if evidence is not None:  # the change is allowed: only now does the file touch the disk
        evidence.write_temporary()
    now = now or utcnow()
    withdraw_pending_request(task, now)  # more time is moot once the work is reported done
    task.completion_note = note
    task.completed_by = actor
    task.evidence_url = evidence_url or None
    if evidence is not None:
        task.evidence_file = evidence.stored_name
        task.evidence_filename = evidence.filename
    if acceptance_required() and not can_manage(actor, task):
        _set_status(
            task, actor, TaskStatus.AWAITING_ACCEPTANCE, EventKind.AWAITING_ACCEPTANCE, note, now
        )
        task.submitted_at = now
        events.awaiting_acceptance.announce(events.AwaitingAcceptance(task, actor, note))
        return
    _set_status(task, actor, TaskStatus.DONE, EventKind.COMPLETED, note, now)
    task.completed_at = now
    events.task_completed.announce(events.TaskCompleted(task, actor, note))


def acceptance_required() -> bool:
    """Whether an owner's "mark done" waits for acceptance (the organisation's setting)."""
    return current_policy().require_acceptance


def cancel(task: Task, actor: User, reason: str, *, now: datetime | None = None) -> None:
    require(can_manage(actor, task))
    if task.status in CLOSED_STATUSES:
        raise TaskError(_l("This task is already closed."))
    now = now or utcnow()
    withdraw_pending_request(task, now)
    _set_status(task, actor, TaskStatus.CANCELLED, EventKind.CANCELLED, reason, now)
    task.cancel_reason = reason
    events.task_cancelled.announce(events.TaskCancelled(task, actor, reason))


def _deadline_label(deadline: date | None, phrase: str | None) -> str:
    label = deadline.isoformat() if deadline else ""
    return f"{label} ({phrase})".strip() if phrase else label


def change_deadline(
    task: Task, actor: User, deadline: date | None, reason: str, *, now: datetime | None = None
) -> None:
    require(can_manage(actor, task))
    _require_active(task)
    if deadline == task.deadline:
        raise TaskError(_l("The new deadline is the same as the current one."))
    withdraw_pending_request(task, now or utcnow())  # the manager decided the date directly
    record_event(
        task,
        actor,
        EventKind.DEADLINE_CHANGED,
        field="deadline",
        old=_deadline_label(task.deadline, task.deadline_text),
        new=_deadline_label(deadline, None),
        note=reason,
        now=now,
    )
    old = task.deadline
    task.deadline = deadline
    # The phrase from the report described the old date; keeping it would contradict the new one.
    task.deadline_text = None
    events.deadline_changed.announce(events.DeadlineChanged(task, actor, old, deadline, reason))


def create_task(
    title: str,
    owners: Sequence[User],
    *,
    actor: User | None,
    description: str = "",
    deadline: date | None = None,
    deadline_text: str | None = None,
    expected_result: str | None = None,
    method: str | None = None,
    status: TaskStatus = TaskStatus.OPEN,
    source_note: str | None = None,
    created_by: User | None = None,
    now: datetime | None = None,
) -> Task:
    """A new task; its department is its first owner's, where the manager will look for it.
    A task made by hand (not from a report) says where it comes from in `source_note`."""
    if not title.strip():
        raise TaskError(_l("A task needs a title."))
    task = Task(
        title=title.strip()[:500],
        description=description,
        owners=list(owners),
        department=owners[0].department if owners else None,
        deadline=deadline,
        deadline_text=clipped(deadline_text, Task.deadline_text),
        expected_result=expected_result,
        method=method,
        status=status,
        source_note=source_note,
        created_by=created_by,
        created_at=now or utcnow(),
    )
    db.session.add(task)
    record_event(task, actor, EventKind.CREATED, field="status", new=status.value, now=now)
    events.task_created.announce(events.TaskCreated(task, actor))
    return task


def pending_request(task: Task) -> ExtensionRequest | None:
    """The task's request for more time waiting for a decision (at most one)."""
    return db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.task_id == task.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    )


def withdraw_pending_request(task: Task, now: datetime) -> None:
    """The task closed or its deadline was set directly: its pending request has nothing
    left to decide, and must not block the next one."""
    waiting = pending_request(task)
    if waiting is not None:
        waiting.status = ExtensionStatus.WITHDRAWN
        waiting.decided_at = now


_ALREADY_PENDING = _l("This task already has a request waiting for a decision.")


def request_extension(
    task: Task, actor: User, deadline: date, reason: str, *, now: datetime | None = None
) -> ExtensionRequest:
    """An owner asks for more time: a pending request for the manager to approve or refuse
    (tracker/tasks/extensions.py), in the task's history, announced (the notifications tell
    whoever decides, in this transaction). A task has at most one pending request."""
    require(can_work_on(actor, task))
    _require_active(task)
    if task.deadline is not None and deadline <= task.deadline:
        raise TaskError(_l("Ask for a date after the current deadline."))
    if pending_request(task) is not None:
        raise TaskError(_ALREADY_PENDING)
    now = now or utcnow()
    request = ExtensionRequest(
        task=task,
        requested_by=actor,
        requested_at=now,
        current_deadline=task.deadline,
        proposed_deadline=deadline,
        reason=reason,
        status=ExtensionStatus.PENDING,
    )
    try:
        # A request made at the same moment got past the check: the partial unique index
        # refuses the second, and the savepoint keeps the rest of the session usable.
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:
        raise TaskError(_ALREADY_PENDING) from None
    event = record_event(
        task,
        actor,
        EventKind.EXTENSION_REQUESTED,
        field="deadline",
        old=_deadline_label(task.deadline, task.deadline_text),
        new=deadline.isoformat(),
        note=reason,
        now=now,
    )
    db.session.flush()
    events.extension_requested.announce(
        events.ExtensionRequested(task, actor, deadline, reason, event, request)
    )
    return request


def read_action_link(token: str, user: User, *, secret_key: str, max_age_days: int) -> ActionLink:
    """The link a user opened, if it is theirs: raises LinkExpired or LinkInvalid (from
    tracker.action_links) for one that cannot be read, PermissionDenied for another user's."""
    link = ActionLinkSigner(secret_key).read(token, max_age_days)
    require(link.user_id == user.id)
    return link


def action_link_used(link: ActionLink) -> bool:
    """Whether the link's one use is spent (to say so before a form is filled in; spending
    it is `_spend_action_link`'s, which does not rely on this)."""
    return db.session.get(UsedActionToken, link.nonce) is not None


def _spend_action_link(link: ActionLink, now: datetime | None) -> None:
    """Spend an email link once: the insert of its nonce is the check, so of two concurrent
    uses one inserts and the other (waiting for it on PostgreSQL) inserts nothing and raises
    LinkAlreadyUsed. Any other database error is a real error and goes on."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(UsedActionToken)
        .values(nonce=link.nonce, used_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["nonce"])
        .returning(UsedActionToken.nonce)
    )
    if db.session.execute(statement).scalar_one_or_none() is None:
        raise LinkAlreadyUsed(link.nonce)


def mark_done_from_link(
    link: ActionLink,
    task: Task,
    actor: User,
    note: str,
    evidence_url: str | None,
    *,
    now: datetime | None = None,
) -> None:
    """ "Mark done" from an email: spends the link, then marks the task done."""
    if link.action is not Action.DONE or link.task_id != task.id:
        raise ValueError("this link does not mark this task done")
    _spend_action_link(link, now)
    mark_done(task, actor, note, evidence_url=evidence_url, now=now)


def request_extension_from_link(
    link: ActionLink,
    task: Task,
    actor: User,
    deadline: date,
    reason: str,
    *,
    now: datetime | None = None,
) -> None:
    """ "Ask for more time" from an email: spends the link, then records the request."""
    if link.action is not Action.EXTEND or link.task_id != task.id:
        raise ValueError("this link does not ask for more time on this task")
    _spend_action_link(link, now)
    request_extension(task, actor, deadline, reason, now=now)
