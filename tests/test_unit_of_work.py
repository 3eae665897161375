"""One unit of work per request or command: committed after success, rolled back on any
exception, and the side effects registered during it run only after its commit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import PASSWORD_HASH
from tracker.action_links import Action, ActionLinkSigner
from tracker.extensions import db
from tracker.models import Department, Role, Task, TaskStatus, UsedActionToken, User
from tracker.tasks import services
from tracker.unit_of_work import after_commit, unit_of_work, when_done


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The usual application, on SQLite and on PostgreSQL."""
    return any_database_app


def count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def clashing_user(email: str) -> User:
    """A user whose email is taken: inserting it fails, at the commit's flush."""
    return User(email=email, name="Clash", role=Role.OFFICER, password_hash=PASSWORD_HASH)


def test_success_commits_then_runs_the_side_effects_in_order(app) -> None:
    ran: list[str] = []
    with unit_of_work():
        db.session.add(Department(name="Finance"))
        after_commit(lambda: ran.append(f"after commit, {count(Department)} department"))
        when_done(lambda: ran.append("done"))
        assert ran == []
    assert ran == ["after commit, 1 department", "done"]


def test_an_exception_rolls_everything_back_and_drops_the_side_effects(app) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError), unit_of_work():
        db.session.add(Department(name="Finance"))
        db.session.flush()  # written, though not committed
        after_commit(lambda: ran.append("after commit"))
        when_done(lambda: ran.append("done"))
        raise RuntimeError("the service failed")
    assert ran == ["done"]
    assert count(Department) == 0


def test_a_side_effect_registered_before_a_failing_commit_never_runs(app, make_user) -> None:
    taken = make_user().email
    ran: list[str] = []
    with pytest.raises(IntegrityError), unit_of_work():
        db.session.add(Department(name="Finance"))
        after_commit(lambda: ran.append("after commit"))
        db.session.add(clashing_user(taken))  # fails only when the commit flushes
    assert ran == []
    assert count(Department) == 0


def test_an_inner_unit_of_work_joins_the_outer_one(app) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError), unit_of_work():
        with unit_of_work():
            db.session.add(Department(name="Finance"))
            after_commit(lambda: ran.append("inner"))
        assert count(Department) == 1  # not committed: the outer unit decides
        raise RuntimeError
    assert ran == []
    assert count(Department) == 0


def test_a_side_effect_outside_a_unit_of_work_is_refused(app) -> None:
    with pytest.raises(RuntimeError, match="unit of work"):
        after_commit(lambda: None)


def test_a_failing_side_effect_is_logged_and_the_others_still_run(app, caplog) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise OSError("disk full")

    with unit_of_work():
        after_commit(broken)
        after_commit(lambda: ran.append("second"))
    assert ran == ["second"]
    assert "disk full" in caplog.text


# --- Views ------------------------------------------------------------------------------


def done_link(app: Flask, task: Task, user: User) -> str:
    signer = ActionLinkSigner(app.config["SECRET_KEY"])
    return "/tasks/action/" + signer.make(task.id, user.id, Action.DONE)


def test_a_view_whose_service_fails_on_the_database_leaves_no_row_and_answers_500(
    app, client, org, monkeypatch
) -> None:
    """The email link's nonce is written first; a database error after it (a CHECK
    violation, say) rolls it back with the rest, and is a server error, not "already used"."""

    def violates_a_check(*_args: object, **_kwargs: object) -> None:
        raise IntegrityError("INSERT …", {}, Exception("CHECK constraint failed: kind"))

    monkeypatch.setattr(services, "mark_done", violates_a_check)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    url = done_link(app, org.task, org.officer)
    client.login(org.officer.email)
    response = client.submit(url, {"note": "Done."})
    assert response.status_code == 500
    assert "already been used" not in response.get_data(as_text=True)
    assert count(UsedActionToken) == 0
    assert db.session.get_one(Task, org.task.id).status is TaskStatus.OPEN

    monkeypatch.undo()  # the link was not spent: it still works, once
    assert client.submit(url, {"note": "Done."}).status_code == 302
    assert count(UsedActionToken) == 1
    assert client.submit(url, {"note": "Done."}, page="/tasks").status_code == 410


def test_evidence_is_not_published_when_the_commit_fails(app, client, org, monkeypatch) -> None:
    real_mark_done = services.mark_done

    def mark_done_then_break_the_commit(*args: object, **kwargs: object) -> None:
        real_mark_done(*args, **kwargs)  # type: ignore[arg-type]
        db.session.add(clashing_user(org.manager.email))

    monkeypatch.setattr(services, "mark_done", mark_done_then_break_the_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client.login(org.officer.email)
    response = client.submit(
        f"/tasks/{org.task.id}/done",
        {"note": "Signed.", "evidence_file": (io.BytesIO(b"%PDF order"), "order.pdf")},
        page=f"/tasks/{org.task.id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 500
    folder = Path(app.instance_path) / "evidence"
    assert sorted(folder.iterdir()) == []  # neither published nor left as a temporary file
    assert db.session.get_one(Task, org.task.id).status is TaskStatus.OPEN


def test_a_spent_link_cannot_be_spent_again_even_unchecked(app, org) -> None:
    """The nonce's insert is the check: no read before it is needed."""
    link = ActionLinkSigner(app.config["SECRET_KEY"]).read(
        ActionLinkSigner(app.config["SECRET_KEY"]).make(org.task.id, org.officer.id, Action.DONE),
        14,
    )
    with unit_of_work():
        services.mark_done_from_link(link, org.task, org.officer, "Done.", None)
    task = db.session.get_one(Task, org.task.id)
    with pytest.raises(services.LinkAlreadyUsed), unit_of_work():
        services.mark_done_from_link(link, task, org.officer, "Again.", None)
    assert count(UsedActionToken) == 1
