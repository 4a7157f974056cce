"""One contract for every workbook adapter: in memory, .xlsx, Google Sheets and an Excel
workbook on SharePoint, the last two over HTTP.

The Google Sheets adapter drives the real gspread client against the local double of the
Sheets API (tests/sheets_double.py); the SharePoint adapter talks to the local double of
Microsoft Graph (tests/graph_double.py). Every test here runs against all four adapters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline import demo
from pipeline.adapters.excel_online import ExcelOnlineWorkbook
from pipeline.adapters.graph import Graph
from pipeline.adapters.sheets import SheetsWorkbook, _json
from pipeline.adapters.workbook import InMemoryWorkbook, Workbook
from pipeline.adapters.xlsx import XlsxWorkbook
from pipeline.core.cells import Cell, parse_date
from pipeline.core.changes import Append, Plan, Replace, Update
from pipeline.core.night import nightly
from pipeline.core.schema import Snapshot
from pipeline.errors import WorkbookLockedError
from pipeline.run import RunContext, run
from tests.conftest import write_xlsx
from tests.graph_double import GraphDouble
from tests.sheets_double import SheetsDouble

KEY = "1mentorflowContractTestSheet0000000000"
ADAPTERS = ("memory", "xlsx", "sheets", "sharepoint", "sharepoint-faults")
HOST, SITE, FILE = "org.sharepoint.com", "/sites/Mentoring", "programme.xlsx"
ADDRESS = f"https://{HOST}{SITE}/Shared Documents/{FILE}"
TOKEN = "contract-test-token"


@dataclass
class Opened:
    """A workbook made from tabs, and a way to open it again as a later run would."""

    book: Workbook
    reopen: Callable[[], Workbook]


@pytest.fixture
def api(sheets_api: SheetsDouble) -> Iterator[SheetsDouble]:
    """The Sheets double; after the test, every request it got conformed to Google's API."""
    yield sheets_api
    assert [message for _, message in sheets_api.refused] == []


@pytest.fixture
def graph() -> Iterator[GraphDouble]:
    """The Microsoft Graph double; after the test, it refused no request as Graph would."""
    with GraphDouble({TOKEN}) as double:
        yield double
    assert [reason for _, reason in double.refused] == []


def sharepoint_workbook(double: GraphDouble, faults: bool = False) -> Workbook:
    book = ExcelOnlineWorkbook(Graph(lambda: TOKEN, double.url, sleep=lambda _: None), ADDRESS)
    return Faulty(book, double) if faults else book


class Faulty:
    """A SharePoint workbook that meets Graph's passing faults before every read and save:
    429 with Retry-After, 503 and 504 (also inside a $batch), an expired workbook session,
    and a write acknowledged and lost."""

    def __init__(self, book: ExcelOnlineWorkbook, double: GraphDouble) -> None:
        self.book, self.double = book, double

    @property
    def name(self) -> str:
        return self.book.name

    def _faults(self) -> None:
        self.double.fail(429, retry_after=2, method="GET")
        self.double.fail(503, path_contains="$batch")
        self.double.fail(504, method="PATCH")
        self.double.expire_sessions()
        self.double.lose_next_write()

    def read(self) -> Snapshot:
        self._faults()
        return self.book.read()

    def apply(self, plan: Plan) -> None:
        self._faults()
        self.book.apply(plan)


def on_sharepoint(double: GraphDouble, tabs: Mapping[str, Sequence[Sequence[Any]]]) -> None:
    """The workbook put in the site's library, the app granted write on the site."""
    site = double.add_site(HOST, SITE)
    double.grant(site, "write")
    cells = {name: [[_json(v) for v in row] for row in rows] for name, rows in tabs.items()}
    double.add_workbook(site, FILE, cells, text_cells=_text_cells(tabs))


def sheets_workbook() -> SheetsWorkbook:
    from pipeline.adapters.sheets import load_credentials

    return SheetsWorkbook(KEY, load_credentials(None), sleep=lambda _: None)


@pytest.fixture(params=ADAPTERS)
def make(
    request: pytest.FixtureRequest, tmp_path: Path, api: SheetsDouble, graph: GraphDouble
) -> Callable[[Mapping[str, Sequence[Sequence[Any]]]], Opened]:
    kind = request.param

    def build(tabs: Mapping[str, Sequence[Sequence[Any]]]) -> Opened:
        if kind == "memory":
            book = InMemoryWorkbook(tabs)
            return Opened(book, lambda: book)
        if kind == "xlsx":
            path = write_xlsx(tmp_path / "programme.xlsx", tabs, text_cells=_text_cells(tabs))
            return Opened(XlsxWorkbook(path), lambda: XlsxWorkbook(path))
        if kind.startswith("sharepoint"):
            on_sharepoint(graph, tabs)
            faults = kind.endswith("faults")
            return Opened(sharepoint_workbook(graph, faults), lambda: sharepoint_workbook(graph))
        api.book(
            KEY, {name: [[_json(v) for v in row] for row in rows] for name, rows in tabs.items()}
        )
        return Opened(sheets_workbook(), sheets_workbook)

    return build


def _text_cells(tabs: Mapping[str, Sequence[Sequence[Any]]]) -> list[tuple[str, str]]:
    """Cells that a person typed as text although they start with '=' (stored as text)."""
    from pipeline.core.cells import column_letter

    return [
        (name, f"{column_letter(c)}{r + 1}")
        for name, rows in tabs.items()
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if isinstance(value, str) and value.startswith("=")
    ]


def plain(value: Cell) -> Cell:
    """A cell as every adapter can hold it: dates as serial day numbers, 3.0 as 3, "" as empty."""
    if value == "":
        return None
    if isinstance(value, date):
        value = _json(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def plain_snapshot(snapshot: Snapshot) -> dict[str, list[list[Cell]]]:
    return {tab: [[plain(v) for v in row] for row in rows] for tab, rows in snapshot.items()}


BASE: dict[str, list[list[Cell]]] = {
    "Participants": [
        ["Email", "Name", "Role", "Start date"],
        ["anna@zorg.example.org", "Anna", "mentor", None],
        [None, None, None, None],
        ["bo@zorg.example.org", "Bo", "mentee", date(2026, 12, 1)],
    ],
    "Matches": [["Match ID", "Mentee email", "Mentor email", "Status"]],
    "Problems": [["Severity", "Tab"], ["error", "Participants"], ["warning", "Matches"]],
}


def test_read_gives_every_tab_in_order_trimmed(make: Callable[..., Opened]) -> None:
    opened = make(BASE)
    snapshot = opened.book.read()
    assert list(snapshot) == ["Participants", "Matches", "Problems"]
    people = snapshot["Participants"]
    assert people[2] == ()  # a blank row inside the table is kept, as an empty row
    assert people[3][:3] == ("bo@zorg.example.org", "Bo", "mentee")
    assert parse_date(people[3][3]) == date(2026, 12, 1)
    assert people[1] == ("anna@zorg.example.org", "Anna", "mentor")  # no trailing None


def test_appends_land_below_the_last_filled_row_and_runs_add_up(
    make: Callable[..., Opened],
) -> None:
    opened = make(BASE)
    opened.book.read()
    opened.book.apply(Plan((Append("Participants", (("cas@zorg.example.org", "Cas", "mentee"),)),)))
    opened.book.apply(Plan((Append("Participants", (("dee@zorg.example.org", "Dee", "mentor"),)),)))
    rows = opened.reopen().read()["Participants"]
    assert [r[0] if r else None for r in rows] == [
        "Email",
        "anna@zorg.example.org",
        None,
        "bo@zorg.example.org",
        "cas@zorg.example.org",
        "dee@zorg.example.org",
    ]


def test_an_append_to_a_missing_tab_creates_it_with_its_header(make: Callable[..., Opened]) -> None:
    opened = make(BASE)
    opened.book.read()
    header = ("Key", "Match ID", "Time")
    when = datetime(2026, 11, 24, 2, 30)
    opened.book.apply(Plan((Append("Mail log", (("k1", "M-0001", when),), header),)))
    rows = opened.reopen().read()["Mail log"]
    assert rows[0] == header
    assert rows[1][:2] == ("k1", "M-0001")
    assert plain(rows[1][2]) == plain(when)  # the time of day survives


LOG_HEADER = ("Time", "To", "Status", "Detail", "Key")
WHEN = datetime(2026, 11, 24, 2, 30)


def test_an_update_writes_over_one_row_in_place_and_leaves_empty_cells_as_they_are(
    make: Callable[..., Opened],
) -> None:
    """One row per message: the outcome is written over the pending row, nothing appended."""
    opened = make({**BASE, "Mail log": [LOG_HEADER, (WHEN, "a@x.org", "pending", None, "k1")]})
    opened.book.read()
    later = datetime(2026, 11, 24, 2, 31)
    opened.book.apply(Plan((Update("Mail log", 2, (later, None, "sent", "250 OK")),)))
    rows = opened.reopen().read()["Mail log"]
    assert len(rows) == 2
    assert [plain(v) for v in rows[1]] == [plain(later), "a@x.org", "sent", "250 OK", "k1"]
    assert rows[0] == LOG_HEADER


def test_an_update_reaches_rows_appended_earlier_in_the_same_run(
    make: Callable[..., Opened],
) -> None:
    """Pending rows saved, then their outcomes: two saves of one run, one row per message."""
    opened = make(BASE)
    opened.book.read()
    pending = tuple((WHEN, f"{n}@x.org", "pending", None, f"k{n}") for n in range(3))
    opened.book.apply(Plan((Append("Mail log", pending, LOG_HEADER),)))
    opened.book.apply(
        Plan(
            (
                Update("Mail log", 3, (None, None, "failed", "451 try again later")),
                Update("Mail log", 4, (None, None, "sent")),
            )
        )
    )
    rows = opened.reopen().read()["Mail log"]
    assert [r[2] for r in rows] == ["Status", "pending", "failed", "sent"]
    assert rows[2][3] == "451 try again later"
    assert rows[3][4] == "k2"


def test_an_update_is_refused_when_its_row_no_longer_holds_its_key(
    make: Callable[..., Opened],
) -> None:
    """Rows sorted or deleted mid-run: one message's outcome never lands on another's row."""
    log = [
        LOG_HEADER,
        (WHEN, "a@x.org", "pending", None, "k1"),
        (WHEN, "b@x.org", "sent", None, "k2"),
    ]
    opened = make({**BASE, "Mail log": log})
    opened.book.read()
    with pytest.raises(WorkbookLockedError, match='Row 3 of tab "Mail log" no longer holds "k1"'):
        opened.book.apply(Plan((Update("Mail log", 3, (None, None, "sent"), (4, "k1")),)))
    rows = opened.reopen().read()["Mail log"]
    assert [r[2] for r in rows[1:]] == ["pending", "sent"]
    opened.book.apply(Plan((Update("Mail log", 2, (None, None, "sent"), (4, "k1")),)))
    assert [r[2] for r in opened.reopen().read()["Mail log"][1:]] == ["sent", "sent"]


def test_an_update_writes_text_as_text(make: Callable[..., Opened]) -> None:
    opened = make({**BASE, "Mail log": [LOG_HEADER, (WHEN, "a@x.org", "pending", None, "k1")]})
    opened.book.read()
    opened.book.apply(Plan((Update("Mail log", 2, (None, None, "failed", "=1+1")),)))
    assert opened.reopen().read()["Mail log"][1][3] == "=1+1"


def test_a_rewrite_replaces_the_whole_tab_in_its_place(make: Callable[..., Opened]) -> None:
    opened = make(BASE)
    opened.book.read()
    opened.book.apply(
        Plan(
            (
                Replace("Problems", (("Severity", "Tab"),)),
                Replace("Summary", (("Title",), (), ("x", 1.5))),
            )
        )
    )
    snapshot = opened.reopen().read()
    assert snapshot["Problems"] == (("Severity", "Tab"),)  # the old rows are gone
    assert snapshot["Summary"] == (("Title",), (), ("x", 1.5))
    assert list(snapshot).index("Problems") == 2


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x.example")', "+31 6 1234 5678", "-1", "@home", "=1+1", "ünïcødé ✓"],
)
def test_text_is_written_as_text_never_as_a_formula(make: Callable[..., Opened], text: str) -> None:
    opened = make(BASE)
    opened.book.read()
    opened.book.apply(Plan((Append("Participants", ((text, "Name", "mentee"),)),)))
    assert opened.reopen().read()["Participants"][-1][0] == text


def test_numbers_booleans_and_long_text_survive(make: Callable[..., Opened]) -> None:
    opened = make(BASE)
    opened.book.read()
    long = "lang " * 2000
    opened.book.apply(Plan((Replace("Summary", (("a", 3, 4.25, True, long.strip()),)),)))
    row = opened.reopen().read()["Summary"][0]
    assert [plain(v) for v in row] == ["a", 3, 4.25, True, long.strip()]


def test_the_nightly_job_leaves_the_same_workbook_on_every_adapter(
    tmp_path: Path, api: SheetsDouble, graph: GraphDouble
) -> None:
    """The demo programme, run the same night on all three: cell for cell the same result."""
    tabs = {t.name: [list(r) for r in t.rows] for t in demo.templates(TODAY, "nl")}
    results = {}
    for kind in ADAPTERS:
        book: Workbook
        if kind == "memory":
            book = InMemoryWorkbook(tabs)
        elif kind == "xlsx":
            book = XlsxWorkbook(write_xlsx(tmp_path / "demo.xlsx", tabs))
        elif kind.startswith("sharepoint"):
            graph.sites.clear()
            on_sharepoint(graph, tabs)
            book = sharepoint_workbook(graph, faults=kind.endswith("faults"))
        else:
            api.book(KEY, {n: [[_json(v) for v in r] for r in rows] for n, rows in tabs.items()})
            book = sheets_workbook()
        context = RunContext(
            TODAY,
            tab_names={"evaluations": demo.EVALUATION_TAB},
            intake_columns=demo.INTAKE_COLUMNS,
        )
        run(book, nightly(), context)
        if kind == "xlsx":
            book = XlsxWorkbook(tmp_path / "demo.xlsx")  # read back from the saved file
        elif kind == "sheets":
            book = sheets_workbook()
        elif kind.startswith("sharepoint"):
            book = sharepoint_workbook(graph)
        results[kind] = plain_snapshot(book.read())
    assert results["xlsx"] == results["memory"]
    assert results["sheets"] == results["memory"]
    assert results["sharepoint"] == results["memory"]
    assert results["sharepoint-faults"] == results["memory"]
    assert graph.formulas(next(iter(graph.sites)), FILE) == []
    assert len(results["memory"]["Koppelingen"]) == 27  # header, 12 rows, 14 proposals


TODAY = date(2026, 11, 24)


def test_someone_typing_below_the_table_during_the_run_stops_the_write(api: SheetsDouble) -> None:
    api.book(KEY, {n: [[_json(v) for v in r] for r in rows] for n, rows in BASE.items()})
    book = sheets_workbook()
    book.read()
    api.books[KEY].sheets[0].cells[(4, 0)] = "typed@zorg.example.org"  # a person, meanwhile
    with pytest.raises(WorkbookLockedError, match="during the run"):
        book.apply(Plan((Append("Participants", (("cas@zorg.example.org", "Cas", "mentee"),)),)))
    assert api.books[KEY].sheets[0].cells[(4, 0)] == "typed@zorg.example.org"


def test_every_request_of_a_nightly_run_conforms_to_googles_published_api(
    api: SheetsDouble,
) -> None:
    """The whole log of a night on the demo programme, checked again against the discovery
    document and the grids as they were: the double refused nothing, and nothing would be."""
    from pipeline.adapters.mailer import RecordingMailer
    from pipeline.run import Delivery
    from tests.sheets_discovery import check, deprecated

    tabs = {t.name: [list(r) for r in t.rows] for t in demo.templates(TODAY, "nl")}
    api.book(KEY, {n: [[_json(v) for v in r] for r in rows] for n, rows in tabs.items()})
    book = sheets_workbook()
    moment = datetime.combine(TODAY, datetime.min.time()).replace(hour=2)
    mailer = RecordingMailer()
    delivery = Delivery(mailer, "Mentorprogramma <m@zorg.example.org>", lambda: moment, book.apply)
    context = RunContext(
        TODAY,
        tab_names={"evaluations": demo.EVALUATION_TAB},
        intake_columns=demo.INTAKE_COLUMNS,
        delivery=delivery,
    )
    assert run(book, nightly(), context).exit_code == 0 and mailer.sent
    sent = [(call.method, call.path.rsplit("/", 1)[-1].split(":")[-1]) for call, _ in api.log]
    assert ("POST", "batchUpdate") in sent and ("GET", "batchGet") in sent
    mail_log = [  # logged pending (one append), then each outcome over its own row
        (d["range"], len(d["values"]))
        for call, _ in api.log
        if call.path.endswith("values:batchUpdate")
        for d in call.body["data"]
        if d["range"].startswith("'Maillog'!")
    ]
    # One append: three check-ins skipped (M-0011 was approved after its start) and three
    # messages pending; each outcome over its own row; then the welcome of M-0011, which
    # waited for its introduction, appended pending and its outcome written over it.
    assert len(mailer.sent) == 4
    assert mail_log == [
        ("'Maillog'!A2", 6),
        ("'Maillog'!A5", 1),
        ("'Maillog'!A6", 1),
        ("'Maillog'!A7", 1),
        ("'Maillog'!A8", 1),
        ("'Maillog'!A8", 1),
    ]
    charts = [
        r["addChart"]
        for call, _ in api.log
        if call.method == "POST" and call.path.endswith(f"{KEY}:batchUpdate")
        for r in call.body["requests"]
        if "addChart" in r
    ]
    assert len(charts) == 2  # the Summary's, one per scale: the richest requests of a run
    assert [(c.path, check(c, grids)) for c, grids in api.log] == [(c.path, []) for c, _ in api.log]
    assert [d for c, _ in api.log for d in deprecated(c)] == []
    assert api.refused == [] and book.notes == []
