from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.admin.services import find_department
from tracker.auth.services import authenticate, find_user_by_email
from tracker.extensions import db
from tracker.models import Role, User


def test_users_add_creates_a_user_who_can_sign_in(runner, make_department) -> None:
    make_department("Թվային զարգացման բաժին")
    result = runner.invoke(
        args=[
            "users",
            "add",
            "Ani@Example.am",
            "--name",
            "Անի Սարգսյան",
            "--role",
            "officer",
            "--department",
            "Թվային զարգացման բաժին",
            "--password",
            "a long secret passphrase",
            "--lang",
            "en",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Added officer Անի Սարգսյան <ani@example.am>." in result.output
    user = find_user_by_email("ani@example.am")
    assert user is not None and user.department is not None
    assert (user.role, user.language, user.department.name) == (
        Role.OFFICER,
        "en",
        "Թվային զարգացման բաժին",
    )
    assert authenticate("ani@example.am", "a long secret passphrase") == user


def test_users_add_without_password_prints_a_generated_one(runner) -> None:
    result = runner.invoke(args=["users", "add", "k@example.am", "--name", "K", "--role", "staff"])
    assert result.exit_code == 0
    password = result.output.split("Password: ")[1].strip()
    assert authenticate("k@example.am", password) is not None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--role", "boss"],
            "Error: Unknown role “boss”: use one of officer, manager, staff, admin.",
        ),
        (
            ["--role", "officer", "--department", "Nowhere"],
            "Error: There is no department named “Nowhere”.",
        ),
        (["--role", "officer", "--lang", "fr"], "Error: Unknown language “fr”: use hy or en."),
        (
            ["--role", "officer", "--password", "password1234"],
            "Error: This password is among the most common ones and is guessed first: "
            "choose another.",
        ),
        (
            ["--role", "officer", "--password", "short"],
            "Error: The password needs at least 12 characters: a few words in a row are "
            "easier to remember than symbols.",
        ),
    ],
)
def test_users_add_refuses_bad_arguments_in_one_line(runner, arguments, message) -> None:
    result = runner.invoke(args=["users", "add", "x@example.am", "--name", "X", *arguments])
    assert result.exit_code == 2
    assert result.output.strip() == message
    assert find_user_by_email("x@example.am") is None


def test_users_add_refuses_a_duplicate_email(runner, make_user) -> None:
    make_user(email="taken@example.am")
    result = runner.invoke(
        args=[
            "users",
            "add",
            "TAKEN@example.am",
            "--name",
            "Y",
            "--role",
            "officer",
        ]
    )
    assert result.exit_code == 2
    assert result.output.strip() == "Error: A user with the email taken@example.am already exists."


def test_users_add_without_a_role_is_a_usage_error(runner) -> None:
    result = runner.invoke(args=["users", "add", "x@example.am", "--name", "X"])
    assert result.exit_code == 2
    assert "Missing option '--role'" in result.output


def test_departments_add_creates_then_sets_head_and_parent(runner, make_user) -> None:
    head = make_user(Role.MANAGER, email="head@example.am")
    assert runner.invoke(args=["departments", "add", "Աշխատակազմ"]).exit_code == 0
    result = runner.invoke(args=["departments", "add", "Զարգացման բաժին"])
    assert result.output.strip() == "Created department Զարգացման բաժին."
    result = runner.invoke(
        args=[
            "departments",
            "add",
            "Զարգացման բաժին",
            "--head",
            "head@example.am",
            "--parent",
            "Աշխատակազմ",
        ]
    )
    assert result.exit_code == 0
    assert result.output.strip() == "Updated department Զարգացման բաժին."
    department = find_department("Զարգացման բաժին")
    assert department is not None
    assert department.head_id == head.id
    assert department.parent is not None
    assert department.parent.name == "Աշխատակազմ"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["Child", "--parent", "Nowhere"], "Error: There is no department named “Nowhere”."),
        (
            ["Child", "--head", "nobody@example.am"],
            "Error: There is no user with the email nobody@example.am.",
        ),
        (
            ["Root", "--parent", "Child"],
            "Error: “Child” is inside “Root”, so it cannot be its parent.",
        ),
    ],
)
def test_departments_add_refuses_bad_arguments_in_one_line(runner, arguments, message) -> None:
    runner.invoke(args=["departments", "add", "Root"])
    runner.invoke(args=["departments", "add", "Child", "--parent", "Root"])
    result = runner.invoke(args=["departments", "add", *arguments])
    assert result.exit_code == 2
    assert result.output.strip() == message


def test_demo_is_idempotent_and_prints_the_logins(runner) -> None:
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import Department, Task, User

    def counts() -> tuple[int, int, int]:
        return tuple(  # type: ignore[return-value]
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Department, User, Task)
        )

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    after_first = counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert counts() == after_first
    for role, email, password in [
        ("admin", "admin@demo.am", "demo-admin"),
        ("staff", "staff@demo.am", "demo-staff"),
        ("manager", "manager@demo.am", "demo-manager"),
        ("officer", "officer@demo.am", "demo-officer"),
    ]:
        line = next(line for line in second.output.splitlines() if email in line)
        assert role in line and password in line
        assert authenticate(email, password) is not None


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("ani@մարզպետարան..am", "ani@մարզպետարան..am"),
        ("ani@example.am\nBcc: all@example.am", "ani@example.am\\nBcc: all@example.am"),
        ("ani example@example.am", "ani example@example.am"),
        ("ani@localhost", "ani@localhost"),
        ("@example.am", "@example.am"),
    ],
)
def test_users_add_refuses_an_address_no_server_would_take(runner, address, shown) -> None:
    result = runner.invoke(args=["users", "add", address, "--name", "A", "--role", "officer"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: “{shown}” is not a valid email address: check it for typos such as spaces, "
        "two dots in a row or a missing part."
    )
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_users_add_takes_an_international_domain(runner) -> None:
    result = runner.invoke(
        args=["users", "add", "Ani@Մարզպետարան.am", "--name", "Ani", "--role", "officer"]
    )
    assert result.exit_code == 0, result.output
    user = find_user_by_email("ani@մարզպետարան.am")
    assert user is not None and user.email == "ani@մարզպետարան.am"
