"""The domain model: departments, users, reports, tasks and their history.

Overdue is never stored: it is derived from the deadline, the status and the
organisation's "today" (see `Task.is_overdue` and `overdue_clause`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from tracker.clock import current_clock
from tracker.extensions import Model, db
from tracker.i18n import DEFAULT_LANGUAGE
from tracker.notifications.policy import Kind


def utcnow() -> datetime:
    """Now, by the application's clock (the wall clock unless a test or rehearsal sets it)."""
    return current_clock().now()


def clipped(value: str | None, column: InstrumentedAttribute[Any]) -> str | None:
    """The value cut to the column's length (with an ellipsis): text read from an uploaded
    document can be any length, and PostgreSQL refuses what does not fit."""
    length = getattr(column.property.columns[0].type, "length", None)
    if value is None or length is None or len(value) <= length:
        return value
    return value[: length - 1].rstrip() + "…"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _str_enum(enum_class: type[StrEnum], name: str) -> Enum:
    # Stored as a checked VARCHAR: adding a value later is a data change, not a type change.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Role(StrEnum):
    OFFICER = "officer"
    MANAGER = "manager"
    STAFF = "staff"
    ADMIN = "admin"


class TaskStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    # Marked done by an owner, waiting for the manager to accept it (verification, #11).
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    DONE = "done"
    CANCELLED = "cancelled"


# Work the owners still have to do: reminded, overdue when the deadline has passed.
ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
# Not closed: the active statuses and a task awaiting acceptance (listed, not reminded).
UNFINISHED_STATUSES = (*ACTIVE_STATUSES, TaskStatus.AWAITING_ACCEPTANCE)
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.CANCELLED)


class EventKind(StrEnum):
    CREATED = "created"
    CONFIRMED = "confirmed"
    PROGRESS = "progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DEADLINE_CHANGED = "deadline_changed"
    OWNERS_CHANGED = "owners_changed"
    EDITED = "edited"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REFUSED = "extension_refused"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    REOPENED = "reopened"


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    # The task was closed or its deadline changed otherwise before anyone decided.
    WITHDRAWN = "withdrawn"


class NoticeKind(StrEnum):
    """What a person is told happened to a task (in the app and by the event email)."""

    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    DEADLINE_CHANGED = "deadline_changed"
    OWNERS_CHANGED = "owners_changed"
    EDITED = "edited"
    STATUS_CHANGED = "status_changed"
    RETURNED = "returned"
    REOPENED = "reopened"
    EXTENSION_DECIDED = "extension_decided"
    COMPLETED = "completed"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    EXTENSION_REQUESTED = "extension_requested"
    COMMENTED = "commented"


class NoticeEmail(StrEnum):
    """Where a notice stands with the event email."""

    PENDING = "pending"  # waiting for its digest window to close
    QUEUED = "queued"  # written to the outbox
    # Not mailed: the person switched this kind off, or a request was settled within the
    # window (tracker/notifications/event_mail.py).
    SKIPPED = "skipped"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"


class Department(Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    # use_alter: departments and users refer to each other, so one key is added after both tables.
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True), index=True
    )

    parent: Mapped[Department | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Department]] = relationship(back_populates="parent")
    head: Mapped[User | None] = relationship(foreign_keys=[head_id], post_update=True)
    members: Mapped[list[User]] = relationship(
        back_populates="department", foreign_keys="User.department_id"
    )

    def __repr__(self) -> str:
        return f"<Department {self.name!r}>"


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Shown beside the name where owners are chosen ("Head of the protocol unit").
    position: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_str_enum(Role, "role"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # "Due soon" reminders can be switched off; overdue notices and escalations cannot.
    wants_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    # Informational event emails (a comment, an edit) can be switched off; assignments and
    # decisions cannot.
    wants_event_emails: Mapped[bool] = mapped_column(Boolean, default=True)
    # The secret in the user's calendar feed URL (a calendar app cannot sign in); None when
    # there is no feed. Stored as is, because the settings page shows the URL again.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A manager's second feed: the deadlines of their department tree (#14), a link of its
    # own so that it can be shared or revoked apart from the personal one. None: no feed.
    team_calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised by logout, a password change or reset and deactivation: every session and
    # remember-me token carrying an older version stops working (#12).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department | None] = relationship(
        back_populates="members", foreign_keys=[department_id]
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What a session remembers: "id:version", so raising the version ends it (#12)."""
        return f"{self.id}:{self.session_version or 1}"

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"


def _stage_copy() -> Enum:
    """A task's status as copied to its owners' rows: the task's own column checks it."""
    return Enum(
        TaskStatus,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


task_owners = Table(
    "task_owners",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # A copy of the task's status and deadline, kept by the database's triggers (migration
    # d13c00000003) and never written by the application: an owner's overdue tasks are
    # counted on (user_id, task_status, task_deadline) without reading the tasks.
    Column("task_status", _stage_copy(), nullable=True),
    Column("task_deadline", Date, nullable=True),
    # "my tasks" and the reminders look tasks up by owner.
    Index("ix_task_owners_user_id_task_id", "user_id", "task_id"),
    Index("ix_task_owners_user_id_stage", "user_id", "task_status", "task_deadline", "task_id"),
)


class Report(Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_filename: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_type: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[ReportStatus] = mapped_column(
        _str_enum(ReportStatus, "report_status"), default=ReportStatus.DRAFT
    )
    title: Mapped[str | None] = mapped_column(Text)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_position: Mapped[str | None] = mapped_column(Text)
    destination: Mapped[str | None] = mapped_column(Text)
    trip_start: Mapped[date | None] = mapped_column(Date)
    trip_end: Mapped[date | None] = mapped_column(Date)
    inviting_party: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text)
    signatory: Mapped[str | None] = mapped_column(String(200))
    signed_on: Mapped[date | None] = mapped_column(Date)
    sections: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The parse's warnings: ParseWarning.to_json() (code, params, English text), or the
    # English line of a report stored before warnings had codes.
    warnings: Mapped[list[str | dict[str, Any]]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    # How a scanned report was read by OCR (#15): OcrSummary.to_json() (pages, the mean
    # confidence, the fields read with low confidence); None for a file with a text layer.
    ocr: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    tasks: Mapped[list[Task]] = relationship(
        back_populates="report",
        order_by="Task.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ScanStatus(StrEnum):
    QUEUED = "queued"
    READING = "reading"
    DONE = "done"
    FAILED = "failed"


class ScanImport(Model):
    """A scanned report waiting for OCR, being read, or read (#15). OCR takes seconds a
    page, so the upload stores the file here and returns; a background worker claims the row,
    reads the scan in the parse sandbox and stores the draft report (`report_id`), or the
    refusal (`error`). The row is the queue: a worker that dies leaves it to be claimed again
    once its lease has passed."""

    __tablename__ = "scan_imports"
    __table_args__ = (Index("ix_scan_imports_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[ScanStatus] = mapped_column(
        _str_enum(ScanStatus, "scan_status"), default=ScanStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The ReportError's code and params (or a code of the job's own), worded on the page in
    # the reader's language.
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    report: Mapped[Report | None] = relationship(foreign_keys=[report_id])


class Task(Model):
    __tablename__ = "tasks"
    __table_args__ = (
        # The reminder planner and the overdue dashboard scan by status and deadline.
        Index("ix_tasks_status_deadline", "status", "deadline"),
        Index("ix_tasks_department_id_status", "department_id", "status"),
        # The dashboard's "done this month" and "done on time" read only these columns.
        Index("ix_tasks_status_completed_at", "status", "completed_at", "deadline"),
        # The dashboard's overdue charts and a manager's overdue list walk the overdue range
        # and need each task's own department without reading the table (#13).
        Index("ix_tasks_status_deadline_department_id", "status", "deadline", "department_id"),
        # The few tasks without owners or with several, by department: a scope's tasks
        # without owners, the overdue charts' exceptions (#13). Partial, so that it never
        # offers itself for other queries (SQLite would skip-scan it as a department index):
        # a query uses it by writing its condition, `tasks.owner_count <> 1`.
        Index(
            "ix_tasks_not_one_owner",
            "department_id",
            "owner_count",
            "status",
            "deadline",
            sqlite_where=text("owner_count <> 1"),
            postgresql_where=text("owner_count <> 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_text: Mapped[str | None] = mapped_column(String(300))
    expected_result: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(
        _str_enum(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    completion_note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    evidence_file: Mapped[str | None] = mapped_column(String(300))
    evidence_filename: Mapped[str | None] = mapped_column(String(255))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # How many owners the task has, kept by the database's triggers (migration
    # d13c00000003): never set by the application, read by the overdue charts.
    owner_count: Mapped[int] = mapped_column(server_default=text("0"))
    # When an owner marked it done and it began to await acceptance.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where a task created by hand comes from ("board meeting of 3 March", an order).
    source_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The responsible persons as the report names them, kept for the review of the import.
    owner_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # What the task list's search looks in: the title, the report's title and the owners'
    # names, case-folded; kept current at every flush by tracker/tasks/search.py, indexed
    # for substrings by the migration d13a00000001 (pg_trgm / an FTS5 trigram table).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))

    department: Mapped[Department | None] = relationship()
    owners: Mapped[list[User]] = relationship(
        secondary=task_owners, order_by="User.name", lazy="selectin"
    )
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    report: Mapped[Report | None] = relationship(back_populates="tasks")
    events: Mapped[list[TaskEvent]] = relationship(
        back_populates="task",
        order_by="TaskEvent.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def is_overdue(self, today: date) -> bool:
        return (
            self.status in ACTIVE_STATUSES and self.deadline is not None and self.deadline < today
        )

    def days_overdue(self, today: date) -> int:
        if not self.is_overdue(today):
            return 0
        assert self.deadline is not None
        return (today - self.deadline).days

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.status} {self.title[:30]!r}>"


# The task list's order (soonest deadline first, none last, then by id) read from an index,
# a page at a time; the status in it lets the list skip finished tasks without the rows.
Index(
    "ix_tasks_list_order",
    Task.deadline.is_(None),
    Task.deadline,
    Task.id,
    Task.status,
)


def overdue_clause(today: date) -> ColumnElement[bool]:
    """The SQL form of `Task.is_overdue`, for set-based queries."""
    return and_(
        Task.status.in_(ACTIVE_STATUSES),
        Task.deadline.is_not(None),
        Task.deadline < today,
    )


class TaskEvent(Model):
    __tablename__ = "task_events"
    __table_args__ = (
        Index("ix_task_events_task_id_id", "task_id", "id"),
        # The trends and the progress report read the events of a period (#14).
        Index("ix_task_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[EventKind] = mapped_column(_str_enum(EventKind, "event_kind"))
    field: Mapped[str | None] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ExtensionRequest(Model):
    """An owner's request for a later deadline, and the decision on it."""

    __tablename__ = "extension_requests"
    __table_args__ = (
        # At most one open request per task: a second one is refused by the database too.
        Index(
            "uq_extension_requests_pending_task_id",
            "task_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # The managers' "requests" list reads the pending ones, oldest first.
        Index("ix_extension_requests_status_requested_at", "status", "requested_at"),
        Index("ix_extension_requests_task_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The deadline when the request was made, and the one asked for.
    current_deadline: Mapped[date | None] = mapped_column(Date)
    proposed_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ExtensionStatus] = mapped_column(
        _str_enum(ExtensionStatus, "extension_status"), default=ExtensionStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class TaskComment(Model):
    """A message in a task's discussion, with an optional attachment stored as evidence is."""

    __tablename__ = "task_comments"
    __table_args__ = (Index("ix_task_comments_task_id_id", "task_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attachment_file: Mapped[str | None] = mapped_column(String(300))
    attachment_filename: Mapped[str | None] = mapped_column(String(255))

    task: Mapped[Task] = relationship()
    author: Mapped[User | None] = relationship()


class Notice(Model):
    """Something a person is told about a task: listed in the app (unread first) and mailed
    in one email per person per digest window."""

    __tablename__ = "notices"
    __table_args__ = (
        # The person's list, unread first, newest first; the menu's unread count.
        Index("ix_notices_user_id_read_at_id", "user_id", "read_at", "id"),
        # The event mailer looks for pending notices whose window has closed.
        Index("ix_notices_email_created_at", "email", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[NoticeKind] = mapped_column(_str_enum(NoticeKind, "notice_kind"))
    # What the notice shows: old and new values, a reason, a comment's first words.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email: Mapped[NoticeEmail] = mapped_column(
        _str_enum(NoticeEmail, "notice_email"), default=NoticeEmail.PENDING
    )
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), index=True
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    task: Mapped[Task | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Notification(Model):
    """One notification owed for a task: planned once, whatever reruns or restarts happen.

    The key (task, kind, level, deadline) is unique, so a second planner inserting the same
    notification gets nothing, and a changed deadline starts a fresh set.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "level", "deadline", name="uq_notifications_key"),
        # A digest's "and N more" link lists one day's notifications of some kinds.
        Index("ix_notifications_planned_for_kind", "planned_for", "kind"),
        # A task's last escalation (the dashboard's list and its exports) read from the
        # index alone (#13).
        Index("ix_notifications_task_id_kind_created_at", "task_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(_str_enum(Kind, "notification_kind"))
    level: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    recipient_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    planned_for: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Model):
    """An email written in the same transaction as what caused it, delivered by the sender."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The sender looks for pending rows whose next attempt is due.
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        _str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recipient: Mapped[User | None] = relationship()
    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message",
        order_by="OutboxAttachment.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class OutboxAttachment(Model):
    """A file sent with an outbox message (the leadership digest's PDF, #14), stored with
    it so that a retry after an outage sends the same bytes."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


class LeadershipDigest(Model):
    """One leadership digest planned for one person and one period (#14): the row is the
    dedupe key, so a rerun, a restart or a catch-up never writes a second one."""

    __tablename__ = "leadership_digests"
    __table_args__ = (UniqueConstraint("recipient_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The period reported on, as "2026-10" (a month), "2026-Q3" or "2026" (a year).
    period: Mapped[str] = mapped_column(String(10))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrendMonth(Model):
    """A scope's figures as they stood at the end of a closed month (#14), written once by
    the daily planning run so that the dashboard's trend reads twelve rows instead of
    replaying the history of every task; a month kept is what was true then (the owners'
    departments of then included)."""

    __tablename__ = "trend_months"
    __table_args__ = (UniqueConstraint("scope", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "all" (every task but drafts), "department:<id>" (an owner in that department, as
    # the dashboard's bars) or "tree:<id>" (that department and those below, each task once).
    scope: Mapped[str] = mapped_column(String(40))
    month: Mapped[date] = mapped_column(Date)  # its first day
    recommendations: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    done_on_time: Mapped[int] = mapped_column(Integer, default=0)
    done_late: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    awaiting_acceptance: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RememberToken(Model):
    """A "remember me" login: one per sign-in, stored hashed, expiring, ended with the
    user's sessions."""

    __tablename__ = "remember_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the secret in the cookie: a stolen database gives no usable cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInAttempt(Model):
    """One try at signing in or asking for a password reset, counted for throttling in the
    database, so the count holds across workers and machines."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_kind_account_created_at", "kind", "account", "created_at"),
        Index("ix_sign_in_attempts_kind_address_created_at", "kind", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "sign_in" or "password_reset"
    account: Mapped[str] = mapped_column(String(254))  # the normalized email as typed
    address: Mapped[str] = mapped_column(String(64))  # the client's IP address
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Absence(Model):
    """A user away from `starts_on` to `ends_on` (inclusive): their reminders and
    escalations go to the substitute, who may act on their tasks meanwhile."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_user_id_ends_on", "user_id", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    substitute_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    substitute: Mapped[User | None] = relationship(foreign_keys=[substitute_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class PolicySetting(Model):
    """One setting of the reminder policy changed in the admin pages; a setting with no row
    takes its value from the environment (config.py)."""

    __tablename__ = "policy_settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    updated_by: Mapped[User | None] = relationship()


class AuditEvent(Model):
    """One security or administration event, appended and never changed (the database
    refuses UPDATE and DELETE on this table: see the migration's triggers)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_created_at", "created_at"),
        Index("ix_audit_events_actor_id_created_at", "actor_id", "created_at"),
        Index("ix_audit_events_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # No foreign key: the log outlives the accounts it names.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str | None] = mapped_column(String(254))  # their email then
    # A plain string checked by tracker.audit.AuditKind: new kinds need no migration.
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(300))  # "user:12", "department:3"
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))


class UsedActionToken(Model):
    """The nonce of an email action link once it has been used: every link works once."""

    __tablename__ = "used_action_tokens"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
