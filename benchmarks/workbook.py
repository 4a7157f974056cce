"""Workbook benchmark: reading, checking and saving an .xlsx workbook as it grows."""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from benchmarks.memory import peak_mb
from pipeline import demo
from pipeline.adapters.xlsx import XlsxWorkbook
from pipeline.core.cells import Cell, Row
from pipeline.core.layout import header, new_workbook
from pipeline.core.night import command
from pipeline.core.programme import read_programme
from pipeline.core.vocab import COLUMNS, TABS
from pipeline.run import RunContext, run

SIZES = (50, 1_000, 5_000, 20_000)
TODAY = date(2026, 11, 24)


def synthetic_rows(count: int, seed: int = 7) -> list[Row]:
    """Participants like the demo's, numbered so that any count is unique; 1% faulty."""
    rng = random.Random(seed)
    keys = list(COLUMNS["participants"].terms)
    rows: list[Row] = []
    for i in range(count):
        mentor = i % 5 < 2
        team = rng.choice(demo.TEAMS)
        row: dict[str, Cell] = {
            "email": f"p{i}@bench.example.org",
            "name": f"{rng.choice(demo.FIRST_NAMES)} {rng.choice(demo.SURNAMES)}",
            "role": "mentor" if mentor else "mentee",
            "team": team,
            "discipline": rng.choice(demo.DISCIPLINES),
            "location": demo.LOCATIONS[team],
            "shifts": "; ".join(rng.sample(demo.SHIFTS, 2)),
            "years_experience": rng.randint(4, 25) if mentor else rng.randint(0, 3),
            "languages": "Nederlands",
            "goals": "; ".join(rng.sample(demo.GOALS, 3)),
            "capacity": rng.randint(1, 3) if mentor else None,
            "start_date": None if mentor else TODAY + timedelta(days=rng.randint(-20, 120)),
        }
        if i % 100 == 99:
            row["email"] = f"p{i}@"
        rows.append(tuple(row.get(k) for k in keys))
    return rows


Figures = tuple[int, float, float, float, float, int, int]


def measure(count: int) -> Figures:
    """Build a workbook of `count` participants, then time read, parse and a full check."""
    with tempfile.TemporaryDirectory() as folder:
        return _measure(count, Path(folder) / f"bench-{count}.xlsx")


def _measure(count: int, path: Path) -> Figures:
    templates = [
        replace(t, rows=(header("participants", "en"), *synthetic_rows(count)))
        if TABS.key_of(t.name) == "participants"
        else t
        for t in new_workbook("en")
    ]
    XlsxWorkbook.create(path, templates)
    start = time.perf_counter()
    book = XlsxWorkbook(path)
    snapshot = book.read()
    loaded = time.perf_counter()
    programme = read_programme(snapshot)
    parsed = time.perf_counter()
    report = run(book, command("check"), RunContext(TODAY))  # as `mentorflow check` runs it
    done = time.perf_counter()
    peak = peak_mb()
    return (
        count,
        loaded - start,
        parsed - loaded,
        done - parsed,
        peak,
        len(programme.participants),
        len(report.problems),
    )
