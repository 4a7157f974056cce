"""A local double of the Google Sheets API v4: the endpoints mentorflow uses, over real HTTP.

It keeps spreadsheets in memory and answers like the real API for:

- GET  /v4/spreadsheets/{id}                      metadata (sheets, grid sizes, charts)
- GET  /v4/spreadsheets/{id}/values:batchGet      UNFORMATTED_VALUE, SERIAL_NUMBER dates
- GET  /v4/spreadsheets/{id}/values/{range}       the same, one range
- PUT  /v4/spreadsheets/{id}/values/{range}       RAW input only
- POST /v4/spreadsheets/{id}/values:batchUpdate   RAW input only
- POST /v4/spreadsheets/{id}/values/{range}:append
- POST /v4/spreadsheets/{id}:batchUpdate          addSheet, deleteSheet, updateCells,
                                                  repeatCell, appendDimension,
                                                  updateSheetProperties, addChart,
                                                  deleteEmbeddedObject,
                                                  updateDimensionProperties,
                                                  addConditionalFormatRule

A1 ranges with quoted tab names ('It''s'!A1:C3), whole tabs and open-ended ranges are
understood. Every request is first checked against Google's published discovery document
(tests/sheets_discovery.py): an unknown method, parameter or field, a bad enum, type or field
mask, and any range that reads or writes outside a sheet's grid are answered 400 (404 for a
method that does not exist), as the real API answers them, and kept in `refused`. A
batchUpdate is all or nothing, as Google's is. Tests can require a bearer token, queue error
answers (429, 500, ...), and read every request received in `log`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pipeline.core.cells import column_letter
from tests.sheets_discovery import Call, Grid, Refused, check

Value = str | int | float | bool


@dataclass
class Sheet:
    sheet_id: int
    title: str
    rows: int = 1000
    columns: int = 26
    frozen: int = 0
    cells: dict[tuple[int, int], Value] = field(default_factory=dict)  # (row, col) from 0
    formats: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    charts: list[dict[str, Any]] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)  # column -> pixels
    rules: list[dict[str, Any]] = field(default_factory=list)  # conditional formats

    def values(self) -> list[list[Value]]:
        """The filled part of the grid, rows and cells after the last value left out."""
        by_row: dict[int, dict[int, Value]] = {}
        for (r, c), value in self.cells.items():
            by_row.setdefault(r, {})[c] = value
        height = max(by_row, default=-1) + 1
        grid: list[list[Value]] = []
        for r in range(height):
            cells = by_row.get(r, {})
            grid.append([cells.get(c, "") for c in range(max(cells, default=-1) + 1)])
        return grid


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_CELL = re.compile(r"([A-Z]*)(\d*)")


def column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - ord("A") + 1
    return number


def split_a1(a1: str) -> tuple[str | None, str]:
    """("Tab", "A1:C3") from "'Tab'!A1:C3"; a quoted name may hold '' and !."""
    if a1.startswith("'"):
        end = 1
        while True:
            end = a1.index("'", end)
            if a1[end : end + 2] == "''":
                end += 2
                continue
            break
        return a1[1:end].replace("''", "'"), a1[end + 2 :] if a1[end + 1 : end + 2] == "!" else ""
    if "!" in a1:
        tab, _, cells = a1.partition("!")
        return tab, cells
    return None, a1  # a bare range means the first sheet ... or a bare tab name


class Book:
    def __init__(self, key: str, title: str = "Programme") -> None:
        self.key = key
        self.title = title
        self.sheets: list[Sheet] = []
        self._next_id = 1000
        self.chart_ids = 5000

    def add(self, title: str, index: int | None = None, sheet_id: int | None = None) -> Sheet:
        if any(s.title == title for s in self.sheets):
            raise ApiError(400, f'A sheet with the name "{title}" already exists.')
        if sheet_id is None:
            self._next_id += 1
            sheet_id = self._next_id
        if any(s.sheet_id == sheet_id for s in self.sheets):
            raise ApiError(400, f"Sheet id {sheet_id} is already in use.")
        sheet = Sheet(sheet_id, title)
        self.sheets.insert(len(self.sheets) if index is None else index, sheet)
        return sheet

    def checkpoint(self) -> Callable[[], None]:
        """A way back to the book as it is now: a batch that fails half-way changes nothing."""
        saved = [
            (s, replace(s, cells=dict(s.cells), formats=dict(s.formats), charts=list(s.charts)))
            for s in self.sheets
        ]
        ids = self._next_id, self.chart_ids

        def restore() -> None:
            for sheet, before in saved:
                vars(sheet).update(vars(before))
            self.sheets = [sheet for sheet, _ in saved]
            self._next_id, self.chart_ids = ids

        return restore

    def grids(self) -> list[Grid]:
        return [Grid(s.sheet_id, s.title, s.rows, s.columns) for s in self.sheets]

    def by_id(self, sheet_id: int) -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise ApiError(400, f"No grid with id: {sheet_id}")

    def locate(self, a1: str) -> tuple[Sheet, int, int, int | None, int | None]:
        """(sheet, first row, first col, last row, last col), from 0; None: open-ended."""
        tab, cells = split_a1(a1)
        if tab is None:
            named = [s for s in self.sheets if s.title == cells]
            if named:
                tab, cells = cells, ""
        sheet = next((s for s in self.sheets if s.title == tab), None) if tab else self.sheets[0]
        if sheet is None:
            raise ApiError(400, f"Unable to parse range: {a1}")
        if not cells:
            return sheet, 0, 0, None, None
        start, _, end = cells.partition(":")
        m1, m2 = _CELL.fullmatch(start), _CELL.fullmatch(end or start)
        if m1 is None or m2 is None:
            raise ApiError(400, f"Unable to parse range: {a1}")
        first_col = column_number(m1[1]) - 1 if m1[1] else 0
        first_row = int(m1[2]) - 1 if m1[2] else 0
        last_col = column_number(m2[1]) - 1 if m2[1] else None
        last_row = int(m2[2]) - 1 if m2[2] else None
        return sheet, first_row, first_col, last_row, last_col

    def metadata(self) -> dict[str, Any]:
        return {
            "spreadsheetId": self.key,
            "properties": {"title": self.title, "locale": "en_GB", "timeZone": "Europe/Amsterdam"},
            "sheets": [
                {
                    "properties": {
                        "sheetId": s.sheet_id,
                        "title": s.title,
                        "index": i,
                        "sheetType": "GRID",
                        "gridProperties": {
                            "rowCount": s.rows,
                            "columnCount": s.columns,
                            **({"frozenRowCount": s.frozen} if s.frozen else {}),
                        },
                    },
                    **({"charts": s.charts} if s.charts else {}),
                }
                for i, s in enumerate(self.sheets)
            ],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit",
        }

    def read(self, a1: str) -> dict[str, Any]:
        sheet, r0, c0, r1, c1 = self.locate(a1)
        grid = sheet.values()
        values = [
            row[c0 : None if c1 is None else c1 + 1]
            for row in grid[r0 : None if r1 is None else r1 + 1]
        ]
        while values and not any(v != "" for v in values[-1]):
            values.pop()
        values = [_rstrip(row) for row in values]
        quoted = "'" + sheet.title.replace("'", "''") + "'"
        found: dict[str, Any] = {
            "range": f"{quoted}!A1:Z{max(len(grid), 1)}",
            "majorDimension": "ROWS",
        }
        if values:
            found["values"] = values
        return found

    def write(self, a1: str, values: list[list[Any]]) -> int:
        sheet, r0, c0, _, _ = self.locate(a1)
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                if r0 + r >= sheet.rows or c0 + c >= sheet.columns:
                    raise ApiError(
                        400,
                        f"Range ({sheet.title}!{a1}) exceeds grid limits. Max rows: "
                        f"{sheet.rows}, max columns: {sheet.columns}",
                    )
                if value is None:
                    continue  # null leaves the cell as it is
                if value == "":
                    sheet.cells.pop((r0 + r, c0 + c), None)
                elif isinstance(value, str | int | float | bool):
                    sheet.cells[(r0 + r, c0 + c)] = value
                else:
                    raise ApiError(400, f"Invalid value at data.values[{r}][{c}]")
        return sum(1 for row in values for v in row if v is not None)


def _rstrip(row: list[Value]) -> list[Value]:
    while row and row[-1] == "":
        row = row[:-1]
    return row


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (a timeout test) is not the double's problem


class SheetsDouble:
    """The server: `with SheetsDouble() as api:` then point mentorflow at `api.endpoint`."""

    def __init__(self, token: str | None = "test-token") -> None:
        self.token = token
        self.books: dict[str, Book] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        # every request whole, with the grids as they were when it came
        self.log: list[tuple[Call, list[Grid]]] = []
        self.refused: list[tuple[Call, str]] = []  # what did not conform to Google's API
        self.faults: list[int] = []  # status codes to answer the next requests with
        self.fail_on: dict[int, int] = {}  # request number (from 1) -> status code to answer
        self.delay = 0.0  # seconds to sit on every answer (a slow or hanging API)
        # The batchUpdate requests this double knows; None: all of the list above. A double
        # that knows fewer stands for an API (or gateway) that refuses the rest.
        self.known: set[str] | None = None
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def book(self, key: str, tabs: dict[str, list[list[Any]]]) -> Book:
        """A spreadsheet holding `tabs` (cells as the API returns them: numbers, text, bools)."""
        book = Book(key)
        for title, rows in tabs.items():
            sheet = book.add(title)
            sheet.rows = max(sheet.rows, len(rows) + 100)
            sheet.columns = max(sheet.columns, max((len(r) for r in rows), default=0))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None and value != "":
                        sheet.cells[(r, c)] = value
        self.books[key] = book
        return book

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> SheetsDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                double._handle(self, "GET")

            def do_POST(self) -> None:
                double._handle(self, "POST")

            def do_PUT(self) -> None:
                double._handle(self, "PUT")

        self._server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, http: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        body = json.loads(http.rfile.read(length) or b"{}") if length else None
        query = parse_qs(parts.query, keep_blank_values=True)
        call = Call(method, parts.path, query, body)
        with self.lock:
            self.requests.append((method, parts.path))
            key = re.match(r"/v4/spreadsheets/([^/:]+)", parts.path)
            book = self.books.get(key[1]) if key else None
            self.log.append((call, book.grids() if book else []))
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            try:
                if self.faults:
                    code = self.faults.pop(0)
                    raise ApiError(code, "injected by the test")
                if len(self.requests) in self.fail_on:
                    raise ApiError(self.fail_on.pop(len(self.requests)), "injected by the test")
                if (
                    self.token is not None
                    and http.headers.get("Authorization") != f"Bearer {self.token}"
                ):
                    raise ApiError(401, "Request had invalid authentication credentials.")
                self._conform(call, book)
                answer = self._route(method, parts.path, query, body or {})
                status, payload = 200, answer
            except ApiError as exc:
                status = exc.code
                payload = {
                    "error": {
                        "code": exc.code,
                        "message": str(exc),
                        "status": STATUS.get(exc.code, "UNKNOWN"),
                    }
                }
        data = json.dumps(payload).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json; charset=UTF-8")
        http.send_header("Content-Length", str(len(data)))
        if status == 429:
            http.send_header("Retry-After", "0")
        http.end_headers()
        http.wfile.write(data)

    def _conform(self, call: Call, book: Book | None) -> None:
        """Refuse what Google refuses: the request against the discovery document and grids."""
        try:
            problems = check(call, book.grids() if book else None)
        except Refused as refused:
            self.refused.append((call, str(refused)))
            raise ApiError(refused.code, str(refused)) from None
        if problems:
            self.refused.append((call, "\n".join(problems)))
            raise ApiError(400, "\n".join(problems))

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Any:
        match = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(.*)", path)
        if match is None:
            raise ApiError(404, f"Not found: {path}")
        key, rest = match[1], unquote(match[2])
        book = self.books.get(key)
        if book is None:
            raise ApiError(404, "Requested entity was not found.")
        if method == "GET" and rest == "":
            return book.metadata()
        if method == "GET" and rest == "/values:batchGet":
            self._unformatted(query)
            ranges = [book.read(a1) for a1 in query.get("ranges", [])]
            return {"spreadsheetId": key, "valueRanges": ranges}
        if method == "GET" and rest.startswith("/values/"):
            self._unformatted(query)
            return book.read(rest[len("/values/") :])
        if method == "PUT" and rest.startswith("/values/"):
            self._raw(query.get("valueInputOption", [""])[0])
            a1 = body.get("range") or rest[len("/values/") :]
            return {"spreadsheetId": key, "updatedCells": self._atomic(key, [(a1, body)])}
        if method == "POST" and rest == "/values:batchUpdate":
            self._raw(body.get("valueInputOption"))
            data = [(d["range"], d) for d in body.get("data", [])]
            return {"spreadsheetId": key, "totalUpdatedCells": self._atomic(key, data)}
        if method == "POST" and rest.startswith("/values/") and rest.endswith(":append"):
            self._raw(query.get("valueInputOption", [""])[0])
            return self._append(book, rest[len("/values/") : -len(":append")], body)
        if method == "POST" and rest == ":batchUpdate":
            requests = body.get("requests", [])
            unknown = [
                k for r in requests for k in r if self.known is not None and k not in self.known
            ]
            if unknown:
                raise ApiError(400, f"Invalid requests[0]: unknown request {unknown[0]!r}")
            restore = book.checkpoint()  # all or nothing
            try:
                replies = [self._structural(book, request) for request in requests]
            except (ApiError, KeyError, TypeError):
                restore()
                raise
            return {"spreadsheetId": key, "replies": replies}
        raise ApiError(404, f"Not found: {method} {path}")

    def _atomic(self, key: str, data: list[tuple[str, Any]]) -> int:
        """Values written in all their ranges, or in none."""
        book = self.books[key]
        restore = book.checkpoint()
        cells = 0
        try:
            for a1, value_range in data:
                values = value_range.get("values", [])
                if value_range.get("majorDimension") == "COLUMNS":
                    values = [list(row) for row in zip(*values, strict=False)]
                cells += book.write(a1, values)
        except ApiError:
            restore()
            raise
        return cells

    @staticmethod
    def _unformatted(query: dict[str, list[str]]) -> None:
        if query.get("valueRenderOption") != ["UNFORMATTED_VALUE"]:
            raise ApiError(400, "this double serves valueRenderOption=UNFORMATTED_VALUE only")
        if query.get("dateTimeRenderOption", ["SERIAL_NUMBER"]) != ["SERIAL_NUMBER"]:
            raise ApiError(400, "this double serves dateTimeRenderOption=SERIAL_NUMBER only")

    @staticmethod
    def _raw(option: str | None) -> None:
        if option != "RAW":
            raise ApiError(400, f"mentorflow must write RAW (formula-safe), not {option!r}")

    @staticmethod
    def _append(book: Book, a1: str, body: Any) -> Any:
        sheet, _, c0, _, _ = book.locate(a1)
        below = max((r for r, _ in sheet.cells), default=-1) + 1
        values = body.get("values", [])
        if below + len(values) > sheet.rows:
            sheet.rows = below + len(values)  # the append endpoint grows the grid itself
        quoted = "'" + sheet.title.replace("'", "''") + "'"
        book.write(f"{quoted}!{column_letter(c0)}{below + 1}", values)
        return {"updates": {"updatedRange": f"{quoted}!A{below + 1}", "updatedRows": len(values)}}

    @staticmethod
    def _structural(book: Book, request: dict[str, Any]) -> dict[str, Any]:
        (kind, spec), *_ = request.items()
        if kind == "addSheet":
            props = spec.get("properties", {})
            sheet = book.add(props["title"], props.get("index"), props.get("sheetId"))
            grid = props.get("gridProperties", {})
            sheet.rows = grid.get("rowCount", sheet.rows)
            sheet.columns = grid.get("columnCount", sheet.columns)
            sheet.frozen = grid.get("frozenRowCount", 0)
            return {"addSheet": {"properties": {"sheetId": sheet.sheet_id, "title": sheet.title}}}
        if kind == "deleteSheet":
            book.sheets.remove(book.by_id(spec["sheetId"]))
            return {}
        if kind == "appendDimension":
            sheet = book.by_id(spec["sheetId"])
            if spec["dimension"] == "ROWS":
                sheet.rows += spec["length"]
            else:
                sheet.columns += spec["length"]
            return {}
        if kind == "updateSheetProperties":
            props = spec["properties"]
            sheet = book.by_id(props["sheetId"])
            sheet.frozen = props.get("gridProperties", {}).get("frozenRowCount", sheet.frozen)
            return {}
        if kind in ("repeatCell", "updateCells"):
            grid = spec["range"]
            sheet = book.by_id(grid["sheetId"])
            rows = range(grid.get("startRowIndex", 0), grid.get("endRowIndex", sheet.rows))
            cols = range(grid.get("startColumnIndex", 0), grid.get("endColumnIndex", sheet.columns))
            if kind == "updateCells":
                if "rows" in spec or spec.get("fields") not in ("userEnteredValue", "*"):
                    raise ApiError(400, "this double clears cells only")
                for key in [k for k in sheet.cells if k[0] in rows and k[1] in cols]:
                    del sheet.cells[key]
                return {}
            formats = spec["cell"].get("userEnteredFormat", {})
            for r in rows:
                for c in cols:
                    sheet.formats[(r, c)] = formats
            return {}
        if kind == "deleteEmbeddedObject":
            for sheet in book.sheets:
                kept = [c for c in sheet.charts if c["chartId"] != spec["objectId"]]
                if len(kept) < len(sheet.charts):
                    sheet.charts = kept
                    return {}
            raise ApiError(400, f"No embedded object with id: {spec['objectId']}")
        if kind == "addChart":
            chart = dict(spec["chart"])
            anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell", {})
            sheet = book.by_id(anchor.get("sheetId", book.sheets[0].sheet_id))
            book.chart_ids += 1
            chart["chartId"] = book.chart_ids
            sheet.charts.append(chart)
            return {"addChart": {"chart": chart}}
        if kind == "updateDimensionProperties":
            span = spec["range"]
            sheet = book.by_id(span["sheetId"])
            if span["dimension"] == "COLUMNS":
                for column in range(span.get("startIndex", 0), span.get("endIndex", sheet.columns)):
                    if column >= sheet.columns:
                        raise ApiError(400, f"column {column} is outside the grid")
                    sheet.widths[column] = spec["properties"]["pixelSize"]
            return {}
        if kind == "addConditionalFormatRule":
            rule = spec["rule"]
            sheet = book.by_id(rule["ranges"][0]["sheetId"])
            sheet.rules.insert(spec.get("index", len(sheet.rules)), rule)
            return {}
        raise ApiError(400, f"this double does not know the request {kind!r}")
