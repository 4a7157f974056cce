"""Where messages go: a folder of .eml files, an SMTP server, Gmail, or a list in memory.

Messages are always built by mentorflow (pipeline.core.render); a Mailer only delivers them.
`send` either returns (delivered), or raises one of:

    MailError
     ├── MailRefused      the server refused this message for good (5xx): log it failed
     ├── MailUnavailable  it was certainly not sent (no connection, a 4xx, retries used up,
     │                    the login or the sender refused): tried again by the next runs
     └── MailUncertain    the connection broke while the message was being handed over:
                          it may have arrived, so it must never be sent again by itself
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from pipeline.errors import MailRefused, MailUnavailable, MailUncertain


class Mailer(Protocol):
    def send(self, message: EmailMessage, key: str) -> None: ...

    def close(self) -> None: ...


class Journal:
    """A local, fsync'd note of each hand-over to the mail server, kept beside the workbook.

    After a run dies, it tells apart the keys still `pending` in the Mail log: accepted by
    the server (log them sent), handed over without an answer (unknown), or never handed
    over at all (safe to send: they never left).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def read(self) -> tuple[frozenset[str], frozenset[str]]:
        """(handed over, accepted) keys since the journal was last cleared."""
        if not self.path.exists():
            return frozenset(), frozenset()
        attempted: set[str] = set()
        accepted: set[str] = set()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            what, _, key = line.partition(" ")
            if what == "attempt":
                attempted.add(key)
            elif what == "done":
                accepted.add(key)
        return frozenset(attempted), frozenset(accepted)

    def _note(self, what: str, key: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(f"{what} {key}\n")
            handle.flush()
            os.fsync(handle.fileno())

    def attempt(self, key: str) -> None:
        self._note("attempt", key)

    def done(self, key: str) -> None:
        self._note("done", key)

    def clear(self) -> None:
        """Every outcome is in the Mail log now: nothing left to recover."""
        self.path.unlink(missing_ok=True)


@dataclass
class RecordingMailer:
    """Keeps every message in memory: for tests and for showing a dry run."""

    sent: list[tuple[str, EmailMessage]] = field(default_factory=list)

    def send(self, message: EmailMessage, key: str) -> None:
        self.sent.append((key, message))

    def close(self) -> None:
        pass


def file_name(text: str) -> str:
    """`text` as a file name every system accepts (no `: * ? < > | /` and the like)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "message"


class OutboxMailer:
    """Writes each message as an .eml file (open it in any mail program); the demo's default."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage, key: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{file_name(key)}.eml"
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(message.as_bytes())
        os.replace(temporary, target)

    def close(self) -> None:
        pass


Connect = Callable[[], smtplib.SMTP]
RETRIES = 3  # attempts for a message before giving up on the server for this run


def _said(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _permanent(code: int) -> bool:
    return 500 <= code < 600


class SmtpMailer:
    """One SMTP connection for the whole run, opened on first use, reopened after a drop.

    Trouble before the message data goes out is retried (RETRIES attempts, with backoff);
    a refusal (5xx) fails that message only; a break during the data is uncertain.
    """

    def __init__(self, connect: Connect, sleep: Callable[[float], None] = time.sleep) -> None:
        self.connect, self.sleep = connect, sleep
        self.connection: smtplib.SMTP | None = None
        self.connections = 0  # how many times a connection was opened (the benchmark's count)

    def _open(self) -> smtplib.SMTP:
        if self.connection is None:
            self.connection = self.connect()
            self.connections += 1
        return self.connection

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def send(self, message: EmailMessage, key: str) -> None:
        sender = message["From"].addresses[0].addr_spec
        recipients = [a.addr_spec for a in message["To"].addresses]
        problem = ""
        for attempt in range(RETRIES):
            if attempt:
                self.sleep(2.0**attempt)
            try:
                try:
                    connection = self._open()
                    connection.ehlo_or_helo_if_needed()
                    code, reply = connection.mail(sender)
                    if code != 250:
                        raise smtplib.SMTPSenderRefused(code, reply, sender)
                except smtplib.SMTPResponseException as exc:
                    if not _permanent(exc.smtp_code):
                        raise
                    # A refusal of the login or the sender is about the set-up, not this
                    # message: nothing goes tonight, and every message is tried again.
                    self._drop()
                    raise MailUnavailable(f"{exc.smtp_code} {_said(exc.smtp_error)}") from exc
                for recipient in recipients:
                    code, reply = connection.rcpt(recipient)
                    if code not in (250, 251):
                        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()))
                problem = f"{code} {_said(reply)}"
                self._reset()
                if _permanent(code):
                    raise MailRefused(problem) from exc
                continue
            except smtplib.SMTPResponseException as exc:
                problem = f"{exc.smtp_code} {_said(exc.smtp_error)}"
                self._reset()
                if _permanent(exc.smtp_code):
                    raise MailRefused(problem) from exc
                continue
            except (smtplib.SMTPException, OSError) as exc:  # no connection, or it dropped
                problem = f"{type(exc).__name__}: {exc}"
                self._drop()
                continue
            self._data(connection, message)
            return
        raise MailUnavailable(f"not sent after {RETRIES} attempts: {problem}")

    def _data(self, connection: smtplib.SMTP, message: EmailMessage) -> None:
        try:
            # Raises SMTPDataError when DATA itself is refused; the answer to the message
            # that follows is returned, not raised (smtplib's data() documents both).
            code, reply = connection.data(message.as_bytes())  # type: tuple[int, bytes | str]
        except smtplib.SMTPDataError as exc:
            code, reply = exc.smtp_code, exc.smtp_error
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise MailUncertain(f"connection lost while sending: {exc}") from exc
        if code == 250:
            return
        self._reset()
        detail = f"{code} {_said(reply)}"
        if _permanent(code):
            raise MailRefused(detail)
        raise MailUnavailable(detail)  # a 4xx: not accepted, so certainly not delivered

    def _reset(self) -> None:
        try:
            if self.connection is not None:
                self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self.connection = None


TIMEOUT = 30.0  # seconds for every SMTP step


def smtp_connect(host: str, port: int, security: str, user: str, password: str) -> Connect:
    """How to open and log in to an SMTP server: STARTTLS, SSL or (local relays) none."""

    def connect() -> smtplib.SMTP:
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if security == "ssl":
            connection = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
        else:
            connection = smtplib.SMTP(host, port, timeout=TIMEOUT)
            if security == "starttls":
                connection.starttls(context=context)
        if user:
            connection.login(user, password)
        return connection

    return connect


def gmail_connect(user: str, password: str | None, oauth2_file: str | None) -> Connect:
    """A Gmail connection opened by yagmail (app password or OAuth2); never a prompt."""

    def connect() -> smtplib.SMTP:
        import yagmail  # imported here: only a Gmail set-up needs it

        if oauth2_file:
            client = yagmail.SMTP(user, oauth2_file=oauth2_file)
        else:
            # yagmail asks the keyring or the terminal for a missing password: never here
            client = yagmail.SMTP(user, password=password or "")
        client.login()
        connection: smtplib.SMTP = client.smtp
        if connection.sock is not None:
            connection.sock.settimeout(TIMEOUT)
        return connection

    return connect
