"""One email per person per run: everything they are owed, in their language."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale, get_locale, get_translations

from tracker.models import OutboxMessage
from tracker.notifications.policy import Due, Kind
from tracker.tasks.action_links import Action, ActionLinkSigner


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    name: str
    language: str


@dataclass(frozen=True)
class DigestItem:
    due: Due
    title: str
    deadline_text: str | None
    owner_names: tuple[str, ...]
    recipient_owns_task: bool


@dataclass(frozen=True)
class RenderedItem:
    item: DigestItem
    task_url: str
    done_url: str | None
    extend_url: str | None
    deadline_label: str
    overdue_label: str

    @property
    def due(self) -> Due:
        return self.item.due


def message_id(recipient: Recipient, items: Sequence[DigestItem], as_of: date, domain: str) -> str:
    """The same digest always gets the same Message-ID, so a resend is recognisable."""
    keys = sorted(
        f"{d.task_id}:{d.kind.value}:{d.level}:{d.deadline}" for d in (i.due for i in items)
    )
    digest = hashlib.sha256("|".join(keys).encode()).hexdigest()[:20]
    return f"<digest.{as_of:%Y%m%d}.{recipient.id}.{digest}@{domain}>"


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
            "overdue_heading": gettext("OVERDUE: your tasks"),
            "escalation_heading": gettext("OVERDUE in your department"),
            "due_soon_heading": gettext("DUE SOON"),
            "product": gettext("Follow-up Tracker"),
        }

    def date(self, day: date) -> str:
        if day not in self.dates:
            self.dates[day] = format_date(day, "long", locale=self.locale)
        return self.dates[day]

    def overdue(self, days: int) -> str:
        return self.ngettext("%(num)d day overdue", "%(num)d days overdue", days) % {"num": days}


class DigestWriter:
    """Writes the digests of one planning run."""

    def __init__(self, *, as_of: date, base_url: str, secret_key: str, sender_domain: str):
        self.as_of = as_of
        self.base_url = base_url.rstrip("/")
        self.signer = ActionLinkSigner(secret_key)
        self.sender_domain = sender_domain
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
        )

    def write(self, recipient: Recipient, items: Sequence[DigestItem]) -> OutboxMessage:
        with force_locale(recipient.language):
            if recipient.language not in self._languages:
                self._languages[recipient.language] = _Language()
            words = self._languages[recipient.language]
            rendered = sorted(
                (self._rendered(item, recipient, words) for item in items),
                key=lambda r: (r.due.deadline, r.due.task_id),
            )
            overdue = [r for r in rendered if r.due.kind is Kind.OVERDUE]
            escalations = [r for r in rendered if r.due.kind is Kind.ESCALATION]
            due_soon = [r for r in rendered if r.due.kind in (Kind.REMINDER, Kind.DUE_TODAY)]
            gettext = words.gettext
            context = {
                "recipient": recipient,
                "overdue": overdue,
                "escalations": escalations,
                "due_soon": due_soon,
                "base_url": self.base_url,
                "labels": words.labels,
                "greeting": gettext("Hello %(name)s,") % {"name": recipient.name},
                "settings_note": gettext(
                    "You can switch off “due soon” reminders in your settings: %(url)s"
                )
                % {"url": f"{self.base_url}/settings"},
            }
            subject = gettext("Follow-up Tracker: %(overdue)d overdue, %(soon)d due soon") % {
                "overdue": len(overdue) + len(escalations),
                "soon": len(due_soon),
            }
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
