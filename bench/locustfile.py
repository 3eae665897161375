"""The virtual users of the load test (issue #13 point 4), driven by bench/load.py.

    TRACKER_LOAD_PASSWORD=… .venv/bin/locust -f bench/locustfile.py --headless --host URL

Two phases (the load shape below): TRACKER_LOAD_USERS users (50) start, TRACKER_LOAD_RATE
a second (10), and sign in; once every one of them has, TRACKER_LOAD_SECONDS (60) of work
by the signed-in users, then the end.

Each virtual user signs in with an account of its own (no two share one) through the real
login form: GET /login for the CSRF token, POST the credentials, follow the redirect to its
landing page. Then, with a think time of TRACKER_LOAD_WAIT seconds ("1,3" by default)
between clicks, a mix of pages by weight:

- managers (the admin, user 1, and the heads of departments 2..20): the dashboard, the
  task list (their own and everyone's they may see, page 2, a search), a task page,
  a progress note on a task of their own, and now and then the dashboard's CSV export
  (heads of department only: the admin's is the whole organisation's, a rarer request);
- officers (users 21..200): their task list (page 2, a search), a task page, a progress note.

Every account has the password TRACKER_LOAD_PASSWORD. A request fails when its status is
not 2xx/3xx, or when it ends on the login page (the session was lost); a progress note
fails unless it answers with the redirect to its task page. With TRACKER_LOAD_SAMPLES set,
every request's name, start, time, outcome and phase ("sign-in" or "measured") is written
there as CSV at the end, for exact percentiles (locust's own are rounded to two digits).
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from locust import HttpUser, LoadTestShape, between, events, task
from locust.clients import ResponseContextManager

PASSWORD = os.environ.get("TRACKER_LOAD_PASSWORD", "")
USERS = int(os.environ.get("TRACKER_LOAD_USERS", "50"))
RATE = float(os.environ.get("TRACKER_LOAD_RATE", "10"))
SECONDS = float(os.environ.get("TRACKER_LOAD_SECONDS", "60"))
# Should some user never finish signing in, the measured phase starts anyway after this.
SIGN_IN_LIMIT = 300
_low, _high = (float(part) for part in os.environ.get("TRACKER_LOAD_WAIT", "1,3").split(","))
ADMIN = 1
MANAGERS: Iterator[int] = itertools.cycle(range(1, 21))  # the admin first, then the heads
OFFICERS: Iterator[int] = itertools.cycle(range(21, 201))
STEPS = itertools.count(1)
TASK_LINK = re.compile(r'href="/tasks/(\d+)"')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# What people type into the search box: a word every title holds, a task's number, a
# colleague's name (the workload's titles: "Առաջադրանք N: կազմակերպել քննարկումներ").
SEARCHES = ("քննարկումներ", "Առաջադրանք 12", "Օգտատեր 41", "4711", "ՔՆՆԱՐԿՈՒՄ")


SAMPLES: list[tuple[str, str, float, float, int]] = []


class Phase:
    """How many users have finished signing in, and when the last of them did."""

    signed_in = 0
    ready_at: float | None = None

    @classmethod
    def one_more(cls) -> None:
        cls.signed_in += 1
        if cls.signed_in == USERS:
            cls.ready_at = time.time()


class SignInThenWork(LoadTestShape):
    """USERS users, RATE a second, until all have signed in; then SECONDS more; then stop."""

    def tick(self) -> tuple[int, float] | None:
        if Phase.ready_at is None and self.get_run_time() > SIGN_IN_LIMIT:
            Phase.ready_at = time.time()
        if Phase.ready_at is not None and time.time() - Phase.ready_at >= SECONDS:
            return None
        return USERS, RATE


@events.request.add_listener
def _sample(
    request_type: str, name: str, response_time: float, exception: Exception | None, **_: Any
) -> None:
    started = time.time() - response_time / 1000
    SAMPLES.append(
        (request_type, name, round(started, 3), round(response_time, 1), int(exception is not None))
    )


@events.test_stop.add_listener
def _write_samples(**_: Any) -> None:
    path = os.environ.get("TRACKER_LOAD_SAMPLES")
    if not path:
        return
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(("method", "name", "start", "ms", "failed", "phase"))
        ready = Phase.ready_at or float("inf")
        for sample in SAMPLES:
            writer.writerow((*sample, "measured" if sample[2] >= ready else "sign-in"))


def _checked(response: ResponseContextManager) -> None:
    """Fail a request that ended badly or on the login page."""
    if response.status_code >= 400:
        response.failure(f"status {response.status_code}")
    elif urlsplit(response.url or "").path == "/login":
        response.failure("sent to the login page")
    else:
        response.success()


class TrackerUser(HttpUser):
    abstract = True
    wait_time = between(_low, _high)
    accounts: Iterator[int] = iter(())

    def on_start(self) -> None:
        self.user_id = next(self.accounts)
        self.own_tasks: list[int] = []
        self.seen_tasks: list[int] = []
        page = self.client.get("/login", name="/login (form)")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/login",
            data={
                "csrf_token": token.group(1) if token else "",
                "email": f"user{self.user_id}@example.am",
                "password": PASSWORD,
                "next": "",
            },
            name="/login (sign in)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
            else:
                response.success()
        with self.client.get("/", name="/ (landing)", catch_response=True) as response:
            _checked(response)
        Phase.one_more()
        self.my_tasks()

    def _list(self, path: str, name: str, *, own: bool = False) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            _checked(response)
            ids = [int(found) for found in TASK_LINK.findall(response.text or "")]
        if ids:
            self.seen_tasks = ids
            if own:
                self.own_tasks = ids

    @task(4)
    def my_tasks(self) -> None:
        self._list("/tasks", "/tasks", own=True)

    @task(1)
    def my_tasks_page_2(self) -> None:
        self._list("/tasks?page=2", "/tasks?page=2", own=True)

    @task(1)
    def search(self) -> None:
        words = quote(random.choice(SEARCHES))
        self._list(f"/tasks?scope=all&q={words}", "/tasks?scope=all&q=…")

    @task(5)
    def task_page(self) -> None:
        if not self.seen_tasks:
            return
        task_id = random.choice(self.seen_tasks)
        with self.client.get(
            f"/tasks/{task_id}", name="/tasks/[id]", catch_response=True
        ) as response:
            _checked(response)

    @task(2)
    def progress_note(self) -> None:
        """Open one of their own tasks and add a note (its form's token from the page)."""
        if not self.own_tasks:
            return
        task_id = random.choice(self.own_tasks)
        with self.client.get(
            f"/tasks/{task_id}", name="/tasks/[id]", catch_response=True
        ) as response:
            _checked(response)
            text = response.text or ""
        action = f'action="/tasks/{task_id}/progress"'
        if action not in text:  # awaiting acceptance, or finished meanwhile: another time
            self.own_tasks.remove(task_id)
            return
        token = CSRF.search(text, text.index(action))
        with self.client.post(
            f"/tasks/{task_id}/progress",
            data={
                "csrf_token": token.group(1) if token else "",
                "note": f"Բեռնվածության փորձ: օգտատեր {self.user_id}, քայլ {next(STEPS)}",
            },
            name="/tasks/[id]/progress",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or urlsplit(
                response.headers.get("Location", "")
            ).path != (f"/tasks/{task_id}"):
                response.failure(f"note answered {response.status_code}")
            else:
                response.success()
        with self.client.get(
            f"/tasks/{task_id}", name="/tasks/[id]", catch_response=True
        ) as response:
            _checked(response)


class Manager(TrackerUser):
    weight = 3
    accounts = MANAGERS

    @task(4)
    def dashboard(self) -> None:
        self._list("/dashboard", "/dashboard")

    @task(3)
    def all_tasks(self) -> None:
        self._list("/tasks?scope=all", "/tasks?scope=all")

    @task(1)
    def all_tasks_page_2(self) -> None:
        self._list("/tasks?scope=all&page=2", "/tasks?scope=all&page=2")

    @task(1)
    def export(self) -> None:
        if self.user_id == ADMIN:
            return
        with self.client.get(
            "/dashboard/export.csv", name="/dashboard/export.csv", catch_response=True
        ) as response:
            _checked(response)


class Officer(TrackerUser):
    weight = 7
    accounts = OFFICERS
