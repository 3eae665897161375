"""Compiling the translation catalogues: each `messages.po` into the `messages.mo` Flask-Babel
reads. The .mo files are built, never committed: by the package build (setup.py, which loads
this file by its path, so Babel is all it may import), by `make` and by the test session.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalogues(translations: Path, into: Path | None = None) -> list[Path]:
    """Compile `translations/<locale>/LC_MESSAGES/*.po` into the same place under `into`
    (default: beside each .po), fuzzy entries included as `pybabel compile --use-fuzzy` does.
    A .mo newer than its .po is left alone. Each .mo is written to a temporary file and
    renamed, so a process reading it meanwhile never sees half a catalogue. Returns the .mo
    files written."""
    written = []
    for po in sorted(translations.glob("*/LC_MESSAGES/*.po")):
        mo = (into or translations) / po.relative_to(translations).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        mo.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=mo.parent, prefix=f".{mo.stem}.", suffix=".mo")
        try:
            with os.fdopen(handle, "wb") as target:
                write_mo(target, catalogue, use_fuzzy=True)
            os.chmod(temporary, 0o644)
            os.replace(temporary, mo)
        except BaseException:
            os.unlink(temporary)
            raise
        written.append(mo)
    return written
