from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import click
from flask import current_app

from tracker.cli_support import CommandError
from tracker.reports.blueprint import bp
from tracker.reports.parsing import ParsedReport, ReportError
from tracker.reports.sandbox import ParseLimits, parse_untrusted
from tracker.reports.services import ImportResult, ReportImportError, import_report
from tracker.unit_of_work import unit_of_work


def read_report_file(
    path: Path, limits: ParseLimits, scan_limits: ParseLimits | None = None
) -> tuple[bytes, ParsedReport]:
    """The file's bytes and its parse; a ReportError for anything that is not a trip report.

    A scan (a PDF without text) is read again by OCR with `scan_limits`, here and now: a
    command may wait the seconds a page that a request may not (#15)."""
    content = read_bounded(path, limits.max_bytes)
    try:
        return content, parse_untrusted(content, path.name, limits)
    except ReportError as error:
        if error.code != "scanned_pdf" or scan_limits is None:
            raise
    return content, parse_untrusted(content, path.name, scan_limits)


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; a device (/dev/zero), a FIFO or a
    directory is refused before a byte is read, and no read asks for more than the limit."""
    try:
        # O_NONBLOCK: opening a FIFO would otherwise wait for a writer. The checks are made on
        # what was opened (fstat), so the path cannot be swapped between check and read.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise ReportError(f"cannot read {path}: {error.strerror}", code="unreadable") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise ReportError(
            f"cannot read {path}: not a regular file (a directory, device or pipe)",
            code="unreadable",
        )
    with os.fdopen(descriptor, "rb") as file:
        if status.st_size > max_bytes:  # checked before reading a byte of it
            raise ReportError(
                f"{path.name} is {status.st_size:,} bytes, over the {max_bytes:,}-byte limit",
                code="too_large",
            )
        try:
            content = file.read(max_bytes + 1)
        except OSError as error:
            raise ReportError(f"cannot read {path}: {error.strerror}", code="unreadable") from None
    if len(content) > max_bytes:  # it grew after the check
        raise ReportError(f"{path.name} is over the {max_bytes:,}-byte limit", code="too_large")
    return content


def _summary(parsed: ParsedReport) -> list[str]:
    lines = [
        f"{parsed.source}: {parsed.language} report by {parsed.author_name or '?'}, "
        f"signed {parsed.signed_on or '?'}, {len(parsed.recommendations)} recommendation(s)"
    ]
    for number, item in enumerate(parsed.recommendations, start=1):
        owners = ", ".join(item.owners) or "no owner named"
        deadline = item.deadline.isoformat() if item.deadline else "no date"
        phrase = f" ({item.deadline_text})" if item.deadline_text else ""
        lines.append(f"  {number}. {item.title} [{owners}; {deadline}{phrase}]")
    lines.extend(f"  warning: {warning}" for warning in parsed.warnings)
    return lines


@bp.cli.command("import")
# A directory, a device or a FIFO is refused by read_bounded, in the one line of any bad file.
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Parse and print; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the parse as one JSON object.")
@click.option("--confirm", is_flag=True, help="Open the tasks at once, without a review.")
def import_command(file: Path, dry_run: bool, as_json: bool, confirm: bool) -> None:
    """Import the trip report FILE (.txt, .docx, .doc or .pdf) for review in the web UI."""
    try:
        content, parsed = read_report_file(
            file,
            ParseLimits.from_config(current_app.config),
            ParseLimits.for_scans(current_app.config),
        )
    except ReportError as error:
        raise CommandError(str(error)) from None
    result = None
    if not dry_run:
        try:
            with unit_of_work():
                result = import_report(parsed, content, uploaded_by=None, confirm=confirm)
        except ReportImportError as error:
            raise CommandError(str(error)) from None
    # With --json, standard output carries the JSON object alone; the rest goes to stderr.
    if as_json:
        click.echo(json.dumps(parsed.to_json(), ensure_ascii=False, indent=1))
    else:
        for line in _summary(parsed):
            click.echo(line)
    if result is None:
        return
    _report_stored(result, confirm=confirm, err=as_json)


def _report_stored(result: ImportResult, *, confirm: bool, err: bool) -> None:
    def say(line: str) -> None:
        click.echo(line, err=err)

    state = "open" if confirm else "draft"
    say(f"Stored report {result.report.id} with {len(result.tasks)} {state} task(s).")
    if result.unmatched_names:
        say(f"No user matched: {', '.join(result.unmatched_names)}.")
    ownerless = sum(1 for task in result.tasks if not task.owners)
    if ownerless:
        say(f"{ownerless} task(s) have no owner yet.")
    if not confirm:
        base_url = current_app.config["TRACKER_BASE_URL"].rstrip("/")
        say(f"Review and confirm at {base_url}/reports/{result.report.id}/review")


@click.command("read-scans")
def read_scans_command() -> None:
    """Read the scanned reports waiting for OCR (those a web process left), now."""
    from tracker.reports.scan_jobs import read_waiting_scans

    summary = read_waiting_scans(at_once=True)
    click.echo(f"{summary.read} scan(s) read into draft reports, {summary.refused} refused.")
