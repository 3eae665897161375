"""The reminder policy in effect (#12 item 7): what an admin saved in the admin pages
(PolicySetting rows) over the environment's values (config.py), which stay the defaults.

Everyone who needs a policy value asks `current_policy()` at the moment it is used: the
planner at each run, a task's "mark done", the scheduler's planning hour. A change saved in
the admin pages is therefore followed by the next run without a restart.

A top-level module (it imports the models, the audit log and the permissions only), so the
tasks package, lower than notifications, can read the verification switch too.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker import audit
from tracker.audit import AuditKind
from tracker.extensions import db
from tracker.models import PolicySetting, Role, User, utcnow
from tracker.permissions import PermissionDenied

log = logging.getLogger(__name__)

MOST_WORKING_DAYS = 60
POLICY_SUBJECT = "policy"


class PolicyValueError(ValueError):
    """A typed value the policy refuses; its message is for the admin who typed it."""

    def __init__(self, message: LazyString) -> None:
        super().__init__(str(message))
        self.message = message


class PolicyInvalid(Exception):
    """Some typed values were refused: the message of each, by setting key."""

    def __init__(self, errors: Mapping[str, LazyString]) -> None:
        super().__init__(", ".join(errors))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Policy:
    reminder_days: tuple[int, ...]  # working days before the deadline, largest first
    overdue_repeat_days: int  # calendar days between overdue notices
    escalation_days: tuple[int, ...]  # working days overdue for level 1, 2, ...
    reminder_hour: int  # the organisation's local hour of the daily planning run
    digest_max_items: int  # items per digest section
    require_acceptance: bool  # an owner's "mark done" waits for acceptance
    acceptance_days: int  # working days an acceptance may wait before escalating


# --- Parsing: strict for what an admin types, lenient for the environment's defaults -------


def _numbers(text: str) -> tuple[int, ...]:
    parts = [part.strip() for part in text.split(",")]
    if not text.strip():
        raise PolicyValueError(_l("Write at least one number of working days."))
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise PolicyValueError(_l("Write whole numbers separated by commas, such as 7,1."))
    numbers = tuple(int(part) for part in parts)
    if any(not 1 <= number <= MOST_WORKING_DAYS for number in numbers):
        raise PolicyValueError(
            _l("Each number must be between 1 and %(most)d.", most=MOST_WORKING_DAYS)
        )
    return numbers


def parse_offsets(text: str) -> tuple[int, ...]:
    """Reminder offsets: `7,3,1`, largest first, each once (the planner's stages are told
    apart by their offset)."""
    numbers = _numbers(text)
    if any(later >= earlier for earlier, later in itertools.pairwise(numbers)):
        raise PolicyValueError(
            _l("Write the numbers from the largest to the smallest, each once, such as 7,3,1.")
        )
    return numbers


def parse_levels(text: str) -> tuple[int, ...]:
    """Escalation levels: `3,10`, smallest first (level 2 never before level 1)."""
    numbers = _numbers(text)
    if any(later <= earlier for earlier, later in itertools.pairwise(numbers)):
        raise PolicyValueError(
            _l("Write the numbers from the smallest to the largest, each once, such as 3,10.")
        )
    return numbers


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        cleaned = text.strip()
        if not (cleaned.isascii() and cleaned.isdigit()) or not low <= int(cleaned) <= high:
            raise PolicyValueError(
                _l("Write a whole number from %(low)d to %(high)d.", low=low, high=high)
            )
        return int(cleaned)

    return parse


def parse_switch(text: str) -> bool:
    cleaned = text.strip().lower()
    if cleaned not in ("on", "off"):
        raise PolicyValueError(_l("Choose on or off."))
    return cleaned == "on"


def _lenient(value: Any) -> Any:
    """An environment value as config.py holds it: `"7,1"`, `7`, `"7"`, True."""
    if isinstance(value, bool | int):
        return value
    text = str(value)
    if "," in text:
        return tuple(int(part) for part in text.split(",") if part.strip())
    return int(text) if text.strip().isdigit() else text


def as_text(value: Any) -> str:
    """How a value is typed in the form and stored in a row: `7,1`, `9`, `on`."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(str(number) for number in value)
    return str(value)


@dataclass(frozen=True)
class Setting:
    key: str  # the environment variable, also the PolicySetting row's key
    field: str  # the Policy attribute
    label: LazyString
    hint: LazyString
    parse: Callable[[str], Any]
    fallback: Any  # when the environment does not name it either
    sequence: bool = False  # a list of numbers (the environment may hold one number)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "TRACKER_REMINDER_DAYS",
        "reminder_days",
        _l("Reminders before the deadline"),
        _l("Working days before the deadline, largest first, such as 7,1."),
        parse_offsets,
        (7, 1),
        sequence=True,
    ),
    Setting(
        "TRACKER_OVERDUE_REPEAT_DAYS",
        "overdue_repeat_days",
        _l("Overdue notice repeated every"),
        _l("Calendar days, from 1 to 60."),
        _whole(1, 60),
        7,
    ),
    Setting(
        "TRACKER_ESCALATION_DAYS",
        "escalation_days",
        _l("Escalation levels"),
        _l("Working days overdue for each level, smallest first, such as 3,10."),
        parse_levels,
        (3, 10),
        sequence=True,
    ),
    Setting(
        "TRACKER_REMINDER_HOUR",
        "reminder_hour",
        _l("Planning hour"),
        _l("The hour of the daily reminder run, from 0 to 23, in the organisation's time."),
        _whole(0, 23),
        9,
    ),
    Setting(
        "TRACKER_DIGEST_MAX_ITEMS",
        "digest_max_items",
        _l("Items per digest section"),
        _l("From 5 to 500; the rest behind one link."),
        _whole(5, 500),
        50,
    ),
    Setting(
        "TRACKER_REQUIRE_ACCEPTANCE",
        "require_acceptance",
        _l("Verification of completion"),
        _l("When on, an owner's report of done waits for a manager's acceptance."),
        parse_switch,
        True,
    ),
    Setting(
        "TRACKER_ACCEPTANCE_DAYS",
        "acceptance_days",
        _l("Acceptance may wait"),
        _l("Working days, from 1 to 60, before a pending acceptance escalates."),
        _whole(1, 60),
        5,
    ),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}


def default_value(setting: Setting) -> Any:
    value = _lenient(current_app.config.get(setting.key, setting.fallback))
    if setting.sequence and isinstance(value, int):
        return (value,)
    return value


def _stored() -> dict[str, PolicySetting]:
    return {row.key: row for row in db.session.scalars(select(PolicySetting))}


def _effective(setting: Setting, row: PolicySetting | None) -> Any:
    if row is None:
        return default_value(setting)
    try:
        return setting.parse(row.value)
    except PolicyValueError:
        # Only the admin pages write rows, and they validate: a bad row is a hand edit.
        log.error("policy setting %s holds %r; the default is used", setting.key, row.value)
        return default_value(setting)


def current_policy() -> Policy:
    """The policy in effect now (one query)."""
    rows = _stored()
    values = {setting.field: _effective(setting, rows.get(setting.key)) for setting in SETTINGS}
    return Policy(**values)


@dataclass(frozen=True)
class SettingState:
    setting: Setting
    value: str  # in effect
    default: str  # the environment's
    row: PolicySetting | None  # the admin's change, if any


def policy_states() -> list[SettingState]:
    """Each setting as the policy page shows it: in effect, the default, who changed it."""
    rows = _stored()
    return [
        SettingState(
            setting,
            as_text(_effective(setting, rows.get(setting.key))),
            as_text(default_value(setting)),
            rows.get(setting.key),
        )
        for setting in SETTINGS
    ]


def _require_admin(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied


def change_policy(
    actor: User, typed: Mapping[str, str], *, address: str | None = None
) -> dict[str, list[str]]:
    """Save the typed values that differ from those in effect, all or none (PolicyInvalid
    names each refused one); the changes are recorded in the audit log as {key: [old, new]}."""
    _require_admin(actor)
    errors: dict[str, LazyString] = {}
    parsed: dict[str, Any] = {}
    for key, text in typed.items():
        try:
            parsed[key] = BY_KEY[key].parse(text)
        except PolicyValueError as error:
            errors[key] = error.message
    if errors:
        raise PolicyInvalid(errors)
    rows = _stored()
    changes: dict[str, list[str]] = {}
    for key, value in parsed.items():
        old = as_text(_effective(BY_KEY[key], rows.get(key)))
        new = as_text(value)
        if new == old:
            continue
        row = rows.get(key) or PolicySetting(key=key)
        row.value, row.updated_at, row.updated_by = new, utcnow(), actor
        db.session.add(row)
        changes[key] = [old, new]
    if changes:
        audit.record(
            AuditKind.POLICY_CHANGED,
            actor=actor,
            subject=POLICY_SUBJECT,
            details=changes,
            address=address,
        )
    return changes


def reset_setting(actor: User, key: str, *, address: str | None = None) -> bool:
    """Back to the environment's value (the row goes); recorded when the value changes."""
    _require_admin(actor)
    setting = BY_KEY[key]
    row = db.session.get(PolicySetting, key)
    if row is None:
        return False
    old = as_text(_effective(setting, row))
    new = as_text(default_value(setting))
    db.session.delete(row)
    audit.record(
        AuditKind.POLICY_CHANGED,
        actor=actor,
        subject=POLICY_SUBJECT,
        details={key: [old, new], "reset": True},
        address=address,
    )
    return True
