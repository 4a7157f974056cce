"""Microsoft 365 benchmark: requests and wall time of a nightly run on a SharePoint workbook.

The workbook lives in the local Microsoft Graph double (tests/graph_double.py), answered
over real HTTP on loopback; mentorflow's own Graph client makes the requests, so the count
is what Microsoft would see (the login's one token request not counted). A run the double
refused a request of, or that created a formula, is no measurement, and says so.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.sheets import tabs
from pipeline.adapters.excel_online import ExcelOnlineWorkbook
from pipeline.adapters.graph import Graph
from pipeline.adapters.xlsx import XlsxWorkbook
from pipeline.core.night import nightly
from pipeline.run import RunContext, run
from tests.graph_double import GraphDouble

SIZES = (50, 5_000)
TODAY = date(2026, 11, 24)
HOST, SITE, FILE = "org.sharepoint.com", "/sites/Mentoring", "programme.xlsx"
TOKEN = "benchmark-token"


def measure(participants: int) -> tuple[int, int, float, int, float]:
    """(participants, requests, seconds) of a first nightly run, then of a quiet second one."""
    figures: list[Any] = []
    with GraphDouble({TOKEN}) as api:
        site = api.add_site(HOST, SITE)
        api.grant(site, "write")
        api.add_workbook(site, FILE, tabs(participants))
        for _ in range(2):
            start = time.perf_counter()
            graph = Graph(lambda: TOKEN, api.url)
            book = ExcelOnlineWorkbook(graph, f"https://{HOST}{SITE}/Shared Documents/{FILE}")
            run(book, nightly(), RunContext(TODAY))
            book.close()
            figures += [graph.count, time.perf_counter() - start]
        if api.refused:
            call, message = api.refused[0]
            raise AssertionError(
                f"Microsoft Graph would refuse {call.method} {call.path}: {message}"
            )
        if api.formulas(site, FILE):
            raise AssertionError(f"a formula was created: {api.formulas(site, FILE)[0]}")
    first_requests, first_seconds, second_requests, second_seconds = figures
    return participants, int(first_requests), first_seconds, int(second_requests), second_seconds


def faults(participants: int) -> tuple[int, int, bool]:
    """(participants, requests, equal): a first nightly run that meets 429, 503, 504, an
    expired session and a lost write before every read and save, and whether it leaves the
    workbook cell for cell as the same night leaves an .xlsx copy."""
    from tests.conftest import write_xlsx
    from tests.test_contract import Faulty, plain_snapshot

    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(Path(folder) / FILE, tabs(participants))
        run(XlsxWorkbook(path), nightly(), RunContext(TODAY))
        expected = plain_snapshot(XlsxWorkbook(path).read())
    with GraphDouble({TOKEN}) as api:
        site = api.add_site(HOST, SITE)
        api.grant(site, "write")
        api.add_workbook(site, FILE, tabs(participants))
        address = f"https://{HOST}{SITE}/Shared Documents/{FILE}"
        graph = Graph(lambda: TOKEN, api.url, sleep=lambda _: None)
        book = ExcelOnlineWorkbook(graph, address)
        run(Faulty(book, api), nightly(), RunContext(TODAY))
        book.close()
        found = plain_snapshot(ExcelOnlineWorkbook(Graph(lambda: TOKEN, api.url), address).read())
        clean = not api.refused and not api.formulas(site, FILE)
    return participants, graph.count, clean and found == expected
