"""How the xlsx adapter read a workbook with openpyxl before it had its own reader: the
reference that pipeline.adapters.xlsx_reader must match value for value, type for type."""

from __future__ import annotations

import warnings
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.rich_text import CellRichText
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.adapters.xlsx_reader import Sheets
from pipeline.core.cells import Cell, Formula, Row
from pipeline.core.changes import trim


def _plain(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    if isinstance(value, CellRichText):
        return str(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _sheet_rows(ws: Worksheet, formulas: dict[tuple[str, int, int], str]) -> tuple[Row, ...]:
    filled: dict[int, dict[int, Cell]] = {}
    for (r, c), cell in ws._cells.items():
        value = cell.value
        if value is None:
            continue
        if cell.data_type == "f":
            text = value if isinstance(value, str) else str(getattr(value, "text", "") or value)
            formulas[(ws.title, r, c)] = text
            filled.setdefault(r, {})[c] = Formula(text)
        else:
            filled.setdefault(r, {})[c] = _plain(value)
    if not filled:
        return ()
    rows: list[Row] = []
    for r in range(1, max(filled) + 1):
        cells = filled.get(r, {})
        rows.append(tuple(cells.get(c) for c in range(1, max(cells, default=0) + 1)))
    return trim(rows)


def _cached_values(
    path: Path, formulas: dict[tuple[str, int, int], str], snapshot: dict[str, list[list[Cell]]]
) -> None:
    book = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        wanted: dict[str, set[tuple[int, int]]] = {}
        for title, r, c in formulas:
            wanted.setdefault(title, set()).add((r, c))
        for title, cells in wanted.items():
            last_row = max(r for r, _ in cells)
            for r, row in enumerate(book[title].iter_rows(max_row=last_row, values_only=True), 1):
                for c, value in enumerate(row, 1):
                    if (r, c) in cells and value is not None:
                        snapshot[title][r - 1][c - 1] = _plain(value)
    finally:
        book.close()


def read_with_openpyxl(path: Path) -> Sheets:
    """Every worksheet's rows and filled row count, read as the adapter used to read them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        macros = path.suffix.lower() == ".xlsm"
        book = openpyxl.load_workbook(path, rich_text=True, keep_vba=macros)
        formulas: dict[tuple[str, int, int], str] = {}
        grids = {
            ws.title: _sheet_rows(ws, formulas)
            for ws in book.worksheets
            if isinstance(ws, Worksheet)
        }
        filled = {title: len(rows) for title, rows in grids.items()}
        if formulas:
            editable = {t: [list(r) for r in rows] for t, rows in grids.items()}
            _cached_values(path, formulas, editable)
            grids = {t: trim(rows) for t, rows in editable.items()}
    return Sheets(grids, filled)
