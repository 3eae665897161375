"""Responsible persons named in a report, matched to users: pure, no Flask, no database.

Reports write names as typed by hand: "Անի Սարգսյան", "Ա. Սարգսյան", "Սարգսյան Ա.",
"G. Petrosyan", sometimes with a patronymic or a position in parentheses. A name matches a
user only when exactly one user fits; anything less certain stays unmatched for a person
to choose during the review.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_PARENTHESES = re.compile(r"\([^)]*\)")
_NOT_A_LETTER = re.compile(r"[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Person:
    """A user as the matcher sees them."""

    id: int
    name: str


def _tokens(name: str) -> list[str]:
    name = unicodedata.normalize("NFC", _PARENTHESES.sub(" ", name))
    # Initials keep their letter: "Ա." becomes "ա".
    return _NOT_A_LETTER.sub(" ", name).casefold().split()


def _is_initial(token: str) -> bool:
    return len(token) == 1


def _fits(written: list[str], person: list[str]) -> bool:
    if len(written) < 2 or len(person) < 2:
        return False
    first, last = person[0], person[-1]
    for given, family in ((written[0], written[-1]), (written[-1], written[0])):
        if family != last or _is_initial(family):
            continue
        if given == first or (_is_initial(given) and first.startswith(given)):
            return True
    return False


def match_name(written: str, people: Sequence[Person]) -> Person | None:
    """The one person `written` names, or None when nobody or several people fit."""
    tokens = _tokens(written)
    if not tokens:
        return None
    exact = [person for person in people if _tokens(person.name) == tokens]
    if len(exact) == 1:
        return exact[0]
    fitting = [person for person in people if _fits(tokens, _tokens(person.name))]
    return fitting[0] if len(fitting) == 1 else None


def match_names(names: Iterable[str], people: Sequence[Person]) -> tuple[list[Person], list[str]]:
    """The people named (in order, without repeats) and the names that matched nobody."""
    matched: list[Person] = []
    unmatched: list[str] = []
    for name in names:
        person = match_name(name, people)
        if person is None:
            unmatched.append(name)
        elif person not in matched:
            matched.append(person)
    return matched, unmatched
