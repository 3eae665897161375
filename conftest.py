"""Before any test: compile the translation catalogues, which git ignores, so that a plain
`pytest` in a fresh clone tests the Armenian pages without `make`. (Beside tests/conftest.py,
which holds the fixtures, because this concerns the checkout rather than the tests.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from tracker.catalogues import compile_catalogues

# `make mutation` (docs/mutation.md) runs the property tests under mutmut, whose trampolines
# make every call slower: no deadline there, and the same examples on every run, so that a
# mutant's verdict does not depend on the draw.
settings.register_profile("mutation", deadline=None, derandomize=True, database=None)


def pytest_configure(config: pytest.Config) -> None:
    compile_catalogues(Path(__file__).resolve().parent / "tracker" / "translations")
