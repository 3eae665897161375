"""Demo data: a small regional administration with one user per role, the sample trip
reports imported (most confirmed, two waiting for review), and tasks of its own whose
deadlines are set relative to the day the demo is loaded (the clock's today), so the
dashboard, the reminders and the escalations have something to show on any day.

Loading it twice changes nothing (departments and users are matched by name and email,
reports by their content, the demo's own tasks by their title), except that demo passwords
are set back to the printed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from tracker.admin.services import create_user, save_department
from tracker.auth.services import find_user_by_email, hash_password
from tracker.dashboard.trend_store import keep_closed_months
from tracker.extensions import db
from tracker.i18n import DEFAULT_LANGUAGE, org_today
from tracker.models import Task, TaskStatus, User, utcnow
from tracker.reports.parsing import parse_report
from tracker.reports.services import content_hash, find_by_hash, import_report
from tracker.tasks.services import add_progress, create_task, mark_done, request_extension
from tracker.tasks.verification import accept

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
    # Shown beside the name where a reviewer chooses owners.
    position: str | None = None


DEMO_USERS = (
    DemoUser(
        "admin@demo.am",
        "Վարդան Գրիգորյան",
        "admin",
        ROOT,
        "demo-admin",
        position="Աշխատակազմի ղեկավար",
    ),
    DemoUser(
        "staff@demo.am",
        "Նարինե Մկրտչյան",
        "staff",
        ROOT,
        "demo-staff",
        position="Քարտուղարության գլխավոր մասնագետ",
    ),
    DemoUser(
        "manager@demo.am",
        "Կարեն Բաղիշյան",
        "manager",
        DEVELOPMENT,
        "demo-manager",
        position="Զարգացման ծրագրերի բաժնի պետ",
    ),
    DemoUser(
        "officer@demo.am",
        "Անի Սարգսյան",
        "officer",
        DIGITAL,
        "demo-officer",
        position="Թվային զարգացման բաժնի գլխավոր մասնագետ",
    ),
    DemoUser(
        "lilit@demo.am",
        "Լիլիթ Հովհաննիսյան",
        "officer",
        COOPERATION,
        "demo-officer",
        position="Միջազգային համագործակցության բաժնի առաջատար մասնագետ",
    ),
    DemoUser(
        "armen@demo.am",
        "Արմեն Հակոբյան",
        "manager",
        COOPERATION,
        "demo-manager",
        position="Միջազգային համագործակցության բաժնի պետ",
    ),
    DemoUser(
        "gohar@demo.am",
        "Gohar Petrosyan",
        "officer",
        COOPERATION,
        "demo-officer",
        "en",
        position="Միջազգային համագործակցության բաժնի մասնագետ",
    ),
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


@dataclass(frozen=True)
class DemoTask:
    """A task of the demo's own, its dates in days from the day the demo is loaded:
    `due` the deadline, `done` the completion (None: still open)."""

    title: str
    owner: str
    due: int
    done: int | None = None
    progress: str | None = None
    # Reported done that many days ago and still awaiting acceptance (its `done` is None).
    awaiting: int | None = None
    # The owner asked for a deadline this many days later than `due`; nobody decided yet.
    asks_more: int | None = None


# Open ones due soon and overdue by days, weeks and months (every aging bucket, both
# escalation levels, for the registry and for manager@demo.am's departments), and done
# ones, early, on time and late, this month and in the last months.
DEMO_TASKS = (
    DemoTask("Թարմացնել մարզի զբոսաշրջային քարտեզը պաշտոնական կայքում", "officer@demo.am", 2),
    DemoTask(
        "Ներկայացնել միջազգային դրամաշնորհային հայտի նախագիծը",
        "lilit@demo.am",
        6,
        progress="Հայտի առաջին տարբերակը պատրաստ է, սպասում ենք գործընկերների կարծիքին։",
    ),
    DemoTask("Պատրաստել համայնքների թվայնացման ճանապարհային քարտեզը", "manager@demo.am", 12),
    DemoTask("Send the draft memorandum of cooperation to the partners", "gohar@demo.am", -3),
    DemoTask("Ամփոփել բիզնես ֆորումի մասնակիցների առաջարկները", "manager@demo.am", -6),
    DemoTask("Ներդնել էլեկտրոնային հերթի համակարգը սպասարկման կենտրոնում", "officer@demo.am", -25),
    DemoTask("Արդիականացնել մարզպետարանի փաստաթղթաշրջանառության համակարգը", "officer@demo.am", -60),
    DemoTask("Կազմակերպել գործընկեր քաղաքի պատվիրակության այցը Գյումրի", "lilit@demo.am", -50),
    DemoTask("Զեկուցել մարզպետին միջազգային ծրագրերի ընթացքի մասին", "armen@demo.am", -120),
    DemoTask("Հրապարակել մարզի ներդրումային անձնագիրը", "officer@demo.am", 4, done=0),
    DemoTask("Translate the region presentation booklet into English", "gohar@demo.am", -5, done=0),
    DemoTask(
        "Անցկացնել աշխատաժողով համայնքների աշխատակիցների համար", "manager@demo.am", -30, done=-33
    ),
    DemoTask("Կազմել գործընկեր քաղաքների կոնտակտների ցանկը", "lilit@demo.am", -65, done=-70),
    DemoTask("Ներկայացնել եռամսյակային հաշվետվությունը", "armen@demo.am", -45, done=-38),
    # Something for the managers to decide: a task awaiting acceptance, a request for more time.
    DemoTask("Թարգմանել ներդրումային ուղեցույցը անգլերեն", "officer@demo.am", 9, awaiting=-2),
    DemoTask(
        "Համաձայնեցնել ամառային դպրոցի ծրագիրը գործընկերների հետ",
        "lilit@demo.am",
        5,
        asks_more=21,
    ),
)
DEMO_EXTENSION_REASON = "Գործընկերները պատասխանը կտան ամսվա վերջին։"
DEMO_TASK_NOTE = "Կատարված է։"


def _moment(day: date) -> datetime:
    """Ten in the morning UTC of `day` (two in the afternoon in Yerevan)."""
    return datetime.combine(day, time(10), tzinfo=UTC)


def _finish(task: Task, owner: User, staff: User, note: str, now: datetime | None = None) -> None:
    """The owner reports it done; with verification on, staff accept it at once, so the
    demo's finished tasks are done (its figures count them)."""
    mark_done(task, owner, note, now=now)
    if task.status is TaskStatus.AWAITING_ACCEPTANCE:
        accept(task, staff, now=now)


def _ensure_demo_tasks(users: dict[str, User], staff: User, today: date) -> None:
    titles = {spec.title for spec in DEMO_TASKS}
    existing = set(
        db.session.scalars(
            select(Task.title).where(Task.report_id.is_(None), Task.title.in_(titles))
        )
    )
    for spec in DEMO_TASKS:
        if spec.title in existing:
            continue
        owner = users[spec.owner]
        deadline = today + timedelta(days=spec.due)
        created = today + timedelta(days=min(spec.due, spec.done or 0) - 30)
        task = create_task(
            spec.title,
            [owner],
            actor=staff,
            deadline=deadline,
            expected_result="Արդյունքը ներկայացված է մարզպետին։",
            now=_moment(created),
        )
        if spec.progress:
            add_progress(task, owner, spec.progress, now=_moment(created + timedelta(days=10)))
        if spec.done is not None:
            finished = utcnow() if spec.done == 0 else _moment(today + timedelta(days=spec.done))
            _finish(task, owner, staff, DEMO_TASK_NOTE, now=finished)
        if spec.awaiting is not None:
            mark_done(
                task, owner, DEMO_TASK_NOTE, now=_moment(today + timedelta(days=spec.awaiting))
            )
        if spec.asks_more is not None:
            request_extension(
                task,
                owner,
                deadline + timedelta(days=spec.asks_more),
                DEMO_EXTENSION_REASON,
                now=_moment(today - timedelta(days=1)),
            )


def _ensure_user(spec: DemoUser) -> User:
    user = find_user_by_email(spec.email)
    if user is None:
        user = create_user(
            spec.email,
            spec.name,
            spec.role,
            spec.password,
            department=spec.department,
            language=spec.language,
        )
    else:
        user.password_hash = hash_password(spec.password)
        user.active = True
    user.position = spec.position
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
                _finish(
                    task, task.owners[0], staff, "Reported to the Governor at the weekly meeting."
                )
    db.session.flush()
    _ensure_demo_tasks(users, staff, org_today())
    db.session.flush()
    # The dashboard's trend reads its closed months kept, as the scheduler keeps them.
    keep_closed_months(org_today(), current_app.config["TRACKER_TIMEZONE"])
    return list(DEMO_USERS)
