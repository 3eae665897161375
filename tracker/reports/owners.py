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


# Armenian letters in Latin, as Armenian names are usually spelled in English texts
# ("Հակոբյան" is "Hakobyan"), so an English report can name an Armenian user.
_LATIN = {
    "ա": "a",
    "բ": "b",
    "գ": "g",
    "դ": "d",
    "ե": "e",
    "զ": "z",
    "է": "e",
    "ը": "y",
    "թ": "t",
    "ժ": "zh",
    "ի": "i",
    "լ": "l",
    "խ": "kh",
    "ծ": "ts",
    "կ": "k",
    "հ": "h",
    "ձ": "dz",
    "ղ": "gh",
    "ճ": "ch",
    "մ": "m",
    "յ": "y",
    "ն": "n",
    "շ": "sh",
    "ո": "o",
    "չ": "ch",
    "պ": "p",
    "ջ": "j",
    "ռ": "r",
    "ս": "s",
    "վ": "v",
    "տ": "t",
    "ր": "r",
    "ց": "ts",
    "փ": "p",
    "ք": "k",
    "օ": "o",
    "ֆ": "f",
    "և": "ev",
}


def _latin(token: str) -> str:
    token = token.replace("ու", "u")
    latin = "".join(_LATIN.get(letter, letter) for letter in token)
    # Initial Ե and Ո are spoken, and often spelled, "ye" and "vo": Yerevan, Vorotan.
    if token[:1] == "ե":
        latin = "y" + latin
    elif token[:1] == "ո":
        latin = "v" + latin
    return latin


def _spellings(token: str) -> set[str]:
    latin = _latin(token)
    # "Yeghiazaryan" and "Eghiazaryan", "Voskanyan" and "Oskanyan" are all written.
    plain = latin[1:] if token[:1] in ("ե", "ո") else latin
    return {token, latin, plain}


def _tokens(name: str) -> list[str]:
    name = unicodedata.normalize("NFC", _PARENTHESES.sub(" ", name))
    # Initials keep their letter: "Ա." becomes "ա".
    return _NOT_A_LETTER.sub(" ", name).casefold().split()


def _same(written: str, known: str) -> bool:
    return bool(_spellings(written) & _spellings(known))


def _is_initial(token: str) -> bool:
    return len(token) == 1


def _fits(written: list[str], person: list[str]) -> bool:
    if len(written) < 2 or len(person) < 2:
        return False
    first, last = person[0], person[-1]
    for given, family in ((written[0], written[-1]), (written[-1], written[0])):
        if _is_initial(family) or not _same(family, last):
            continue
        if _same(given, first):
            return True
        if _is_initial(given) and any(spelling.startswith(given) for spelling in _spellings(first)):
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


def latin_spelling(text: str) -> str:
    """`text` in lower-case Latin letters without accents: Armenian words transliterated
    ("Անի Սարգսյան" is "ani sargsyan"), Latin ones plain ("Zoë" is "zoe"), so a Latin
    search or sort treats both scripts alike."""
    words = (_latin(token) for token in _tokens(text))
    decomposed = unicodedata.normalize("NFKD", " ".join(words))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def sort_key(name: str) -> tuple[str, str]:
    """Armenian and Latin names sorted together, by their Latin spelling: "Անի" sits beside
    "Ani", and "Zara" comes after "Սարգսյան" (sargsyan). The name itself breaks ties, so the
    order is the same on every page."""
    return latin_spelling(name), unicodedata.normalize("NFC", name).casefold()
