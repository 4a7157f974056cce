"""The cells of an Excel workbook as the workbook API takes and gives them (see
`excel_online`): a value with its number format (text as "@", so that it stays text), the
rectangles a plan writes, joined where rows follow each other, and the key cells an update
checks, read in one range per run of rows. Pure: nothing here talks to Microsoft."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pipeline.core.cells import Cell, Formula, column_letter, serial
from pipeline.core.changes import Update
from pipeline.core.looks import PLAIN, Look

CELL_LIMIT = 32_767  # characters an Excel cell holds
CHUNK_CELLS = 20_000  # cells per write request: a long tab goes in parts
TEXT = "@"
GENERAL = "General"


def cell_value(value: Cell, shown: Look = PLAIN) -> tuple[Any, str | None]:
    """A cell as a values PATCH takes it, with its number format (None: leave both)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return value, GENERAL
    if isinstance(value, int | float):
        return (value if math.isfinite(value) else str(value)), GENERAL
    if isinstance(value, date):
        return serial(value), shown.date_format(value)
    if isinstance(value, Formula):
        value = value.text  # a formula read from elsewhere is written as its text
    return str(value)[:CELL_LIMIT], TEXT


def same(written: Any, found: Any) -> bool:
    """Whether a cell read back holds what was written (numbers within float rounding)."""
    if written is None:
        return True  # left as it was
    if written == "":
        return found in ("", None)
    if isinstance(written, bool) or isinstance(found, bool):
        return bool(written == found)
    if isinstance(written, int | float) and isinstance(found, int | float):
        return math.isclose(written, found, rel_tol=1e-12, abs_tol=1e-9)
    return bool(written == found)


def start(address: str) -> tuple[int, int]:
    """(row, column), counted from 0, of the first cell of an address like 'Tab'!B3:D7."""
    corner = address.rsplit("!", 1)[-1].split(":")[0].replace("$", "")
    letters = "".join(c for c in corner if c.isalpha())
    digits = "".join(c for c in corner if c.isdigit())
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return (int(digits) - 1 if digits else 0), max(column - 1, 0)


@dataclass
class Write:
    """One rectangle of cells: written, read back, maybe written again."""

    tab: str
    row: int  # first row, counted from 1
    values: list[list[Any]]
    formats: list[list[str | None]]
    leaves: bool = True  # its empty cells are null (left as they are), not "" (cleared)

    @property
    def address(self) -> str:
        width = max((len(r) for r in self.values), default=1)
        last = self.row + len(self.values) - 1
        return f"A{self.row}:{column_letter(width - 1)}{last}"


def at(rows: Sequence[Sequence[Any]], r: int, c: int) -> Any:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def kept(
    cell: tuple[Any, str | None], values: Sequence[Sequence[Any]], formats: Any, r: int, c: int
) -> bool:
    """Whether a cell read back holds what the writes left in it: the value, and text as text."""
    value, number_format = cell
    return same(value, at(values, r, c)) and (number_format != TEXT or at(formats, r, c) == TEXT)


def key_check(
    checks: list[tuple[str, str, list[Update]]], update: Update
) -> list[tuple[str, str, list[Update]]]:
    """`checks` with the key cell of `update` read too: in the range of the update of the row
    above it in the same column, when there is one (outcomes of a chunk of mail are rows in
    a run: one range for them all), else in a range of its own."""
    assert update.expect is not None
    letter = column_letter(update.expect[0])
    if checks:
        tab, _, updates = checks[-1]
        above = updates[-1] if updates else None
        if (
            tab == update.tab
            and above is not None
            and above.expect is not None
            and above.expect[0] == update.expect[0]
            and above.row + 1 == update.row
        ):
            first = updates[0].row
            address = f"{letter}{first}:{letter}{update.row}"
            return [*checks[:-1], (tab, address, [*updates, update])]
    return [*checks, (update.tab, f"{letter}{update.row}", [update])]


def joined(writes: Sequence[Write]) -> list[Write]:
    """Rectangles of rows that follow each other on one tab, as one: the outcomes of a chunk
    of mail go in one request, not one per row. Only rectangles whose empty cells are left
    as they are join (null pads a short row), and never beyond CHUNK_CELLS."""
    joined: list[Write] = []
    for w in writes:
        last = joined[-1] if joined else None
        width = max(len(r) for r in (*w.values, *(last.values if last else [])))
        if (
            last is not None
            and last.leaves
            and w.leaves
            and last.tab == w.tab
            and last.row + len(last.values) == w.row
            and width * (len(last.values) + len(w.values)) <= CHUNK_CELLS
        ):
            rows = [*last.values, *w.values]
            formats = [*last.formats, *w.formats]
            joined[-1] = Write(
                w.tab,
                last.row,
                [r + [None] * (width - len(r)) for r in rows],
                [f + [None] * (width - len(f)) for f in formats],
            )
        else:
            joined.append(w)
    return joined


def rectangles(
    tab: str,
    first: int,
    rows: Sequence[Sequence[Cell]],
    blank: Any,
    width: int = 0,
    shown: Look = PLAIN,
) -> list[Write]:
    """Rows as rectangles of at most CHUNK_CELLS cells, `width` wide at least. An empty cell
    (and the padding of a short row) is `blank`: "" clears the cell, None leaves it."""
    width = max(width, *(len(r) for r in rows), 0)
    if not width:
        return []
    step = max(1, CHUNK_CELLS // width)
    empty = None if blank is None else GENERAL
    out = []
    for start in range(0, len(rows), step):
        values: list[list[Any]] = []
        formats: list[list[str | None]] = []
        for row in rows[start : start + step]:
            cells = [cell_value(v, shown) for v in row] + [(None, None)] * (width - len(row))
            values.append([blank if f is None else v for v, f in cells])
            formats.append([empty if f is None else f for _, f in cells])
        out.append(Write(tab, first + start, values, formats, blank is None))
    return out
