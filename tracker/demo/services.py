"""Demo data: a small regional administration with one user per role, and the sample trip
reports imported (most confirmed, two waiting for review).

Loading it twice changes nothing (departments and users are matched by name and email,
reports by their content), except that demo passwords are set back to the printed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tracker.admin.services import create_user, save_department
from tracker.auth.services import find_user_by_email, hash_password
from tracker.extensions import db
from tracker.i18n import DEFAULT_LANGUAGE
from tracker.models import User
from tracker.reports.parsing import parse_report
from tracker.reports.services import content_hash, find_by_hash, import_report
from tracker.tasks.services import mark_done

ROOT = "Շիրակի մարզպետի աշխատակազմ"
DEVELOPMENT = "Զարգացման ծրագրերի բաժին"
DIGITAL = "Թվային զարգացման բաժին"
COOPERATION = "Միջազգային համագործակցության բաժին"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    department: str
    password: str
    language: str = DEFAULT_LANGUAGE


DEMO_USERS = (
    DemoUser("admin@demo.am", "Վարդան Գրիգորյան", "admin", ROOT, "demo-admin"),
    DemoUser("staff@demo.am", "Նարինե Մկրտչյան", "staff", ROOT, "demo-staff"),
    DemoUser("manager@demo.am", "Կարեն Բաղիշյան", "manager", DEVELOPMENT, "demo-manager"),
    DemoUser("officer@demo.am", "Անի Սարգսյան", "officer", DIGITAL, "demo-officer"),
    DemoUser("lilit@demo.am", "Լիլիթ Հովհաննիսյան", "officer", COOPERATION, "demo-officer"),
    DemoUser("armen@demo.am", "Արմեն Հակոբյան", "manager", COOPERATION, "demo-manager"),
    DemoUser("gohar@demo.am", "Gohar Petrosyan", "officer", COOPERATION, "demo-officer", "en"),
)

SAMPLES = Path(__file__).resolve().parent.parent / "reports" / "samples"
# (sample file, confirmed at once?): two stay drafts so a newcomer can try the review.
DEMO_REPORTS = (
    ("hy-vilnius-2025-02.txt", True),
    ("en-chisinau-2025-05.txt", True),
    ("hy-no-recommendations.txt", True),
    ("hy-lyon-2025-09.docx", False),
    ("hy-tbilisi-2024-07.pdf", False),
)
# One recommendation already done, so the progress figures are not all zero.
DONE_TITLE_PREFIX = "Report to the Governor"


def _ensure_user(spec: DemoUser) -> User:
    user = find_user_by_email(spec.email)
    if user is None:
        return create_user(
            spec.email,
            spec.name,
            spec.role,
            spec.password,
            department=spec.department,
            language=spec.language,
        )
    user.password_hash = hash_password(spec.password)
    user.active = True
    return user


def load_demo() -> list[DemoUser]:
    """Create what is missing of the demo; returns the logins to print."""
    save_department(ROOT)
    save_department(DEVELOPMENT, parent=ROOT)
    save_department(DIGITAL, parent=DEVELOPMENT)
    save_department(COOPERATION, parent=ROOT)
    users = {spec.email: _ensure_user(spec) for spec in DEMO_USERS}
    save_department(ROOT, head_email="admin@demo.am")
    save_department(DEVELOPMENT, head_email="manager@demo.am")
    save_department(COOPERATION, head_email="armen@demo.am")

    staff = users["staff@demo.am"]
    for filename, confirm in DEMO_REPORTS:
        content = (SAMPLES / filename).read_bytes()
        if find_by_hash(content_hash(content)) is not None:
            continue
        result = import_report(
            parse_report(content, filename), content, uploaded_by=staff, confirm=confirm
        )
        for task in result.tasks:
            if confirm and task.title.startswith(DONE_TITLE_PREFIX) and task.owners:
                mark_done(task, task.owners[0], "Reported to the Governor at the weekly meeting.")
    db.session.flush()
    return list(DEMO_USERS)
