"""One email per person per run: everything they are owed, in their language.

A digest has four sections (the recipient's overdue tasks, escalations about their
department's overdue tasks, tasks of their department left awaiting acceptance too long,
tasks due soon). A task appears once per digest, in its most
severe entry; each section lists at most `max_items` items, the most overdue first, then
"and N more" with a link to the list of exactly that section's tasks. The link names the
run (its day and the instant its notifications were written) and the section; the list
it opens is derived from the notifications table for the signed-in user, so it needs no
record of its own and can never show someone else's digest.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

from flask import render_template
from flask_babel import force_locale, get_locale, get_translations
from sqlalchemy import ColumnElement, Select, and_, cast, exists, false, func, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import InstrumentedAttribute, aliased, selectinload

from tracker.action_links import Action, ActionLinkSigner
from tracker.display import format_day
from tracker.extensions import db
from tracker.models import Notification, OutboxMessage, Task, User
from tracker.notifications.policy import ACCEPTANCE_LEVEL, Due, Kind
from tracker.tasks.listing import Narrowed
from tracker.tasks.permissions import owned_by, visible_tasks

DEFAULT_MAX_ITEMS = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Section(StrEnum):
    """The sections of a digest, most severe first: a task listed in two keeps the first."""

    OVERDUE = "overdue"
    ESCALATIONS = "escalations"
    ACCEPTANCE = "acceptance"
    DUE_SOON = "due_soon"

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return SECTION_KINDS[self]


SECTION_KINDS: dict[Section, tuple[Kind, ...]] = {
    Section.OVERDUE: (Kind.OVERDUE,),
    Section.ESCALATIONS: (Kind.ESCALATION,),
    # Escalations of level ACCEPTANCE_LEVEL: an acceptance pending too long (policy.py).
    Section.ACCEPTANCE: (Kind.ESCALATION,),
    Section.DUE_SOON: (Kind.DUE_TODAY, Kind.REMINDER),
}
SECTIONS = tuple(Section)  # in order of severity


def section_of(due: Due) -> Section:
    if due.kind is Kind.ESCALATION:
        return Section.ACCEPTANCE if due.level == ACCEPTANCE_LEVEL else Section.ESCALATIONS
    if due.kind is Kind.OVERDUE:
        return Section.OVERDUE
    return Section.DUE_SOON


def severity(due: Due) -> tuple[int, int, int]:
    """Larger is more severe: the section, then within it the kind, then the level (a
    higher escalation level; a reminder with fewer working days left)."""
    section = section_of(due)
    kinds = section.kinds
    level = -due.level if due.kind is Kind.REMINDER else due.level
    return (-SECTIONS.index(section), -kinds.index(due.kind), level)


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    name: str
    language: str
    sees_dashboard: bool = False


@dataclass(frozen=True, slots=True)
class DigestItem:
    due: Due
    title: str
    deadline_text: str | None
    owner_names: tuple[str, ...]
    recipient_owns_task: bool
    department_name: str | None = None  # the task's own (its first owner's)
    # Its owners' departments: it counts in each of them (else in its own department).
    department_names: tuple[str, ...] = ()
    # Received as the substitute of these absent people: (name, last day of the absence).
    substitute_for: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True)
class RenderedItem:
    item: DigestItem
    task_url: str
    done_url: str | None
    extend_url: str | None
    deadline_label: str
    overdue_label: str
    # An acceptance escalation says since when the task awaits acceptance, not its deadline.
    awaiting_label: str | None = None
    # "as substitute for …" when it reaches the recipient in an absent person's stead.
    substitute_label: str | None = None

    @property
    def due(self) -> Due:
        return self.item.due


@dataclass(frozen=True)
class RenderedSection:
    name: Section
    heading: str
    total: int
    items: list[RenderedItem]
    more: int  # items not listed
    more_label: str | None
    list_url: str | None  # every task of the section, the listed ones included
    list_label: str | None
    by_department: list[tuple[str, int]]

    def __bool__(self) -> bool:
        return self.total > 0


def message_id(recipient: Recipient, items: Sequence[DigestItem], as_of: date, domain: str) -> str:
    """The same digest always gets the same Message-ID, so a resend is recognisable."""
    keys = sorted(
        f"{d.task_id}:{d.kind.value}:{d.level}:{d.deadline}" for d in (i.due for i in items)
    )
    digest = hashlib.sha256("|".join(keys).encode()).hexdigest()[:20]
    return f"<digest.{as_of:%Y%m%d}.{recipient.id}.{digest}@{domain}>"


def once_per_task(items: Sequence[DigestItem]) -> list[DigestItem]:
    """Each task once, in its most severe entry (both escalation levels can reach one head,
    when the tree runs out and the admins get level 1 and 2, or through two owners)."""
    kept: dict[int, DigestItem] = {}
    for item in items:
        current = kept.get(item.due.task_id)
        if current is None or severity(item.due) > severity(current.due):
            kept[item.due.task_id] = item
    return list(kept.values())


def _most_severe(dues: Sequence[Due]) -> list[Due]:
    """`once_per_task` for bare notifications."""
    kept: dict[int, Due] = {}
    for due in dues:
        current = kept.get(due.task_id)
        if current is None or severity(due) > severity(current):
            kept[due.task_id] = due
    return list(kept.values())


def _due_order(due: Due) -> tuple[int, date, int]:
    """The most overdue first, then the nearest deadline, then the task number."""
    return (-due.days_overdue, due.deadline, due.task_id)


def _order(item: DigestItem) -> tuple[int, date, int]:
    return _due_order(item.due)


# --- The link to every task of one section of one digest ------------------------------


@dataclass(frozen=True)
class DigestLink:
    """Which digest section a list shows: the run's day, the instant of its notifications
    (None: every run of that day) and the section."""

    notified: date
    run_at: datetime | None
    section: Section

    def query(self) -> dict[str, str]:
        args = {"notified": self.notified.isoformat(), "section": self.section.value}
        if self.run_at is not None:
            args["run"] = str(run_number(self.run_at))
        return args

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> DigestLink | None:
        """The link named by a request's arguments; None without `notified`.

        Raises ValueError for a malformed one (the caller shows nothing, not everything).
        """
        notified = args.get("notified")
        if not notified:
            return None
        day = date.fromisoformat(notified)
        section = Section(args.get("section", ""))
        run = args.get("run")
        run_at = EPOCH + timedelta(microseconds=int(run)) if run else None
        return cls(day, run_at, section)


def digest_link(args: Mapping[str, str]) -> tuple[DigestLink | None, bool]:
    """The digest section a request's arguments name, and whether they name one that
    cannot be read (the list then shows nothing rather than everything)."""
    try:
        return DigestLink.from_args(args), False
    except ValueError:
        return None, True


def run_number(run_at: datetime) -> int:
    """The instant as whole microseconds since 1970 (exact, unlike a float timestamp)."""
    delta = run_at.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _recipient_is(
    recipient_ids: InstrumentedAttribute[list[int]], user_id: int
) -> ColumnElement[bool]:
    """`user_id` is in the JSON list `recipient_ids`, on PostgreSQL and SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(recipient_ids, JSONB).contains([user_id])
    values = func.json_each(recipient_ids).table_valued("value")
    return exists(select(values.c.value).where(values.c.value == user_id))


def _notified_task_ids(link: DigestLink, user_id: int, section: Section) -> Select[int]:
    notification = aliased(Notification)
    conditions = [
        notification.planned_for == link.notified,
        notification.kind.in_(section.kinds),
        _recipient_is(notification.recipient_ids, user_id),
    ]
    # The two sections of escalations are told apart by the level.
    if section is Section.ESCALATIONS:
        conditions.append(notification.level != ACCEPTANCE_LEVEL)
    elif section is Section.ACCEPTANCE:
        conditions.append(notification.level == ACCEPTANCE_LEVEL)
    if link.run_at is not None:
        conditions.append(notification.created_at == link.run_at)
    return select(notification.task_id).where(*conditions)


def digest_clause(link: DigestLink | None, user_id: int) -> ColumnElement[bool]:
    """The tasks of that section of `user_id`'s digest, as a condition on Task: those
    notified to them in that run with the section's kinds, less those a more severe
    section of the same digest lists. Callers add their own permission scope."""
    if link is None:
        return false()
    clauses = [Task.id.in_(_notified_task_ids(link, user_id, link.section))]
    for section in SECTIONS[: SECTIONS.index(link.section)]:
        clauses.append(Task.id.not_in(_notified_task_ids(link, user_id, section)))
    return and_(*clauses)


def digest_narrowing(user: User, args: Mapping[str, str], mine: bool) -> Narrowed | None:
    """The task list narrowed to a section of the user's digest, when its arguments name
    one (added to the tasks' list hook when the application is built)."""
    digest, digest_invalid = digest_link(args)
    if digest is None and not digest_invalid:
        return None
    tasks = digest_tasks(user, digest, mine=mine)
    return Narrowed(tasks, {"digest": digest, "digest_invalid": digest_invalid})


def digest_tasks(user: User, link: DigestLink | None, *, mine: bool) -> Sequence[Task]:
    """The tasks of that section of `user`'s digest that `user` may see (their own only
    when `mine`), every status, soonest deadline first: the task list's digest view."""
    scope = owned_by(user) if mine else true()
    query = (
        visible_tasks(user)
        .where(scope, digest_clause(link, user.id))
        .options(selectinload(Task.owners), selectinload(Task.department))
        .order_by(Task.deadline.is_(None), Task.deadline, Task.id)
    )
    return db.session.scalars(query).all()


# --- Writing ---------------------------------------------------------------------------


class _Language:
    """The words and dates of one language, looked up once per run, not once per item:
    a run after a long outage writes tens of thousands of items, and lookups cost."""

    def __init__(self) -> None:
        translations = get_translations()
        gettext = translations.ugettext
        self.ngettext = translations.ungettext
        self.gettext = gettext
        self.locale = get_locale()
        self.dates: dict[date, str] = {}
        self.labels = {
            "deadline": gettext("Deadline"),
            "owners": gettext("Owners"),
            "open_task": gettext("Open the task"),
            "mark_done": gettext("Mark done"),
            "more_time": gettext("Ask for more time"),
            "due_today": gettext("due today"),
            "product": gettext("Follow-up Tracker"),
            "by_department": gettext("Overdue tasks by department"),
            "no_department": gettext("No department"),
            "other_departments": gettext("Other departments"),
        }
        self.headings = {
            Section.OVERDUE: gettext("OVERDUE: your tasks"),
            Section.ESCALATIONS: gettext("OVERDUE in your department"),
            Section.ACCEPTANCE: gettext("AWAITING ACCEPTANCE in your department"),
            Section.DUE_SOON: gettext("DUE SOON"),
        }

    def date(self, day: date) -> str:
        if day not in self.dates:
            self.dates[day] = format_day(day, self.locale)
        return self.dates[day]

    def overdue(self, days: int) -> str:
        return self.ngettext("%(num)d day overdue", "%(num)d days overdue", days) % {"num": days}

    def more(self, count: int) -> str:
        return self.gettext("and %(num)d more.") % {"num": count}

    def see_all(self, count: int) -> str:
        return self.gettext("See all %(num)d") % {"num": count}


def _substitute_label(item: DigestItem, words: _Language) -> str | None:
    """ "as substitute for Ani Sargsyan (absent until 30 June)", one per absent person."""
    if not item.substitute_for:
        return None
    return "; ".join(
        words.gettext("as substitute for %(name)s (absent until %(day)s)")
        % {"name": name, "day": words.date(until)}
        for name, until in item.substitute_for
    )


def _awaiting_label(due: Due, words: _Language) -> str | None:
    """ "Awaiting acceptance since …" for an acceptance escalation, else None."""
    if due.awaiting_since is None:
        return None
    day = words.date(due.awaiting_since)
    return words.gettext("Awaiting acceptance since %(day)s") % {"day": day}


class DigestWriter:
    """Writes the digests of one planning run."""

    def __init__(
        self,
        *,
        as_of: date,
        base_url: str,
        secret_key: str,
        sender_domain: str,
        run_at: datetime | None = None,
        max_items: int = DEFAULT_MAX_ITEMS,
    ):
        if max_items < 1:
            raise ValueError("TRACKER_DIGEST_MAX_ITEMS must be at least 1")
        self.as_of = as_of
        self.base_url = base_url.rstrip("/")
        self.signer = ActionLinkSigner(secret_key)
        self.sender_domain = sender_domain
        self.run_at = run_at
        self.max_items = max_items
        self._languages: dict[str, _Language] = {}

    def _rendered(self, item: DigestItem, recipient: Recipient, words: _Language) -> RenderedItem:
        due = item.due
        task_url = f"{self.base_url}/tasks/{due.task_id}"
        done_url = extend_url = None
        # Only the owner acts on the task from the email; managers get the task's page.
        if item.recipient_owns_task and due.kind is not Kind.ESCALATION:
            action_base = f"{self.base_url}/tasks/action/"
            done_url = action_base + self.signer.make(due.task_id, recipient.id, Action.DONE)
            extend_url = action_base + self.signer.make(due.task_id, recipient.id, Action.EXTEND)
        return RenderedItem(
            item,
            task_url,
            done_url,
            extend_url,
            deadline_label=words.date(due.deadline),
            overdue_label=words.overdue(due.days_overdue),
            awaiting_label=_awaiting_label(due, words),
            substitute_label=_substitute_label(item, words),
        )

    def listed_task_ids(self, dues: Sequence[Due]) -> set[int]:
        """The tasks a digest of these notifications lists by name (the others are only
        counted): the same choice as `write` makes, without the tasks' details."""
        grouped: dict[Section, list[Due]] = {section: [] for section in SECTIONS}
        for due in _most_severe(dues):
            grouped[section_of(due)].append(due)
        return {
            due.task_id
            for section_dues in grouped.values()
            for due in sorted(section_dues, key=_due_order)[: self.max_items]
        }

    def list_url(self, recipient: Recipient, section: Section) -> str:
        """The list of every task of this section: the dashboard for escalations (the
        task list for a head who cannot see it), the person's own tasks otherwise."""
        link = DigestLink(self.as_of, self.run_at, section)
        about_others = section in (Section.ESCALATIONS, Section.ACCEPTANCE)
        if about_others and recipient.sees_dashboard:
            return f"{self.base_url}/dashboard?" + urlencode({"status": "all", **link.query()})
        scope = {"scope": "all"} if about_others else {}
        return f"{self.base_url}/tasks?" + urlencode({**scope, "closed": "1", **link.query()})

    def _section(
        self,
        name: Section,
        items: list[DigestItem],
        recipient: Recipient,
        words: _Language,
    ) -> RenderedSection:
        items.sort(key=_order)
        shown = items[: self.max_items]
        more = len(items) - len(shown)
        by_department: list[tuple[str, int]] = []
        if name is Section.ESCALATIONS and more:
            by_department = self._count_by_department(items, words)
        return RenderedSection(
            name=name,
            heading=words.headings[name],
            total=len(items),
            items=[self._rendered(item, recipient, words) for item in shown],
            more=more,
            more_label=words.more(more) if more else None,
            list_url=self.list_url(recipient, name) if more else None,
            list_label=words.see_all(len(items)) if more else None,
            by_department=by_department,
        )

    def _count_by_department(
        self, items: list[DigestItem], words: _Language
    ) -> list[tuple[str, int]]:
        """How many of a cut-short section's items each department has, most first (a task
        of two owners' departments counts in each); past the first max_items departments,
        the rest are added up on one line."""
        no_department = words.labels["no_department"]
        counts = Counter(
            name
            for item in items
            for name in item.department_names or (item.department_name or no_department,)
        )
        ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        by_department = ranked[: self.max_items]
        rest = sum(count for _, count in ranked[self.max_items :])
        if rest:
            by_department.append((words.labels["other_departments"], rest))
        return by_department

    def write(self, recipient: Recipient, items: Sequence[DigestItem]) -> OutboxMessage:
        with force_locale(recipient.language):
            if recipient.language not in self._languages:
                self._languages[recipient.language] = _Language()
            words = self._languages[recipient.language]
            grouped: dict[Section, list[DigestItem]] = {section: [] for section in SECTIONS}
            for item in once_per_task(items):
                grouped[section_of(item.due)].append(item)
            sections = [self._section(name, grouped[name], recipient, words) for name in SECTIONS]
            overdue, escalations, acceptance, due_soon = sections
            gettext = words.gettext
            context = {
                "recipient": recipient,
                "sections": [section for section in sections if section],
                "base_url": self.base_url,
                "labels": words.labels,
                "greeting": gettext("Hello %(name)s,") % {"name": recipient.name},
                "settings_note": gettext(
                    "You can switch off “due soon” reminders in your settings: %(url)s"
                )
                % {"url": f"{self.base_url}/settings"},
            }
            counts = {
                "overdue": overdue.total + escalations.total,
                "soon": due_soon.total,
                "waiting": acceptance.total,
            }
            # A wait for acceptance is not overdue work: named apart, when there is one.
            subject = (
                gettext(
                    "Follow-up Tracker: %(overdue)d overdue, %(waiting)d awaiting acceptance,"
                    " %(soon)d due soon"
                )
                if acceptance
                else gettext("Follow-up Tracker: %(overdue)d overdue, %(soon)d due soon")
            ) % counts
            body_text = render_template("email/digest.txt", **context)
            body_html = render_template("email/digest.html", **context)
        return OutboxMessage(
            recipient_id=recipient.id,
            to_address=recipient.email,
            language=recipient.language,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            message_id=message_id(recipient, items, self.as_of, self.sender_domain),
        )
