"""The command line: every command, the exit codes and the one-line messages of SPEC §6."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jobs.cli import COMMANDS, build_parser, main
from tests.conftest import TODAY, approved_pair, basic_tabs, person, records, write_xlsx

ROOT = Path(__file__).parent.parent
CONFIG = Path("config", "mentorflow.toml")  # in messages as the system writes paths


def sheet_records(sheet: Any, tab: str) -> list[dict[str | None, Any]]:
    """An openpyxl sheet's rows by column key, read by its header as mentorflow reads it."""
    return records(list(sheet.iter_rows(values_only=True)), tab)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_and_is_in_the_readme(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "--dry-run" in capsys.readouterr().out
    assert re.search(rf"mentorflow .*{command}", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_check_writes_problems_and_exits_0(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(
        in_tmp / "programme.xlsx",
        basic_tabs([person("anna", "mentor"), {**person("bo"), "Role": "boss"}]),
    )
    code, out, err = run_cli(capsys, "check", "--today", "2026-11-24")
    assert (code, err) == (0, "")
    assert "problems: 2 (1 errors, 1 warnings, 0 notes)" in out  # and no coordinator email
    assert 'error: Participants row 3, Role: The role "boss" is unknown.' in out
    problems = openpyxl.load_workbook(in_tmp / "programme.xlsx")["Problems"]
    assert (problems["E2"].value, problems["F2"].value) == ("Bo", 'The role "boss" is unknown.')


def test_dry_run_changes_nothing(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx(in_tmp / "programme.xlsx", basic_tabs([{**person("bo"), "Role": "boss"}]))
    before = digest(path)
    code, out, _ = run_cli(capsys, "--dry-run", "nightly")
    assert code == 0 and 'would rewrite tab "Problems" (2 row(s))' in out  # + no coordinator
    assert 'would rewrite tab "Summary"' in out
    assert digest(path) == before and not (in_tmp / "backups").exists()


def test_a_dry_run_may_read_a_workbook_that_is_open_in_excel(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(in_tmp / "programme.xlsx", basic_tabs())
    (in_tmp / "~$programme.xlsx").write_text("x")
    assert run_cli(capsys, "check", "--dry-run")[0] == 0
    code, _, err = run_cli(capsys, "check")
    assert (code, err.count("\n")) == (2, 1) and "Close the workbook" in err


@pytest.mark.parametrize(
    ("tabs", "config", "message"),
    [
        ({"Sheet1": [["Email"]]}, None, 'mentorflow: The workbook has no tab "Participants"'),
        (
            {"Participants": [["Email", "Name"]]},
            None,
            'mentorflow: Tab "Participants" has no column "Role"',
        ),
        (None, None, 'mentorflow: The workbook "programme.xlsx" does not exist.'),
        (
            basic_tabs(),
            'timezone = "Europe/Amsterdam"\n[mail]\ntransprt = "smtp"\n',
            f"mentorflow: {CONFIG}: unknown key 'mail.transprt'.",
        ),
        (
            basic_tabs(),
            "[mail]\ntransport = 'smtp'\n",
            f"mentorflow: {CONFIG}: mail.transport is 'smtp' but mail.smtp_host",
        ),
        (
            basic_tabs(),
            "timezone = Europe/Amsterdam\n",
            f"mentorflow: {CONFIG}: not valid TOML",
        ),
        (
            basic_tabs(),
            "[workbook]\ngoogle_sheet = 'abc'\n",
            "mentorflow: 'abc' is not a Google Sheet URL or key.",
        ),
    ],
)
def test_what_stops_a_run_is_one_line_and_exit_2(
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    tabs: dict[str, list[list[Any]]] | None,
    config: str | None,
    message: str,
) -> None:
    if tabs is not None:
        write_xlsx(in_tmp / "programme.xlsx", tabs)
    if config is not None:
        (in_tmp / "config").mkdir()
        (in_tmp / "config" / "mentorflow.toml").write_text(config)
    code, out, err = run_cli(capsys, "nightly")
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


def test_verbose_shows_the_traceback(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "check", "--verbose")
    assert code == 2 and "Traceback" in err


def test_init_makes_a_ready_workbook_in_each_language(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "init", "nieuw.xlsx", "--lang", "nl")
    assert code == 0 and "created nieuw.xlsx (nl)" in out
    book = openpyxl.load_workbook(in_tmp / "nieuw.xlsx")
    assert book.sheetnames == [
        "Deelnemers",
        "Uitsluitingen",
        "Koppelingen",
        "Instellingen",
        "Maillog",
        "Duo's",
        "Overzicht",
        "Problemen",
        "Uitleg",
    ]
    people = book["Deelnemers"]
    assert [c.value for c in people[1]][:4] == ["E-mail", "Naam", "Rol", "Status"]
    assert people.freeze_panes == "A2"
    dropdowns = {str(v.sqref): v.formula1 for v in people.data_validations.dataValidation}
    assert dropdowns["C2:C2000"] == '"mentor,mentee,beide"'
    assert dropdowns["D2:D2000"] == '"actief,gepauzeerd,gestopt"'
    matches = book["Koppelingen"].data_validations.dataValidation[0]
    assert matches.formula1 == '"voorgesteld,goedgekeurd,afgewezen,beëindigd,afgerond"'
    settings = {r[0]: r[1] for r in book["Instellingen"].iter_rows(min_row=2, values_only=True)}
    assert (settings["Uitloopdagen"], settings["Taal"], settings["Automatisch goedkeuren"]) == (
        "7",
        "nl",
        "nee",
    )
    # a new workbook checks clean and keeps its drop-downs after a run
    assert run_cli(capsys, "--workbook", "nieuw.xlsx", "check")[0] == 0
    book = openpyxl.load_workbook(in_tmp / "nieuw.xlsx")
    assert len(book["Deelnemers"].data_validations.dataValidation) == 3
    # its one problem: the digest has nobody to go to until the coordinator's email is in
    problems = sheet_records(book["Problemen"], "problems")
    assert [(r["severity"], r["tab"], r["column"], r["who"]) for r in problems] == [
        ("waarschuwing", "Instellingen", "Waarde", None)
    ]
    assert "e-mailadres van de coördinator" in problems[0]["problem"]


def test_init_refuses_to_overwrite(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx(in_tmp / "programme.xlsx", basic_tabs())
    before = digest(path)
    code, _, err = run_cli(capsys, "init", "programme.xlsx")
    assert code == 2 and "already exists" in err and digest(path) == before


def test_demo_builds_a_workbook_with_problems_and_runs_nightly(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_cli(capsys, "demo", "--today", TODAY.isoformat())
    assert (code, err) == (0, "")
    book = openpyxl.load_workbook(in_tmp / "demo" / "programme.xlsx")
    # 40 people, 8 who finished last half year, and 2 who registered on the form
    assert book["Deelnemers"].max_row == 51
    problems = sheet_records(book["Problemen"], "problems")
    assert len(problems) == 13
    # errors first, then warnings, then notes
    order = ("fout", "waarschuwing", "opmerking")
    assert [r["severity"] for r in problems] == sorted(
        (r["severity"] for r in problems), key=order.index
    )
    # an existing colleague without a start date, and a `both` proposed a mentor without one
    notes = [r for r in problems if r["severity"] == "opmerking"]
    assert [(r["who"], r["problem"].split(":")[0]) for r in notes] == [
        ("Sven Mulder", "Geen startdatum voor Sven Mulder"),
        ("Bram Kaya", "Geen startdatum voor Bram Kaya"),
    ]
    assert {r["tab"] for r in problems} == {
        "Deelnemers",
        "Formulierreacties 1",
        "Uitsluitingen",
        "Evaluatie (reacties)",
    }
    proposals = sheet_records(book["Koppelingen"], "matches")[12:]
    assert len(proposals) == 14 and {r["status"] for r in proposals} == {"voorgesteld"}
    # the match that ended early: its mentee waits again, for another mentor
    (again_proposed,) = [
        r for r in proposals if r["mentee_email"] == "pieter.dekker@delinde.example.org"
    ]
    assert again_proposed["mentor_email"] != "sem.de.groot@delinde.example.org"
    newcomers = {r["mentee_email"] for r in proposals} & {
        "noor.peters@delinde.example.org",
        "ruben.smit@delinde.example.org",
    }
    assert len(newcomers) == 2  # registered on the form and proposed the same night
    outbox = sorted(p.name for p in (in_tmp / "demo" / "outbox").iterdir())
    # approved tonight: M-0009 before the start, M-0011 twelve days after it (both mails)
    assert [name.split("_")[:2] for name in outbox] == [
        ["M-0009", "introduction"],
        ["M-0011", "introduction"],
        ["M-0011", "welcome"],
        ["digest", "2026-11-23"],
    ]
    summary = book["Overzicht"]
    assert summary["A1"].value == "Mentorprogramma De Linde: overzicht"
    assert len(summary._charts) == 2  # one per scale: 1 to 5, 1 to 10
    again = run_cli(capsys, "--config", "demo/mentorflow.toml", "--today", "2026-11-24", "nightly")
    assert again[0] == 0 and "nothing to write" in again[1]
    assert run_cli(capsys, "demo", "--today", TODAY.isoformat())[0] == 0  # rebuilt fresh


def test_the_installed_command_and_the_cron_module_run(in_tmp: Path) -> None:
    write_xlsx(in_tmp / "programme.xlsx", basic_tabs())
    script = shutil.which("mentorflow", path=str(Path(sys.executable).parent))  # .exe on Windows
    assert script, "the mentorflow command is not installed: pip install -e '.[dev]'"
    windows = {k: v for k, v in os.environ.items() if k == "SYSTEMROOT"}  # Python needs it there
    for argv in ([script, "check"], [sys.executable, "-m", "jobs.nightly", "--dry-run"]):
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            cwd=in_tmp,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **windows},
        )
        assert (done.returncode, done.stderr) == (0, ""), argv
        assert "participants: 2" in done.stdout


def test_the_shipped_config_is_valid() -> None:
    from pipeline.config import load_config

    assert load_config(ROOT / "config" / "mentorflow.toml").workbook_path == "programme.xlsx"


def test_options_may_follow_the_command() -> None:
    args = build_parser().parse_args(["check", "--today", "2026-11-24", "--dry-run"])
    assert (args.today, args.dry_run) == (TODAY, True)


def test_preview_writes_each_recipients_message_to_look_at(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(in_tmp / "programme.xlsx", approved_pair())
    code, out, _ = run_cli(capsys, "preview", "--match", "M-0007", "--touchpoint", "first_week")
    assert code == 0
    assert sorted(p.name for p in (in_tmp / "preview").iterdir()) == [
        "M-0007-first_week-mentee.eml",
        "M-0007-first_week-mentee.html",
        "M-0007-first_week-mentor.eml",
        "M-0007-first_week-mentor.html",
    ]
    assert "Your first week: a check-in with Anna" in out
    assert "<p>Dear Bo,</p>" in (in_tmp / "preview" / "M-0007-first_week-mentee.html").read_text()
    code, _, err = run_cli(capsys, "preview", "--match", "M-9999", "--touchpoint", "welcome")
    assert (code, err) == (2, 'mentorflow: there is no usable match "M-9999" on the Matches tab.\n')


def test_a_preview_of_a_match_id_no_file_system_takes_still_writes_its_files(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tabs = approved_pair()
    tabs["Matches"][-1][0] = "M:7/b?"  # typed by hand: Windows refuses ':' and '?' in a name
    write_xlsx(in_tmp / "programme.xlsx", tabs)
    code, _, _ = run_cli(capsys, "preview", "--match", "M:7/b?", "--touchpoint", "welcome")
    assert code == 0
    assert sorted(p.name for p in (in_tmp / "preview").iterdir()) == [
        "M_7_b_-welcome-mentee.eml",
        "M_7_b_-welcome-mentee.html",
    ]


@pytest.mark.parametrize("lang", ["nl", "en", "nb"])
def test_the_shipped_empty_workbooks_are_what_init_writes(lang: str) -> None:
    """templates/workbook/ holds the files a coordinator uploads to Google Drive."""
    from pipeline.adapters.workbook import InMemoryWorkbook
    from pipeline.adapters.xlsx import XlsxWorkbook
    from pipeline.core.layout import new_workbook

    shipped = XlsxWorkbook(
        ROOT / "templates" / "workbook" / f"programme-{lang}.xlsx", writable=False
    )
    expected = InMemoryWorkbook.from_templates(new_workbook(lang)).read()

    def cells(snapshot: Any) -> dict[str, list[list[Any]]]:  # an empty text cell is no cell
        return {
            t: [[None if v == "" else v for v in r] for r in rows] for t, rows in snapshot.items()
        }

    assert cells(shipped.read()) == cells(expected), "run: make templates"


def test_a_name_the_output_cannot_show_does_not_stop_the_run(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Output redirected to a file on Windows is cp1252: "Łeider" prints as "?eider"."""
    people = [person("anna", "mentor"), {**person("bo"), "Role": "Łeider"}]
    write_xlsx(in_tmp / "programme.xlsx", basic_tabs(people))
    written = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written, encoding="cp1252"))
    code = main(["check", "--today", "2026-11-24"])
    sys.stdout.flush()
    assert code == 0
    assert 'The role "?eider" is unknown.' in written.getvalue().decode("cp1252")
