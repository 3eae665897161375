"""The labels Word gives the items of a numbered list (letters, Roman numerals), rebuilt by
the .docx and .doc readers so that list numbers read as the author saw them. Pure."""

from __future__ import annotations

_NUMERALS = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def letters(value: int) -> str:
    """a..z, then Word repeats the letter: aa..zz, aaa.. (not a spreadsheet's ab, ac)."""
    value = max(value, 1)
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def roman(value: int) -> str:
    """Upper-case Roman numerals, 1 to 3999 (Word's range)."""
    value = max(1, min(value, 3999))
    result = ""
    for number, numeral in _NUMERALS:
        count, value = divmod(value, number)
        result += numeral * count
    return result
