"""Google Sheets benchmark: requests and wall time of a nightly run against the local API double.

The double (tests/sheets_double.py) answers over real HTTP on loopback; the real gspread
client and mentorflow's session make the requests, so the count is what Google would see.
The double checks each request against Google's discovery document and the grids (as Google
would refuse it); a run with a refused request is no measurement, and says so.
"""

from __future__ import annotations

import os
import time
from datetime import date
from typing import Any

from benchmarks.workbook import synthetic_rows
from pipeline.adapters.sheets import SheetsWorkbook, _json, load_credentials
from pipeline.core.layout import header, new_workbook
from pipeline.core.night import nightly
from pipeline.core.vocab import TABS
from pipeline.run import RunContext, run
from tests.sheets_double import SheetsDouble

SIZES = (50, 5_000)
TODAY = date(2026, 11, 24)
KEY = "1mentorflowBenchmarkSheet000000000000000"


def tabs(participants: int) -> dict[str, list[list[Any]]]:
    result: dict[str, list[list[Any]]] = {}
    for template in new_workbook("en"):
        rows = [list(r) for r in template.rows]
        if TABS.key_of(template.name) == "participants":
            rows = [list(header("participants", "en")), *map(list, synthetic_rows(participants))]
        result[template.name] = [[_json(v) for v in row] for row in rows]
    return result


def measure(participants: int) -> tuple[int, int, float, int, float]:
    """(participants, requests, seconds) of a first nightly run, then of a quiet second one."""
    with SheetsDouble() as api:
        os.environ["MENTORFLOW_SHEETS_ENDPOINT"] = api.endpoint
        os.environ["GOOGLE_OAUTH_ACCESS_TOKEN"] = "test-token"
        api.book(KEY, tabs(participants))
        figures: list[float] = []
        for _ in range(2):
            api.requests.clear()
            start = time.perf_counter()
            book = SheetsWorkbook(KEY, load_credentials(None))
            run(book, nightly(), RunContext(TODAY))
            figures += [len(api.requests), time.perf_counter() - start]
            if api.refused:
                call, message = api.refused[0]
                raise AssertionError(f"Google would refuse {call.method} {call.path}: {message}")
    first_requests, first_seconds, second_requests, second_seconds = figures
    return participants, int(first_requests), first_seconds, int(second_requests), second_seconds
