"""Work that must not hold up a request, and the scheduler's every-minute jobs of features.

A feature whose work takes seconds (reading a scanned report by OCR, #15) keeps it in a
table of its own (the queue: it survives any process), then `submit`s it after the commit:
a thread of this process starts on it at once. Should the process die first, the job it
registered with `add_minute_job` finds the row again: the scheduler (`tracker scheduler`,
or the demo's in-process one) runs every registered job each minute.

Shared by the features and importing none of them: the scheduler (tracker.notifications)
reads the jobs that the layers above it register, so no feature imports the one it serves.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for

from flask import Flask

from tracker.extensions import db

log = logging.getLogger(__name__)

Job = Callable[[], object]
_MINUTE_JOBS = "tracker_minute_jobs"
_RUNNER = "tracker_background_runner"


def add_minute_job(app: Flask, job: Job) -> None:
    """Have the scheduler run `job` (in an application context) every minute."""
    app.extensions.setdefault(_MINUTE_JOBS, []).append(job)


def minute_jobs(app: Flask) -> list[Job]:
    return list(app.extensions.get(_MINUTE_JOBS, []))


class _Runner:
    """One small pool of threads per application; what was submitted is tracked until
    done, so a test or a shutdown can wait for it."""

    def __init__(self, workers: int) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tracker-bg")
        self.pending: set[Future[None]] = set()
        self.lock = threading.Lock()

    def submit(self, work: Callable[[], None]) -> Future[None]:
        future = self.executor.submit(work)
        with self.lock:
            self.pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[None]) -> None:
        with self.lock:
            self.pending.discard(future)

    def snapshot(self) -> set[Future[None]]:
        with self.lock:
            return set(self.pending)


def _runner(app: Flask) -> _Runner:
    runner: _Runner | None = app.extensions.get(_RUNNER)
    if runner is None:
        runner = app.extensions.setdefault(
            _RUNNER, _Runner(int(app.config["TRACKER_BACKGROUND_WORKERS"]))
        )
    return runner


def submit(app: Flask, job: Callable[..., object], *args: object) -> Future[None] | None:
    """Start `job(*args)` in a thread of this process, in an application context of its own;
    None when TRACKER_BACKGROUND_IN_PROCESS is off (the scheduler's minute job does it)."""
    if not app.config["TRACKER_BACKGROUND_IN_PROCESS"]:
        return None

    def work() -> None:
        with app.app_context():
            try:
                job(*args)
            except Exception:
                # The row stays in its queue: the scheduler's minute job tries it again.
                log.exception("background job %s failed", getattr(job, "__name__", job))
            finally:
                db.session.remove()

    return _runner(app).submit(work)


def wait_until_idle(app: Flask, timeout: float | None = None) -> bool:
    """Wait for what was submitted in this process (tests; a clean shutdown). True when
    nothing is left running."""
    runner = app.extensions.get(_RUNNER)
    if runner is None:
        return True
    while pending := runner.snapshot():
        _, not_done = wait_for(pending, timeout=timeout)
        if not_done:
            return False
    return True
