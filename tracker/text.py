"""Small text helpers shared by features."""

from __future__ import annotations


def one_line(text: str) -> str:
    """The text with control characters (line breaks included) shown as escapes, so a
    stored value a user mistyped cannot break a one-line message or a log line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
