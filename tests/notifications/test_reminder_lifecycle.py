"""One task through its whole life, day by day with `tracker remind --as-of`, delivered to a
real SMTP server: each email arrives once, at the right person, saying the right thing."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import Role
from tracker.tasks.services import mark_done
from tracker.workdays import add_working_days, working_days_between

DEADLINE = date(2025, 3, 26)  # a Wednesday with no holiday near it


@pytest.fixture
def office(clock, make_department, make_user, make_task):
    # The clock's day is after every --as-of day of these tests (`remind` refuses a future one).
    director = make_user(Role.MANAGER, name="Director Davtyan", email="director@example.am")
    root = make_department("Administration", head=director)
    head = make_user(Role.MANAGER, name="Karen Baghishyan", email="head@example.am")
    digital = make_department("Digital", parent=root, head=head)
    director.department = root
    head.department = digital
    officer = make_user(
        Role.OFFICER,
        department=digital,
        name="Անի Սարգսյան",
        email="ani@example.am",
        language="hy",
    )
    db.session.commit()
    task = make_task(
        officer,
        title="Concept for electronic applications",
        deadline=DEADLINE,
        deadline_text="մինչև 2025 թվականի մարտի 31-ը",
    )
    return {"task": task, "officer": officer, "head": head, "director": director}


def remind(runner, day: date) -> str:
    result = runner.invoke(args=["remind", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_task_from_first_reminder_to_done(runner, mail_to, office) -> None:
    smtp = mail_to
    task_id = office["task"].id
    seven_before = add_working_days(DEADLINE, -7)
    one_before = add_working_days(DEADLINE, -1)
    first_overdue = date(2025, 3, 27)
    level_1 = date(2025, 3, 31)
    level_2 = date(2025, 4, 9)
    assert (seven_before, one_before) == (date(2025, 3, 17), date(2025, 3, 25))
    assert working_days_between(DEADLINE, level_1) == 3
    assert working_days_between(DEADLINE, level_2) == 10

    # (day, who gets a new email, what its text must say)
    timeline = [
        (date(2025, 3, 14), [], None),
        (seven_before, ["ani@example.am"], "ՄՈՏԵՑՈՂ ԺԱՄԿԵՏՆԵՐ"),
        (date(2025, 3, 18), [], None),
        (one_before, ["ani@example.am"], "ՄՈՏԵՑՈՂ ԺԱՄԿԵՏՆԵՐ"),
        (DEADLINE, ["ani@example.am"], "ժամկետը այսօր է"),
        (first_overdue, ["ani@example.am"], "1 օր ուշացում"),
        (date(2025, 3, 28), [], None),
        (level_1, ["head@example.am"], "OVERDUE in your department"),
        (date(2025, 4, 3), ["ani@example.am"], "8 օր ուշացում"),  # the weekly repeat
        (level_2, ["director@example.am"], "OVERDUE in your department"),
    ]
    for day, recipients, expected_text in timeline:
        before = len(smtp.messages)
        remind(runner, day)
        new = smtp.messages[before:]
        assert sorted(message["To"] for message in new) == recipients, day
        for message in new:
            assert expected_text is not None
            assert "Concept for electronic applications" in text_of(message)
            assert expected_text in text_of(message), day
            assert f"http://tracker.test/tasks/{task_id}" in text_of(message)
        # A rerun of the same day sends nothing new.
        remind(runner, day)
        assert len(smtp.messages) == before + len(new), f"rerun of {day} sent again"

    escalation = smtp.to("head@example.am")[0]
    body = text_of(escalation)
    assert "Owners: Անի Սարգսյան" in body
    assert "5 days overdue" in body
    assert "/tasks/action/" not in body  # managers get the task link, not the owner's actions
    assert escalation["Subject"] == "Follow-up Tracker: 1 overdue, 0 due soon"

    reminder = smtp.to("ani@example.am")[0]
    assert reminder["Subject"].startswith("Առաջարկությունների հսկողություն")
    assert "/tasks/action/" in text_of(reminder)  # mark done / ask for more time
    assert reminder.get_body(preferencelist=("html",)) is not None
    assert reminder["Message-ID"].startswith("<digest.20250317.")

    mark_done(office["task"], office["officer"], "Approved by the Governor's order.")
    db.session.commit()
    before = len(smtp.messages)
    for day in (date(2025, 4, 10), date(2025, 4, 17), date(2025, 5, 12)):
        remind(runner, day)
    assert len(smtp.messages) == before


def test_missed_days_are_caught_up_once(runner, mail_to, office) -> None:
    smtp = mail_to
    # The server was down from before the deadline until level 2 was due.
    remind(runner, date(2025, 4, 9))
    assert sorted(message["To"] for message in smtp.messages) == [
        "ani@example.am",
        "director@example.am",
        "head@example.am",
    ]
    remind(runner, date(2025, 4, 9))
    assert len(smtp.messages) == 3
    # The next day only the weekly overdue repeat is new (27 March + 14 days).
    remind(runner, date(2025, 4, 10))
    assert [message["To"] for message in smtp.messages[3:]] == ["ani@example.am"]


def test_weekends_and_holidays_send_nothing(runner, mail_to, office) -> None:
    for day in (date(2025, 3, 29), date(2025, 3, 30), date(2025, 5, 1), date(2025, 5, 9)):
        assert "0 notification(s)" in remind(runner, day)
    assert mail_to.messages == []


def test_a_moved_deadline_starts_a_fresh_set(runner, mail_to, office) -> None:
    from tracker.tasks.services import change_deadline

    remind(runner, DEADLINE)
    assert len(mail_to.messages) == 1
    change_deadline(office["task"], office["head"], date(2025, 4, 30), "More time granted.")
    db.session.commit()
    remind(runner, add_working_days(date(2025, 4, 30), -1))
    assert len(mail_to.messages) == 2
    assert "30 ապր, 2025" in text_of(mail_to.messages[-1])


def test_reminders_can_be_switched_off_but_not_overdue_notices(runner, mail_to, office) -> None:
    office["officer"].wants_reminders = False
    db.session.commit()
    remind(runner, add_working_days(DEADLINE, -7))
    remind(runner, DEADLINE)
    assert mail_to.messages == []
    remind(runner, date(2025, 3, 27))
    assert [message["To"] for message in mail_to.messages] == ["ani@example.am"]


def test_dry_run_prints_and_writes_nothing(runner, mail_to, office) -> None:
    result = runner.invoke(args=["remind", "--as-of", "2025-03-31", "--dry-run"])
    assert result.exit_code == 0
    assert "2 notification(s) would be planned, in 2 email(s)." in result.output
    assert "head@example.am" in result.output
    assert mail_to.messages == []
    remind(runner, date(2025, 3, 31))
    assert len(mail_to.messages) == 2


def test_json_output(runner, mail_to, office) -> None:
    import json

    result = runner.invoke(args=["remind", "--as-of", "2025-03-31", "--json"])
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2025-03-31"
    kinds = sorted((n["kind"], n["level"], n["recipients"][0]) for n in payload["notifications"])
    assert kinds == [("escalation", 1, "head@example.am"), ("overdue", 0, "ani@example.am")]
    assert payload["delivery"]["sent"] == 2


def test_a_bad_date_is_one_line_and_status_2(runner) -> None:
    result = runner.invoke(args=["remind", "--as-of", "31.03.2025"])
    assert result.exit_code == 2
    assert result.output.strip() == "Error: --as-of '31.03.2025' is not a date (YYYY-MM-DD)"
