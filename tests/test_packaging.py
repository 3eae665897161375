"""The wheel works on its own: built from the checkout, installed in a fresh virtual
environment, run from a directory far from the checkout. Slow (a build and an install), so one
test does it all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from alembic.script import ScriptDirectory

CHECKOUT = Path(__file__).resolve().parent.parent

# What the wheel's build must make itself: what a fresh clone lacks, git ignoring it.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "instance",
    "__pycache__",
    "*.mo",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)

# Run in the fresh environment, from outside the checkout: the app, its pages, its database.
SERVE = """
import json, sys
import sqlalchemy as sa
import config, tracker
from tracker import create_app
from tracker.extensions import db

app = create_app()
client = app.test_client()
login = client.get("/login")
css = client.get("/static/css/app.css")
with app.app_context():
    revision = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
json.dump(
    {
        "tracker": tracker.__file__,
        "config": config.__file__,
        "templates": app.template_folder,
        "migrations": app.extensions["migrate"].directory,
        "login_status": login.status_code,
        "login": login.get_data(as_text=True),
        "css_status": css.status_code,
        "css_bytes": len(css.get_data()),
        "revision": revision,
    },
    sys.stdout,
)
"""


def run(
    arguments: list[str | Path],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(argument) for argument in arguments],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
        env=env,
    )
    assert done.returncode == 0, f"{arguments} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_wheel_installs_and_serves_outside_the_checkout(tmp_path: Path) -> None:
    # Build from a copy holding what a clone holds: no catalogue compiled, nothing built.
    source = tmp_path / "source"
    shutil.copytree(CHECKOUT, source, ignore=NOT_IN_A_CLONE)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path, source])
    (wheel,) = tmp_path.glob("followup_tracker-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {
        f"tracker/templates/{path.relative_to(CHECKOUT / 'templates').as_posix()}"
        for path in (CHECKOUT / "templates").rglob("*")
        if path.suffix in {".html", ".txt"}
    }
    versions = {
        f"tracker/migrations/versions/{path.name}"
        for path in (CHECKOUT / "migrations" / "versions").glob("*.py")
    }
    catalogues = {
        f"tracker/{path.relative_to(CHECKOUT / 'tracker').with_suffix('.mo').as_posix()}"
        for path in (CHECKOUT / "tracker" / "translations").glob("*/LC_MESSAGES/messages.po")
    }
    assert templates and versions and catalogues
    assert templates <= names, sorted(templates - names)
    assert versions <= names, sorted(versions - names)
    assert catalogues <= names, sorted(catalogues - names)
    assert {"tracker/migrations/env.py", "tracker/migrations/alembic.ini", "config.py"} <= names
    # The password rules refuse the common passwords from this list (tracker/auth/passwords.py).
    assert "tracker/auth/common-passwords.txt" in names
    # The progress report's PDF embeds these fonts, shipped under their licence (#14).
    fonts = {
        f"tracker/reporting/fonts/{name}"
        for name in (
            "NotoSans-Regular.ttf",
            "NotoSans-Bold.ttf",
            "NotoSansArmenian-Regular.ttf",
            "NotoSansArmenian-Bold.ttf",
            "OFL.txt",
        )
    }
    assert fonts <= names, sorted(fonts - names)

    # A fresh environment without the project's editable install: its dependencies come from
    # the project's environment through a .pth line, which adds that directory to sys.path
    # without running the .pth files there (the editable install's finder among them).
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    (Path(purelib.stdout.strip()) / "project_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n"
    )
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel])

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TRACKER_", "PYTHON", "FLASK_")) and name != "VIRTUAL_ENV"
    }
    environment |= {
        "TRACKER_ENV": "production",
        "TRACKER_SECRET_KEY": "packaging-test-" + "0" * 32,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.sqlite'}",
    }
    run([venv / "bin" / "tracker", "db", "upgrade"], cwd=elsewhere, env=environment)
    served = json.loads(
        run([python, "-c", SERVE], cwd=elsewhere, env=environment).stdout.splitlines()[-1]
    )

    for name in ("tracker", "config", "templates", "migrations"):
        assert Path(served[name]).is_relative_to(venv), (name, served[name])
    assert served["login_status"] == 200
    assert "Մուտք" in served["login"]  # "Sign in": the catalogue compiled into the wheel
    assert served["css_status"] == 200
    assert served["css_bytes"] > 0
    head = ScriptDirectory(str(CHECKOUT / "migrations")).get_current_head()
    assert served["revision"] == head
