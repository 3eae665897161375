"""The NIST 800-63B rules of tracker.auth.passwords, and their messages in both languages."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from tracker.auth.accounts import problem_message
from tracker.auth.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordProblem,
    common_passwords,
    password_problem,
)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-one", PasswordProblem.TOO_SHORT),
        ("x" * (MIN_LENGTH - 2) + "yz", None),  # exactly the minimum length
        ("x" * (MIN_LENGTH - 3) + "yz", PasswordProblem.TOO_SHORT),
        ("ab" * (MAX_LENGTH // 2) + "c", PasswordProblem.TOO_LONG),
        ("aaaaaaaaaaaaaaaa", PasswordProblem.ONE_CHARACTER),
        ("1qaz2wsx3edc", PasswordProblem.COMMON),
        ("QwertyUiop123", PasswordProblem.COMMON),  # case does not hide a common one
        ("my ani.sargsyan pass", PasswordProblem.CONTAINS_EMAIL),
        ("correct horse battery", None),
        ("Անի սիրում է գարունը", None),  # Armenian letters count as letters
        ("no digits no capitals", None),  # no composition rules
    ],
)
def test_the_rules(password: str, problem: PasswordProblem | None) -> None:
    assert password_problem(password, email="ani.sargsyan@example.am") is problem


def test_a_short_email_name_is_not_a_rule() -> None:
    # "an@…" would refuse every password with "an" in it.
    assert password_problem("banana republic", email="an@example.am") is None


def test_the_bundled_list_is_the_ten_thousand_most_common() -> None:
    common = common_passwords()
    assert 9_000 < len(common) <= 10_000
    assert {"password", "123456", "qwerty"} <= common


@pytest.mark.parametrize("problem", list(PasswordProblem))
def test_every_problem_reads_in_armenian(app, problem: PasswordProblem) -> None:
    with app.test_request_context(), force_locale("hy"):
        armenian = problem_message(problem)
    with app.test_request_context(), force_locale("en"):
        english = problem_message(problem)
    assert armenian != english
    assert not any("a" <= char.lower() <= "z" for char in armenian)
