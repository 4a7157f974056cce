"""The workbook contract: the in-memory and the xlsx adapter apply a plan the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline.adapters.workbook import InMemoryWorkbook, Workbook
from pipeline.adapters.xlsx import XlsxWorkbook
from pipeline.core.changes import Append, Plan, Replace, trim
from tests.conftest import write_xlsx

START: dict[str, list[list[Any]]] = {
    "People": [
        ["Email", "Name"],
        ["a@x.example.org", "A"],
        [None, None],
        ["c@x.example.org", "=1+1"],
        [None, "   "],  # somebody's cell of spaces: appends go below it
    ],
    "Log": [["Key", "Status"], ["k1", "sent"]],
}


def memory(tmp_path: Path) -> Workbook:
    return InMemoryWorkbook(START)


def xlsx(tmp_path: Path) -> Workbook:
    return XlsxWorkbook(write_xlsx(tmp_path / "book.xlsx", START, [("People", "B4")]))


@pytest.fixture(params=[memory, xlsx], ids=["memory", "xlsx"])
def make(request: pytest.FixtureRequest) -> Callable[[Path], Workbook]:
    maker: Callable[[Path], Workbook] = request.param
    return maker


def reopened(book: Workbook) -> Workbook:
    return XlsxWorkbook(book.path) if isinstance(book, XlsxWorkbook) else book


def test_read_gives_every_tab_trimmed(make: Callable[[Path], Workbook], tmp_path: Path) -> None:
    assert make(tmp_path).read() == {
        "People": (
            ("Email", "Name"),
            ("a@x.example.org", "A"),
            (),
            ("c@x.example.org", "=1+1"),
            (None, "   "),
        ),
        "Log": (("Key", "Status"), ("k1", "sent")),
    }


def test_a_plan_appends_below_the_last_row_and_rewrites_whole_tabs(
    make: Callable[[Path], Workbook], tmp_path: Path
) -> None:
    book = make(tmp_path)
    book.read()
    book.apply(
        Plan(
            (
                Append("People", (("d@x.example.org", '=HYPERLINK("http://x","y")'),)),
                Append("People", (("e@x.example.org", "Émile Ødegård"),)),
                Replace("Log", (("Key", "Status"), ("k2", "failed"))),
                Append("New", (("x", 1, date(2026, 11, 24)),), header=("Key", "Count", "Day")),
                Replace("Problems", (("Severity",),)),
            )
        )
    )
    after = reopened(book).read()
    assert after["People"][-2:] == (
        ("d@x.example.org", '=HYPERLINK("http://x","y")'),
        ("e@x.example.org", "Émile Ødegård"),
    )
    assert after["People"][:5] == trim(START["People"])  # the cell of spaces is kept
    assert after["Log"] == (("Key", "Status"), ("k2", "failed"))
    new_day = after["New"][1][2]
    assert after["New"][0] == ("Key", "Count", "Day")
    assert (after["New"][1][:2], getattr(new_day, "date", lambda: new_day)()) == (
        ("x", 1),
        date(2026, 11, 24),
    )
    assert list(after) == ["People", "Log", "New", "Problems"]


def test_an_empty_plan_changes_nothing(make: Callable[[Path], Workbook], tmp_path: Path) -> None:
    book = make(tmp_path)
    before = book.read()
    book.apply(Plan())
    assert reopened(book).read() == before
