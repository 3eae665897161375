"""Parsing an untrusted report in a child process, with CPU-time, memory and wall-clock limits.

The parser is pure Python and linear in its input, but a file is still someone else's bytes:
a parse that would take minutes or gigabytes must cost its uploader a refusal, never the
server its memory or the other users their requests. `parse_untrusted` runs the parser in a
fresh interpreter (`python -m tracker.reports.sandbox`) that lowers its own limits with
`setrlimit` before it reads a byte of the file; the caller's thread only waits on a pipe, so
the web server keeps answering meanwhile.

Wire format: the parent writes one JSON line (filename, size limit) and the file's bytes to the
child's standard input; the child writes one JSON object to standard output, the parse or the
ReportError. JSON, not pickle: the parent must not run whatever a misbehaving child sends.

No Flask and no database here, so the child starts quickly; callers pass the settings in.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker import PROJECT_ROOT
from tracker.reports.parsing import ParsedRecommendation, ParsedReport, ReportError
from tracker.reports.parsing.errors import ParseWarning
from tracker.reports.parsing.model import OcrSummary

log = logging.getLogger(__name__)

_MEGABYTE = 1024 * 1024
# Room on standard error for a traceback, not for a flood.
_STDERR_SHOWN = 2000
# The child's exit status when it ran out of memory outside the parse (answering, say).
_OUT_OF_MEMORY = 3


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """What one parse may cost: file size, CPU seconds, address space, and time on the clock."""

    max_bytes: int
    cpu_seconds: int = 20
    memory_mb: int = 512
    timeout_seconds: float = 30.0
    # Read a PDF without a text layer by OCR (#15) rather than refuse it as a scan.
    ocr: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ParseLimits:
        return cls(
            max_bytes=int(config["TRACKER_UPLOAD_MAX_BYTES"]),
            cpu_seconds=int(config["TRACKER_PARSE_CPU_SECONDS"]),
            memory_mb=int(config["TRACKER_PARSE_MEMORY_MB"]),
            timeout_seconds=float(config["TRACKER_PARSE_TIMEOUT_SECONDS"]),
        )

    @classmethod
    def for_scans(cls, config: Mapping[str, Any]) -> ParseLimits:
        """The limits of a parse that may read a scan by OCR: Tesseract's seconds a page."""
        return cls(
            max_bytes=int(config["TRACKER_UPLOAD_MAX_BYTES"]),
            cpu_seconds=int(config["TRACKER_OCR_CPU_SECONDS"]),
            memory_mb=int(config["TRACKER_OCR_MEMORY_MB"]),
            timeout_seconds=float(config["TRACKER_OCR_TIMEOUT_SECONDS"]),
            ocr=True,
        )


def parse_untrusted(data: bytes, filename: str, limits: ParseLimits) -> ParsedReport:
    """`parse_report` in a limited child process: a ParsedReport, or a ReportError (the
    parser's own, or `too_slow`, `too_complex`, `parse_failed` when a limit stopped it)."""
    if len(data) > limits.max_bytes:  # not worth a process
        raise ReportError(
            f"file too large: {len(data)} bytes, the limit is {limits.max_bytes}",
            code="too_large",
            size=len(data),
            limit=limits.max_bytes,
        )
    header = {
        "filename": filename,
        "max_bytes": limits.max_bytes,
        "cpu_seconds": limits.cpu_seconds,
        "memory_mb": limits.memory_mb,
        "ocr": limits.ocr,
    }
    started = time.monotonic()
    try:
        child = subprocess.run(
            [sys.executable, "-m", "tracker.reports.sandbox"],
            input=json.dumps(header).encode() + b"\n" + data,
            capture_output=True,
            timeout=limits.timeout_seconds,
            # The child imports this very copy of the code, whatever the server's directory.
            cwd=PROJECT_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child
        log.info("parsing %r: stopped after %.0f s", filename, limits.timeout_seconds)
        raise _too_slow() from None
    return _outcome(child, filename, time.monotonic() - started)


def _outcome(
    child: subprocess.CompletedProcess[bytes], filename: str, elapsed: float
) -> ParsedReport:
    """The child's parse, or the ReportError its answer or its exit status stands for."""
    if child.returncode == 0:
        report = _answer(child.stdout, filename)
        if report is not None:
            return report
    elif child.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        log.info("parsing %r: CPU limit reached after %.1f s", filename, elapsed)
        raise _too_slow()
    elif child.returncode == _OUT_OF_MEMORY:
        log.info("parsing %r: memory limit reached after %.1f s", filename, elapsed)
        raise _too_complex()
    else:
        log.error(
            "parsing %r: the child exited with status %s: %s",
            filename,
            child.returncode,
            child.stderr[-_STDERR_SHOWN:].decode(errors="replace"),
        )
    raise ReportError("the file could not be read", code="parse_failed")


def _answer(stdout: bytes, filename: str) -> ParsedReport | None:
    """The report a child that exited normally sent, raising the ReportError it sent
    instead; None when its answer cannot be read."""
    try:
        answer = json.loads(stdout)
        if "error" in answer:
            error = answer["error"]
            params = {
                str(key): value
                for key, value in dict(error.get("params") or {}).items()
                if isinstance(value, str | int)
            }
            raise ReportError(error["message"], code=error["code"], **params)
        return report_from_wire(answer["report"])
    except ReportError:
        raise
    except (ValueError, KeyError, TypeError):
        log.exception("parsing %r: the child's answer could not be read", filename)
        return None


def _too_slow() -> ReportError:
    return ReportError(
        "the file takes too long to read: it is not a usable report", code="too_slow"
    )


def _too_complex() -> ReportError:
    return ReportError(
        "the file needs too much memory to read: it is not a usable report", code="too_complex"
    )


# ---------------------------------------------------------------- the wire


def report_to_wire(report: ParsedReport) -> dict[str, Any]:
    # `warnings` stays the English lines of the JSON contract; their codes travel beside.
    return {
        **report.to_json(),
        "text": report.text,
        "warning_codes": [_warning_to_wire(warning) for warning in report.warnings],
        "sections_found": list(report.sections_found),
    }


def _warning_to_wire(warning: str) -> object:
    return warning.to_json() if isinstance(warning, ParseWarning) else warning


def report_from_wire(wire: dict[str, Any]) -> ParsedReport:
    return ParsedReport(
        source=wire["source"],
        language=wire["language"],
        title=wire["title"],
        author_name=wire["author_name"],
        author_position=wire["author_position"],
        destination=wire["destination"],
        trip_start=_date(wire["trip_start"]),
        trip_end=_date(wire["trip_end"]),
        inviting_party=wire["inviting_party"],
        purpose=wire["purpose"],
        signatory=wire["signatory"],
        signed_on=_date(wire["signed_on"]),
        sections={str(key): str(value) for key, value in wire["sections"].items()},
        recommendations=tuple(
            ParsedRecommendation(
                title=item["title"],
                text=item["text"],
                owners=tuple(item["owners"]),
                deadline=_date(item["deadline"]),
                deadline_text=item["deadline_text"],
                expected_result=item["expected_result"],
                method=item["method"],
            )
            for item in wire["recommendations"]
        ),
        warnings=tuple(
            ParseWarning.from_json(item) for item in wire.get("warning_codes", wire["warnings"])
        ),
        text=wire["text"],
        sections_found=tuple(int(number) for number in wire.get("sections_found", ())),
        ocr=OcrSummary.from_json(wire["ocr"]) if wire.get("ocr") else None,
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# ---------------------------------------------------------------- the child


# Tesseract, run by OCR, writes its page image and its answer to temporary files (pytesseract
# talks to it through files): room for a 300 dpi page, whatever the upload's size.
_OCR_FILE_BYTES = 256 * _MEGABYTE


def _limit_this_process(cpu_seconds: int, memory_mb: int, file_bytes: int) -> None:
    import resource

    # At the soft CPU limit the kernel sends SIGXCPU (which ends the process), at the hard
    # one SIGKILL; no core file either way.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # Address space: an allocation past it fails, which Python raises as MemoryError.
    memory = memory_mb * _MEGABYTE
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # The parser writes no file. antiword (tracker/reports/parsing/doc_reader.py), which reads
    # a .doc from its standard input, copies it to an unnamed temporary file (O_TMPFILE, gone
    # when it exits): one file no larger than the upload. A write past that size fails rather
    # than fills a disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))


def main() -> int:
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    # The parser is imported here, in the child only: the web server and the commands import
    # this module to start a parse, not to run one (python-docx and pypdf come with the file
    # that needs them, tracker/reports/parsing/readers.py).
    from tracker.reports.parsing import parse_report

    ocr = bool(header.get("ocr"))
    max_bytes = int(header["max_bytes"])
    _limit_this_process(
        int(header["cpu_seconds"]),
        int(header["memory_mb"]),
        max(max_bytes, _OCR_FILE_BYTES) if ocr else max_bytes,
    )
    try:
        data = stdin.read(max_bytes + 1)
        try:
            report = parse_report(data, str(header["filename"]), max_bytes=max_bytes, ocr=ocr)
            answer: dict[str, Any] = {"report": report_to_wire(report)}
        except ReportError as error:
            answer = {
                "error": {"message": error.message, "code": error.code, "params": error.params}
            }
        del data
        sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode())
        sys.stdout.buffer.flush()
    except MemoryError:
        return _OUT_OF_MEMORY
    return 0


if __name__ == "__main__":
    sys.exit(main())
