"""Armenian everywhere the user reads (#10 item 1).

Every page each role opens, a form sent back with errors, and every email, rendered for people
whose language is Armenian: once the tags, the people's names, the tasks' titles, the report's
own text and the addresses are taken out, no English word may remain. The test data is
Armenian, so what is left is the interface's own wording.
"""

from __future__ import annotations

import html as html_module
import io
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import TODAY
from tests.reports.conftest import SAMPLES
from tests.reports.test_report_pages import review_form
from tracker.action_links import Action, ActionLinkSigner
from tracker.extensions import db
from tracker.models import (
    Department,
    ExtensionRequest,
    OutboxMessage,
    Report,
    Role,
    Task,
    TaskComment,
    TaskEvent,
    User,
    utcnow,
)
from tracker.notifications.event_mail import mail_due_notices
from tracker.notifications.plan_errors import TaskPlanError, admin_alerts
from tracker.tasks.changes import HandMadeTask, Wording, change_owners, create_by_hand, edit_task
from tracker.tasks.changes import reopen as reopen_task
from tracker.tasks.comments import add_comment
from tracker.tasks.extensions import approve, refuse
from tracker.tasks.services import (
    add_progress,
    cancel,
    change_deadline,
    mark_done,
    request_extension,
)
from tracker.tasks.verification import return_task

# Latin words that may stay in the Armenian interface, each for a reason:
ALLOWED = {
    "csv",  # the export formats and the email's HTML part, named as the files are
    "xlsx",
    "html",
    "txt",  # the report files the upload takes (.txt, .docx, .doc, .pdf)
    "docx",
    "doc",
    "pdf",
    "utf",  # the text encoding a text report must be saved in (UTF-8)
    "eng",  # the language switcher names each language in itself
    "english",
    "ctrl",  # the keys a person holds to choose several owners, as printed on keyboards
    "mac",
}
# Names a person must recognise as they are: the calendar apps, an email header, the
# setting an administrator sets.
PROPER_NAMES = ["Google Calendar", "Outlook", "Message-ID", "MAIL_SERVER"]
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
ADDRESS = re.compile(r"https?://\S+|[\w.+-]+@[\w.-]+|/[\w./-]+\.(?:ics|csv|xlsx)")

SAMPLE = SAMPLES / "hy-vilnius-2025-02.txt"
# A report read with doubts: its warnings are listed on its pages.
DOUBTFUL_SAMPLE = SAMPLES / "hy-tbilisi-2024-07.txt"


def english_words(text: str, data: list[str]) -> list[str]:
    """The Latin words of the page or email, without markup, the given data and addresses."""
    text = html_module.unescape(TAG.sub(" ", text))
    for value in sorted([*data, *PROPER_NAMES], key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    text = ADDRESS.sub(" ", text)
    return sorted({word for word in LATIN_WORD.findall(text) if word.lower() not in ALLOWED})


@pytest.fixture
def people(make_department, make_user) -> dict[str, User]:
    root = make_department("Զարգացման վարչություն")
    digital = make_department("Թվային բաժին", parent=root)
    manager = make_user(Role.MANAGER, department=digital, name="Կարեն Բաղիշյան", language="hy")
    digital.head = manager
    db.session.commit()
    return {
        "admin": make_user(Role.ADMIN, department=root, name="Վարդան Ադամյան", language="hy"),
        "staff": make_user(Role.STAFF, department=root, name="Նարինե Մկրտչյան", language="hy"),
        "manager": manager,
        "officer": make_user(Role.OFFICER, department=digital, name="Անի Սարգսյան", language="hy"),
    }


def user_data(app: Flask) -> list[str]:
    """Whatever the people typed or the report says: shown as it is, not translated."""
    values: list[str] = []
    for user in db.session.scalars(select(User)):
        values += [user.name, user.email, user.position or ""]
    for department in db.session.scalars(select(Department)):
        values.append(department.name)
    for task in db.session.scalars(select(Task)):
        values += [task.title, task.deadline_text or "", task.expected_result or ""]
        values += [task.method or "", task.description, task.source_note or ""]
    for event in db.session.scalars(select(TaskEvent)):
        values += [event.note or "", event.old_value or "", event.new_value or ""]
    for comment in db.session.scalars(select(TaskComment)):
        values += [comment.body, comment.attachment_filename or ""]
    for report in db.session.scalars(select(Report)):
        values += [report.source_filename, report.text]
        values += [line for line in report.text.splitlines() if line.strip()]
    for message in db.session.scalars(select(OutboxMessage)):
        values += [message.last_error or ""]
    return values


def test_every_page_form_error_and_email_is_armenian(
    app: Flask, client, runner, people, make_task, clock
) -> None:
    officer, manager = people["officer"], people["manager"]
    due_today = make_task(officer, title="Թվային ծառայությունների հայեցակարգ", deadline=TODAY)
    overdue = make_task(officer, title="Երիտասարդական փոխանակում", deadline=date(2026, 5, 4))
    add_progress(due_today, officer, "Նախագիծը պատրաստ է։")
    change_deadline(overdue, manager, date(2026, 5, 29), "Համաձայնեցված է։")
    request_extension(due_today, officer, date(2026, 7, 31), "Անհրաժեշտ է լրացուցիչ ժամանակ։")
    # Tasks made by hand (#11 item 7), edited, reassigned, reopened, and one left cancelled:
    # their history lines, the change panel and the reopen panel.
    made, closed = (
        create_by_hand(
            people["staff"],
            HandMadeTask(
                Wording(title=title, expected_result="Կազմակերպված տոնավաճառ"),
                [officer],
                "Խորհրդի 2026 թվականի մարտի 3-ի նիստ",
                deadline=date(2026, 5, 20),
            ),
        )
        for title in ("Զբոսաշրջության տոնավաճառ", "Մշակութային փառատոն")
    )
    edit_task(made, manager, Wording(title=made.title, description="Երեք համայնքների համար։"))
    change_owners(made, manager, [officer, manager])
    cancel(made, manager, "Հետաձգված է։")
    reopen_task(made, manager, "Կրկին անհրաժեշտ է։", deadline=date(2026, 9, 30))
    cancel(closed, people["staff"], "Այլևս անհրաժեշտ չէ։")
    # The discussion (#11 item 6): a comment, told to the owner in the event email.
    add_comment(due_today, manager, "Խնդրում եմ կցել արձանագրությունը։")
    # More time and verification (#11 items 1, 3): due_today's request stays pending (the
    # requests list, the decision forms); one approved, one refused, and a task reported
    # done once, returned, reported again and awaiting acceptance.
    approved, refused_more_time, awaiting = (
        make_task(officer, title=title, deadline=date(2026, 6, 20))
        for title in ("Մարզի քարտեզ", "Տեղեկատու գրքույկ", "Համայնքների կայքեր")
    )
    for task in (approved, refused_more_time):
        request_extension(task, officer, date(2026, 8, 31), "Սպասում ենք նախարարությանը։")
    db.session.flush()
    for decide, task in ((approve, approved), (refuse, refused_more_time)):
        (waiting,) = db.session.scalars(
            select(ExtensionRequest).where(ExtensionRequest.task_id == task.id)
        )
        decide(waiting, manager, "Համաձայն եմ։")
    mark_done(awaiting, officer, "Կայքերը թարմացված են։")
    return_task(awaiting, manager, "Կցեք հղումները։")
    mark_done(awaiting, officer, "Հղումները կցված են։")
    db.session.commit()
    # A report read and saved with an edited title: an "edited" event in a task's history.
    client.login(people["staff"].email)
    review_url, doubtful_review = (
        client.post(
            "/reports/upload",
            data={
                "csrf_token": client.csrf_token("/reports/upload"),
                "file": (io.BytesIO(sample.read_bytes()), sample.name),
            },
            content_type="multipart/form-data",
        ).headers["Location"]
        for sample in (SAMPLE, DOUBTFUL_SAMPLE)
    )
    form = review_form(client.get(review_url).get_data(as_text=True))
    form["rows-0-title"] = "Սեմինար համայնքների ղեկավարների համար"
    assert client.submit(review_url, {**form, "save": "y"}).status_code == 302
    client.post("/logout", data={"csrf_token": client.csrf_token("/settings")})
    report = db.session.scalars(select(Report).order_by(Report.id)).first()
    assert report is not None
    drafted = report.tasks[0]
    # Reminders, overdue notices and escalations (the digest emails), and an admins' alert.
    assert runner.invoke(args=["remind", "--as-of", TODAY.isoformat()]).exit_code == 0
    # The event emails (#11 item 5), once their window has closed.
    assert mail_due_notices(utcnow() + timedelta(minutes=10)) >= 2
    errors = [TaskPlanError(overdue.id, "ValueError: year 202 is out of range")]
    for message in admin_alerts(
        errors, TODAY, [people["admin"]], base_url="http://tracker.test", sender_domain="x.test"
    ):
        db.session.add(message)
    db.session.commit()

    found: dict[str, list[str]] = {}

    def check(what: str, text: str) -> None:
        words = english_words(text, [*user_data(app), "ValueError: year 202 is out of range"])
        if words:
            found[what] = words

    # Every email, as written into the outbox (all recipients read Armenian).
    messages = list(db.session.scalars(select(OutboxMessage)))
    kinds = {message.message_id.split(".")[0] for message in messages}
    assert len(messages) >= 4, kinds
    assert "<events" in kinds, kinds
    for message in messages:
        assert message.language == "hy"
        check(f"email {message.subject}", message.subject)
        check(f"email text {message.subject}", message.body_text)
        check(f"email html {message.subject}", message.body_html or "")

    doubtful = doubtful_review.removesuffix("/review")
    pending_request_id = db.session.scalars(
        select(ExtensionRequest.id).where(ExtensionRequest.task_id == due_today.id)
    ).one()
    report_pages = [
        f"/reports/{report.id}",
        f"/reports/{report.id}/review",
        f"/reports/{report.id}/discard",
        f"/reports/{report.id}/recommendations/new",
        doubtful,
        doubtful_review,
        "/reports/upload",
    ]
    task_pages = [
        f"/tasks/{due_today.id}",
        f"/tasks/{overdue.id}",
        f"/tasks/{drafted.id}",
        *(f"/tasks/{task.id}" for task in (approved, refused_more_time, awaiting)),
    ]
    change_pages = ["/tasks/new", f"/tasks/{made.id}", f"/tasks/{closed.id}"]
    # The pages the links in the reminder emails open.
    signer = ActionLinkSigner(app.config["SECRET_KEY"])
    action_pages = [
        "/tasks/action/" + signer.make(due_today.id, officer.id, action)
        for action in (Action.DONE, Action.EXTEND)
    ]
    pages = {
        "admin": [
            "/tasks",
            "/tasks?scope=all",
            *task_pages,
            *change_pages,
            "/dashboard",
            "/dashboard?status=all",
            "/dashboard/trends",
            "/reports",
            *report_pages,
            "/settings",
            "/notifications",
            "/tasks/requests",
            "/admin/users",
            "/admin/departments",
            "/admin/outbox",
            *(f"/admin/outbox/{message.id}" for message in messages),
            "/admin/policy",
            "/admin/audit",
            "/reports/progress",
            "/reports/progress?kind=period&period=2026",
            "/reports/progress?period=2026-13",
        ],
        "staff": [
            "/tasks",
            "/tasks?scope=all",
            *task_pages,
            *change_pages,
            "/dashboard",
            "/dashboard/trends",
            "/reports",
            *report_pages,
            "/settings",
            "/notifications",
            "/tasks/requests",
        ],
        "manager": [
            "/tasks",
            "/tasks?scope=all",
            *task_pages[:2],
            *task_pages[3:],
            *change_pages,
            "/dashboard",
            "/dashboard/trends",
            "/settings",
            "/notifications",
            "/tasks/requests",
            "/reports/progress",
        ],
        "officer": [
            "/tasks",
            *task_pages[:2],
            *task_pages[3:],
            "/settings",
            "/notifications",
            "/nowhere",
            *action_pages,
        ],
    }
    # Before signing in: the login page, and its form sent back empty.
    check("anonymous /login", client.get("/login").get_data(as_text=True))
    empty_login = client.submit("/login", {"email": "", "password": ""})
    assert 'class="error"' in empty_login.get_data(as_text=True)
    check("anonymous login form", empty_login.get_data(as_text=True))
    # Too many wrong passwords (#12): the page that says how long to wait.
    for _ in range(5):
        assert client.login("nobody@example.am", "wrong password").status_code == 401
    throttled = client.login("nobody@example.am", "wrong password")
    assert throttled.status_code == 429
    check("throttled login", throttled.get_data(as_text=True))
    for role, urls in pages.items():
        client.login(people[role].email)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (role, url, response.status_code)
            check(f"{role} {url}", response.get_data(as_text=True))
        client.post("/logout", data={"csrf_token": client.csrf_token("/settings")})

    # Forms sent back with errors: WTForms' and our own messages.
    client.login(people["admin"].email)
    refused = {
        "empty note": client.submit(
            f"/tasks/{due_today.id}/done", {"note": ""}, page=f"/tasks/{due_today.id}"
        ),
        "bad link": client.submit(
            f"/tasks/{due_today.id}/done",
            {"note": "Արված է", "evidence_url": "ոչ հղում"},
            page=f"/tasks/{due_today.id}",
        ),
        # The admin's form asks no password since invitations (#12): a missing name instead.
        "user without a name": client.submit(
            "/admin/users",
            {"email": "նոր@օրինակ.հայ", "name": "", "role": "officer", "language": "hy"},
        ),
        "bad date": client.submit(
            f"/tasks/{overdue.id}/deadline",
            {"deadline": "2026-02-30", "reason": "Պատճառ"},
            page=f"/tasks/{overdue.id}",
        ),
        "not a report": client.post(
            "/reports/upload",
            data={
                "csrf_token": client.csrf_token("/reports/upload"),
                "file": (io.BytesIO("Բարև, սա նամակ է։".encode()), "նամակ.txt"),
            },
            content_type="multipart/form-data",
        ),
        "no file": client.submit("/reports/upload", {}),
        "new task empty": client.submit("/tasks/new", {"deadline": "2026-02-30"}),
        "empty comment": client.submit(
            f"/tasks/{due_today.id}/comments", {"body": ""}, page=f"/tasks/{due_today.id}"
        ),
        "edit without a title": client.submit(
            f"/tasks/{made.id}/edit", {"title": ""}, page=f"/tasks/{made.id}"
        ),
        "reopen without a reason": client.submit(
            f"/tasks/{closed.id}/reopen", {"reason": ""}, page=f"/tasks/{closed.id}"
        ),
        "confirm without owners": client.post(
            doubtful_review,
            data={
                **review_form(client.get(doubtful_review).get_data(as_text=True)),
                "confirm": "y",
            },
        ),
        "recommendation without a title": client.submit(
            f"/reports/{report.id}/recommendations/new", {"title": ""}
        ),
        "refusing more time without a reason": client.submit(
            f"/tasks/requests/{pending_request_id}/refuse",
            {"reason": "", "back": "requests"},
            page="/tasks/requests",
        ),
        "refusing on the task page without a reason": client.submit(
            f"/tasks/requests/{pending_request_id}/refuse",
            {"reason": ""},
            page=f"/tasks/{due_today.id}",
        ),
        "returning without a reason": client.submit(
            f"/tasks/{awaiting.id}/return", {"reason": ""}, page=f"/tasks/{awaiting.id}"
        ),
    }
    client.post("/logout", data={"csrf_token": client.csrf_token("/settings")})
    client.login(officer.email)
    refused["link without a note"] = client.submit(action_pages[0], {"note": ""})
    refused["asking for more time without a date"] = client.submit(
        f"/tasks/{overdue.id}/extension",
        {"deadline": "", "reason": ""},
        page=f"/tasks/{overdue.id}",
    )
    for what, response in refused.items():
        assert response.status_code in (200, 400), (what, response.status_code)
        body = response.get_data(as_text=True)
        assert 'class="error"' in body, what
        check(f"form {what}", body)

    client.post("/logout", data={"csrf_token": client.csrf_token("/settings")})

    # What the issue saw in English: the history's field names and values, the exports'
    # statuses, the outbox's short dates.
    client.login(people["admin"].email)
    history = client.get(f"/tasks/{drafted.id}").get_data(as_text=True)
    assert "«Առաջարկություն» դաշտը" in history
    assert "Սեմինար համայնքների ղեկավարների համար" in history
    made_page = client.get(f"/tasks/{made.id}").get_data(as_text=True)
    assert "«Նկարագրություն» դաշտը" in made_page
    assert "վերաբացեց առաջադրանքը" in made_page
    assert "Աղբյուրը" in made_page and "Խորհրդի 2026 թվականի մարտի 3-ի նիստ" in made_page
    exported = client.get("/dashboard/export.csv?status=all").get_data(as_text=True)
    assert ",Բաց," in exported and ",open," not in exported
    assert "պատասխանատու նշված չէ" in client.get(doubtful).get_data(as_text=True)
    notified = client.get(f"/tasks/{due_today.id}").get_data(as_text=True)
    assert "Քննարկում" in notified and "Խնդրում եմ կցել արձանագրությունը։" in notified
    requests_page = client.get("/tasks/requests").get_data(as_text=True)
    assert "Խնդրանքներ (1)" in requests_page and "Հաստատել" in requests_page
    assert "տրամադրեց լրացուցիչ ժամանակ" in client.get(f"/tasks/{approved.id}").get_data(
        as_text=True
    )
    awaiting_page = client.get(f"/tasks/{awaiting.id}").get_data(as_text=True)
    assert "Սպասում է ընդունման" in awaiting_page and "Ընդունել որպես կատարված" in awaiting_page
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert re.search(r"\d+ հնս, 2026 թ\., \d\d:\d\d", outbox), "the outbox's dates"

    assert not found, "English in the Armenian interface:\n" + "\n".join(
        f"  {where}: {', '.join(words)}" for where, words in found.items()
    )


def test_absences_pages_and_the_substitutes_email_are_armenian(
    app: Flask, client, runner, people, make_task, clock
) -> None:
    """#12 item 6: the absences section of the settings page, its own page sent back with an
    error, the admin's page, and a digest received as a substitute."""
    from tracker.auth.absences import set_absence

    officer, staff = people["officer"], people["staff"]
    make_task(officer, title="Թվային ծառայությունների հայեցակարգ", deadline=TODAY)
    set_absence(
        officer,
        officer,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=14),
        substitute=staff,
        note="Արձակուրդ",
        today=TODAY,
    )
    db.session.commit()
    assert runner.invoke(args=["remind", "--as-of", TODAY.isoformat()]).exit_code == 0
    (email,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == staff.id)
    ).all()
    assert "որպես փոխարինող՝ Անի Սարգսյան" in email.body_text

    found: dict[str, list[str]] = {}

    def check(what: str, text: str) -> None:
        words = english_words(text, [*user_data(app), "Արձակուրդ"])
        if words:
            found[what] = words

    check("substitute's email text", email.body_text)
    check("substitute's email html", email.body_html or "")
    check("substitute's email subject", email.subject)
    client.login(officer.email)
    settings = client.get("/settings").get_data(as_text=True)
    assert "Բացակայություններ" in settings and "Արձակուրդ" in settings
    check("officer /settings", settings)
    refused = client.submit(
        "/settings/absences",
        {"starts_on": "2026-07-10", "ends_on": "2026-07-01", "substitute": str(staff.id)},
        page="/settings",
    )
    assert refused.status_code == 400
    check("officer absence form", refused.get_data(as_text=True))
    client.post("/logout", data={"csrf_token": client.csrf_token("/settings")})
    client.login(people["admin"].email)
    admin_page = client.get(f"/admin/users/{officer.id}/absences")
    assert admin_page.status_code == 200
    check("admin absences page", admin_page.get_data(as_text=True))

    assert not found, "English in the Armenian interface:\n" + "\n".join(
        f"  {where}: {', '.join(words)}" for where, words in found.items()
    )


def test_department_pages_are_armenian(app: Flask, client, people, make_department) -> None:
    """#12 item 5: a department's own page, its forms sent back with errors, the officer-head
    warning and the removal's messages, for an Armenian admin."""
    digital = db.session.scalar(select(Department).where(Department.name == "Թվային բաժին"))
    assert digital is not None
    spare = make_department("Պահեստային բաժին")
    found: dict[str, list[str]] = {}

    def check(what: str, text: str) -> None:
        words = english_words(text, user_data(app))
        if words:
            found[what] = words

    client.login(people["admin"].email)
    page = f"/admin/departments/{digital.id}"
    check("department list", client.get("/admin/departments").get_data(as_text=True))
    check("department page", client.get(page).get_data(as_text=True))
    taken = client.submit(
        page, {"name": "Զարգացման վարչություն", "parent": "", "head": ""}, page=page
    )
    assert taken.status_code == 400
    check("rename to a taken name", taken.get_data(as_text=True))
    added_again = client.submit("/admin/departments", {"name": "Թվային բաժին"})
    assert added_again.status_code == 400
    check("adding a name that exists", added_again.get_data(as_text=True))
    not_empty = client.submit(f"{page}/remove", {"move_to": ""}, page=page)
    assert not_empty.status_code == 400
    check("removing without a target", not_empty.get_data(as_text=True))
    officer_head = client.submit(
        page,
        {
            "name": "Թվային բաժին",
            "parent": str(digital.parent_id),
            "head": str(people["officer"].id),
        },
        page=page,
        follow_redirects=True,
    )
    assert "flash-warning" in officer_head.get_data(as_text=True)
    check("officer as head", officer_head.get_data(as_text=True))
    removed = client.submit(
        f"{page}/remove", {"move_to": str(spare.id)}, page=page, follow_redirects=True
    )
    assert "հեռացվեց" in removed.get_data(as_text=True)
    check("removed", removed.get_data(as_text=True))

    assert not found, "English in the Armenian interface:\n" + "\n".join(
        f"  {where}: {', '.join(words)}" for where, words in found.items()
    )


def test_the_policy_and_audit_pages_are_armenian(app: Flask, client, people) -> None:
    """The reminder policy page, a refused change, the audit log with the change and an
    export in it, and the log's CSV: Armenian words only (#12 items 7, 8)."""
    client.login(people["admin"].email)
    typed = {
        "TRACKER_REMINDER_DAYS": "10,1",
        "TRACKER_OVERDUE_REPEAT_DAYS": "7",
        "TRACKER_ESCALATION_DAYS": "3,10",
        "TRACKER_REMINDER_HOUR": "8",
        "TRACKER_DIGEST_MAX_ITEMS": "50",
        "TRACKER_REQUIRE_ACCEPTANCE": "off",
        "TRACKER_ACCEPTANCE_DAYS": "5",
    }
    assert client.submit("/admin/policy", typed).status_code == 302
    refused = client.submit("/admin/policy", {**typed, "TRACKER_REMINDER_DAYS": "1,10"})
    assert refused.status_code == 400
    # Without arguments: an export's filters are the list's URL arguments, shown as they are.
    assert client.get("/dashboard/export.csv").status_code == 200
    pages = {
        "administration": client.get("/admin/").get_data(as_text=True),
        "policy page": client.get("/admin/policy").get_data(as_text=True),
        "refused policy": refused.get_data(as_text=True),
        "audit log": client.get("/admin/audit").get_data(as_text=True),
        "audit filtered": client.get(
            "/admin/audit?kind=policy_changed&start=2026-06-15&end=2026-06-01"
        ).get_data(as_text=True),
        # Streamed: read in the test's context (TrackerClient's own ends with the request).
        "audit csv": FlaskClient.open(client, "/admin/audit.csv").get_data(as_text=True),
    }
    assert "Պլանավորման ժամ: 9 → 8" in pages["audit log"]
    assert "Կատարման ստուգում: Միացված → Անջատված" in pages["audit log"]
    data = user_data(app)
    found = {where: english_words(text, data) for where, text in pages.items()}
    assert not any(found.values()), found


def test_account_pages_and_emails_are_armenian(app: Flask, client, people, make_task) -> None:
    """#12 item 1: the users list and an account's page, their refusals, the password pages
    (set from a link, forgot, change, each rule's refusal, a used or forged link), the
    dashboard's tasks without an active owner, and the invitation and reset emails."""
    from tests.conftest import PASSWORD, TrackerClient
    from tracker.auth.passwords import PasswordProblem

    admin, officer = people["admin"], people["officer"]
    make_task(officer, title="Թվային ծառայությունների հայեցակարգ", deadline=date(2026, 7, 1))
    found: dict[str, list[str]] = {}

    def check(what: str, text: str) -> None:
        words = english_words(text, user_data(app))
        if words:
            found[what] = words

    def visitor() -> TrackerClient:
        app.test_client_class = TrackerClient
        return app.test_client()  # type: ignore[return-value]

    client.login(admin.email)
    added = client.submit(
        "/admin/users",
        {
            "email": "gohar@example.am",
            "name": "Գոհար Մկրտչյան",
            "role": "officer",
            "language": "hy",
        },
    )
    assert added.status_code == 302
    check("user added", client.get(added.location).get_data(as_text=True))
    refused = client.submit(
        "/admin/users",
        {
            "email": "gohar@example.am",
            "name": "Գոհար Մկրտչյան",
            "role": "officer",
            "language": "hy",
        },
    )
    check("user exists", refused.get_data(as_text=True))
    page = f"/admin/users/{officer.id}"
    check("account page", client.get(page).get_data(as_text=True))
    edit_error = client.submit(
        page,
        {"name": officer.name, "email": admin.email, "role": "officer", "language": "hy"},
    )
    assert edit_error.status_code == 400
    check("account edit refused", edit_error.get_data(as_text=True))
    deactivated = client.submit(f"{page}/deactivate", {}, page=page)
    check("deactivated", client.get(deactivated.location).get_data(as_text=True))
    check("users list", client.get("/admin/users").get_data(as_text=True))
    dashboard = client.get("/dashboard/without-owner").get_data(as_text=True)
    assert "Առանց ակտիվ պատասխանատուի առաջադրանքներ" in dashboard
    check("dashboard without owner", dashboard)
    reactivated = client.submit(f"{page}/reactivate", {}, page=page)
    invited = client.submit(f"{page}/invite", {}, page=page)
    check("reactivated and invited", client.get(invited.location).get_data(as_text=True))
    assert reactivated.status_code == 302

    # The emails, in Armenian for their Armenian readers.
    reset = visitor()
    check("forgot page", reset.get("/password/forgot").get_data(as_text=True))
    asked = reset.submit("/password/forgot", {"email": officer.email})
    check("forgot answer", reset.get(asked.location).get_data(as_text=True))
    db.session.expire_all()
    emails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {m.to_address for m in emails} >= {"gohar@example.am", officer.email}
    for message in emails:
        check(f"email {message.subject}", message.subject + "\n" + message.body_text)
        check(f"email html {message.subject}", message.body_html)
    link = re.search(r"http://tracker\.test(/password/reset/\S+)", emails[-1].body_text)
    assert link is not None
    check("reset page", reset.get(link.group(1)).get_data(as_text=True))
    for problem, typed in {
        PasswordProblem.TOO_SHORT: "կարճ",
        PasswordProblem.COMMON: "qwertyuiop123",
        PasswordProblem.ONE_CHARACTER: "ա" * 14,
    }.items():
        answer = reset.submit(link.group(1), {"password": typed, "confirm": typed})
        check(f"reset refused: {problem}", answer.get_data(as_text=True))
    done = reset.submit(link.group(1), {"password": "գարնան անձրև", "confirm": "գարնան անձրևը"})
    check("passwords differ", done.get_data(as_text=True))
    done = reset.submit(
        link.group(1), {"password": "գարնանային անձրև", "confirm": "գարնանային անձրև"}
    )
    check("password set", reset.get(done.location).get_data(as_text=True))
    used = reset.get(link.group(1))
    assert used.status_code == 410
    check("used link", used.get_data(as_text=True))
    check("forged link", reset.get("/password/reset/forged").get_data(as_text=True))

    signed_in = visitor()
    signed_in.login(people["staff"].email)
    check("settings", signed_in.get("/settings").get_data(as_text=True))
    check("change page", signed_in.get("/settings/password").get_data(as_text=True))
    wrong = signed_in.submit(
        "/settings/password",
        {"current": "սխալ", "password": "գարնանային անձրև", "confirm": "գարնանային անձրև"},
    )
    check("wrong current password", wrong.get_data(as_text=True))
    changed = signed_in.submit(
        "/settings/password",
        {"current": PASSWORD, "password": "գարնանային անձրև", "confirm": "գարնանային անձրև"},
    )
    check("password changed", signed_in.get(changed.location).get_data(as_text=True))
    assert not found, "English in the Armenian interface:\n" + "\n".join(
        f"  {where}: {', '.join(words)}" for where, words in found.items()
    )
