"""Word's list labels, rebuilt by the .docx and .doc readers."""

from __future__ import annotations

import pytest

from tracker.reports.parsing.list_numbers import letters, roman


@pytest.mark.parametrize(
    ("value", "label"),
    [(0, "a"), (1, "a"), (2, "b"), (26, "z"), (27, "aa"), (28, "bb"), (53, "aaa")],
)
def test_letters_repeat_after_z_as_word_does(value: int, label: str) -> None:
    assert letters(value) == label


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0, "I"),
        (1, "I"),
        (4, "IV"),
        (9, "IX"),
        (14, "XIV"),
        (1994, "MCMXCIV"),
        (3999, "MMMCMXCIX"),
        (10**9, "MMMCMXCIX"),
    ],
)
def test_roman_numerals_within_words_range(value: int, label: str) -> None:
    assert roman(value) == label
