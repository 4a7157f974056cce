"""The mail stage: a half year replayed through the nightly run, crashes, refusals, limits."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller

from pipeline.adapters.mailer import Journal, RecordingMailer, SmtpMailer, smtp_connect
from pipeline.adapters.workbook import InMemoryWorkbook, Workbook
from pipeline.adapters.xlsx import XlsxWorkbook
from pipeline.core.cells import Cell
from pipeline.core.night import nightly
from pipeline.core.problem_text import render as render_problem
from pipeline.core.programme import read_programme
from pipeline.errors import MailRefused, MailUnavailable
from pipeline.run import Delivery, RunContext, RunReport, run
from tests.conftest import MATCH_HEADER, PEOPLE_HEADER, Server, free_port, records, write_xlsx
from tests.core.test_journey import OFFSETS, keyed

DAY0 = date(2026, 11, 24)


def person(name: str, role: str, start: date | None = None) -> list[Any]:
    cells = {
        "Email": f"{name}@zorg.example.org",
        "Name": name.title(),
        "Role": role,
        "Start date": start,
    }
    return [cells.get(h) for h in PEOPLE_HEADER]


def tabs(pairs: int = 1, start: date = DAY0 + timedelta(days=20)) -> dict[str, list[list[Any]]]:
    people = [list(PEOPLE_HEADER)]
    matches: list[list[Cell]] = [list(MATCH_HEADER)]
    for n in range(pairs):
        people += [person(f"mentee{n}", "mentee", start), person(f"mentor{n}", "mentor")]
        matches.append(
            [
                f"M-{n + 1:04d}",
                f"mentee{n}@zorg.example.org",
                "",
                f"mentor{n}@zorg.example.org",
                "",
                None,
                "",
                "approved",
                DAY0,
                "",
            ]
        )
    # The journey's mail only: the digest has tests of its own (test_digest.py).
    settings = [["Setting", "Value"], ["Send: coordinator digest", "no"]]
    return {"Participants": people, "Matches": matches, "Settings": settings}


def delivery(book: Workbook, today: date, mailer: Any, **limits: Any) -> Delivery:
    return Delivery(
        mailer,
        "Mentorprogramma <mentor@zorg.example.org>",
        lambda: datetime.combine(today, datetime.min.time(), tzinfo=UTC),
        book.apply,
        **limits,
    )


def nightly_run(book: Workbook, today: date, mailer: Any, **limits: Any) -> RunReport:
    return run(book, nightly(), RunContext(today, delivery=delivery(book, today, mailer, **limits)))


def statuses(book: InMemoryWorkbook) -> Counter[str]:
    return Counter(e.status for e in read_programme(book.read()).mail_log)


def test_a_half_year_delivers_every_message_exactly_once_on_its_day() -> None:
    book = InMemoryWorkbook(tabs(pairs=2))
    mailer = RecordingMailer()
    days: dict[str, list[date]] = {}
    for n in range(200):
        today = DAY0 + timedelta(days=n)
        before = len(mailer.sent)
        report = nightly_run(book, today, mailer)
        assert report.exit_code == 0
        for key, _ in mailer.sent[before:]:
            days.setdefault(key, []).append(today)
    start = DAY0 + timedelta(days=20)
    expected = {
        key: [day]
        for n in range(2)
        for key, day in keyed(
            start, {"introduction": -20, **OFFSETS}, f"M-{n + 1:04d}", str(n)
        ).items()
    }
    assert days == expected
    assert statuses(book) == Counter({"sent": len(expected)})  # one row per message
    assert len(book.tabs["Mail log"]) == 1 + len(expected)


def test_a_rerun_on_the_same_day_sends_nothing_new() -> None:
    book = InMemoryWorkbook(tabs())
    mailer = RecordingMailer()
    nightly_run(book, DAY0, mailer)
    again = nightly_run(book, DAY0, mailer)
    assert len(mailer.sent) == 1 and not again.plan


class Killed(BaseException):
    """The process dies (kill -9) while sending."""


class DiesAfter(RecordingMailer):
    def __init__(self, allowed: int) -> None:
        super().__init__()
        self.allowed = allowed

    def send(self, message: EmailMessage, key: str) -> None:
        if len(self.sent) == self.allowed:
            raise Killed
        super().send(message, key)


def test_a_job_killed_while_sending_never_sends_a_key_twice() -> None:
    book = InMemoryWorkbook(tabs(pairs=3))
    dying = DiesAfter(allowed=1)
    with pytest.raises(Killed):
        nightly_run(book, DAY0, dying)
    survivor = RecordingMailer()
    report = nightly_run(book, DAY0, survivor)
    # The one that went out has no "sent" row yet (outcomes are saved after the chunk), so
    # all three are unknown: shown on Problems, never sent again by themselves.
    assert (len(dying.sent), survivor.sent) == (1, [])
    assert statuses(book) == Counter({"unknown": 3})
    assert [p.code for p in report.problems] == ["mail_unknown"] * 3
    assert report.exit_code == 0


def test_a_proposal_approved_at_once_is_on_matches_before_its_introduction_leaves() -> None:
    """With Auto-approve, tonight's proposal and its introduction go in one night: the Matches
    row is saved with the first pending rows, so a job killed while sending never leaves an
    introduction for a Match ID the next night would give to another pair."""
    unmatched = tabs(pairs=1)
    unmatched["Matches"] = unmatched["Matches"][:1]
    unmatched["Settings"] += [["Auto-approve", "yes"]]
    book = InMemoryWorkbook(unmatched)
    with pytest.raises(Killed):
        nightly_run(book, DAY0, DiesAfter(allowed=0))
    proposed = [row[0] for row in book.tabs["Matches"][1:]]
    logged = {e.match_id for e in read_programme(book.read()).mail_log}
    assert proposed == ["M-0001"] and logged == {"M-0001"}


def test_pending_is_on_disk_before_a_message_leaves(in_tmp: Path) -> None:
    path = write_xlsx(in_tmp / "programme.xlsx", tabs())

    class Checks(RecordingMailer):
        def send(self, message: EmailMessage, key: str) -> None:
            log = openpyxl.load_workbook(path)["Mail log"]
            logged = records(list(log.iter_rows(values_only=True)), "mail_log")
            assert [r["status"] for r in logged if r["key"] == key] == ["pending"]
            super().send(message, key)

    book = XlsxWorkbook(path)
    nightly_run(book, DAY0, Checks())
    log = openpyxl.load_workbook(path)["Mail log"]
    assert [r[5] for r in log.iter_rows(min_row=2, values_only=True)] == ["sent"]


def test_a_refused_recipient_fails_that_message_and_the_run_goes_on(
    server: tuple[Server, int],
) -> None:
    handler, port = server
    handler.refuse["mentor1@zorg.example.org"] = "550 mailbox unavailable"
    book = InMemoryWorkbook(tabs(pairs=3))
    smtp = SmtpMailer(smtp_connect("127.0.0.1", port, "none", "", ""), sleep=lambda _: None)
    report = nightly_run(book, DAY0, smtp)
    assert sorted(r[0][0] for r in handler.received) == [
        "mentor0@zorg.example.org",
        "mentor2@zorg.example.org",
    ]
    assert statuses(book) == Counter({"sent": 2, "failed": 1})
    assert report.exit_code == 1 and smtp.connections == 1
    [problem] = [p for p in report.problems if p.code.startswith("mail_")]
    assert (problem.code, problem.tab, problem.row) == ("mail_failed", "Mail log", 3)
    assert render_problem(problem, "en")[1] == (
        "The message introduction to mentor1@zorg.example.org was refused by the mail "
        "server (550 mailbox unavailable)."
    )
    later = RecordingMailer()
    nightly_run(book, DAY0 + timedelta(days=1), later)
    assert later.sent == []  # a refusal is for good: never tried again by itself


def test_the_per_run_limit_leaves_the_rest_for_the_next_run_oldest_first() -> None:
    book = InMemoryWorkbook(tabs(pairs=3))
    mailer = RecordingMailer()
    nightly_run(book, DAY0, mailer, per_run=2)
    nightly_run(book, DAY0 + timedelta(days=1), mailer, per_run=2)
    assert [k for k, _ in mailer.sent] == [
        f"M-000{n}/introduction/mentor{n - 1}@zorg.example.org" for n in (1, 2, 3)
    ]


def test_a_break_while_sending_makes_that_message_unknown_and_the_rest_go_on(
    server: tuple[Server, int],
) -> None:
    handler, port = server
    handler.drop_data = 1  # the first message's data: the connection is cut
    book = InMemoryWorkbook(tabs(pairs=3))
    smtp = SmtpMailer(smtp_connect("127.0.0.1", port, "none", "", ""), sleep=lambda _: None)
    report = nightly_run(book, DAY0, smtp)
    assert statuses(book) == Counter({"unknown": 1, "sent": 2})
    assert (len(handler.received), smtp.connections, report.exit_code) == (2, 2, 1)


def test_half_a_year_through_the_command_line_against_an_smtp_server(
    server: tuple[Server, int], in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mentorflow nightly --today` every day for 200 days: each message once, on its day."""
    from jobs.cli import main

    handler, port = server
    write_xlsx(in_tmp / "programme.xlsx", tabs(pairs=1))
    (in_tmp / "config").mkdir()
    (in_tmp / "config" / "mentorflow.toml").write_text(
        f'[mail]\ntransport = "smtp"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        'smtp_security = "none"\nsender = "Mentorprogramma <mentor@zorg.example.org>"\n'
    )
    arrived: dict[str, list[date]] = {}
    for n in range(200):
        today = DAY0 + timedelta(days=n)
        before = len(handler.received)
        assert main(["--today", today.isoformat(), "nightly"]) == 0, capsys.readouterr()
        for recipients, content in handler.received[before:]:
            subject = next(
                line for line in content.decode().splitlines() if line.startswith("Subject:")
            )
            arrived.setdefault(f"{recipients[0]} {subject}", []).append(today)
    capsys.readouterr()
    assert all(len(days) == 1 for days in arrived.values())
    start = DAY0 + timedelta(days=20)
    assert sorted(d[0] for d in arrived.values()) == sorted(
        [DAY0, start - timedelta(days=7), start]
        + [start + timedelta(days=d) for d in (7, 30, 91, 150, 164) for _ in range(2)]
    )


def test_with_a_journal_a_killed_run_loses_only_the_message_in_flight(tmp_path: Path) -> None:
    """Accepted before the kill: logged sent. In flight: unknown. Never handed over: sent."""
    book = InMemoryWorkbook(tabs(pairs=3))
    journal = Journal(tmp_path / "journal")
    dying = DiesAfter(allowed=1)
    with pytest.raises(Killed):
        nightly_run(book, DAY0, dying, journal=journal)
    survivor = RecordingMailer()
    report = nightly_run(book, DAY0, survivor, journal=journal)
    sent_before = [k for k, _ in dying.sent]
    sent_after = [k for k, _ in survivor.sent]
    assert (len(sent_before), len(sent_after)) == (1, 1)
    assert not set(sent_before) & set(sent_after)
    latest = {e.key: e.status for e in read_programme(book.read()).mail_log}
    assert sorted(latest.values()) == ["sent", "sent", "unknown"]
    assert latest[sent_before[0]] == "sent" and latest[sent_after[0]] == "sent"
    assert [p.code for p in report.problems] == ["mail_unknown"]
    assert not (tmp_path / "journal").exists()  # cleared once every outcome is saved


class SlowServer(Server):
    """Takes a moment per message, so that a kill can land in the middle of a run."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def test_killing_the_job_at_random_moments_never_delivers_a_key_twice(in_tmp: Path) -> None:
    """`python -m jobs.nightly` killed (SIGKILL) at random, then run again: per key at most
    one delivery, and exactly one for every key not logged unknown."""
    handler = SlowServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    rng = random.Random(7)
    try:
        (in_tmp / "config").mkdir()
        (in_tmp / "config" / "mentorflow.toml").write_text(
            f'[mail]\ntransport = "smtp"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
            'smtp_security = "none"\nsender = "Mentorprogramma <mentor@zorg.example.org>"\n'
        )
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
        for trial in range(4):
            path = write_xlsx(in_tmp / "programme.xlsx", tabs(pairs=6))
            for leftover in (in_tmp / "backups").glob(".*journal"):
                leftover.unlink()
            handler.received.clear()
            command = [sys.executable, "-m", "jobs.nightly", "--today", DAY0.isoformat()]
            job = subprocess.Popen(
                command, cwd=in_tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.6, 1.6))
            job.kill()  # SIGKILL; TerminateProcess on Windows
            job.wait()
            rerun = subprocess.run(
                command, cwd=in_tmp, env=env, capture_output=True, text=True, timeout=60
            )
            assert rerun.returncode in (0, 1), rerun.stderr
            delivered = Counter(recipients[0] for recipients, _ in handler.received)
            log = read_programme(XlsxWorkbook(path, writable=False).read()).mail_log
            latest = {e.to: e.status for e in log}
            assert max(delivered.values(), default=0) <= 1, (trial, delivered)
            assert len(latest) == 6, (trial, latest)
            # with the journal only the message in flight at the kill can be unknown
            assert list(latest.values()).count("unknown") <= 1, (trial, latest)
            for to, status in latest.items():
                if status != "unknown":
                    assert (status, delivered[to]) == ("sent", 1), (trial, to, latest)
    finally:
        controller.stop()


def test_an_unreachable_server_fails_every_message_and_the_next_run_sends_them(
    tmp_path: Path,
) -> None:
    """A passing failure (no connection) is tried again by the next runs, one row per message."""
    book = InMemoryWorkbook(tabs(pairs=3))
    nowhere = SmtpMailer(
        smtp_connect("127.0.0.1", free_port(), "none", "", ""), sleep=lambda _: None
    )
    first = nightly_run(book, DAY0, nowhere, journal=Journal(tmp_path / "journal"))
    assert (first.exit_code, statuses(book)) == (1, Counter({"failed": 3}))
    retries = [p for p in first.problems if p.code == "mail_retry"]
    assert [dict(p.params)["value"] for p in retries] == [
        f"mentor{n}@zorg.example.org" for n in range(3)
    ]
    assert "ConnectionRefusedError" in dict(retries[0].params)["answer"]
    later = RecordingMailer()
    second = nightly_run(book, DAY0 + timedelta(days=1), later)
    assert len(later.sent) == 3
    assert statuses(book) == Counter({"sent": 3})
    assert len(book.tabs["Mail log"]) == 4  # still one row per message
    assert not [p for p in second.problems if p.code.startswith("mail_")]


def test_a_passing_failure_is_tried_again_only_within_the_grace_days(
    server: tuple[Server, int],
) -> None:
    handler, port = server
    book = InMemoryWorkbook(tabs(pairs=1, start=DAY0 + timedelta(days=30)))
    smtp = SmtpMailer(smtp_connect("127.0.0.1", port, "none", "", ""), sleep=lambda _: None)
    handler.busy_rcpt = 10**6  # 451 to everything: the introduction fails for a passing reason
    for n in range(10):
        report = nightly_run(book, DAY0 + timedelta(days=n), smtp)
    assert handler.received == []
    assert statuses(book) == Counter({"failed": 1})
    [problem] = [p for p in report.problems if p.code == "mail_retry"]
    assert dict(problem.params)["answer"] == "not sent after 3 attempts: 451 try again later"
    tries_after_grace = handler.sessions
    handler.busy_rcpt = 0
    nightly_run(book, DAY0 + timedelta(days=10), smtp)
    assert handler.received == [] and handler.sessions == tries_after_grace  # 10 > 7 days late


def test_journey_mail_replies_to_the_coordinator() -> None:
    data = tabs()
    data["Settings"] += [
        ["Coordinator name", "Cora Ordinator"],
        ["Coordinator email", "cora@zorg.example.org"],
    ]
    book = InMemoryWorkbook(data)
    mailer = RecordingMailer()
    nightly_run(book, DAY0, mailer)
    [(_, message)] = mailer.sent
    assert str(message["Reply-To"]) == "Cora Ordinator <cora@zorg.example.org>"


def test_with_the_mail_server_down_every_message_is_on_the_problems_tab(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jobs.cli import main

    path = write_xlsx(in_tmp / "programme.xlsx", tabs(pairs=2))
    (in_tmp / "config").mkdir()
    (in_tmp / "config" / "mentorflow.toml").write_text(
        f'[mail]\ntransport = "smtp"\nsmtp_host = "127.0.0.1"\nsmtp_port = {free_port()}\n'
        'smtp_security = "none"\nsender = "Mentorprogramma <mentor@zorg.example.org>"\n'
    )
    assert main(["--today", DAY0.isoformat(), "nightly"]) == 1
    out = capsys.readouterr().out
    assert "sent 0, failed 2" in out
    problems = list(openpyxl.load_workbook(path)["Problems"].iter_rows(values_only=True))
    about_mail = [r for r in records(problems, "problems") if r["tab"] == "Mail log"]
    assert [(r["row"], r["column"]) for r in about_mail] == [(2, "Status"), (3, "Status")]
    assert "mentor0@zorg.example.org" in about_mail[0]["problem"]
    assert "Connection refused" in about_mail[0]["problem"]
    assert "mentor1@zorg.example.org" in about_mail[1]["problem"]
    assert "could not be reached" in about_mail[1]["problem"]


def test_an_older_log_with_two_rows_per_message_is_read_and_written_right() -> None:
    """The latest row of a key is its state; a retry writes over that row, nothing else."""
    data = tabs(pairs=2)
    old = ("Key", "Match ID", "Touchpoint", "To", "Subject", "Status", "Time", "Detail")
    when = datetime(2026, 11, 24, 2, 0)
    intro = [f"M-000{n}/introduction/mentor{n - 1}@zorg.example.org" for n in (1, 2)]
    data["Mail log"] = [
        list(old),
        [intro[0], "M-0001", "introduction", "mentor0@zorg.example.org", "Hi", "pending", when],
        [intro[0], "M-0001", "introduction", "mentor0@zorg.example.org", "Hi", "sent", when],
        [intro[1], "M-0002", "introduction", "mentor1@zorg.example.org", "Hi", "pending", when],
        [
            intro[1],
            "M-0002",
            "introduction",
            "mentor1@zorg.example.org",
            "Hi",
            "failed",
            when,
            "unavailable: not sent after 3 attempts: 421 closing",
        ],
    ]
    book = InMemoryWorkbook(data)
    mailer = RecordingMailer()
    nightly_run(book, DAY0 + timedelta(days=1), mailer)
    assert [k for k, _ in mailer.sent] == [intro[1]]
    rows = book.tabs["Mail log"]
    assert len(rows) == 5  # nothing appended
    assert [r[5] for r in rows[1:]] == ["pending", "sent", "pending", "sent"]
    assert rows[4][6] == when  # the Time of an earlier run's row stays: the approval day
    assert str(rows[4][7]).startswith("sent when tried again")


class Unreachable(RecordingMailer):
    def send(self, message: EmailMessage, key: str) -> None:
        raise MailUnavailable("not sent after 3 attempts: 421 4.3.2 service not available")


class Refusing(RecordingMailer):
    """A mail server that refuses some recipients for good (550), as for a mistyped address."""

    def __init__(self, refuse: set[str]) -> None:
        super().__init__([])
        self.refuse = refuse

    def send(self, message: EmailMessage, key: str) -> None:
        if key in self.refuse:
            raise MailRefused("550 5.1.1 user unknown")
        super().send(message, key)


def test_a_late_approvals_welcome_waits_for_the_introduction_and_follows_it() -> None:
    """Approved at S + 10: introduction and welcome go that night. The mail server cannot be
    reached: the introduction is tried again the next night, and the welcome, which names
    the mentor, is not sent before the mentor has been told."""
    book = InMemoryWorkbook(tabs(pairs=1, start=DAY0 - timedelta(days=10)))
    nightly_run(book, DAY0, Unreachable())
    introduction = "M-0001/introduction/mentor0@zorg.example.org"
    welcome = "M-0001/welcome/mentee0@zorg.example.org"
    states = {e.key: e.status for e in read_programme(book.read()).mail_log}
    assert states[introduction] == "failed" and welcome not in states
    later = RecordingMailer()
    nightly_run(book, DAY0 + timedelta(days=1), later)
    sent = [k for k, _ in later.sent]
    assert sent.index(introduction) < sent.index(welcome)


def test_a_welcome_is_held_while_the_introduction_is_refused() -> None:
    """The mentor's address is refused: the mentee hears nothing that names a mentor who does
    not know, on that night or later, until the introduction has gone."""
    book = InMemoryWorkbook(tabs(pairs=1, start=DAY0 + timedelta(days=3)))
    refusing = Refusing({"M-0001/introduction/mentor0@zorg.example.org"})
    nightly_run(book, DAY0, refusing)
    nightly_run(book, DAY0 + timedelta(days=1), refusing)
    states = {e.key: e.status for e in read_programme(book.read()).mail_log}
    assert states["M-0001/introduction/mentor0@zorg.example.org"] == "failed"
    assert "M-0001/welcome/mentee0@zorg.example.org" not in states
    assert [k for k, _ in refusing.sent] == []


def test_an_older_log_sorted_by_hand_never_sends_a_delivered_message_again(
    tmp_path: Path,
) -> None:
    data = tabs(pairs=1)
    key = "M-0001/introduction/mentor0@zorg.example.org"
    row = [key, "M-0001", "introduction", "mentor0@zorg.example.org", "Hi"]
    when = datetime(2026, 11, 24, 2, 0)
    header = ["Key", "Match ID", "Touchpoint", "To", "Subject", "Status", "Time"]
    data["Mail log"] = [header, [*row, "sent", when], [*row, "pending", when]]
    book = InMemoryWorkbook(data)
    later = RecordingMailer()
    nightly_run(book, DAY0 + timedelta(days=1), later, journal=Journal(tmp_path / "journal"))
    assert key not in [k for k, _ in later.sent]


class Turns(Server):
    """Refuses the sender (550) or answers the data with 451, as a misconfigured or busy
    server does."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse_sender = ""
        self.data_answer = ""

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_answer:
            return self.data_answer
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize(
    "fault", [("refuse_sender", "550 5.7.1 sender not allowed"), ("data_answer", "451 4.3.0 later")]
)
def test_a_refused_sender_or_a_4xx_after_the_data_is_tried_again_the_next_night(
    fault: tuple[str, str],
) -> None:
    handler = Turns()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        setattr(handler, *fault)
        book = InMemoryWorkbook(tabs(pairs=2))
        smtp = SmtpMailer(smtp_connect("127.0.0.1", port, "none", "", ""), sleep=lambda _: None)
        report = nightly_run(book, DAY0, smtp)
        assert statuses(book) == Counter({"failed": 2})
        assert {p.code for p in report.problems if p.code.startswith("mail_")} == {"mail_retry"}
        setattr(handler, fault[0], "")
        smtp = SmtpMailer(smtp_connect("127.0.0.1", port, "none", "", ""), sleep=lambda _: None)
        nightly_run(book, DAY0 + timedelta(days=1), smtp)
        assert statuses(book) == Counter({"sent": 2}) and len(handler.received) == 2
    finally:
        controller.stop()


def test_a_welcome_never_goes_alone_when_its_introduction_was_given_up() -> None:
    """The introduction could not be handed over for longer than the grace days: it is no
    longer tried, and the welcome, which names a mentor who does not know, waits for it."""
    book = InMemoryWorkbook(tabs(pairs=1, start=DAY0 - timedelta(days=10)))
    for n in range(9):
        nightly_run(book, DAY0 + timedelta(days=n), Unreachable())
    later = RecordingMailer()
    for n in range(9, 14):
        nightly_run(book, DAY0 + timedelta(days=n), later)
    states = {e.key: e.status for e in read_programme(book.read()).mail_log}
    assert states["M-0001/introduction/mentor0@zorg.example.org"] == "failed"
    assert "M-0001/welcome/mentee0@zorg.example.org" not in states
    assert later.sent == []


def test_welcomes_whose_introductions_were_left_for_the_next_run_wait_with_them() -> None:
    """Two late approvals, one message a minute, and the server goes away: what was not
    tried waits for the next run, the welcomes with their introductions."""
    book = InMemoryWorkbook(tabs(pairs=2, start=DAY0 - timedelta(days=10)))
    assert nightly_run(book, DAY0, Unreachable(), per_minute=1).exit_code == 1
    states = {e.key: e.status for e in read_programme(book.read()).mail_log}
    assert [k for k, s in states.items() if s != "skipped"] == [
        "M-0001/introduction/mentor0@zorg.example.org"
    ]
    later = RecordingMailer()
    nightly_run(book, DAY0 + timedelta(days=1), later)
    sent = [k for k, _ in later.sent]
    assert sorted(sent) == sorted(
        [
            "M-0001/introduction/mentor0@zorg.example.org",
            "M-0002/introduction/mentor1@zorg.example.org",
            "M-0001/welcome/mentee0@zorg.example.org",
            "M-0002/welcome/mentee1@zorg.example.org",
        ]
    )
    for n in ("0", "1"):
        assert sent.index(f"M-000{int(n) + 1}/introduction/mentor{n}@zorg.example.org") < (
            sent.index(f"M-000{int(n) + 1}/welcome/mentee{n}@zorg.example.org")
        )
