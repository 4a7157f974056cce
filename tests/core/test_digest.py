"""The coordinator's weekly digest, sent over real SMTP by the nightly job."""

from __future__ import annotations

import email
import re
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jobs.cli import main
from pipeline.core.cells import parse_date
from pipeline.core.digest import LISTED_PROBLEMS, digest
from pipeline.core.evaluation import read_evaluations
from pipeline.core.models import Problem
from pipeline.core.programme import read_programme
from pipeline.core.render import render
from pipeline.core.settings import SPECS
from pipeline.core.stage import Context
from pipeline.core.vocab import LANGUAGES, TABS
from tests import evaluation_data as data
from tests.conftest import Server, records, write_xlsx

COORDINATOR = "coordinator@zorg.example.org"


def programme(folder: Path, port: int, *settings: tuple[str, Any], lang: str = "en") -> Path:
    tabs = data.workbook(lang)
    settings_tab = next(name for name in tabs if name in ("Settings", "Instellingen"))
    tabs[settings_tab] += [list(s) for s in settings]
    path = write_xlsx(folder / "programme.xlsx", tabs)
    (folder / "mentorflow.toml").write_text(
        f'[mail]\ntransport = "smtp"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        'smtp_security = "none"\nsender = "Mentorprogramma <mentor@zorg.example.org>"\n'
        f'\n[tabs]\nevaluations = "{data.EVALUATION_TAB[lang]}"\n',
        encoding="utf-8",
    )
    return path


def nightly(path: Path, day: date, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(
        [
            "--config",
            str(path.parent / "mentorflow.toml"),
            "--workbook",
            str(path),
            "--today",
            day.isoformat(),
            "nightly",
        ]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), out
    return out


def digests(handler: Server) -> list[EmailMessage]:
    found: list[EmailMessage] = []
    for to, raw in handler.received:
        if to == [COORDINATOR]:
            found.append(email.message_from_bytes(raw, policy=default))
    return found


def by_key(path: Path, name: str, key: str) -> list[dict[str | None, Any]]:
    """The rows of tab `name` by column key (`key`, like "mail_log")."""
    return records(list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True)), key)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


MONDAY = date(2026, 11, 23)


def test_one_digest_a_week_on_the_digest_day(
    tmp_path: Path, server: tuple[Server, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = server
    path = programme(tmp_path, port, ("Coordinator email", COORDINATOR))
    for day in range(8):  # Monday to the next Monday, every night
        nightly(path, MONDAY + timedelta(days=day), capsys)
    sent = digests(handler)
    assert len(sent) == 2
    assert [m["Subject"].split(":")[0] for m in sent] == ["Mentor programme"] * 2
    log = by_key(path, "Mail log", "mail_log")
    keys = [r["key"] for r in log if str(r["key"]).startswith("digest/")]
    assert keys == [
        f"digest/2026-11-23/{COORDINATOR}",
        f"digest/2026-11-30/{COORDINATOR}",
    ]  # one row per message: pending, then sent over it


def test_a_missed_digest_day_is_caught_up_within_the_grace_days(
    tmp_path: Path, server: tuple[Server, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = server
    path = programme(
        tmp_path,
        port,
        ("Coordinator email", COORDINATOR),
        ("Digest day", "Friday"),
        ("Grace days", 2),
    )
    nightly(path, date(2026, 11, 23), capsys)  # Monday: the last Friday is 3 days ago
    assert digests(handler) == []
    nightly(path, date(2026, 11, 29), capsys)  # Sunday: Friday's digest, 2 days late
    (sent,) = digests(handler)
    assert "Friday 27 November 2026" not in text_of(sent)
    assert "for Friday 20 November 2026 to Thursday 26 November 2026" in text_of(sent)


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ((("Coordinator email", COORDINATOR), ("Send: coordinator digest", "no")), False),
        ((), True),
    ],
)
def test_no_digest_when_switched_off_or_nowhere_to_go(
    settings: tuple[tuple[str, str], ...],
    problem: bool,
    tmp_path: Path,
    server: tuple[Server, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler, port = server
    path = programme(tmp_path, port, *settings)
    nightly(path, MONDAY, capsys)
    assert digests(handler) == []
    problems = [r["problem"] for r in by_key(path, "Problems", "problems")]
    expected = "The weekly digest is on, but there is no coordinator email to send it to."
    assert (expected in problems) == problem


def test_the_digest_says_what_waits_and_flags_without_quoting(
    tmp_path: Path, server: tuple[Server, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = server
    path = programme(
        tmp_path, port, ("Coordinator email", COORDINATOR), ("Coordinator name", "Ida Coordinator")
    )
    nightly(path, date(2026, 10, 19), capsys)  # covers 12 to 18 October
    (sent,) = digests(handler)
    text = text_of(sent)
    assert text.startswith("Dear Ida,")
    assert "Proposals waiting for your approval: 2" in text  # m7 was proposed tonight
    assert "- M-0006: M6 Mentee with Cas Mentor (tab Matches, row 7)" in text
    assert "- M-0007: M7 Mentee with Ann Mentor (tab Matches, row 8)" in text
    assert "Evaluations received: 1 " in text  # m2 on 16 October; ben's is on the 20th
    assert (
        "- M-0002 (M2 Mentee with Ben Mentor): the mentee gave a low score on "
        '"How satisfied are you with the mentoring? (1-5)"; answered that they have not met'
    ) in text
    html = sent.get_body(preferencelist=("html",))
    assert html is not None and "M-0002 (M2 Mentee with Ben Mentor)" in str(html.get_content())
    for secret in data.OPEN_TEXTS:
        assert secret not in str(sent)
    # the failed mail of November is listed in every digest until the coordinator handles it
    assert "Mails sent: 0, not delivered (listed until handled on the Mail log): 1" in text


def test_mails_of_the_week_before_are_counted(
    tmp_path: Path, server: tuple[Server, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = server
    path = programme(tmp_path, port, ("Coordinator email", COORDINATOR))
    nightly(path, date(2026, 11, 9), capsys)  # 2 to 8 November: one sent, one failed
    (sent,) = digests(handler)
    text = text_of(sent)
    assert "Mails sent: 1, not delivered (listed until handled on the Mail log): 1" in text
    assert "- quarter to x@zorg.example.org (failed, Mail log row 5)" in text
    # the failed mail counts among what to look at (no flags this week)
    assert sent["Subject"] == "Mentor programme: your weekly overview (2 to approve, 1 to look at)"


def test_only_problems_new_since_the_last_digest_are_listed(
    tmp_path: Path, server: tuple[Server, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = server
    path = programme(tmp_path, port, ("Coordinator email", COORDINATOR))
    nightly(path, MONDAY, capsys)
    first = text_of(digests(handler)[0])
    assert '"unknown.person@zorg.example.org" is not the mentor or mentee' in first
    book = openpyxl.load_workbook(path)
    book["Participants"].append(["new@", "Nobody", "mentee"])  # a new problem on Wednesday
    book.save(path)
    nightly(path, MONDAY + timedelta(days=2), capsys)
    nightly(path, MONDAY + timedelta(days=7), capsys)
    second = text_of(digests(handler)[1])
    tab = list(openpyxl.load_workbook(path)["Problems"].iter_rows(values_only=True))
    # the total is what the Problems tab showed that night: the failed mail's row included
    assert "New problems: 1 (open in all: 9)" in second and len(tab) - 1 == 9
    assert '"new@" is not a valid email address.' in second
    assert "unknown.person" not in second
    since = {r["problem"]: parse_date(r["since"]) for r in by_key(path, "Problems", "problems")}
    assert since['"new@" is not a valid email address.'] == date(2026, 11, 25)
    assert [d for p, d in since.items() if "unknown.person" in str(p)] == [date(2026, 11, 23)]


def test_the_digest_speaks_the_workbook_language(
    tmp_path: Path, server: tuple[Server, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = server
    path = programme(
        tmp_path,
        port,
        ("E-mail coördinator", COORDINATOR),
        ("Dag van het overzicht", "maandag"),
        lang="nl",
    )
    nightly(path, MONDAY, capsys)
    (sent,) = digests(handler)
    assert "je wekelijkse overzicht" in sent["Subject"]
    text = text_of(sent)
    assert "Voorstellen die op je goedkeuring wachten: 2" in text
    assert "- M-0006: M6 Mentee met Cas Mentor (tabblad Koppelingen, rij 7)" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_part_of_the_digest_renders_in_every_language(lang: str) -> None:
    tabs = data.workbook(lang)
    settings_tab = TABS.word("settings", lang)
    tabs[settings_tab].append([SPECS["coordinator_email"].label.word(lang), COORDINATOR])
    snapshot = {name: tuple(tuple(row) for row in rows) for name, rows in tabs.items()}
    prog = read_programme(snapshot, {"evaluations": data.EVALUATION_TAB[lang]})
    day = date(2026, 11, 9)  # the week with a failed mail
    found = read_evaluations(prog, day)
    many = tuple(
        Problem.at("Participants", n, "Email", "email_missing", "skipped") for n in range(40)
    )
    message = digest(prog, Context(day, workbook="w.xlsx", found=many), found)
    assert message is not None and message.key == f"digest/2026-11-09/{COORDINATOR}"
    rendered = render("digest", lang, message.variables)
    assert rendered.subject and "\n" not in rendered.subject
    assert re.search(r"<[a-zA-Z/!]", rendered.text) is None  # no HTML in the text part
    assert f'<html lang="{lang}">' in rendered.html
    for part in (rendered.text, rendered.html):
        assert "M-0006" in part and "x@zorg.example.org" in part and "w.xlsx" in part
        assert f" {len(many) + len(found.problems) - LISTED_PROBLEMS} " in part  # and N more
    assert (
        rendered.html.count("<li>") == 1 + LISTED_PROBLEMS + 1 + 1
    )  # proposals, problems, more, failed


def test_a_digest_the_server_turned_away_for_now_goes_the_next_night(
    tmp_path: Path, server: tuple[Server, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = server
    path = programme(tmp_path, port, ("Coordinator email", COORDINATOR))
    handler.refuse[COORDINATOR] = "451 4.3.0 mailbox busy, try again later"
    code = main(
        [
            "--config",
            str(tmp_path / "mentorflow.toml"),
            "--workbook",
            str(path),
            "--today",
            MONDAY.isoformat(),
            "nightly",
        ]
    )
    capsys.readouterr()
    assert code == 1 and digests(handler) == []
    problems = [r for r in openpyxl.load_workbook(path)["Problems"].iter_rows(values_only=True)]
    assert any(COORDINATOR in str(r) and "451 4.3.0 mailbox busy" in str(r) for r in problems), (
        problems
    )
    del handler.refuse[COORDINATOR]
    nightly(path, MONDAY + timedelta(days=1), capsys)
    assert len(digests(handler)) == 1
    log = by_key(path, "Mail log", "mail_log")
    assert [r["status"] for r in log if str(r["key"]).startswith("digest/")] == ["sent"]
