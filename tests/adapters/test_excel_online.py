"""The workbook on SharePoint through the local Microsoft Graph double: faults and guarantees.

The contract every adapter keeps is in tests/test_contract.py; here what only a workbook
behind an API meets: throttling, expired sessions, acknowledged writes that were lost,
someone typing during the run, missing grants, sharing links, and a constant number of
requests whatever the size of the programme.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from benchmarks.sheets import tabs
from pipeline.adapters.excel_online import ExcelOnlineWorkbook
from pipeline.adapters.graph import Graph
from pipeline.core.changes import Append, Plan, Replace
from pipeline.core.night import nightly
from pipeline.errors import GraphUnavailable, WorkbookError, WorkbookLockedError
from pipeline.run import RunContext, run
from tests.graph_double import GraphDouble

HOST, SITE, FILE = "org.sharepoint.com", "/sites/Mentoring", "programme.xlsx"
ADDRESS = f"https://{HOST}{SITE}/Shared Documents/{FILE}"
TOKEN = "excel-online-test-token"
TODAY = date(2026, 11, 24)
BASE = {
    "Participants": [["Email", "Name", "Role"], ["anna@zorg.example.org", "Anna", "mentor"]],
    "Problems": [["Severity", "Tab"], ["error", "Participants"]],
}


@pytest.fixture
def graph() -> Iterator[GraphDouble]:
    with GraphDouble({TOKEN}) as double:
        yield double
    assert [reason for _, reason in double.refused] == []


def place(double: GraphDouble, tabs: dict[str, list[list[Any]]], role: str | None = "write") -> str:
    site = double.add_site(HOST, SITE)
    double.grant(site, role)
    double.add_workbook(site, FILE, tabs)
    return site


def opened(double: GraphDouble, waits: list[float] | None = None) -> ExcelOnlineWorkbook:
    sleep = waits.append if waits is not None else (lambda _: None)
    return ExcelOnlineWorkbook(Graph(lambda: TOKEN, double.url, sleep=sleep), ADDRESS)


def values(double: GraphDouble, site: str, tab: str) -> list[list[Any]]:
    return double.snapshot(site, FILE)[tab]


CAS = Plan((Append("Participants", (("cas@zorg.example.org", "Cas", "mentee"),)),))


def test_throttling_is_waited_out_as_retry_after_asks(graph: GraphDouble) -> None:
    site = place(graph, BASE)
    waits: list[float] = []
    book = opened(graph, waits)
    book.read()
    graph.fail(429, count=2, method="PATCH", retry_after=7)  # inside the $batch
    graph.fail(503, count=1, path_contains="$batch", retry_after=3)  # the batch itself
    book.apply(CAS)
    assert values(graph, site, "Participants")[-1] == ["cas@zorg.example.org", "Cas", "mentee"]
    assert 7 in waits and 3 in waits


def test_throttling_that_does_not_end_stops_the_run_with_one_line(graph: GraphDouble) -> None:
    site = place(graph, BASE)
    book = opened(graph)
    book.read()
    graph.fail(429, count=100, method="PATCH", retry_after=1)
    with pytest.raises(GraphUnavailable, match=r"(?i)the next run tries again"):
        book.apply(CAS)
    assert len(values(graph, site, "Participants")) == 2


def test_an_expired_session_is_opened_again_and_the_write_goes_through(
    graph: GraphDouble,
) -> None:
    site = place(graph, BASE)
    book = opened(graph)
    book.read()
    first = book.session
    graph.expire_sessions()
    book.apply(CAS)
    assert book.session != first
    assert values(graph, site, "Participants")[-1][0] == "cas@zorg.example.org"


def test_a_write_acknowledged_and_lost_is_found_on_reading_back_and_written_again(
    graph: GraphDouble,
) -> None:
    site = place(graph, BASE)
    book = opened(graph)
    book.read()
    graph.lose_next_write(count=2)  # the formats and the values of the one rectangle
    book.apply(CAS)
    assert values(graph, site, "Participants")[-1][0] == "cas@zorg.example.org"
    assert any("lost" in note for note in book.notes)


def test_a_write_lost_every_time_is_an_error_not_a_silent_gap(graph: GraphDouble) -> None:
    place(graph, BASE)
    book = opened(graph)
    book.read()
    graph.lose_next_write(count=10)
    with pytest.raises(WorkbookError, match="did not keep it, 3 times"):
        book.apply(CAS)


def test_someone_typing_where_the_run_appends_stops_the_write(graph: GraphDouble) -> None:
    site = place(graph, BASE)
    book = opened(graph)
    book.read()
    graph.set_cell(site, FILE, "Participants", "A3", "typed@zorg.example.org")
    with pytest.raises(WorkbookLockedError, match="during the run"):
        book.apply(CAS)
    assert values(graph, site, "Participants")[2] == ["typed@zorg.example.org"]


def test_text_that_looks_like_a_number_a_date_or_a_formula_stays_text(
    graph: GraphDouble,
) -> None:
    site = place(graph, BASE)
    book = opened(graph)
    book.read()
    texts = ("00123", "1/2/2026", "TRUE", "=SUM(A1:A2)", "+31 6 1234 5678", "-1")
    book.apply(Plan((Append("Participants", tuple((t, "x", "mentee") for t in texts)),)))
    assert [row[0] for row in values(graph, site, "Participants")[2:]] == list(texts)
    assert graph.formulas(site, FILE) == []
    assert graph.number_format(site, FILE, "Participants", "A3") == "@"


def test_a_rewritten_tab_loses_its_old_rows_and_gets_a_bold_header(
    graph: GraphDouble,
) -> None:
    site = place(graph, {**BASE, "Problems": [["Severity", "Tab", "Row"], *[["e", "P", 2]] * 5]})
    book = opened(graph)
    book.read()
    book.apply(Plan((Replace("Problems", (("Severity", "Tab"), ("warning", "Matches"))),)))
    assert values(graph, site, "Problems") == [["Severity", "Tab"], ["warning", "Matches"]]
    assert {"range": "A1:B1", "font": {"bold": True}} in graph.looks(site, FILE, "Problems")


def test_without_a_grant_on_the_site_the_message_says_what_to_ask_the_admin(
    graph: GraphDouble,
) -> None:
    place(graph, BASE, role=None)
    with pytest.raises(WorkbookError) as caught:
        opened(graph)
    message = str(caught.value)
    assert "403" in message and "grant the app 'write' on this site" in message
    assert "step A3" in message and "\n" not in message


def test_a_read_grant_reads_and_the_write_says_read_is_not_enough(graph: GraphDouble) -> None:
    place(graph, BASE, role="read")
    with pytest.raises(WorkbookError, match="'write' \\(not 'read'\\)"):
        book = opened(graph)
        book.read()
        book.apply(CAS)


def test_a_sharing_link_opens_the_same_workbook(graph: GraphDouble) -> None:
    site = place(graph, BASE)
    link = graph.share_link(site, FILE)
    book = ExcelOnlineWorkbook(Graph(lambda: TOKEN, graph.url), link)
    assert book.read()["Participants"][1][0] == "anna@zorg.example.org"


def test_a_wrong_address_is_one_line_that_says_where_to_copy_it(graph: GraphDouble) -> None:
    place(graph, BASE)
    wrong = ADDRESS.replace(FILE, "programma.xlsx")
    with pytest.raises(WorkbookError, match=r"No file at .*copy the address"):
        ExcelOnlineWorkbook(Graph(lambda: TOKEN, graph.url), wrong)


def night(participants: int) -> tuple[int, int]:
    """(requests of a first nightly run, of a quiet second one) on a programme this large."""
    counts = []
    with GraphDouble({TOKEN}) as double:
        place(double, tabs(participants))
        for _ in range(2):
            book = opened(double)
            run(book, nightly(), RunContext(TODAY))
            book.close()
            counts.append(book.requests)
        assert double.refused == [] and double.formulas(next(iter(double.sites)), FILE) == []
    return counts[0], counts[1]


def test_requests_per_run_do_not_grow_with_the_programme() -> None:
    small, big = night(40), night(800)
    assert small == big
    assert small[0] <= 20 and small[1] <= 12


def test_a_refused_workbook_session_falls_back_to_writing_without_one(
    graph: GraphDouble,
) -> None:
    """App-only tokens meet EditModeAccessDenied on createSession on some tenants; the file
    is then written range by range without a session, just as safely."""
    site = place(graph, BASE)
    graph.refuse_sessions = True
    book = opened(graph)
    book.read()
    book.apply(CAS)
    assert values(graph, site, "Participants")[-1][0] == "cas@zorg.example.org"
    assert book.session is None and any("EditModeAccessDenied" in n for n in book.notes)
    assert not any("workbook-session-id" in r.headers for r in graph.log if r.method == "PATCH")


def test_a_format_refused_for_good_stops_the_values_so_no_formula_is_made(
    graph: GraphDouble,
) -> None:
    site = place(graph, BASE)
    book = opened(graph)
    book.read()
    graph.fail(409, method="PATCH")  # e.g. accessConflict while a coordinator edits
    with pytest.raises(WorkbookError, match="refused writing cells"):
        book.apply(Plan((Append("Participants", (("x@zorg.example.org", "=1+1"),)),)))
    assert graph.formulas(site, FILE) == []
    assert len(values(graph, site, "Participants")) == 2


def test_an_expired_session_in_a_long_chain_costs_no_waiting(graph: GraphDouble) -> None:
    """The requests after the one that met the dead session answered 424: they go again in
    the new session, at once, not after Retry-After waits."""
    site = place(graph, {**BASE, **{f"T{n}": [["h"], ["v"]] for n in range(8)}})
    waits: list[float] = []
    book = opened(graph, waits)
    book.read()
    graph.expire_sessions()
    book.apply(Plan(tuple(Append(f"T{n}", (("w",),)) for n in range(8))))
    assert [values(graph, site, f"T{n}") for n in range(8)] == [[["h"], ["v"], ["w"]]] * 8
    assert waits == []


def test_a_row_appended_and_written_over_in_one_plan(graph: GraphDouble) -> None:
    from pipeline.core.changes import Update

    site = place(graph, {**BASE, "Log": [["Key", "Status"], ["k0", "sent"]]})
    book = opened(graph)
    book.read()
    book.apply(
        Plan((Append("Log", (("k1", "pending"),)), Update("Log", 3, (None, "sent"), (0, "k1"))))
    )
    assert values(graph, site, "Log") == [["Key", "Status"], ["k0", "sent"], ["k1", "sent"]]


def test_a_new_tab_added_by_a_try_whose_answer_was_lost_is_used(graph: GraphDouble) -> None:
    site = place(graph, BASE)
    book = ExcelOnlineWorkbook(
        Graph(lambda: TOKEN, graph.url, sleep=lambda _: None, timeout=(5.0, 0.5)), ADDRESS
    )
    book.read()
    graph.hang(seconds=1.5, path_contains="$batch")  # carried out, answered too late
    book.apply(Plan((Append("Mail log", (("k1", "sent"),), ("Key", "Status")),)))
    assert values(graph, site, "Mail log") == [["Key", "Status"], ["k1", "sent"]]
    assert [s.name for s in graph.book(site, FILE).sheets].count("Mail log") == 1


def test_a_link_the_shares_api_cannot_follow_says_which_address_to_give(
    graph: GraphDouble,
) -> None:
    place(graph, BASE)
    link = f"https://{HOST}/:x:/s/Mentoring/EaBcDeFgHiJkLmNoPqRsTuV?e=xyz12"
    with pytest.raises(WorkbookError, match=r"could not be followed \(404.*copy its Path"):
        ExcelOnlineWorkbook(Graph(lambda: TOKEN, graph.url), link)
    graph.refused.clear()  # an unknown link is refused, as Graph would


def test_the_outcomes_of_a_chunk_of_mail_are_one_write_and_one_check(graph: GraphDouble) -> None:
    """Rows that follow each other go as one range, not one request per message."""
    from pipeline.core.changes import Update

    site = place(graph, {**BASE, "Log": [["Key", "Status"]]})
    book = opened(graph)
    book.read()
    pending = tuple((f"k{n}", "pending") for n in range(10))
    book.apply(Plan((Append("Log", pending),)))
    before = len(graph.log)
    book.apply(Plan(tuple(Update("Log", n + 2, (None, "sent"), (0, f"k{n}")) for n in range(10))))
    inner = [(r.method, r.path.rsplit("/", 1)[-1]) for r in graph.log[before:] if r.inner]
    assert inner.count(("PATCH", "range(address='A2:B11')")) == 2  # formats, then values
    assert [p for m, p in inner if m == "PATCH"] == ["range(address='A2:B11')"] * 2
    assert ("GET", "range(address='A2:A11')") in inner  # the ten keys, read at once
    assert values(graph, site, "Log")[1:] == [[f"k{n}", "sent"] for n in range(10)]
