"""Outbox attachments (#14) on both databases, delivered to a real SMTP server: the file
arrives whole beside the text and HTML, an outage keeps it with its row, and the retry sends
the same bytes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import event, select

from tests.conftest import RecordingHandler, SMTPServer, free_port
from tracker.extensions import db
from tracker.models import OutboxAttachment, OutboxMessage, OutboxStatus
from tracker.notifications import outbox
from tracker.notifications.jobs import deliver_outbox

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
# Every byte value, so that an encoding slip (text mode, a newline translated) shows.
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\r\n%%EOF\n"


def queue(count: int, *, with_file: bool = True, first: int = 0) -> list[int]:
    rows = []
    for number in range(first, first + count):
        row = OutboxMessage(
            to_address=f"head{number}@example.am",
            language="en",
            subject=f"Leadership digest {number}",
            body_text="text",
            body_html="<p>html</p>",
            message_id=f"<leadership.{number}@tracker.test>",
            next_attempt_at=NOW - timedelta(minutes=1),
        )
        if with_file:
            row.attachments.append(
                OutboxAttachment(
                    filename=f"progress-report-{number}.pdf",
                    content_type="application/pdf",
                    data=PDF + str(number).encode(),
                )
            )
        rows.append(row)
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def point_mail_at(app: Flask, port: int) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port


def pdf_parts(message: EmailMessage) -> list[EmailMessage]:
    return [
        part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"
    ]


@pytest.fixture
def server() -> Iterator[SMTPServer]:
    smtp = SMTPServer(port=free_port(), handler=RecordingHandler())
    smtp.start()
    yield smtp
    smtp.stop()


def test_the_received_message_carries_the_pdf_beside_text_and_html(
    any_database_app: Flask, server: SMTPServer
) -> None:
    point_mail_at(any_database_app, server.port)
    queue(3)
    report = deliver_outbox(NOW)
    assert (report.sent, report.failed, report.connection_error) == (3, 0, None)
    assert len(server.messages) == 3
    for number in range(3):
        (message,) = server.to(f"head{number}@example.am")
        (part,) = pdf_parts(message)
        assert part.get_filename() == f"progress-report-{number}.pdf"
        assert part.get_content_disposition() == "attachment"
        assert part.get_content() == PDF + str(number).encode()
        body = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert body is not None and body.get_content().strip() == "text"
        assert html is not None and html.get_content().strip() == "<p>html</p>"


def test_a_message_without_attachments_is_unchanged(
    any_database_app: Flask, server: SMTPServer
) -> None:
    point_mail_at(any_database_app, server.port)
    queue(1, with_file=False)
    assert deliver_outbox(NOW).sent == 1
    (message,) = server.messages
    assert message.get_content_type() == "multipart/mixed"
    assert pdf_parts(message) == []


def test_an_outage_keeps_the_attachment_and_the_retry_sends_the_same_bytes(
    any_database_app: Flask,
) -> None:
    port = free_port()
    point_mail_at(any_database_app, port)  # nothing listens there yet
    (row_id,) = queue(1)
    down = deliver_outbox(NOW)
    assert down.connection_error and down.sent == 0
    db.session.expire_all()
    row = db.session.get_one(OutboxMessage, row_id)
    assert row.status is OutboxStatus.PENDING and row.attempts == 0
    assert [(a.filename, a.data) for a in row.attachments] == [
        ("progress-report-0.pdf", PDF + b"0")
    ]

    server = SMTPServer(port=port, handler=RecordingHandler())
    server.start()
    try:
        back = deliver_outbox(NOW + timedelta(minutes=5), include_waiting=True)
        assert (back.sent, back.connection_error) == (1, None)
        messages = server.messages
    finally:
        server.stop()
    (message,) = messages
    (part,) = pdf_parts(message)
    assert part.get_content() == PDF + b"0"
    db.session.expire_all()
    assert db.session.get_one(OutboxMessage, row_id).status is OutboxStatus.SENT


def test_a_claim_loads_the_batch_attachments_in_a_fixed_number_of_queries(
    any_database_app: Flask,
) -> None:
    def statements_for(count: int) -> int:
        db.session.execute(select(OutboxMessage).limit(0))  # the connection is open
        seen: list[str] = []
        engine = db.engine

        def count_it(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count_it)
        try:
            rows = outbox.claim(NOW, 500)
            items = [outbox.Outgoing.of(row) for row in rows]
        finally:
            event.remove(engine, "before_cursor_execute", count_it)
        assert len(items) == count and all(len(item.attachments) == 1 for item in items)
        db.session.rollback()
        return len(seen)

    queue(2)
    few = statements_for(2)
    queue(30, first=2)
    assert statements_for(32) == few
