"""The requests of one saved plan to a Google Sheet (see `pipeline.adapters.sheets`).

`Batch` builds them from the sheets as they will be: the structure first (new tabs, a
larger grid), the checks of the rows about to be filled, the one RAW values write, and the
looks last (bold headers, widths, wrapping, date formats in the tab's language, fills, the
Summary's charts). Pure request building: nothing here talks to Google.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.core.cells import Cell, Formula, Row, column_letter, serial
from pipeline.core.changes import Append, Chart, Replace, Update, trim
from pipeline.core.looks import Look, look

CELL_LIMIT = 50_000  # characters a Google Sheets cell holds
GRID_SLACK = 200  # rows added beyond what a write needs, so growth is rare
PIXELS_PER_CHARACTER = 7  # a column `looks` wants n characters wide is 7n + 10 pixels
WRAPPED = {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}
_HEADER_FORMAT = {
    "textFormat": {"bold": True},
    "backgroundColorStyle": {"rgbColor": {"red": 0.867, "green": 0.922, "blue": 0.969}},
}


@dataclass
class Tab:
    sheet_id: int
    title: str
    rows: int  # the grid's size
    columns: int
    filled: int  # rows up to the last one with a value
    charts: list[int] = field(default_factory=list)  # ids of the charts on it


def quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def cell_json(value: Cell) -> Any:
    """A cell as the API takes it with RAW input: text stays text, dates become serials."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, date):
        return serial(value)
    if isinstance(value, Formula):
        value = value.text  # a formula read from elsewhere is written as its text
    return str(value)[:CELL_LIMIT]


def _date_format(value: Cell, shown: Look) -> dict[str, str] | None:
    """The number format of a date or a moment, as the API names its kinds."""
    pattern = shown.date_format(value)
    if pattern is None:
        return None
    return {"type": "DATE_TIME" if isinstance(value, datetime) else "DATE", "pattern": pattern}


def _colour(hex_rgb: str) -> dict[str, float]:
    red, green, blue = (int(hex_rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(red, 3), "green": round(green, 3), "blue": round(blue, 3)}


class Batch:
    """The requests of one saved plan, built from the sheets as they will be.

    `structure` must go through before anything else (new tabs, a larger grid), so that the
    check of `targets` and the values stay inside the grid; `data` is the one RAW write;
    `looks` (bold headers, date and number formats, the Summary chart) goes last and only
    adds to how the sheet looks: if Google refuses it, the data is already safe and the run
    goes on.
    """

    def __init__(self, tabs: Mapping[str, Tab], formatted: Mapping[tuple[int, int], int]) -> None:
        self.tabs = {t: Tab(**{**vars(tab), "charts": list(tab.charts)}) for t, tab in tabs.items()}
        self.formatted = dict(formatted)  # the run's memory, kept once the batch went through
        self.structure: list[dict[str, Any]] = []
        self.looks: list[dict[str, Any]] = []
        self.data: list[dict[str, Any]] = []
        self.targets: list[str] = []
        # (cell, update): the key cell each update's row must still hold, read in the same
        # batchGet as the targets
        self.expected: list[tuple[str, Update]] = []
        self._next_id = max((t.sheet_id for t in self.tabs.values()), default=0) + 1

    def _add_sheet(self, title: str, rows: int, columns: int) -> Tab:
        self._next_id += 1
        tab = Tab(
            self._next_id,
            title,
            max(rows + GRID_SLACK, 1000),
            max(columns, 26),
            0,
        )
        grid = {"rowCount": tab.rows, "columnCount": tab.columns, "frozenRowCount": 1}
        properties = {"sheetId": tab.sheet_id, "title": title, "gridProperties": grid}
        self.structure.append({"addSheet": {"properties": properties}})
        self.tabs[title] = tab
        return tab

    def _fit(self, tab: Tab, last_row: int, width: int) -> None:
        """Grow the grid when a write would go past it (the API refuses such a write)."""
        if last_row > tab.rows:
            grow = last_row - tab.rows + GRID_SLACK
            self.structure.append(
                {"appendDimension": {"sheetId": tab.sheet_id, "dimension": "ROWS", "length": grow}}
            )
            tab.rows += grow
            # the new rows have no format yet: the next dates on this tab format down again
            for key in [f for f in self.formatted if f[0] == tab.sheet_id]:
                del self.formatted[key]
        if width > tab.columns:
            grow = width - tab.columns
            self.structure.append(
                {
                    "appendDimension": {
                        "sheetId": tab.sheet_id,
                        "dimension": "COLUMNS",
                        "length": grow,
                    }
                }
            )
            tab.columns += grow

    def _format(
        self,
        tab: Tab,
        row: int,
        column: int,
        number_format: dict[str, Any],
        last: int | None = None,
    ) -> None:
        """A number format on one cell, or on a column from `row` down to `last`."""
        self.looks.append(
            {
                "repeatCell": {
                    "range": {
                        "sheetId": tab.sheet_id,
                        "startRowIndex": row - 1,
                        "endRowIndex": last or row,
                        "startColumnIndex": column - 1,
                        "endColumnIndex": column,
                    },
                    "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                    "fields": "userEnteredFormat.numberFormat",
                }
            }
        )

    def _header(self, tab: Tab, width: int) -> None:
        self.looks.append(
            {
                "repeatCell": {
                    "range": {
                        "sheetId": tab.sheet_id,
                        "startRowIndex": 0,
                        "endRowIndex": 1,
                        "startColumnIndex": 0,
                        "endColumnIndex": max(width, 1),
                    },
                    "cell": {"userEnteredFormat": _HEADER_FORMAT},
                    "fields": "userEnteredFormat(textFormat,backgroundColorStyle)",
                }
            }
        )

    def _dress(self, tab: Tab, shown: Look, rows: Sequence[Row], created: bool) -> None:
        """The look of a tab the job creates or rewrites: widths, wrapped columns, headings in
        bold; on its creation the conditional fills too (they stay with the tab). Google
        Sheets' API has no print settings: those are the .xlsx file's only."""
        for index, width in enumerate(shown.widths):
            span = {"startIndex": index, "endIndex": index + 1}
            self.looks.append(
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": tab.sheet_id, "dimension": "COLUMNS", **span},
                        "properties": {"pixelSize": PIXELS_PER_CHARACTER * width + 10},
                        "fields": "pixelSize",
                    }
                }
            )
        for index in sorted(shown.wrap):
            self.looks.append(
                {
                    "repeatCell": {
                        "range": {
                            "sheetId": tab.sheet_id,
                            "startRowIndex": 1,
                            "endRowIndex": tab.rows,
                            "startColumnIndex": index,
                            "endColumnIndex": index + 1,
                        },
                        "cell": {
                            "userEnteredFormat": {
                                "wrapStrategy": "WRAP",
                                "verticalAlignment": "TOP",
                            }
                        },
                        "fields": "userEnteredFormat(wrapStrategy,verticalAlignment)",
                    }
                }
            )
        for number in shown.bold:
            self.looks.append(
                {
                    "repeatCell": {
                        "range": {
                            "sheetId": tab.sheet_id,
                            "startRowIndex": number - 1,
                            "endRowIndex": number,
                            "startColumnIndex": 0,
                            "endColumnIndex": max(len(rows[number - 1]), 1),
                        },
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold",
                    }
                }
            )
        width = max(len(shown.widths), 1)
        for rule in shown.fills if created else ():
            letter = column_letter(rule.column)
            formula = f'=LOWER(${letter}2)="{rule.equals.lower()}"'
            self.looks.append(
                {
                    "addConditionalFormatRule": {
                        "index": 0,
                        "rule": {
                            "ranges": [
                                {
                                    "sheetId": tab.sheet_id,
                                    "startRowIndex": 1,
                                    "endRowIndex": tab.rows,
                                    "startColumnIndex": 0,
                                    "endColumnIndex": width,
                                }
                            ],
                            "booleanRule": {
                                "condition": {
                                    "type": "CUSTOM_FORMULA",
                                    "values": [{"userEnteredValue": formula}],
                                },
                                "format": {"backgroundColor": _colour(rule.colour)},
                            },
                        },
                    }
                }
            )

    def _dates(self, tab: Tab, rows: Sequence[Row], first: int, shown: Look) -> None:
        """A date format on each column that gets dates, from `first` down, once per run."""
        formats: dict[int, dict[str, str]] = {}
        for row in rows:
            for column, value in enumerate(row, start=1):
                found = _date_format(value, shown)
                if found:
                    formats.setdefault(column, found)
        for column, number_format in formats.items():
            if self.formatted.get((tab.sheet_id, column), first + 1) <= first:
                continue  # formatted from higher up already
            self.formatted[(tab.sheet_id, column)] = first
            self._format(tab, first, column, number_format, tab.rows)

    def _values(self, tab: Tab, rows: Sequence[Sequence[Any]], first: int) -> None:
        self.data.append(
            {"range": f"{quoted(tab.title)}!A{first}", "majorDimension": "ROWS", "values": rows}
        )

    def replace(self, change: Replace, before: Sequence[Row]) -> None:
        """A job-owned tab rewritten in place: the new rows, and empty text over the rest."""
        rows = trim(change.rows)
        width = max((len(r) for r in (*rows, *before)), default=1)
        height = max(len(rows), len(before))
        tab = self.tabs.get(change.tab)
        created = tab is None
        if tab is None:
            tab = self._add_sheet(change.tab, len(rows), width)
        self._fit(tab, height, width)
        shown = look(change.tab, rows)
        # Blank exactly the old cells the new rows do not cover (an empty text clears a cell).
        cells = [
            [cell_json(v) for v in row]
            + [""] * (len(before[i]) - len(row) if i < len(before) else 0)
            for i, row in enumerate(rows)
        ]
        cells += [[""] * len(old) for old in before[len(rows) :]]
        if cells:
            self._values(tab, cells, 1)
        self._header(tab, width)
        self.looks.append(
            {
                "updateSheetProperties": {
                    "properties": {
                        "sheetId": tab.sheet_id,
                        "gridProperties": {"frozenRowCount": 1},
                    },
                    "fields": "gridProperties.frozenRowCount",
                }
            }
        )
        self._dates(tab, rows, 1, shown)
        self._dress(tab, shown, rows, created)
        for row, column, pattern in change.formats:
            self._format(tab, row, column, {"type": "NUMBER", "pattern": pattern})
        self.looks += [{"deleteEmbeddedObject": {"objectId": c}} for c in tab.charts]
        tab.charts = []
        for chart in change.charts:
            self._fit(tab, chart.anchor[1], chart.anchor[0])  # its corner too
            self.looks.append(_chart(tab, chart))
        tab.filled = len(rows)

    def append(self, change: Append, before: Sequence[Row]) -> None:
        tab = self.tabs.get(change.tab)
        rows: tuple[Row, ...] = change.rows
        if (tab is None or not tab.filled) and change.header:
            rows = (change.header, *rows)
        rows = trim(rows)  # as a read would find them: the next append lands right below
        if not rows:
            return
        width = max(len(r) for r in rows)
        created = tab is None
        if tab is None:
            tab = self._add_sheet(change.tab, len(rows), width)
        first = tab.filled + 1
        last = tab.filled + len(rows)
        self._fit(tab, last, width)  # the check below reads inside the grown grid
        shown = look(change.tab, (*before[:1], *rows))
        if not tab.filled and change.header:
            self._header(tab, len(change.header))
            self._dress(tab, shown, rows, created)
        if tab.filled and width:
            self.targets.append(f"{quoted(tab.title)}!A{first}:{column_letter(width - 1)}{last}")
        self._dates(tab, rows, first, shown)
        self._values(tab, [[cell_json(v) for v in row] for row in rows], first)
        tab.filled = last

    def update(self, change: Update, before: Sequence[Row]) -> None:
        """Cells of one row written over in place; a None cell goes as null, which the API skips."""
        cells = list(change.cells)
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            return
        tab = self.tabs.get(change.tab)
        if tab is None:
            tab = self._add_sheet(change.tab, change.row, len(cells))
        elif change.expect is not None and change.row <= tab.filled:
            cell = f"{column_letter(change.expect[0])}{change.row}"
            self.expected.append((f"{quoted(tab.title)}!{cell}", change))
        self._fit(tab, change.row, len(cells))
        self._dates(tab, (tuple(cells),), change.row, look(change.tab, before[:1]))
        self._values(tab, [[cell_json(v) for v in cells]], change.row)
        tab.filled = max(tab.filled, change.row)


def _chart(tab: Tab, chart: Chart) -> dict[str, Any]:
    def source(spec: tuple[int, int, int]) -> dict[str, Any]:
        column, first, last = spec
        return {
            "sources": [
                {
                    "sheetId": tab.sheet_id,
                    "startRowIndex": first - 1,
                    "endRowIndex": last,
                    "startColumnIndex": column - 1,
                    "endColumnIndex": column,
                }
            ]
        }

    return {
        "addChart": {
            "chart": {
                "spec": {
                    "title": chart.title,
                    "basicChart": {
                        "chartType": "BAR",
                        "legendPosition": "NO_LEGEND",
                        "headerCount": 0,  # the ranges hold figures only; Sheets would guess
                        "axis": [
                            {
                                "position": "BOTTOM_AXIS",
                                "viewWindowOptions": {
                                    # the default mode ("PRETTY") ignores min and max
                                    "viewWindowMode": "EXPLICIT",
                                    "viewWindowMin": 0,
                                    "viewWindowMax": chart.top,
                                },
                            }
                        ],
                        "domains": [{"domain": {"sourceRange": source(chart.labels)}}],
                        "series": [
                            {
                                "series": {"sourceRange": source(chart.values)},
                                "targetAxis": "BOTTOM_AXIS",
                            }
                        ],
                    },
                },
                "position": {
                    "overlayPosition": {
                        "anchorCell": {
                            "sheetId": tab.sheet_id,
                            "rowIndex": chart.anchor[1] - 1,
                            "columnIndex": chart.anchor[0] - 1,
                        },
                        # beside the figures at the top, above the tables
                        "widthPixels": 480,
                        "heightPixels": 260,
                    }
                },
            }
        }
    }
