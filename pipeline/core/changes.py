"""The changes a run makes to a workbook: rows appended, rows written over, tabs rewritten.

A `Plan` is data: the core decides it, a workbook adapter (`pipeline.adapters`) carries it out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.core.cells import Cell, Row
from pipeline.errors import WorkbookLockedError


@dataclass(frozen=True)
class Append:
    """Rows added below a tab's last filled row; `header` first if the tab is new or empty."""

    tab: str
    rows: tuple[Row, ...]
    header: Row = ()


@dataclass(frozen=True)
class Chart:
    """A bar chart over cells of a rewritten tab, drawn by adapters that can draw one.

    Ranges are (column, first row, last row), counted from 1 like the sheet does.
    """

    title: str
    labels: tuple[int, int, int]
    values: tuple[int, int, int]
    top: float  # the value axis runs from 0 to this, in whole numbers
    anchor: tuple[int, int]  # (column, row) of the chart's top left corner


@dataclass(frozen=True)
class Replace:
    """A job-owned tab rewritten whole (created when missing); the first row is its header."""

    tab: str
    rows: tuple[Row, ...]
    charts: tuple[Chart, ...] = ()
    # (row, column, number format) counted from 1: how a figure is shown, where that is
    # possible; the value itself is kept whole ("0.00" shows a mean of 4.1818... as 4.18)
    formats: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True)
class Update:
    """Cells of one existing row of a job-owned tab, written over in place.

    The Mail log's one row per message: logged `pending`, then its outcome written over the
    same row. `row` is the sheet row number (counted from 1, header included) and `cells`
    start at column A; a None cell is left as it is.
    """

    tab: str
    row: int
    cells: Row
    # (column counted from 0, value): what that cell of the row must still hold. Someone may
    # have sorted, deleted or inserted rows during the run: the adapter then refuses the
    # whole plan rather than write one message's outcome over another's row.
    expect: tuple[int, Cell] | None = None

    def check(self, actual: Cell) -> None:
        """Refuse the update when the row's `expect` cell holds `actual` instead."""
        if self.expect is None or _text(actual) == _text(self.expect[1]):
            return
        raise WorkbookLockedError(
            f'Row {self.row} of tab "{self.tab}" no longer holds "{self.expect[1]}": rows were '
            "moved or deleted while mentorflow ran, so nothing more was written. Leave the "
            "order of that tab as it is, and run again."
        )


def _text(value: Cell) -> str:
    return "" if value is None else str(value).strip()


Change = Append | Replace | Update


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __add__(self, other: Plan) -> Plan:
        return Plan(self.changes + other.changes)


@dataclass(frozen=True)
class TabTemplate:
    """A tab of a new workbook (`mentorflow init`): rows with the header first."""

    name: str
    rows: tuple[Row, ...]
    choices: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # column -> drop-down
    # how it reads and prints (widths, header, ...) is `looks`'s, as for the job's own tabs


def trim(rows: Iterable[Sequence[Cell]]) -> tuple[Row, ...]:
    """Rows without trailing empty cells, and without trailing empty rows.

    Only a cell with nothing in it is empty: one holding spaces is somebody's cell, and
    rows are appended below it, never over it.
    """
    trimmed: list[Row] = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] in (None, ""):
            end -= 1
        trimmed.append(tuple(row[:end]))
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return tuple(trimmed)


def updated(rows: tuple[Row, ...], change: Update) -> tuple[Row, ...]:
    """`rows` with the cells of `change` that are not None written over its row."""
    grown = list(rows) + [()] * max(change.row - len(rows), 0)
    old = list(grown[change.row - 1])
    old += [None] * max(len(change.cells) - len(old), 0)
    for index, value in enumerate(change.cells):
        if value is not None:
            old[index] = value
    grown[change.row - 1] = tuple(old)
    return trim(grown)
