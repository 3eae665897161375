"""Long lists sent to the database in slices, the same size everywhere.

A statement carries a limited number of bound parameters: SQLite allows 32,766 (999 before
3.32, which some distributions still ship), PostgreSQL 65,535 (the wire protocol counts them
in 16 bits). An `IN (…)` list of CHUNK_SIZE ids, or a multi-row INSERT of CHUNK_SIZE rows of
a few columns (the planner's notifications have 7: 3,500 parameters), stays far inside both,
while a slice is still large enough that the round trips do not matter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

CHUNK_SIZE = 500


def chunks(items: Sequence[T], size: int = CHUNK_SIZE) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
