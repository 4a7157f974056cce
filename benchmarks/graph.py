"""Microsoft 365 benchmark: requests and wall time of a nightly run on a SharePoint workbook.

The workbook lives in the local Microsoft Graph double (tests/graph_double.py), answered
over real HTTP on loopback; mentorflow's own Graph client makes the requests, so the count
is what Microsoft would see (the login's one token request not counted). A run the double
refused a request of, or that created a formula, is no measurement, and says so.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from benchmarks.sheets import tabs
from pipeline.adapters.excel_online import ExcelOnlineWorkbook
from pipeline.adapters.graph import Graph
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
