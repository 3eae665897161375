"""A counting SMTP sink for the benchmarks: accepts every message on loopback and writes
how many it received, and their bytes, to a file after each one.

    .venv/bin/python bench/smtp_sink.py PORT COUNT_FILE
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.messages = 0
        self.bytes = 0
        self.out.write_text("0 0\n")

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.bytes += len(envelope.content)
        self.out.write_text(f"{self.messages} {self.bytes}\n")
        return "250 OK"


def read_count(path: Path) -> tuple[int, int]:
    messages, size = path.read_text().split()
    return int(messages), int(size)


def main() -> None:
    port, out = int(sys.argv[1]), Path(sys.argv[2])
    controller = Controller(Counter(out), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
