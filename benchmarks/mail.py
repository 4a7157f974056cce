"""Mail benchmark: 1,000 messages to an SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.controller import Controller

from pipeline.adapters.mailer import SmtpMailer, smtp_connect
from pipeline.core.render import Rendered, build

COUNT = 1_000


class Sink:
    def __init__(self) -> None:
        self.received = 0
        self.sessions: set[int] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        self.sessions.add(id(session))
        return "250 OK"


def measure(count: int = COUNT) -> tuple[int, float, int, int]:
    """(messages, seconds, delivered, SMTP connections)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
        rendered = Rendered("Welkom", "Beste collega,\n\nWelkom!\n", "<p>Beste collega,</p>")
        messages = [
            build(
                rendered,
                "Mentorprogramma <mentor@zorg.example.org>",
                f"Collega {n}",
                f"p{n}@zorg.example.org",
                now,
            )
            for n in range(count)
        ]
        mailer = SmtpMailer(smtp_connect("127.0.0.1", port, "none", "", ""))
        start = time.perf_counter()
        for n, message in enumerate(messages):
            mailer.send(message, f"k{n}")
        mailer.close()
        seconds = time.perf_counter() - start
    finally:
        controller.stop()
    return count, seconds, sink.received, mailer.connections
