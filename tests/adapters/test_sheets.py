"""The Google Sheets adapter: credentials, retries, timeouts and a request count that stays put.

The real gspread client talks HTTP to the local double of the Sheets API.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2 import service_account

import pipeline.adapters.sheets as sheets
from benchmarks.sheets import tabs as programme  # a new workbook with N synthetic people
from jobs.cli import main
from pipeline import demo
from pipeline.adapters.runlock import exclusive
from pipeline.adapters.sheets import SCOPES, SheetsWorkbook, load_credentials, sheet_key
from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.adapters.xlsx import XlsxWorkbook
from pipeline.core.cells import Cell, Row
from pipeline.core.changes import Append, Plan, Update
from pipeline.core.schema import Snapshot
from pipeline.errors import ConfigError, SheetsUnavailable
from tests.conftest import write_xlsx
from tests.sheets_discovery import deprecated
from tests.sheets_double import SheetsDouble

KEY = "1mentorflowSheetsTestKey000000000000000"


@pytest.fixture
def api(sheets_api: SheetsDouble) -> Iterator[SheetsDouble]:
    """The Sheets double; after the test, every request it got conformed to Google's API."""
    yield sheets_api
    assert [message for _, message in sheets_api.refused] == []


def full(api: SheetsDouble) -> None:
    """Every tab's grid exactly as long and as wide as its table: the next row is past it."""
    for sheet in api.books[KEY].sheets:
        found = sheet.values()
        sheet.rows = max(len(found), 1)
        sheet.columns = max((len(r) for r in found), default=1) or 1


def plain(snapshot: Snapshot) -> dict[str, list[list[Cell]]]:
    """Tabs as every adapter can hold them: dates as serial days, 3.0 as 3, "" as empty."""

    def cell(value: Cell) -> Cell:
        if isinstance(value, date):
            value = sheets._json(value)
        if isinstance(value, float):
            return int(value) if value.is_integer() else round(value, 6)
        return None if value == "" else value

    return {tab: [[cell(v) for v in row] for row in rows] for tab, rows in snapshot.items()}


def demo_book(api: SheetsDouble) -> None:
    """The demo programme (mentorflow demo) as a Google Sheet."""
    day = date(2026, 11, 24)
    api.book(
        KEY, {t.name: [[sheets._json(v) for v in r] for r in t.rows] for t in demo.templates(day)}
    )


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_night_on_full_grids_is_the_night_on_a_file_in_the_same_few_requests(
    api: SheetsDouble,
    capsys: pytest.CaptureFixture[str],
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """50 and 2,000 participants, every grid exactly full, errors injected: the same few
    requests for both, each one Google's API inside the grid, and cell for cell the workbook
    that the same night leaves in an .xlsx file (benchmarks/sheets.py measures 5,000)."""
    monkeypatch.setattr("pipeline.adapters.sheets.time.sleep", lambda _: None)
    counts = {}
    for size in (50, 2_000):
        tabs = programme(size)
        api.book(KEY, tabs)
        full(api)
        api.requests.clear()
        faults = {1: 429, 3: 500, 5: 503, 7: 502}
        api.fail_on = dict(faults)
        night = ("--today", "2026-11-24", "--verbose", "nightly")
        code, out, _ = run_cli(capsys, "--sheet", KEY, *night)
        assert code == 0 and api.fail_on == {}  # every injected error was met, and retried
        assert f"Google Sheets API requests: {len(api.requests)}" in out
        counts[size] = [method + " " + path.rsplit("/", 1)[-1] for method, path in api.requests]
        path = write_xlsx(in_tmp / f"programme-{size}.xlsx", tabs)
        assert run_cli(capsys, "--workbook", str(path), *night)[0] == 0
        on_sheet = plain(SheetsWorkbook(KEY, load_credentials(None)).read())
        assert on_sheet == plain(XlsxWorkbook(path).read())
        assert len(on_sheet["Matches"]) > 1 + 1 and len(on_sheet["Problems"]) > 1  # both grew
    assert counts[50] == counts[2_000]
    answered = [r for n, r in enumerate(counts[2_000], start=1) if n not in faults]
    assert len(answered) <= 10
    assert answered.count("GET values:batchGet") == 2  # the read, and the check
    assert sum("values:batchUpdate" in r for r in answered) == 1  # one write


LOG_HEADER = ("Time", "To", "Status", "Detail", "Key")


def test_a_mail_log_whose_grid_is_exactly_full_takes_pending_rows_and_their_outcomes(
    api: SheetsDouble,
) -> None:
    """1,000 rows in a 1,000-row, 5-column grid, as the Mail log is after some months: rows
    appended pending then written over land where the in-memory workbook puts them."""
    sent = datetime(2026, 9, 1, 2, 30)
    rows: list[Row] = [
        LOG_HEADER,
        *((sent, f"p{n}@x.org", "sent", "", f"k{n}") for n in range(999)),
    ]
    book = api.book(KEY, {"Mail log": [[sheets._json(v) for v in r] for r in rows]})
    log = book.sheets[0]
    log.rows, log.columns = 1000, 5
    now, later = datetime(2026, 11, 24, 2, 30), datetime(2026, 11, 24, 2, 31)
    pending = Plan(
        (
            Append(
                "Mail log", tuple((now, f"n{n}@x.org", "pending", None, f"n{n}") for n in range(3))
            ),
            Update("Mail log", 1000, (None, None, "failed", "451 try again later")),
        )
    )
    outcomes = Plan(
        (
            Update("Mail log", 1001, (later, None, "sent", "250 OK")),
            Update("Mail log", 1003, (None, None, "failed", "550 no such user")),
        )
    )
    workbook = SheetsWorkbook(KEY, load_credentials(None))
    memory = InMemoryWorkbook({"Mail log": rows})
    for saved in (workbook, memory):
        saved.read()
        saved.apply(pending)
        saved.apply(outcomes)
    again = SheetsWorkbook(KEY, load_credentials(None)).read()
    assert plain(again) == plain(memory.read())
    assert [r[2] for r in again["Mail log"][-4:]] == ["failed", "sent", "pending", "failed"]
    assert log.rows > 1003 and log.columns == 5
    assert api.refused == []


def test_429_and_500_are_retried_with_backoff(api: SheetsDouble) -> None:
    api.book(KEY, programme(5))
    waits: list[float] = []
    api.faults = [429, 500, 503]
    book = SheetsWorkbook(KEY, load_credentials(None), sleep=waits.append)
    assert "Participants" in book.read()
    assert waits == [0.0, 2.0, 4.0]  # Retry-After: 0 on the 429, then 2 and 4 seconds
    assert book.requests == 3 + 2  # three refused, the metadata and the values


def test_retries_are_bounded_and_end_in_one_line(
    api: SheetsDouble,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    in_tmp: Path,
) -> None:
    api.book(KEY, programme(5))
    monkeypatch.setattr("pipeline.adapters.sheets.time.sleep", lambda _: None)
    api.faults = [500] * sheets.ATTEMPTS
    code, out, err = run_cli(capsys, "--sheet", KEY, "check")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "kept answering 500 after 5 tries" in err
    assert len(api.requests) == sheets.ATTEMPTS


def test_every_request_has_a_timeout(api: SheetsDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    api.book(KEY, programme(5))
    monkeypatch.setattr(sheets, "TIMEOUT", (2.0, 0.3))
    api.delay = 2.0  # the server sits on every answer for two seconds
    started = time.monotonic()
    with pytest.raises(SheetsUnavailable, match="could not be reached after 5 tries"):
        SheetsWorkbook(KEY, load_credentials(None), sleep=lambda _: None)
    assert len(api.requests) == sheets.ATTEMPTS
    assert time.monotonic() - started < 2.0 * sheets.ATTEMPTS  # none waited for the answer


def test_a_dry_run_only_reads(
    api: SheetsDouble, capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    api.book(KEY, programme(20))
    code, out, _ = run_cli(capsys, "--sheet", KEY, "--dry-run", "nightly")
    assert code == 0 and "would append" in out
    assert {method for method, _ in api.requests} == {"GET"}


def test_the_demo_runs_on_a_google_sheet_like_on_a_file(
    api: SheetsDouble, capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    demo_book(api)
    (in_tmp / "mentorflow.toml").write_text(
        f'[workbook]\ngoogle_sheet = "https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"\n'
        f'[tabs]\nevaluations = "{demo.EVALUATION_TAB}"\n',
        encoding="utf-8",
    )
    code, out, _ = run_cli(
        capsys, "--config", "mentorflow.toml", "--today", "2026-11-24", "nightly"
    )
    assert code == 0 and 'append 14 row(s) to tab "Koppelingen"' in out
    summary = next(s for s in api.books[KEY].sheets if s.title == "Overzicht")
    assert len(summary.charts) == 2 and summary.frozen == 1  # one chart per scale
    looks = _looks(api)
    axis = looks["addChart"][0]["chart"]["spec"]["basicChart"]
    assert axis["headerCount"] == 0  # figures only: Sheets must not guess a header row
    assert axis["axis"][0]["viewWindowOptions"]["viewWindowMode"] == "EXPLICIT"  # 0 to the top
    formats = [r["cell"]["userEnteredFormat"] for r in looks["repeatCell"]]
    # dates as people in the workbook's language write them (Dutch: 14-12-2026)
    assert {"type": "DATE_TIME", "pattern": "dd-mm-yyyy hh:mm"} in [
        f.get("numberFormat") for f in formats
    ]  # the Mail log's Time
    assert {"type": "DATE", "pattern": "dd-mm-yyyy"} in [f.get("numberFormat") for f in formats]
    assert all("backgroundColor" not in f for f in formats)  # deprecated: backgroundColorStyle
    assert [d for call, _ in api.log for d in deprecated(call)] == []
    again = run_cli(capsys, "--config", "mentorflow.toml", "--today", "2026-11-24", "nightly")
    assert again[0] == 0 and "nothing to write" in again[1]


def _looks(api: SheetsDouble) -> dict[str, list[dict[str, Any]]]:
    """Every request of every spreadsheet batchUpdate the double got, by kind."""
    found: dict[str, list[dict[str, Any]]] = {}
    for call, _ in api.log:
        if call.method == "POST" and call.path.endswith(f"{KEY}:batchUpdate"):
            for request in call.body["requests"]:
                (kind, spec), *_ = request.items()
                found.setdefault(kind, []).append(spec)
    return found


@pytest.mark.parametrize(
    "given",
    [
        f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
        f"https://docs.google.com/spreadsheets/d/{KEY}",
        f"  {KEY} ",
    ],
)
def test_a_sheet_is_named_by_its_url_or_key(given: str) -> None:
    assert sheet_key(given) == KEY


def test_a_name_that_is_no_sheet_is_refused() -> None:
    with pytest.raises(ConfigError, match="is not a Google Sheet URL or key"):
        sheet_key("my programme")


def _service_account_key() -> dict[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "mentorflow-test",
        "private_key_id": "0" * 40,
        "private_key": pem,
        "client_email": "mentorflow@mentorflow-test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def test_service_account_credentials_ask_for_spreadsheets_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    info = _service_account_key()
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT_JSON", json.dumps(info))
    from_env = load_credentials(None)
    monkeypatch.delenv("GOOGLE_SERVICE_ACCOUNT_JSON")
    (tmp_path / "key.json").write_text(json.dumps(info), encoding="utf-8")
    from_file = load_credentials(str(tmp_path / "key.json"))
    for loaded in (from_env, from_file):
        credentials = cast(service_account.Credentials, loaded)  # a key gives these, always
        assert tuple(credentials.scopes) == SCOPES
        assert credentials.service_account_email == info["client_email"]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"GOOGLE_SERVICE_ACCOUNT_JSON": '{"private_key": "SECRET-KEY-TEXT"'}, "is not JSON"),
        ({"GOOGLE_SERVICE_ACCOUNT_JSON": '{"private_key": "SECRET-KEY-TEXT"}'}, "is not a service"),
        ({}, "No Google credentials"),
    ],
)
def test_bad_credentials_are_one_line_without_the_secret(
    environment: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    in_tmp: Path,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_cli(capsys, "--sheet", KEY, "check")
    assert (code, out) == (2, "")
    assert expected in err and err.count("\n") == 1 and "SECRET" not in err


def test_a_sheet_that_is_not_shared_says_so(
    api: SheetsDouble, capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    code, _, err = run_cli(capsys, "--sheet", KEY, "check")
    assert code == 2 and "share the sheet with the service account" in err


def test_two_local_runs_never_overlap(
    api: SheetsDouble, capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    api.book(KEY, programme(5))
    with exclusive(f"Google Sheet {KEY}"):  # a run that is still busy
        code, out, err = run_cli(capsys, "--sheet", KEY, "nightly")
    assert (code, out) == (2, "")
    assert "Another mentorflow run is busy" in err and api.requests == []
    assert run_cli(capsys, "--sheet", KEY, "nightly")[0] == 0  # once it is done, runs go


def test_refused_formats_cost_the_looks_never_the_data(
    api: SheetsDouble, capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    """An API that knows only addSheet: every value still lands, and the run says so."""
    api.known = {"addSheet", "appendDimension"}
    api.book(KEY, programme(30))
    code, out, _ = run_cli(capsys, "--sheet", KEY, "--today", "2026-11-24", "--verbose", "nightly")
    assert code == 0
    assert "note: formats and chart not applied: Google Sheets refused a request (400)" in out
    titles = [s.title for s in api.books[KEY].sheets]
    assert "Problems" in titles and "Summary" in titles
    matches = next(s for s in api.books[KEY].sheets if s.title == "Matches")
    assert len(matches.values()) > 1  # the proposals were written


def test_a_rewritten_summary_keeps_its_charts_once_and_no_old_rows(
    api: SheetsDouble, capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    demo_book(api)
    (in_tmp / "mentorflow.toml").write_text(
        f'[tabs]\nevaluations = "{demo.EVALUATION_TAB}"\n', encoding="utf-8"
    )
    argv = ("--config", "mentorflow.toml", "--sheet", KEY, "nightly")
    assert run_cli(capsys, *argv, "--today", "2026-11-24")[0] == 0
    summary = next(s for s in api.books[KEY].sheets if s.title == "Overzicht")
    before = len(summary.values())
    evaluations = next(s for s in api.books[KEY].sheets if s.title == demo.EVALUATION_TAB)
    evaluations.cells = {k: v for k, v in evaluations.cells.items() if k[0] < 4}  # fewer answers
    assert run_cli(capsys, *argv, "--today", "2026-11-25")[0] == 0
    assert len(summary.charts) == 2  # one per scale, the old ones gone
    assert len(summary.values()) < before  # the old, longer Summary left nothing behind
    assert all(cell != "" for cell in summary.cells.values())


def test_the_grid_grows_when_the_rows_need_it(api: SheetsDouble) -> None:
    book = api.book(KEY, programme(10))
    people = book.sheets[0]
    people.rows = len(people.values())  # a sheet exactly as long as its table
    workbook = SheetsWorkbook(KEY, load_credentials(None))
    workbook.read()
    from pipeline.core.changes import Append, Plan

    workbook.apply(Plan((Append(people.title, (("new@zorg.example.org", "New", "mentee"),)),)))
    assert people.values()[-1][:3] == ["new@zorg.example.org", "New", "mentee"]
    assert people.rows > len(people.values())


def test_errors_injected_anywhere_in_a_run_change_nothing_in_its_result(
    api: SheetsDouble,
    capsys: pytest.CaptureFixture[str],
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("pipeline.adapters.sheets.time.sleep", lambda _: None)
    monkeypatch.setenv("MENTORFLOW_SHEETS_ENDPOINT", api.endpoint + "/v4/")  # also understood
    results = []
    for fail_on in ({}, {1: 429, 2: 500, 4: 503, 6: 429, 8: 500, 9: 502}):
        api.book(KEY, programme(60))
        api.requests.clear()
        api.fail_on = dict(fail_on)
        code, _, _ = run_cli(capsys, "--sheet", KEY, "--today", "2026-11-24", "nightly")
        assert code == 0 and api.fail_on == {}  # every injected error was met, and retried
        results.append({s.title: s.values() for s in api.books[KEY].sheets})
    assert results[0] == results[1]
