"""Transports against a real SMTP server on loopback (aiosmtpd): one connection, bounded
retries, refusals fail one message, a break during the data is uncertain."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from pipeline.adapters.mailer import RETRIES, OutboxMailer, SmtpMailer, smtp_connect
from pipeline.core.render import Rendered, build
from pipeline.errors import MailRefused, MailUnavailable, MailUncertain
from tests.conftest import Server, free_port

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def message(to: str, subject: str = "Hallo") -> EmailMessage:
    return build(
        Rendered(subject, "Tekst\n", "<p>Tekst</p>"),
        "Mentor <mentor@zorg.example.org>",
        "Ontvanger",
        to,
        NOW,
    )


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer(smtp_connect("127.0.0.1", port, "none", "", ""), sleep=lambda _: None)


def test_many_messages_go_over_one_connection(server: tuple[Server, int]) -> None:
    handler, port = server
    smtp = mailer(port)
    for n in range(20):
        smtp.send(message(f"p{n}@zorg.example.org"), f"k{n}")
    smtp.close()
    assert (len(handler.received), smtp.connections, len(handler.sessions)) == (20, 1, 1)
    parsed = email.message_from_bytes(handler.received[0][1], policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"


def test_a_refused_recipient_fails_that_message_and_the_rest_go_on(
    server: tuple[Server, int],
) -> None:
    handler, port = server
    handler.refuse["gone@zorg.example.org"] = "550 no such user"
    smtp = mailer(port)
    smtp.send(message("a@zorg.example.org"), "a")
    with pytest.raises(MailRefused, match="550 no such user"):
        smtp.send(message("gone@zorg.example.org"), "gone")
    smtp.send(message("b@zorg.example.org"), "b")
    assert [r[0] for r in handler.received] == [["a@zorg.example.org"], ["b@zorg.example.org"]]


def test_a_busy_server_is_retried_a_bounded_number_of_times(server: tuple[Server, int]) -> None:
    handler, port = server
    handler.busy_rcpt = RETRIES - 1
    smtp = mailer(port)
    smtp.send(message("a@zorg.example.org"), "a")  # succeeds on the last attempt
    handler.busy_rcpt = RETRIES
    with pytest.raises(MailUnavailable, match="451"):
        smtp.send(message("b@zorg.example.org"), "b")
    assert [r[0] for r in handler.received] == [["a@zorg.example.org"]]


def test_a_break_during_the_data_is_uncertain_and_not_retried(server: tuple[Server, int]) -> None:
    handler, port = server
    handler.drop_data = 1
    smtp = mailer(port)
    with pytest.raises(MailUncertain):
        smtp.send(message("a@zorg.example.org"), "a")
    smtp.send(message("b@zorg.example.org"), "b")  # a new connection for the next one
    assert ([r[0] for r in handler.received], smtp.connections) == ([["b@zorg.example.org"]], 2)


def test_no_server_means_not_sent() -> None:
    smtp = mailer(free_port())
    with pytest.raises(MailUnavailable, match=f"not sent after {RETRIES} attempts"):
        smtp.send(message("a@zorg.example.org"), "a")


def test_the_outbox_writes_one_eml_file_per_message(tmp_path: Path) -> None:
    outbox = OutboxMailer(tmp_path / "outbox")
    outbox.send(message("a@zorg.example.org", "Welkom"), "M-0001/welcome/a@zorg.example.org")
    files = list((tmp_path / "outbox").iterdir())
    assert [f.name for f in files] == ["M-0001_welcome_a_zorg.example.org.eml"]
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    plain = parsed.get_body(("plain",))
    assert plain is not None
    body = plain.get_content()
    assert (parsed["Subject"], body.strip()) == ("Welkom", "Tekst")  # RFC 5322: CRLF lines
