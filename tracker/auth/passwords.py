"""Password rules after NIST SP 800-63B (§5.1.1.2): long enough, not too long to hash,
not one of the passwords everybody tries first, not the person's own email name. No
composition rules (a digit, a capital, …) and no forced changes: the guideline advises
against both.

Pure: no Flask, no database. The rules apply when a password is set (invitation, reset,
change, `tracker users add --password`), never at sign-in, so older passwords still work.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

# NIST's floor is 8 (15 for a password that is the only factor); 12 is a passphrase's
# length that people still type, above the floor for this single-factor sign-in's helpers.
MIN_LENGTH = 12
# At least 64 must be allowed; far longer only costs hashing time.
MAX_LENGTH = 128
# An email name shorter than this is too likely to occur by chance ("an@…" in "banana…").
MIN_EMAIL_NAME = 4

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


class PasswordProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    ONE_CHARACTER = "one_character"
    CONTAINS_EMAIL = "contains_email"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list, lowercased; read once per process."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def normalized(password: str) -> str:
    """NFKC, as the guideline asks, so the same password typed on two keyboards matches."""
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str, *, email: str | None = None) -> PasswordProblem | None:
    """What is wrong with `password` for the person with `email`, or None when it is fine."""
    text = normalized(password)
    if len(text) < MIN_LENGTH:
        return PasswordProblem.TOO_SHORT
    if len(text) > MAX_LENGTH:
        return PasswordProblem.TOO_LONG
    folded = text.casefold()
    if len(set(folded)) == 1:
        return PasswordProblem.ONE_CHARACTER
    if folded in common_passwords():
        return PasswordProblem.COMMON
    email_name = (email or "").split("@", 1)[0].casefold()
    if len(email_name) >= MIN_EMAIL_NAME and email_name in folded:
        return PasswordProblem.CONTAINS_EMAIL
    return None
