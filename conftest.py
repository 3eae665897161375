"""Before any test: compile the translation catalogues, which git ignores, so that a plain
`pytest` in a fresh clone tests the Armenian pages without `make`. (Beside tests/conftest.py,
which holds the fixtures, because this concerns the checkout rather than the tests.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.catalogues import compile_catalogues


def pytest_configure(config: pytest.Config) -> None:
    compile_catalogues(Path(__file__).resolve().parent / "tracker" / "translations")
