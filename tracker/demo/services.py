"""Demo data: a small regional administration with one user per role and a few tasks.

Loading it twice changes nothing (departments and users are matched by name and email,
tasks by title), except that demo passwords are set back to the printed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from tracker.admin.services import create_user, save_department
from tracker.auth.services import find_user_by_email, hash_password
from tracker.extensions import db
from tracker.models import Task, TaskStatus, User
from tracker.tasks.services import create_task, mark_done

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
    language: str = "hy"


DEMO_USERS = (
    DemoUser("admin@demo.am", "Վարդան Գրիգորյան", "admin", ROOT, "demo-admin"),
    DemoUser("staff@demo.am", "Նարինե Մկրտչյան", "staff", ROOT, "demo-staff"),
    DemoUser("manager@demo.am", "Կարեն Բաղիշյան", "manager", DEVELOPMENT, "demo-manager"),
    DemoUser("officer@demo.am", "Անի Սարգսյան", "officer", DIGITAL, "demo-officer"),
    DemoUser("lilit@demo.am", "Լիլիթ Հովհաննիսյան", "officer", COOPERATION, "demo-officer"),
    DemoUser("armen@demo.am", "Արմեն Հակոբյան", "manager", COOPERATION, "demo-manager"),
    DemoUser("gohar@demo.am", "Gohar Petrosyan", "officer", COOPERATION, "demo-officer", "en"),
)

# (title, owner emails, days from today to the deadline or None, done?)
DEMO_TASKS = (
    ("Մշակել էլեկտրոնային դիմումների ընդունման հայեցակարգ", ["officer@demo.am"], -40, False),
    (
        "Կազմակերպել փորձի փոխանակման սեմինար համայնքների ղեկավարների համար",
        ["manager@demo.am"],
        -5,
        False,
    ),
    ("Թարմացնել կայքում հանրային ծառայությունների ցանկը", ["officer@demo.am"], 3, False),
    (
        "Կազմակերպել Գյումրու և Լիոնի երիտասարդների փոխանակում",
        ["lilit@demo.am", "armen@demo.am"],
        20,
        False,
    ),
    ("Set up a referral desk for returning migrants", ["gohar@demo.am"], -12, False),
    ("Report to the Governor on the Chisinau visit", ["gohar@demo.am"], -30, True),
    ("Պարբերաբար թարմացնել բնակիչների տեղեկատվական էջը", ["officer@demo.am"], None, False),
)


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


def load_demo(today: date) -> list[DemoUser]:
    """Create what is missing of the demo; returns the logins to print."""
    save_department(ROOT)
    save_department(DEVELOPMENT, parent=ROOT)
    save_department(DIGITAL, parent=DEVELOPMENT)
    save_department(COOPERATION, parent=ROOT)
    users = {spec.email: _ensure_user(spec) for spec in DEMO_USERS}
    save_department(ROOT, head_email="admin@demo.am")
    save_department(DEVELOPMENT, head_email="manager@demo.am")
    save_department(COOPERATION, head_email="armen@demo.am")

    existing = set(db.session.scalars(select(Task.title)))
    staff = users["staff@demo.am"]
    for title, owner_emails, days, done in DEMO_TASKS:
        if title in existing:
            continue
        owners = [users[email] for email in owner_emails]
        deadline = today + timedelta(days=days) if days is not None else None
        task = create_task(
            title,
            owners,
            actor=staff,
            deadline=deadline,
            deadline_text=None if deadline else "մշտապես",
            status=TaskStatus.OPEN,
        )
        if done:
            db.session.flush()
            mark_done(task, owners[0], "Done and reported.")
    db.session.flush()
    return [spec for spec in DEMO_USERS]
