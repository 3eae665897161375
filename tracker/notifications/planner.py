"""The planner: applies the policy to every task at once and writes what is owed into the
notifications table and the outbox, in the caller's one transaction.

Set-based: a handful of queries whatever the number of tasks, never one per task. The
unique key on notifications makes a concurrent or repeated run insert nothing twice; only
the notifications this run really inserted become emails.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, TypeVarTuple

from flask import current_app
from sqlalchemy import (
    Connection,
    Date,
    Dialect,
    Integer,
    Result,
    Row,
    Select,
    String,
    Table,
    and_,
    column,
    exists,
    func,
    or_,
    select,
    text,
    values,
)
from sqlalchemy.orm import aliased

from tracker.batches import chunks
from tracker.clock import local_today
from tracker.extensions import db
from tracker.models import (
    ACTIVE_STATUSES,
    Absence,
    Department,
    Notification,
    OutboxMessage,
    Role,
    Task,
    TaskStatus,
    User,
    task_owners,
    utcnow,
)
from tracker.notifications.digest import DigestItem, DigestWriter, Recipient
from tracker.notifications.plan_errors import TaskPlanError, admin_alerts
from tracker.notifications.policy import (
    ACCEPTANCE_LEVEL,
    DepartmentFacts,
    Due,
    Kind,
    Organisation,
    PolicySettings,
    TaskFacts,
    earliest_deadline_needing_notice,
    notifications_due,
    pairs_owed,
)
from tracker.policy_settings import Policy, current_policy
from tracker.tasks.permissions import OVERSEERS as DASHBOARD_ROLES
from tracker.workdays import is_working_day

log = logging.getLogger(__name__)

# Kinds a user may switch off; overdue notices and escalations always go out.
OPTIONAL_KINDS = (Kind.REMINDER, Kind.DUE_TODAY)


@dataclass
class PlanResult:
    as_of: date
    notifications: list[Due] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    # Tasks skipped because their notifications could not be worked out.
    task_errors: list[TaskPlanError] = field(default_factory=list)


def policy_settings(policy: Policy | None = None) -> PolicySettings:
    """The policy in effect at planning time (the admin pages' values over the environment's)."""
    policy = policy or current_policy()
    return PolicySettings(
        reminder_working_days=policy.reminder_days,
        overdue_repeat_days=policy.overdue_repeat_days,
        escalation_working_days=policy.escalation_days,
        acceptance_working_days=policy.acceptance_days,
    )


_Columns = TypeVarTuple("_Columns")


def _core_rows(query: Select[*_Columns]) -> Result[*_Columns]:
    """Plain rows through the session's connection: the ORM's result machinery costs
    several times more for the tens of thousands of column rows a run reads."""
    return db.session.connection().execute(query)


_TaskRow = Row[int, date | None, TaskStatus, datetime | None, int | None]
_TASK_COLUMNS = (Task.id, Task.deadline, Task.status, Task.submitted_at, Task.department_id)
# Deadlines per query when looking for tasks owed something new (three parameters each
# (kind, level) pair, within every database's limit on parameters).
_DEADLINES_PER_QUERY = 300


def _tasks_to_evaluate(as_of: date, settings: PolicySettings) -> list[_TaskRow]:
    """The tasks that may be owed something not planned yet: every task awaiting acceptance
    (few: only those not accepted yet), and every active task with a deadline up to the
    horizon that lacks one of the (kind, level) pairs its deadline may be owed today
    (`pairs_owed`). An active task already told everything its deadline calls for is not
    evaluated again: most of a daily run's candidates, and all of a rerun's."""
    horizon = earliest_deadline_needing_notice(as_of, settings)
    active = and_(
        Task.status.in_(ACTIVE_STATUSES), Task.deadline.is_not(None), Task.deadline <= horizon
    )
    awaiting = and_(Task.status == TaskStatus.AWAITING_ACCEPTANCE, Task.submitted_at.is_not(None))
    rows: dict[int, _TaskRow] = {
        row.id: row for row in _core_rows(select(*_TASK_COLUMNS).where(awaiting))
    }
    deadlines = db.session.scalars(select(Task.deadline).where(active).distinct()).all()
    for chunk in chunks(
        sorted(deadline for deadline in deadlines if deadline is not None), _DEADLINES_PER_QUERY
    ):
        pairs = [
            (deadline, kind, level)
            for deadline in chunk
            for kind, level in sorted(pairs_owed(deadline, as_of, settings))
        ]
        if not pairs:
            continue
        owed = (
            values(
                column("deadline", Date),
                column("kind", String),
                column("level", Integer),
                name="owed",
            )
            .data(pairs)
            .cte("owed")
        )  # a CTE: SQLite names no columns of a VALUES in FROM
        planned = exists().where(
            Notification.task_id == Task.id,
            Notification.kind == owed.c.kind,
            Notification.level == owed.c.level,
            Notification.deadline == owed.c.deadline,
        )
        query = (
            select(*_TASK_COLUMNS)
            .join(owed, owed.c.deadline == Task.deadline)
            .where(active, Task.deadline.between(chunk[0], chunk[-1]), ~planned)
        )
        rows.update((row.id, row) for row in _core_rows(query))
    return [rows[task_id] for task_id in sorted(rows)]


def load_organisation() -> tuple[Organisation, dict[int, User]]:
    """The department tree and the users, as the policy needs them (two queries)."""
    departments = {
        row.id: DepartmentFacts(row.id, row.parent_id, row.head_id)
        for row in db.session.execute(
            select(Department.id, Department.parent_id, Department.head_id)
        )
    }
    users = {user.id: user for user in db.session.scalars(select(User))}
    admins = tuple(
        sorted(user.id for user in users.values() if user.role is Role.ADMIN and user.active)
    )
    user_departments = {user.id: user.department_id for user in users.values()}
    return Organisation(departments, user_departments, admins), users


def _unchanged(value: Any) -> Any:
    return value


class _ValueCache:
    """Column values as the driver takes them, each distinct value converted once (a run
    has a few hundred deadlines and recipient lists among tens of thousands of rows)."""

    def __init__(self, table: Table, dialect: Dialect) -> None:
        self.convert = {
            name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) or _unchanged
            for name in _ROW_COLUMNS
        }
        self.converted: dict[tuple[str, Any], Any] = {}

    def __call__(self, column: str, value: Any) -> Any:
        key = (column, value)
        if key not in self.converted:
            # The JSON column takes a list; the key needs the hashable tuple.
            given = list(value) if isinstance(value, tuple) else value
            self.converted[key] = self.convert[column](given)
        return self.converted[key]


_KEY_COLUMNS = ("task_id", "kind", "level", "deadline")
_ROW_COLUMNS = (*_KEY_COLUMNS, "recipient_ids", "planned_for", "created_at")


def _insert_new(dues: list[Due], as_of: date, now: datetime) -> list[Due]:
    """Insert the notifications, skipping keys another run already holds; those inserted.

    Every row of one run gets the same `created_at`: with `planned_for` it names the run,
    the digests' "and N more" links use it to list exactly that run's tasks, and it tells
    which rows this run inserted (a concurrent run's conflicting rows are skipped)."""
    if not dues:
        return []
    table = Notification.__table__
    connection = db.session.connection()
    # Through the driver, each distinct value converted by its column type once:
    # SQLAlchemy's per-row parameter handling was two thirds of the insert's time.
    to_db = _ValueCache(table, connection.dialect)
    planned_for, created_at = to_db("planned_for", as_of), to_db("created_at", now)
    write = _copy_rows if connection.dialect.name == "postgresql" else _insert_rows
    for chunk in chunks(dues, _ROWS_PER_WRITE):
        rows = [
            (
                due.task_id,
                to_db("kind", due.kind),
                due.level,
                to_db("deadline", due.deadline),
                to_db("recipient_ids", due.recipient_ids),
                planned_for,
                created_at,
            )
            for due in chunk
        ]
        write(connection, rows)
    this_run = (table.c.planned_for == as_of, table.c.created_at == now)
    if connection.scalar(select(func.count()).where(*this_run)) == len(dues):
        return dues  # the usual case: no other run held any (spares a set of every key)
    written = select(*(table.c[name] for name in _KEY_COLUMNS)).where(*this_run)
    inserted = {tuple(row) for row in connection.execute(written)}
    return [due for due in dues if due.key in inserted]


_ROWS_PER_WRITE = 20_000
_CONFLICT = f"ON CONFLICT ({', '.join(_KEY_COLUMNS)}) DO NOTHING"


def _insert_rows(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """SQLite: one executemany."""
    marks = ", ".join("?" for _ in _ROW_COLUMNS)
    connection.exec_driver_sql(
        f"INSERT INTO notifications ({', '.join(_ROW_COLUMNS)}) VALUES ({marks}) {_CONFLICT}",
        rows,
    )


def _copy_rows(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY into a temporary table of this connection, then one INSERT ...
    SELECT (several times faster than an executemany of a first run's 300,000 rows)."""
    columns = ", ".join(_ROW_COLUMNS)
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS planned_notifications (task_id integer,"
            " kind varchar(20), level integer, deadline date, recipient_ids json,"
            " planned_for date, created_at timestamp with time zone) ON COMMIT DELETE ROWS"
        )
        cursor.execute("DELETE FROM planned_notifications")
        with cursor.copy(f"COPY planned_notifications ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO notifications ({columns}) SELECT {columns}"
            f" FROM planned_notifications {_CONFLICT}"
        )


# Rows one run may add before PostgreSQL is asked to analyze the table again.
_ANALYZE_AFTER_ROWS = 10_000


def _analyze_after_many(rows: int) -> None:
    """PostgreSQL: refresh the notifications table's statistics after a run that wrote many
    rows (a first run over a backlog). Planned with the statistics of a nearly empty table,
    the next run's lookups by task scanned it whole: 10 s instead of a fraction of one at a
    million tasks, until autovacuum came by."""
    if rows >= _ANALYZE_AFTER_ROWS and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE notifications"))


def _task_details(task_ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    """Title and deadline as written of each task."""
    details: dict[int, tuple[str, str | None]] = {}
    for chunk in chunks(sorted(set(task_ids))):
        query = select(Task.id, Task.title, Task.deadline_text).where(Task.id.in_(chunk))
        details.update({row[0]: (row[1], row[2]) for row in _core_rows(query)})
    return details


@dataclass
class _Facts:
    """What the policy needs about the candidate tasks and the organisation."""

    tasks: Sequence[_TaskRow]
    owners: dict[int, tuple[int, ...]]  # a task without owners is not in it
    already_planned: set[tuple[Any, ...]]
    organisation: Organisation
    users: dict[int, User]
    # The last day of each absence of the planning day (for "absent until …").
    absent_until: dict[int, date] = field(default_factory=dict)
    # Each candidate task's department, and every department's name.
    task_departments: dict[int, int | None] = field(default_factory=dict)
    department_names: dict[int, str] = field(default_factory=dict)


def with_absences(organisation: Organisation, as_of: date) -> tuple[Organisation, dict[int, date]]:
    """The organisation with the absences of `as_of` (one query), and when each ends. A
    deactivated substitute stands in for nobody: the absent person keeps their notices."""
    substitute = aliased(User)
    rows = db.session.execute(
        select(Absence.user_id, Absence.substitute_id, Absence.ends_on, substitute.active)
        .outerjoin(substitute, substitute.id == Absence.substitute_id)
        .where(Absence.starts_on <= as_of, Absence.ends_on >= as_of)
    )
    absences: dict[int, int | None] = {}
    until: dict[int, date] = {}
    for user_id, substitute_id, ends_on, substitute_active in rows:
        absences[user_id] = substitute_id if substitute_active else None
        until[user_id] = max(ends_on, until.get(user_id, ends_on))
    return replace(organisation, absences=absences), until


def _load_facts(as_of: date, settings: PolicySettings) -> _Facts | None:
    """The tasks to evaluate, their owners, what was already planned for them, and the
    organisation; None when no task may be owed anything new."""
    tasks = _tasks_to_evaluate(as_of, settings)
    if not tasks:
        return None
    owners: dict[int, tuple[int, ...]] = {}
    already_planned: set[tuple[Any, ...]] = set()
    for chunk in chunks([task.id for task in tasks]):
        owner_query = select(task_owners.c.task_id, task_owners.c.user_id).where(
            task_owners.c.task_id.in_(chunk)
        )
        owner_rows = _core_rows(owner_query.order_by(task_owners.c.task_id, task_owners.c.user_id))
        for task_id, rows in groupby(owner_rows, key=itemgetter(0)):
            owners[task_id] = tuple(user_id for _, user_id in rows)
        planned_query = (
            select(
                Notification.task_id, Notification.kind, Notification.level, Notification.deadline
            )
            .join(Task, Task.id == Notification.task_id)
            .where(
                Notification.task_id.in_(chunk),
                or_(
                    Notification.deadline == Task.deadline,
                    # An acceptance escalation's deadline is the acceptance deadline.
                    and_(
                        Notification.kind == Kind.ESCALATION,
                        Notification.level == ACCEPTANCE_LEVEL,
                    ),
                ),
            )
        )
        already_planned.update(tuple(row) for row in _core_rows(planned_query))
    organisation, users = load_organisation()
    return _Facts(
        tasks,
        owners,
        already_planned,
        organisation,
        users,
        task_departments={task.id: task.department_id for task in tasks},
        department_names={
            row.id: row.name for row in db.session.execute(select(Department.id, Department.name))
        },
    )


class _SharedPolicy:
    """The policy, evaluated once for all the tasks that share a deadline, status, owners
    and submission day: they are owed the same notifications but for the task's id, and a
    backlog has many such (one officer's tasks of one deadline)."""

    def __init__(self, as_of: date, organisation: Organisation, settings: PolicySettings) -> None:
        self.as_of = as_of
        self.organisation = organisation
        self.settings = settings
        self.shared: dict[tuple[Any, ...], list[Due]] = {}

    def notifications_due(self, task: TaskFacts) -> list[Due]:
        key = (task.deadline, task.status, task.owner_ids, task.submitted_on)
        if key not in self.shared:
            # A failure is not kept: each task of the group fails, and is reported, alone.
            self.shared[key] = notifications_due(
                replace(task, task_id=0), self.as_of, self.organisation, self.settings
            )
        return [
            Due(
                task.task_id,
                due.kind,
                due.level,
                due.deadline,
                due.recipient_ids,
                due.days_overdue,
                due.awaiting_since,
                due.substituting,
            )
            for due in self.shared[key]
        ]


def _owed(
    facts: _Facts,
    as_of: date,
    settings: PolicySettings,
    errors: list[TaskPlanError],
    timezone: str,
) -> list[Due]:
    """What the policy owes for each task and was not planned yet.

    Each task is evaluated on its own: one whose evaluation fails (a deadline the calendar
    cannot count from, say) is logged, added to `errors` and skipped, so that the other
    tasks' reminders still go out."""
    owed: list[Due] = []
    policy = _SharedPolicy(as_of, facts.organisation, settings)
    for task in facts.tasks:
        task_facts = TaskFacts(
            task.id,
            task.deadline,
            task.status.value,
            facts.owners.get(task.id, ()),
            # The organisation's day, as every deadline is: 23:30 UTC is tomorrow in Yerevan.
            local_today(timezone, task.submitted_at) if task.submitted_at else None,
        )
        try:
            dues = policy.notifications_due(task_facts)
        except Exception as error:
            log.exception("task %d skipped: its notifications could not be worked out", task.id)
            errors.append(TaskPlanError(task.id, f"{type(error).__name__}: {error}"))
            continue
        owed.extend(due for due in dues if due.key not in facts.already_planned)
    return owed


def _wants(user: User | None, due: Due) -> bool:
    """Whether the user receives this notification at all (active; reminders not switched off)."""
    if user is None or not user.active:
        return False
    return due.kind not in OPTIONAL_KINDS or user.wants_reminders


def _standing_in_for(recipient_id: int, due: Due, facts: _Facts) -> tuple[tuple[str, date], ...]:
    """Whom the recipient receives this notification for, and until when they are away."""
    if not due.substituting:
        return ()
    return tuple(
        (facts.users[absent_id].name, facts.absent_until[absent_id])
        for stand_in_id, absent_id in due.substituting
        if stand_in_id == recipient_id and absent_id in facts.absent_until
    )


class _Card(NamedTuple):
    title: str
    deadline_text: str | None
    owner_names: tuple[str, ...]
    department_name: str | None  # the task's own
    department_names: tuple[str, ...]  # its owners', A to Z


class _TaskCards:
    """What a digest item says about its task: the owners' names and departments from the
    organisation already loaded (once per set of owners: many tasks share theirs), the title
    and the deadline as written only for the tasks some digest will list."""

    def __init__(self, facts: _Facts, details: dict[int, tuple[str, str | None]]) -> None:
        self.facts = facts
        self.details = details
        self.of_owners: dict[tuple[int, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def _owners(self, owner_ids: tuple[int, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The owners' names, and their departments' names A to Z (a task belongs to all)."""
        if owner_ids not in self.of_owners:
            users, names = self.facts.users, self.facts.department_names
            owners = [users[uid] for uid in owner_ids if uid in users]
            departments = {names[o.department_id] for o in owners if o.department_id in names}
            self.of_owners[owner_ids] = (
                tuple(owner.name for owner in owners),
                tuple(sorted(departments)),
            )
        return self.of_owners[owner_ids]

    def card(self, task_id: int) -> _Card:
        owner_names, department_names = self._owners(self.facts.owners.get(task_id, ()))
        department_id = self.facts.task_departments.get(task_id)
        title, deadline_text = self.details.get(task_id, ("", None))
        return _Card(
            title,
            deadline_text,
            owner_names,
            None if department_id is None else self.facts.department_names.get(department_id),
            department_names,
        )


def _digest_items(
    notifications: Sequence[Due], facts: _Facts, writer: DigestWriter
) -> dict[int, list[DigestItem]]:
    """Each recipient's digest items, from the notifications this run inserted.

    A digest lists at most `max_items` tasks a section: the titles are read only for the
    tasks some digest lists (a first run over a large backlog notifies hundreds of
    thousands of tasks); the others count in the totals and the department counts."""
    dues_by_recipient: dict[int, list[Due]] = defaultdict(list)
    for due in notifications:
        for recipient_id in due.recipient_ids:
            if _wants(facts.users.get(recipient_id), due):
                dues_by_recipient[recipient_id].append(due)
    listed: set[int] = set()
    for dues in dues_by_recipient.values():
        listed.update(writer.listed_task_ids(dues))
    cards = _TaskCards(facts, _task_details(listed))
    items_by_recipient: dict[int, list[DigestItem]] = defaultdict(list)
    for recipient_id, dues in dues_by_recipient.items():
        items = items_by_recipient[recipient_id]
        for due in dues:
            card = cards.card(due.task_id)
            items.append(
                DigestItem(
                    due,
                    card.title,
                    card.deadline_text,
                    card.owner_names,
                    recipient_id in facts.owners.get(due.task_id, ()),
                    card.department_name,
                    card.department_names,
                    _standing_in_for(recipient_id, due, facts),
                )
            )
    return items_by_recipient


def _write_digests(
    writer: DigestWriter, items_by_recipient: dict[int, list[DigestItem]], users: dict[int, User]
) -> list[OutboxMessage]:
    """One digest email per recipient, in recipient order."""
    messages = []
    for recipient_id, items in sorted(items_by_recipient.items()):
        user = users[recipient_id]
        recipient = Recipient(
            user.id, user.email, user.name, user.language, user.role in DASHBOARD_ROLES
        )
        messages.append(writer.write(recipient, items))
    return messages


def plan(
    as_of: date,
    settings: PolicySettings,
    *,
    base_url: str,
    secret_key: str,
    sender_domain: str,
    max_items: int | None = None,
) -> PlanResult:
    """Write into the session what is owed as of `as_of`: new notifications, one digest
    email per recipient, and an alert to the admins about tasks that had to be skipped.
    The caller commits (or rolls back, for a dry run).

    `max_items` caps each digest section (default: TRACKER_DIGEST_MAX_ITEMS)."""
    result = PlanResult(as_of)
    if not is_working_day(as_of):
        return result
    facts = _load_facts(as_of, settings)
    if facts is None:
        return result
    facts.organisation, facts.absent_until = with_absences(facts.organisation, as_of)
    timezone = current_app.config["TRACKER_TIMEZONE"]
    owed = _owed(facts, as_of, settings, result.task_errors, timezone)
    run_at = utcnow()
    result.notifications = _insert_new(owed, as_of, run_at)
    _analyze_after_many(len(result.notifications))
    writer = DigestWriter(
        as_of=as_of,
        base_url=base_url,
        secret_key=secret_key,
        sender_domain=sender_domain,
        run_at=run_at,
        max_items=_max_items(max_items),
    )
    result.messages = _write_digests(
        writer, _digest_items(result.notifications, facts, writer), facts.users
    )
    result.messages += admin_alerts(
        result.task_errors,
        as_of,
        [facts.users[admin_id] for admin_id in facts.organisation.admin_ids],
        base_url=base_url,
        sender_domain=sender_domain,
    )
    db.session.add_all(result.messages)
    db.session.flush()
    return result


def _max_items(max_items: int | None) -> int:
    if max_items is not None:
        return max_items
    return current_policy().digest_max_items
