"""The scan queue on both engines (#15 point 1): the file's bytes survive the round trip, and
of readers claiming the same scan at the same moment, in separate connections, exactly one
gets it, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from tests.conftest import PASSWORD_HASH
from tracker.extensions import db
from tracker.models import Role, ScanImport, ScanStatus, User, utcnow
from tracker.reports import scans

LEASE = timedelta(minutes=16)
# Every byte value, and more than one page of a database's storage.
CONTENT = bytes(range(256)) * 64


def _staff() -> User:
    user = User(
        email="registry@example.am",
        name="Registry",
        role=Role.STAFF,
        language="hy",
        password_hash=PASSWORD_HASH,
        active=True,
    )
    db.session.add(user)
    return user


def test_a_queued_scan_keeps_its_bytes_and_is_found_by_the_minute_job(
    any_database_app: Flask,
) -> None:
    scan = scans.queue_scan(CONTENT, "scan.pdf", _staff(), utcnow() - timedelta(minutes=5))
    db.session.commit()
    db.session.expire_all()

    stored = db.session.scalars(select(ScanImport)).one()
    assert stored.content == CONTENT and stored.status is ScanStatus.QUEUED
    assert scans.waiting_scan_ids(utcnow(), LEASE) == [scan.id]


def test_readers_claiming_one_scan_at_once_get_it_once(any_database_app: Flask) -> None:
    app = any_database_app
    scan = scans.queue_scan(CONTENT, "scan.pdf", _staff(), utcnow())
    db.session.commit()
    scan_id = scan.id
    start = threading.Barrier(4)
    claimed: list[bool] = []

    def reader() -> None:
        with app.app_context():
            start.wait()
            got = scans.claim(scan_id, utcnow(), LEASE)
            db.session.commit()
            claimed.append(got)
            db.session.remove()

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(claimed) == [False, False, False, True]
    db.session.expire_all()
    stored = db.session.get(ScanImport, scan_id)
    assert stored is not None and (stored.status, stored.attempts) == (ScanStatus.READING, 1)
