import pytest

from tracker.auth.services import authenticate, safe_next_path


@pytest.mark.parametrize(
    "target",
    ["/tasks", "/tasks/3?closed=1", "/tasks/3#history", "/"],
)
def test_a_path_on_this_site_is_a_safe_next(target: str) -> None:
    assert safe_next_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/tasks",
        "//evil.example/tasks",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "tasks",
        "/tasks\r\nSet-Cookie: x=1",
        "ftp://evil.example",
    ],
)
def test_anything_else_is_refused_as_next(target: str | None) -> None:
    assert safe_next_path(target) is None


def test_authenticate_accepts_the_right_password_only(make_user) -> None:
    user = make_user(email="ani@example.am")
    assert authenticate("ani@example.am", "correct horse battery") == user
    assert authenticate("  ANI@example.am ", "correct horse battery") == user
    assert authenticate("ani@example.am", "wrong password") is None
    assert authenticate("nobody@example.am", "correct horse battery") is None


def test_an_inactive_user_cannot_authenticate(make_user) -> None:
    make_user(email="gone@example.am", active=False)
    assert authenticate("gone@example.am", "correct horse battery") is None
