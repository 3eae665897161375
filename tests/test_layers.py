"""The pure layers stay pure: parsing, date phrases and the notification policy import
without Flask or SQLAlchemy, so they can be tested and reused on their own."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module", ["tracker.reports.parsing", "tracker.notifications.policy", "tracker.workdays"]
)
def test_pure_module_imports_neither_flask_nor_sqlalchemy(module: str) -> None:
    check = (
        f"import sys, {module}; "
        "loaded = sorted(m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy') "
        "if m in sys.modules); print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
