"""Microsoft 365 end to end, as an installer sets it up (SPEC §7a): the command line with a
config file, a client secret in the environment, the workbook on SharePoint, evaluation
answers from a Microsoft Forms workbook, mail through Graph sendMail, all against local
doubles of the Microsoft identity platform and of Microsoft Graph over HTTP(S).

The night must leave the workbook cell for cell as the same night leaves an .xlsx copy
(the Mail log's clock aside), with one login, no formula, and each message sent once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jobs.cli import main
from jobs.workbooks import _GRAPHS
from pipeline import demo
from pipeline.adapters.sheets import _json
from pipeline.adapters.xlsx import XlsxWorkbook
from tests.conftest import write_xlsx
from tests.graph_double import GraphDouble
from tests.login_double import LoginDouble

TODAY = date(2026, 11, 24)
HOST, SITE = "org.sharepoint.com", "/sites/Mentoring"
TENANT, CLIENT = "zorg.onmicrosoft.com", "5f1c0e2a-0000-4000-8000-00000000c11e"
SECRET = "s3cr3t~v4lue"
BOX = "mentorprogramma@zorg.example.org"
LIBRARY = f"https://{HOST}{SITE}/Shared Documents"
FORMS = "Evaluatie mentorprogramma.xlsx"
INTAKE = "Aanmelding mentorprogramma.xlsx"


@pytest.fixture
def microsoft(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LoginDouble, GraphDouble]]:
    tokens: set[str] = set()
    with LoginDouble(tokens) as login, GraphDouble(tokens) as graph:
        login.register_app(TENANT, CLIENT, secret=SECRET)
        for name, value in {**login.environ(), "MENTORFLOW_GRAPH_ENDPOINT": graph.url}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
        for name in ("MICROSOFT_CERTIFICATE", "ACTIONS_ID_TOKEN_REQUEST_URL"):
            monkeypatch.delenv(name, raising=False)
        _GRAPHS.clear()  # one login per run: a new run, a new login
        yield login, graph
        _GRAPHS.clear()
        assert [reason for _, reason in graph.refused] == []


def demo_tabs() -> tuple[dict[str, list[list[Any]]], list[list[Any]]]:
    """The demo programme without its evaluation tab, and that tab (the Forms workbook)."""
    tabs = {t.name: [list(r) for r in t.rows] for t in demo.templates(TODAY, "nl")}
    answers = tabs.pop(demo.EVALUATION_TAB)
    return tabs, answers


def on_sharepoint(graph: GraphDouble, scoped: bool = True) -> str:
    """The demo programme and its evaluation form's workbook on the site, the app granted
    write on it and scoped (or not) to the programme's mailbox; the site's id."""
    tabs, answers = demo_tabs()
    site = graph.add_site(HOST, SITE)
    graph.grant(site, "write")
    graph.add_workbook(site, "programme.xlsx", serials(tabs))
    graph.add_workbook(site, FORMS, serials({"Blad1": answers}))
    graph.add_mailbox(BOX, scoped=scoped)
    return site


def intake_tab(tabs: dict[str, list[list[Any]]]) -> str:
    from pipeline.core.vocab import TABS

    return next(name for name in tabs if TABS.key_of(name) == "intake")


def config(folder: Path, workbook: str, transport: str) -> Path:
    columns = "\n".join(f'"{q}" = "{c}"' for q, c in demo.INTAKE_COLUMNS.items())
    text = (
        f"{workbook}\n"
        f'[microsoft]\ntenant = "{TENANT}"\nclient_id = "{CLIENT}"\n'
        f'[sources]\nevaluations = "{LIBRARY}/{FORMS}"\n'
        f'[tabs]\nevaluations = "{demo.EVALUATION_TAB}"\n'
        f'[mail]\n{transport}\nsender = "Mentorprogramma <{BOX}>"\n'
        f"[intake.columns]\n{columns}\n"
    )
    path = folder / "mentorflow.toml"
    path.write_text(text, encoding="utf-8")
    return path


def serials(tabs: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    return {name: [[_json(v) for v in row] for row in rows] for name, rows in tabs.items()}


def comparable(snapshot: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Cells as both adapters hold them; the Mail log's Time (the clock) left out."""
    from tests.test_contract import plain

    result = {}
    for name, rows in snapshot.items():
        cells = [[plain(v) for v in row] for row in rows]
        for row in cells:
            while row and row[-1] is None:
                row.pop()
        while cells and not any(v is not None for v in cells[-1]):
            cells.pop()
        if name == "Maillog" and cells:  # the clock's time of each message
            clock = cells[0].index("Tijd")
            cells = [row[:clock] + row[clock + 1 :] for row in cells]
        result[name] = [list(row) for row in cells]
    return result


def test_a_night_on_sharepoint_equals_the_night_on_an_xlsx_copy(
    tmp_path: Path,
    microsoft: tuple[LoginDouble, GraphDouble],
    capsys: pytest.CaptureFixture[str],
) -> None:
    login, graph = microsoft
    tabs, answers = demo_tabs()
    name = intake_tab(tabs)
    responses = tabs.pop(name)  # the intake form's answers: a Forms workbook of their own
    site = graph.add_site(HOST, SITE)
    graph.grant(site, "write")
    graph.add_workbook(site, "programme.xlsx", serials(tabs))
    graph.add_workbook(site, FORMS, serials({"Blad1": answers}))
    graph.add_workbook(site, INTAKE, serials({"Form1": responses}))
    graph.add_mailbox(BOX)
    sources = f'intake = "{LIBRARY}/{INTAKE}"\n[tabs]\nintake = "{name}"\n'

    # the same night on an .xlsx copy, the answers read from local copies of the forms
    local = tmp_path / "local"
    local.mkdir()
    write_xlsx(local / "programme.xlsx", tabs)
    write_xlsx(local / FORMS, {"Blad1": answers})
    write_xlsx(local / INTAKE, {"Form1": responses})
    xlsx_config = config(local, f'[workbook]\npath = "{local / "programme.xlsx"}"', "")
    text = xlsx_config.read_text(encoding="utf-8").replace("[tabs]\n", sources)
    xlsx_config.write_text(
        text.replace(f"{LIBRARY}/{FORMS}", str(local / FORMS))
        .replace(f"{LIBRARY}/{INTAKE}", str(local / INTAKE))
        .replace("[mail]\n", f'[mail]\ntransport = "outbox"\noutbox_dir = "{local / "outbox"}"\n'),
        encoding="utf-8",
    )
    today = ["--today", TODAY.isoformat()]
    assert main(["--config", str(xlsx_config), *today, "nightly"]) == 0

    online = tmp_path / "online"
    online.mkdir()
    workbook = f'[workbook]\nsharepoint = "{LIBRARY}/programme.xlsx"'
    settings = config(online, workbook, f'transport = "microsoft"\nmailbox = "{BOX}"')
    settings.write_text(settings.read_text("utf-8").replace("[tabs]\n", sources), "utf-8")
    capsys.readouterr()
    assert main(["--config", str(settings), *today, "--verbose", "nightly"]) == 0
    out = capsys.readouterr().out
    assert "Microsoft Graph requests:" in out

    expected = comparable(dict(XlsxWorkbook(local / "programme.xlsx").read()))
    assert comparable(graph.snapshot(site, "programme.xlsx")) == expected
    forms = comparable(graph.snapshot(site, FORMS))
    assert forms == comparable(serials({"Blad1": answers}))  # read, never written
    people = next(n for n in expected if n.startswith("Deelnemers"))
    assert len(expected[people]) > len(tabs[people])  # the intake form's newcomers joined
    assert graph.formulas(site, "programme.xlsx") == []
    assert login.issued == 1  # one token for the workbook, the form and the mail
    outbox = sorted(p.name for p in (local / "outbox").glob("*.eml"))
    assert len(graph.sent) == len(outbox) == 4
    assert {str(m["From"]) for _, m, _ in graph.sent} == {f"Mentorprogramma <{BOX}>"}
    assert SECRET not in out

    # the same night again: nothing is sent twice
    _GRAPHS.clear()
    assert main(["--config", str(settings), *today, "nightly"]) == 0
    assert len(graph.sent) == 4


def test_a_mailbox_the_app_may_not_send_from_is_one_line_and_exit_2(
    tmp_path: Path,
    microsoft: tuple[LoginDouble, GraphDouble],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, graph = microsoft
    site = on_sharepoint(graph, scoped=False)
    workbook = f'[workbook]\nsharepoint = "{LIBRARY}/programme.xlsx"'
    settings = config(tmp_path, workbook, f'transport = "microsoft"\nmailbox = "{BOX}"')
    code = main(["--config", str(settings), "--today", TODAY.isoformat(), "nightly"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "scope the app to this mailbox" in err
    log = graph.snapshot(site, "programme.xlsx")["Maillog"]
    status = log[0].index("Status")
    statuses = {row[status] for row in log[1:]}
    assert "verzonden" not in statuses and "mislukt" in statuses  # tried again next run


def test_an_expired_client_secret_is_one_line_for_the_admin(
    tmp_path: Path,
    microsoft: tuple[LoginDouble, GraphDouble],
    capsys: pytest.CaptureFixture[str],
) -> None:
    login, graph = microsoft
    login.register_app(TENANT, CLIENT, secret=SECRET, secret_expired=True)
    site = graph.add_site(HOST, SITE)
    graph.grant(site, "write")
    graph.add_workbook(site, "programme.xlsx", serials(demo_tabs()[0]))
    workbook = f'[workbook]\nsharepoint = "{LIBRARY}/programme.xlsx"'
    settings = config(tmp_path, workbook, f'transport = "microsoft"\nmailbox = "{BOX}"')
    code = main(["--config", str(settings), "check"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "has expired" in err and "new client secret" in err and SECRET not in err


def test_every_command_works_on_the_sharepoint_workbook(
    tmp_path: Path,
    microsoft: tuple[LoginDouble, GraphDouble],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, graph = microsoft
    site = on_sharepoint(graph)
    settings = config(tmp_path, "", f'transport = "microsoft"\nmailbox = "{BOX}"')
    where = ["--config", str(settings), "--sharepoint", f"{LIBRARY}/programme.xlsx"]
    today = ["--today", TODAY.isoformat()]
    before = graph.snapshot(site, "programme.xlsx")
    assert main([*where, *today, "--dry-run", "nightly"]) == 0
    assert graph.snapshot(site, "programme.xlsx") == before and graph.sent == []
    for command in ("check", "intake", "match", "mail", "evaluate"):
        _GRAPHS.clear()
        assert main([*where, *today, command]) == 0, command
    assert len(graph.sent) == 4
    _GRAPHS.clear()
    out = tmp_path / "preview"
    assert main([*where, *today, "preview", "--match", "M-0013", "--touchpoint", "introduction",
                 "--out", str(out)]) == 0  # fmt: skip
    assert len(list(out.glob("*.eml"))) == 1
    assert "refused" not in capsys.readouterr().err
