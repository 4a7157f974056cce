"""A local double of Microsoft Graph v1.0: the SharePoint, Excel and mail calls mentorflow makes.

It keeps sites, document libraries, Excel workbooks and mailboxes in memory and answers over
real HTTP (127.0.0.1, a free port) like the published Microsoft Graph v1.0 reference:

- GET  /sites/{hostname}:/{server-relative-path}[:]          site-get.md
- GET  /sites/{site-id}, /sites/{site-id}/drives, /sites/{site-id}/drive
- GET  /drives/{drive-id}/root:/{item-path}[:]               driveitem-get.md
- GET  /drives/{drive-id}/items/{item-id}[/content]          driveitem-get(-content).md
- GET  /shares/u!{base64url sharing URL}/driveItem           shares-get.md
- .../workbook/createSession, closeSession, refreshSession   workbook-createsession.md
- .../workbook/worksheets, worksheets/add, worksheets/{id|name}, worksheets('{name}')
- .../worksheets/{..}/usedRange[(valuesOnly=true)]            worksheet-usedrange.md
- .../worksheets/{..}/range(address='A1:C4') GET and PATCH    range-get.md, range-update.md
- .../range(..)/format PATCH, /format/font PATCH, /format/autofitColumns|autofitRows POST
- .../worksheets/{..}/charts, charts/add, charts/{name} DELETE
- POST /$batch                                               json-batching.md
- POST /users/{id|userPrincipalName}/sendMail (JSON or base64 MIME)   user-sendmail.md

The workbook routes are reachable under /drives/{d}/items/{i}/workbook,
/drives/{d}/root:/{path}:/workbook and /sites/{site-id}/drive/items/{i}/workbook.

Anything outside these shapes (unknown path, method, query option or body property, a 2-D
array of the wrong size, a malformed $batch, ...) is answered 400/404/405 with a Graph error
body and kept in `refused`, so a test can assert that a normal run sent only what Graph
publishes. Failures that the real service produces for well-formed requests (no token, no site
grant, an expired workbook session, an unknown mailbox, throttling) are answered as Graph does
and are not "refused".

Where the reference is silent the double is STRICT and says so in a comment.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import io
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, quote, unquote, urlsplit

Value = str | int | float | bool | None

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel's limits: 1,048,576 rows and 16,384 columns (XFD).
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384

# The headers kept in `log` (never Authorization).
LOGGED_HEADERS = (
    "content-type",
    "workbook-session-id",
    "prefer",
    "if-match",
    "accept",
    "consistencylevel",
    "client-request-id",
)

# json-batching.md: "JSON batch requests are currently limited to 20 individual requests."
BATCH_LIMIT = 20

# Messages of workbook-error-codes.md ("Detailed error codes") for the session codes.
INVALID_SESSION_MESSAGE = (
    "The session specified in the request does not exist or is invalid due to a transient error."
)


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


@dataclass
class Cell:
    value: str | int | float | bool | None = None  # None = empty; a formula's value is 0
    formula: str | None = None
    number_format: str = "General"


@dataclass
class Sheet:
    id: str
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, col) from 0
    looks: list[dict[str, Any]] = field(default_factory=list)
    frozen_rows: int = 0
    charts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Book:
    sheets: list[Sheet] = field(default_factory=list)

    def find(self, ref: str) -> Sheet | None:
        """A worksheet by id or by name (names are case-insensitive in Excel)."""
        for sheet in self.sheets:
            if sheet.id == ref:
                return sheet
        for sheet in self.sheets:
            if sheet.name.casefold() == ref.casefold():
                return sheet
        return None


@dataclass
class Item:
    id: str
    name: str
    path: str  # in the library, without a leading "/"
    drive_id: str
    site: Site
    book: Book
    version: int = 1


@dataclass
class Drive:
    id: str
    name: str
    web_url: str
    site: Site
    items: dict[str, Item] = field(default_factory=dict)  # casefolded path -> item


@dataclass
class Site:
    id: str
    hostname: str
    path: str
    drives: list[Drive] = field(default_factory=list)
    grant: str | None = None  # None, "read" or "write" (Sites.Selected)


@dataclass
class Session:
    id: str
    item: Item
    persist: bool
    book: Book | None  # a private copy for persistChanges false
    valid: bool = True


@dataclass
class Fault:
    status: int
    count: int
    method: str | None
    path_contains: str | None
    retry_after: int | None = None
    seconds: float = 0.0


@dataclass
class GraphRequest:
    """One request as the double received it (inner $batch requests too)."""

    method: str
    path: str  # after /v1.0, percent-decoded
    query: str  # raw query string
    headers: dict[str, str]  # LOGGED_HEADERS only, lower-case names
    body: Any  # parsed JSON, or text, or None
    inner: bool = False
    raw: bytes = b""


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able, or bytes
    headers: dict[str, str] = field(default_factory=dict)


class GraphError(Exception):
    """An error answer in Graph's shape; `refused` marks shapes Graph does not publish."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        inner: str | None = None,
        refused: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.inner = inner
        self.refused = refused
        self.headers = dict(headers or {})


def _refuse(status: int, code: str, message: str) -> GraphError:
    return GraphError(status, code, message, refused=True)


def _error_body(err: GraphError) -> dict[str, Any]:
    # Graph's error shape (errors.md; workbook-error-handling.md for the second-level code).
    inner: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": str(uuid.uuid4()),
        "client-request-id": str(uuid.uuid4()),
    }
    if err.inner:
        inner = {"code": err.inner, "message": err.message, **inner}
    return {"error": {"code": err.code, "message": err.message, "innerError": inner}}


# --------------------------------------------------------------------------------------------
# A1 addresses
# --------------------------------------------------------------------------------------------


def column_letters(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def parse_cell(ref: str) -> tuple[int, int]:
    m = _CELL.match(ref)
    if not m:
        raise ValueError(ref)
    row, col = int(m.group(2)) - 1, _column_index(m.group(1))
    if not (0 <= row < MAX_ROWS and 0 <= col < MAX_COLUMNS):
        raise ValueError(ref)
    return row, col


def quote_sheet(name: str) -> str:
    """A sheet name as Excel writes it in an address: quoted unless plain."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not _CELL.match(name)
    if plain and not re.fullmatch(r"[Rr]\d*[Cc]?\d*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


def split_address(address: str) -> tuple[str | None, str]:
    """'It''s'!A1:B2 -> ("It's", "A1:B2"); A1 -> (None, "A1")."""
    m = re.fullmatch(r"'((?:[^']|'')+)'!(.+)", address)
    if m:
        return m.group(1).replace("''", "'"), m.group(2)
    m = re.fullmatch(r"([^'!]+)!(.+)", address)
    if m:
        return m.group(1), m.group(2)
    return None, address


def parse_area(area: str) -> tuple[int, int, int, int]:
    """A1:C4 -> (first row, first col, last row, last col), all from 0."""
    parts = area.split(":")
    if len(parts) not in (1, 2):
        raise ValueError(area)
    r1, c1 = parse_cell(parts[0])
    r2, c2 = parse_cell(parts[-1])
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def area_text(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{column_letters(c1)}{r1 + 1}"
    if (r1, c1) == (r2, c2):
        return first
    return f"{first}:{column_letters(c2)}{r2 + 1}"


# --------------------------------------------------------------------------------------------
# Excel's typed input
# --------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
EPOCH = date(1899, 12, 30)  # Excel's serial 0 (1900 date system, after the 1900 leap bug)


def _number(text: str) -> int | float:
    number = float(text)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def typed_input(text: str) -> tuple[Value, str | None, str | None]:
    """What Excel stores when a string is typed into a cell that is not text ("@").

    Returns (value, formula, number format to set or None). Like typing in Excel:
    "=..." is a formula, "00123" / "1e3" / "-1" are numbers, TRUE / FALSE are booleans,
    an ISO or US date is a date serial with a date format; everything else stays text.
    """
    stripped = text.strip()
    if text.startswith("=") and len(text) > 1:
        return 0, text, None
    if _NUMBER.match(stripped):
        return _number(stripped), None, None
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE", None, None
    for pattern, order, fmt in (
        (_ISO_DATE, (0, 1, 2), "yyyy-mm-dd"),
        (_US_DATE, (2, 0, 1), "m/d/yyyy"),
    ):
        m = pattern.match(stripped)
        if m:
            y, mo, d = (int(m.group(i + 1)) for i in order)
            try:
                day = date(y, mo, d)
            except ValueError:
                break
            return (day - EPOCH).days, None, fmt
    return text, None, None


def _is_date_format(fmt: str) -> bool:
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]', "", fmt).lower()
    return fmt not in ("General", "@") and any(ch in bare for ch in "dy") and "0" not in bare


def display_text(cell: Cell | None) -> str:
    """The range's `text`: roughly what Excel shows (General numbers, ISO-ish dates)."""
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float) and _is_date_format(cell.number_format):
        day = EPOCH + timedelta(days=int(value))
        fmt = cell.number_format.lower()
        if fmt.startswith("m/d"):
            return f"{day.month}/{day.day}/{day.year}"
        if fmt.startswith("dd-mm"):
            return day.strftime("%d-%m-%Y")
        return day.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


# --------------------------------------------------------------------------------------------
# The double
# --------------------------------------------------------------------------------------------


class GraphDouble:
    """Microsoft Graph v1.0 on 127.0.0.1 for tests; see the module docstring."""

    def __init__(self, tokens: set[str] | None = None) -> None:
        self.tokens: set[str] = tokens if tokens is not None else set()
        self.sites: dict[str, Site] = {}  # site id -> site
        self.mailboxes: dict[str, bool] = {}  # casefolded address -> scoped
        self.sent: list[tuple[str, EmailMessage, bytes]] = []
        self.log: list[GraphRequest] = []
        self.refused: list[tuple[GraphRequest, str]] = []
        self.sessions: dict[str, Session] = {}
        self.shares: dict[str, Item] = {}  # sharing URL -> item
        self._faults: list[Fault] = []
        self._hangs: list[Fault] = []
        self._lose_writes = 0
        self.refuse_sessions = False  # createSession answers 403 EditModeAccessDenied
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # ---- life cycle ---------------------------------------------------------------------

    def start(self) -> GraphDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _any(self) -> None:
                double._serve(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GraphDouble:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- test set-up --------------------------------------------------------------------

    def add_site(self, hostname: str, path: str, libraries: Sequence[str] = ("Documents",)) -> str:
        """A site with its document libraries (the first is the default drive); its id."""
        site_id = f"{hostname},{uuid.uuid4()},{uuid.uuid4()}"
        site = Site(site_id, hostname, "/" + path.strip("/"))
        for name in libraries:
            folder = "Shared Documents" if name == "Documents" else name
            drive_id = "b!" + base64.urlsafe_b64encode(uuid.uuid4().bytes * 2).decode().rstrip("=")
            web_url = f"https://{hostname}{site.path}/{folder}"
            site.drives.append(Drive(drive_id, name, web_url, site))
        self.sites[site_id] = site
        return site_id

    def grant(self, site: str, role: str | None) -> None:
        """The app's Sites.Selected permission on a site: None, "read" or "write"."""
        if role not in (None, "read", "write"):
            raise ValueError(role)
        self._site(site).grant = role

    def add_workbook(
        self,
        site: str,
        path: str,
        tabs: Mapping[str, Sequence[Sequence[Any]]],
        text_cells: Sequence[tuple[str, str]] = (),
        number_formats: Mapping[tuple[str, str], str] | None = None,
        library: str | None = None,
    ) -> str:
        """An .xlsx in a library (default: the site's first). Returns the driveItem id.

        Strings starting with "=" become formulas, as if typed, unless listed in text_cells as
        (tab, "A1"), which are stored as text with the "@" format.
        """
        s = self._site(site)
        drive = s.drives[0] if library is None else next(d for d in s.drives if d.name == library)
        book = Book()
        for n, (name, rows) in enumerate(tabs.items()):
            sheet = Sheet(f"{{{n:08X}-0001-0000-0000-000000000000}}", name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    if isinstance(value, str) and value.startswith("="):
                        sheet.cells[(r, c)] = Cell(0, value)
                    else:
                        sheet.cells[(r, c)] = Cell(value)
            book.sheets.append(sheet)
        for tab, ref in text_cells:
            cell = book.sheets[list(tabs).index(tab)].cells.setdefault(parse_cell(ref), Cell())
            if cell.formula is not None:
                cell.value, cell.formula = cell.formula, None
            cell.number_format = "@"
        for (tab, ref), fmt in (number_formats or {}).items():
            sheet_ = book.find(tab)
            assert sheet_ is not None
            sheet_.cells.setdefault(parse_cell(ref), Cell()).number_format = fmt
        clean = path.strip("/")
        item_id = "01" + uuid.uuid4().hex.upper()[:32]
        drive.items[clean.casefold()] = Item(
            item_id, clean.rsplit("/", 1)[-1], clean, drive.id, s, book
        )
        return item_id

    def share_link(self, site: str, path: str) -> str:
        """A sharing URL (https://host/:x:/s/Mentoring/<token>) that /shares resolves."""
        item = self._item(site, path)
        site_name = item.site.path.rsplit("/", 1)[-1]
        token = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        url = f"https://{item.site.hostname}/:x:/s/{site_name}/{token}"
        self.shares[url] = item
        return url

    def add_mailbox(self, address: str, scoped: bool = True) -> None:
        """A mailbox; scoped = inside the app's RBAC for Applications management scope."""
        self.mailboxes[address.casefold()] = scoped

    # ---- faults -------------------------------------------------------------------------

    def fail(
        self,
        status: int,
        count: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `count` matching requests (inner $batch ones too) with `status`."""
        with self._lock:
            self._faults.append(Fault(status, count, method, path_contains, retry_after))

    def lose_next_write(self, count: int = 1) -> None:
        """The next `count` workbook PATCHes are answered 200 but their change is discarded."""
        with self._lock:
            self._lose_writes += count

    def expire_sessions(self) -> None:
        """Every open workbook session becomes invalid (as after Excel's idle timeout)."""
        with self._lock:
            for session in self.sessions.values():
                session.valid = False

    def hang(
        self,
        count: int = 1,
        seconds: float = 5.0,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Carry out the next matching request(s), then answer only after `seconds`."""
        with self._lock:
            self._hangs.append(Fault(0, count, method, path_contains, seconds=seconds))

    # ---- inspection ---------------------------------------------------------------------

    def book(self, site: str, path: str) -> Book:
        return self._item(site, path).book

    def snapshot(self, site: str, path: str) -> dict[str, list[list[Any]]]:
        """The saved values per tab as a user sees them, trailing empty rows and cells cut."""
        out: dict[str, list[list[Any]]] = {}
        for sheet in self.book(site, path).sheets:
            height = max((r for r, _ in sheet.cells), default=-1) + 1
            rows: list[list[Any]] = []
            for r in range(height):
                width = max(
                    (
                        c + 1
                        for (rr, c), cell in sheet.cells.items()
                        if rr == r and cell.value is not None
                    ),
                    default=0,
                )
                rows.append([_cell_value(sheet.cells.get((r, c))) for c in range(width)])
            while rows and not rows[-1]:
                rows.pop()
            out[sheet.name] = rows
        return out

    def formulas(self, site: str, path: str) -> list[tuple[str, str, str]]:
        """Every cell that holds a formula, as (tab, "A1", formula)."""
        return [
            (sheet.name, area_text(r, c, r, c), cell.formula)
            for sheet in self.book(site, path).sheets
            for (r, c), cell in sorted(sheet.cells.items())
            if cell.formula is not None
        ]

    def number_format(self, site: str, path: str, tab: str, ref: str) -> str:
        cell = self._sheet(site, path, tab).cells.get(parse_cell(ref))
        return cell.number_format if cell else "General"

    def cell(self, site: str, path: str, tab: str, ref: str) -> Value:
        """A cell's saved value (None when empty; a formula's value is 0)."""
        cell = self._sheet(site, path, tab).cells.get(parse_cell(ref))
        return None if cell is None else cell.value

    def set_cell(
        self,
        site: str,
        path: str,
        tab: str,
        ref: str,
        value: Value,
        number_format: str | None = None,
    ) -> None:
        """A coordinator typing into a cell between requests (Excel's typed input applies)."""
        with self._lock:
            sheet = self._sheet(site, path, tab)
            cell = sheet.cells.setdefault(parse_cell(ref), Cell())
            if number_format is not None:
                cell.number_format = number_format
            _write_value(cell, value, cell.number_format == "@")
            self._item(site, path).version += 1

    def looks(self, site: str, path: str, tab: str) -> list[dict[str, Any]]:
        """The formatting calls applied to a worksheet, in order."""
        return self._sheet(site, path, tab).looks

    def frozen_rows(self, site: str, path: str, tab: str) -> int:
        return self._sheet(site, path, tab).frozen_rows

    def charts(self, site: str, path: str, tab: str) -> list[dict[str, Any]]:
        return self._sheet(site, path, tab).charts

    # ---- look-ups -----------------------------------------------------------------------

    def _site(self, site: str) -> Site:
        if site in self.sites:
            return self.sites[site]
        for s in self.sites.values():
            if f"{s.hostname}{s.path}".casefold() == site.casefold().rstrip("/"):
                return s
        raise KeyError(site)

    def _item(self, site: str, path: str) -> Item:
        for drive in self._site(site).drives:
            item = drive.items.get(path.strip("/").casefold())
            if item:
                return item
        raise KeyError(path)

    def _sheet(self, site: str, path: str, tab: str) -> Sheet:
        sheet = self._item(site, path).book.find(tab)
        if sheet is None:
            raise KeyError(tab)
        return sheet

    def _drive(self, drive_id: str) -> Drive:
        for site in self.sites.values():
            for drive in site.drives:
                if drive.id == drive_id:
                    return drive
        raise GraphError(404, "itemNotFound", "The resource could not be found.")

    # ---- HTTP ---------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        req = _make_request(handler.command, parts.path, parts.query, headers, raw, inner=False)
        with self._lock:
            self.log.append(req)
        reply, delay = self._answer(req, headers.get("authorization", ""))
        if delay:
            time.sleep(delay)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            _write_reply(handler, reply)

    def _answer(self, req: GraphRequest, authorization: str) -> tuple[Reply, float]:
        with self._lock:
            if not req.path.startswith("/v1.0/"):
                return self._error(req, _refuse(404, "BadRequest", "Invalid version.")), 0.0
            req.path = req.path[len("/v1.0") :]
            # authentication-and-authorization-basics / errors.md: no or unknown bearer -> 401.
            token = authorization[7:] if authorization[:7].lower() == "bearer " else ""
            if not token or token not in self.tokens:
                err = GraphError(
                    401,
                    "InvalidAuthenticationToken",
                    "Access token is empty." if not token else "Access token validation failure.",
                )
                return self._error(req, err), 0.0
            if req.path == "/$batch":
                return self._batch(req)
            return self._one(req)

    def _one(self, req: GraphRequest) -> tuple[Reply, float]:
        """One request, outer or inner: faults first, then the route."""
        delay = 0.0
        hang = self._take(self._hangs, req)
        if hang is not None:
            delay = hang.seconds
        fault = self._take(self._faults, req)
        if fault is not None:
            return self._error(req, _fault_error(fault)), delay
        try:
            return self._route(req), delay
        except GraphError as err:
            return self._error(req, err), delay

    def _take(self, faults: list[Fault], req: GraphRequest) -> Fault | None:
        for fault in faults:
            if fault.method is not None and fault.method.upper() != req.method:
                continue
            if fault.path_contains is not None and fault.path_contains not in req.path:
                continue
            if fault.path_contains is None and req.path == "/$batch":
                continue  # the envelope only when asked for by path: its inner requests match
            fault.count -= 1
            if fault.count <= 0:
                faults.remove(fault)
            return fault
        return None

    def _error(self, req: GraphRequest, err: GraphError) -> Reply:
        if err.refused:
            self.refused.append((req, f"{err.status} {err.code}: {err.message}"))
        return Reply(
            err.status, _error_body(err), {"Content-Type": "application/json", **err.headers}
        )

    # ---- $batch (json-batching.md) --------------------------------------------------------

    def _batch(self, req: GraphRequest) -> tuple[Reply, float]:
        fault = self._take(self._faults, req)
        if fault is not None:
            return self._error(req, _fault_error(fault)), 0.0
        try:
            steps = _batch_steps(req)
        except GraphError as err:
            return self._error(req, err), 0.0
        responses: list[dict[str, Any]] = []
        statuses: dict[str, int] = {}
        delay = 0.0
        for step in steps:
            step_id = str(step["id"])
            failed = [
                d for d in step.get("dependsOn", []) if statuses.get(d.casefold(), 200) >= 400
            ]
            if failed:
                # json-batching.md: dependents of a failed request fail with 424.
                reply = Reply(
                    424,
                    _error_body(GraphError(424, "FailedDependency", "Failed dependency.")),
                    {"Content-Type": "application/json"},
                )
            else:
                inner = _inner_request(step)
                self.log.append(inner)
                reply, wait = self._one(inner)
                delay = max(delay, wait)
            statuses[step_id.casefold()] = reply.status
            entry: dict[str, Any] = {
                "id": step_id,
                "status": reply.status,
                "headers": reply.headers,
            }
            if isinstance(reply.body, bytes):
                entry["body"] = base64.b64encode(reply.body).decode()
            elif reply.body is not None:
                entry["body"] = reply.body
            responses.append(entry)
        return Reply(200, {"responses": responses}, {"Content-Type": "application/json"}), delay

    # ---- routing ------------------------------------------------------------------------

    def _route(self, req: GraphRequest) -> Reply:
        path = req.path
        m = re.fullmatch(r"/sites/([^/:]+):(/[^:]*?):?", path)
        if m:
            site = self._site_by(m.group(1), m.group(2))
            self._check_grant(site, req)
            _only(req, "GET", select=True)
            return self._json(req, _site_json(site), SITE_PROPS)
        m = re.fullmatch(r"/sites/([^/:]+,[^/]+)(/.*)?", path)
        if m:
            found = self.sites.get(m.group(1))
            if found is None:
                raise GraphError(404, "itemNotFound", "Requested site could not be found")
            self._check_grant(found, req)
            rest = m.group(2) or ""
            if rest == "":
                _only(req, "GET", select=True)
                return self._json(req, _site_json(found), SITE_PROPS)
            if rest == "/drives":
                _only(req, "GET", select=True)
                return self._json_list(req, [_drive_json(d) for d in found.drives], DRIVE_PROPS)
            if rest == "/drive":
                _only(req, "GET", select=True)
                return self._json(req, _drive_json(found.drives[0]), DRIVE_PROPS)
            mm = re.fullmatch(r"/drive/items/([^/]+)(/.*)?", rest)
            if mm:
                return self._item_route(
                    req, self._item_by_id(found.drives[0], mm.group(1)), mm.group(2) or ""
                )
            raise _refuse(400, "BadRequest", f"Resource not found for the segment in '{path}'.")
        m = re.fullmatch(r"/drives/([^/]+)/root:/(.+?):(/workbook(?:/.*)?)", path)
        if m:
            drive = self._drive(m.group(1))
            return self._item_route(req, self._item_by_path(drive, m.group(2)), m.group(3))
        m = re.fullmatch(r"/drives/([^/]+)/root:/(.+?):?", path)
        if m:
            drive = self._drive(m.group(1))
            return self._item_route(req, self._item_by_path(drive, m.group(2)), "")
        m = re.fullmatch(r"/drives/([^/]+)/items/([^/]+)(/.*)?", path)
        if m:
            drive = self._drive(m.group(1))
            return self._item_route(req, self._item_by_id(drive, m.group(2)), m.group(3) or "")
        m = re.fullmatch(r"/shares/([^/]+)/driveItem", path)
        if m:
            _only(req, "GET", select=True)
            item = self._share(m.group(1))
            self._check_grant(item.site, req)
            return self._json(req, _item_json(item), ITEM_PROPS)
        m = re.fullmatch(r"/users/([^/]+)/sendMail", path)
        if m:
            return self._send_mail(req, m.group(1))
        if path == "/$batch":
            raise _refuse(400, "BadRequest", "A $batch request cannot hold another $batch.")
        raise _refuse(400, "BadRequest", f"Resource not found for the segment in '{path}'.")

    def _site_by(self, hostname: str, path: str) -> Site:
        for site in self.sites.values():
            if site.hostname.casefold() == hostname.casefold() and (
                site.path.casefold() == "/" + path.strip("/").casefold()
            ):
                return site
        raise GraphError(404, "itemNotFound", "Requested site could not be found")

    def _item_by_path(self, drive: Drive, path: str) -> Item:
        self._check_grant(drive.site, None)
        item = drive.items.get(path.strip("/").casefold())
        if item is None:
            raise GraphError(404, "itemNotFound", "The resource could not be found.")
        return item

    def _item_by_id(self, drive: Drive, item_id: str) -> Item:
        self._check_grant(drive.site, None)
        for item in drive.items.values():
            if item.id == item_id:
                return item
        raise GraphError(404, "itemNotFound", "The resource could not be found.")

    def _share(self, share_id: str) -> Item:
        # shares-get.md: "u!" + base64url of the sharing URL, "=" removed, "/"->"_", "+"->"-".
        if not share_id.startswith("u!"):
            raise GraphError(404, "itemNotFound", "The sharing link could not be found.")
        encoded = share_id[2:]
        if "=" in encoded or re.search(r"[^A-Za-z0-9_-]", encoded):
            raise _refuse(400, "invalidRequest", "Invalid shares id: not unpadded base64url.")
        try:
            url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _refuse(400, "invalidRequest", "Invalid shares id.") from exc
        item = self.shares.get(url)
        if item is None:
            raise GraphError(404, "itemNotFound", "The sharing link could not be found.")
        return item

    def _check_grant(self, site: Site, req: GraphRequest | None) -> None:
        # Sites.Selected: without a grant on the site the app gets 403 accessDenied.
        if site.grant is None:
            raise GraphError(403, "accessDenied", "Access denied")

    def _check_write(self, item: Item, req: GraphRequest, *, allowed_on_read: bool = False) -> None:
        # Sites.Selected "read": Graph refuses changes with 403 accessDenied.
        if item.site.grant != "write" and not allowed_on_read:
            raise GraphError(403, "accessDenied", "Access denied")

    # ---- drive items --------------------------------------------------------------------

    def _item_route(self, req: GraphRequest, item: Item, rest: str) -> Reply:
        if rest == "":
            _only(req, "GET", select=True)
            return self._json(req, _item_json(item), ITEM_PROPS)
        if rest == "/content":
            _only(req, "GET")
            return Reply(
                200,
                xlsx_bytes(item.book),
                {"Content-Type": XLSX_TYPE},
            )
        if rest == "/workbook" or rest.startswith("/workbook/"):
            return self._workbook(req, item, rest[len("/workbook") :])
        raise _refuse(400, "BadRequest", f"Resource not found for the segment in '{rest}'.")

    # ---- workbook -----------------------------------------------------------------------

    def _workbook(self, req: GraphRequest, item: Item, rest: str) -> Reply:
        if rest == "/createSession":
            _only(req, "POST")
            body = _json_object(req, {"persistChanges"})
            persist = body.get("persistChanges")
            if not isinstance(persist, bool):
                # Strict: workbookSessionInfo.persistChanges is a Boolean; the double needs it.
                raise _refuse(400, "invalidArgument", "persistChanges must be a Boolean.")
            self._check_write(item, req, allowed_on_read=not persist)
            if self.refuse_sessions:
                # Reported for app-only tokens on some tenants (n8n PR #34244's review):
                # createSession refused although the app may write the file.
                raise GraphError(
                    403,
                    "accessDenied",
                    "Could not obtain a WAC access token.",
                    inner="EditModeAccessDenied",
                )
            session_id = "cluster=double&session=" + uuid.uuid4().hex
            self.sessions[session_id] = Session(
                session_id, item, persist, None if persist else copy.deepcopy(item.book)
            )
            return Reply(201, {"id": session_id, "persistChanges": persist}, _JSON_HEADERS)
        session = self._session(req, item)
        if rest in ("/closeSession", "/refreshSession"):
            _only(req, "POST")
            if session is None:
                # Strict: these calls take the workbook-session-id header by definition.
                raise _refuse(400, "invalidArgument", "workbook-session-id header is required.")
            if req.body not in (None, {}, ""):
                raise _refuse(400, "invalidArgument", "closeSession/refreshSession take no body.")
            if rest == "/closeSession":
                session.valid = False
                del self.sessions[session.id]
            return Reply(204)
        book = session.book if session is not None and session.book is not None else item.book
        writing = req.method in ("POST", "PATCH", "PUT", "DELETE")
        if writing:
            self._check_write(item, req)
        lose = req.method == "PATCH" and self._lose_writes > 0
        saved = copy.deepcopy(book.sheets) if lose else None
        reply = self._workbook_route(req, book, rest)
        if saved is not None and reply.status < 300:
            self._lose_writes -= 1
            book.sheets = saved  # answered 200, change discarded
        elif writing and reply.status < 300 and book is item.book:
            item.version += 1
        return reply

    def _session(self, req: GraphRequest, item: Item) -> Session | None:
        session_id = req.headers.get("workbook-session-id")
        if session_id is None:
            return None
        session = self.sessions.get(session_id)
        if session is None or not session.valid or session.item is not item:
            # workbook-error-codes.md / workbook-error-handling.md: the second-level code
            # invalidSessionReCreatable, "The session specified in the request does not exist or
            # is invalid due to a transient error"; the client recreates the session. The docs
            # give no HTTP status for it: the double answers 404 with the top-level code
            # "notFound" (the status table of workbook-error-codes.md). Clients must key on
            # innerError.code, as workbook-error-handling.md tells them to.
            raise GraphError(
                404, "notFound", INVALID_SESSION_MESSAGE, inner="invalidSessionReCreatable"
            )
        return session

    def _workbook_route(self, req: GraphRequest, book: Book, rest: str) -> Reply:
        if rest == "/worksheets":
            _only(req, "GET", select=True)
            return self._json_list(req, [_sheet_json(book, s) for s in book.sheets], SHEET_PROPS)
        if rest == "/worksheets/add":
            _only(req, "POST")
            body = _json_object(req, {"name"})
            return Reply(200, _sheet_json(book, _add_sheet(book, body.get("name"))), _JSON_HEADERS)
        m = re.fullmatch(r"/worksheets(?:/([^/()']+)|\('((?:[^']|'')*)'\))(/.*)?", rest)
        if not m:
            raise _refuse(400, "BadRequest", f"Resource not found for the segment in '{rest}'.")
        ref = m.group(1) if m.group(1) is not None else m.group(2).replace("''", "'")
        sheet = book.find(ref)
        if sheet is None:
            raise GraphError(404, "itemNotFound", "The requested resource doesn't exist.")
        tail = m.group(3) or ""
        if tail == "":
            _only(req, "GET", select=True)
            return self._json(req, _sheet_json(book, sheet), SHEET_PROPS)
        mu = re.fullmatch(r"/usedRange(?:\(valuesOnly=(true|false)\))?", tail, re.IGNORECASE)
        if mu:
            _only(req, "GET", select=True)
            values_only = (mu.group(1) or "false").lower() == "true"
            return self._json(req, _range_json(sheet, *_used_area(sheet, values_only)), RANGE_PROPS)
        mr = re.fullmatch(r"/range\(address='((?:[^']|'')*)'\)(/.*)?", tail)
        if mr:
            area = _sheet_area(sheet, mr.group(1).replace("''", "'"))
            return self._range(req, sheet, area, mr.group(2) or "")
        if tail == "/charts":
            _only(req, "GET", select=True)
            return self._json_list(req, list(sheet.charts), CHART_PROPS)
        if tail == "/charts/add":
            _only(req, "POST")
            body = _json_object(req, {"type", "sourceData", "seriesBy"})
            if not isinstance(body.get("type"), str) or not isinstance(body.get("sourceData"), str):
                raise _refuse(400, "invalidArgument", "type and sourceData are required strings.")
            if body.get("seriesBy", "Auto") not in ("Auto", "Columns", "Rows"):
                raise _refuse(400, "invalidArgument", "seriesBy must be Auto, Columns or Rows.")
            _sheet_area(sheet, body["sourceData"])
            chart = {
                "id": "{" + str(uuid.uuid4()).upper() + "}",
                "name": f"Chart {len(sheet.charts) + 1}",
                "height": 216.0,
                "width": 360.0,
                "left": 0.0,
                "top": 0.0,
                "type": body["type"],
                "sourceData": body["sourceData"],
                "seriesBy": body.get("seriesBy", "Auto"),
            }
            sheet.charts.append(chart)
            return Reply(200, {k: chart[k] for k in CHART_PROPS}, _JSON_HEADERS)
        mc = re.fullmatch(r"/charts(?:/([^/()']+)|\('((?:[^']|'')*)'\))", tail)
        if mc:
            _only(req, "GET", "DELETE", select=req.method == "GET")
            name = mc.group(1) if mc.group(1) is not None else mc.group(2).replace("''", "'")
            chart_ = next((c for c in sheet.charts if name in (c["name"], c["id"])), None)
            if chart_ is None:
                raise GraphError(404, "itemNotFound", "The requested resource doesn't exist.")
            if req.method == "DELETE":
                sheet.charts.remove(chart_)
                return Reply(204)
            return self._json(req, {k: chart_[k] for k in CHART_PROPS}, CHART_PROPS)
        raise _refuse(400, "BadRequest", f"Resource not found for the segment in '{tail}'.")

    def _range(
        self, req: GraphRequest, sheet: Sheet, area: tuple[int, int, int, int], tail: str
    ) -> Reply:
        if tail == "":
            _only(req, "GET", "PATCH", select=req.method == "GET")
            if req.method == "PATCH":
                _patch_range(sheet, area, _json_object(req, {"values", "numberFormat", "formulas"}))
                return Reply(200, _range_json(sheet, *area), _JSON_HEADERS)
            return self._json(req, _range_json(sheet, *area), RANGE_PROPS)
        address = area_text(*area)
        if tail == "/format":
            _only(req, "PATCH")
            body = _json_object(req, set(FORMAT_PROPS))
            for key, value in body.items():
                FORMAT_PROPS[key](value, key)
            sheet.looks.append({"range": address, "format": body})
            return Reply(200, body, _JSON_HEADERS)
        if tail == "/format/font":
            _only(req, "PATCH")
            body = _json_object(req, set(FONT_PROPS))
            for key, value in body.items():
                FONT_PROPS[key](value, key)
            sheet.looks.append({"range": address, "font": body})
            return Reply(200, body, _JSON_HEADERS)
        if tail in ("/format/autofitColumns", "/format/autofitRows"):
            _only(req, "POST")
            if req.body not in (None, {}, ""):
                raise _refuse(400, "invalidArgument", "autofit takes no body.")
            sheet.looks.append({"range": address, tail.rsplit("/", 1)[1]: True})
            return Reply(204)
        raise _refuse(400, "BadRequest", f"Resource not found for the segment in '{tail}'.")

    # ---- JSON answers with $select --------------------------------------------------------

    def _json(self, req: GraphRequest, obj: dict[str, Any], props: Sequence[str]) -> Reply:
        return Reply(200, _select(req, obj, props), _JSON_HEADERS)

    def _json_list(
        self, req: GraphRequest, objs: list[dict[str, Any]], props: Sequence[str]
    ) -> Reply:
        return Reply(200, {"value": [_select(req, o, props) for o in objs]}, _JSON_HEADERS)

    # ---- mail (user-sendmail.md) --------------------------------------------------------

    def _send_mail(self, req: GraphRequest, user: str) -> Reply:
        _only(req, "POST")
        address = user.casefold()
        if address not in self.mailboxes:
            # Graph answers an unknown user of sendMail 404 ErrorInvalidUser (Exchange code,
            # seen in microsoftgraph/microsoft-graph-docs issues #7580 and many reports).
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
        if not self.mailboxes[address]:
            # RBAC for Applications in Exchange Online: a mailbox outside the app's management
            # scope is refused 403 ErrorAccessDenied.
            raise GraphError(
                403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
            )
        content_type = req.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "text/plain":
            message = _mime_message(req.raw)
        elif content_type == "application/json":
            message = _json_message(req, user)
        else:
            # user-sendmail.md: application/json for JSON, text/plain for MIME.
            raise _refuse(400, "ErrorInvalidRequest", f"Unsupported Content-Type '{content_type}'.")
        if not any(message.get_all(h) for h in ("To", "Cc", "Bcc")):
            raise _refuse(
                400, "ErrorInvalidRecipients", "At least one recipient isn't valid: none given."
            )
        self.sent.append((user, message, req.raw))
        return Reply(202)


# --------------------------------------------------------------------------------------------
# Request parsing and checks
# --------------------------------------------------------------------------------------------

_JSON_HEADERS = {"Content-Type": "application/json"}

SITE_PROPS = (
    "id",
    "name",
    "displayName",
    "webUrl",
    "createdDateTime",
    "lastModifiedDateTime",
    "siteCollection",
)
DRIVE_PROPS = ("id", "name", "driveType", "webUrl", "createdDateTime", "description")
ITEM_PROPS = (
    "id", "name", "webUrl", "size", "eTag", "cTag", "file", "parentReference",
    "createdDateTime", "lastModifiedDateTime",
)  # fmt: skip
SHEET_PROPS = ("id", "name", "position", "visibility")
RANGE_PROPS = (
    "address", "addressLocal", "cellCount", "columnCount", "columnHidden", "columnIndex",
    "formulas", "formulasLocal", "formulasR1C1", "hidden", "numberFormat", "rowCount",
    "rowHidden", "rowIndex", "text", "valueTypes", "values",
)  # fmt: skip
CHART_PROPS = ("id", "name", "height", "width", "left", "top")


def _check_number(value: Any, key: str) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise _refuse(400, "invalidArgument", f"{key} must be a non-negative number.")


def _check_bool(value: Any, key: str) -> None:
    if not isinstance(value, bool):
        raise _refuse(400, "invalidArgument", f"{key} must be a Boolean.")


def _check_str(value: Any, key: str) -> None:
    if not isinstance(value, str):
        raise _refuse(400, "invalidArgument", f"{key} must be a string.")


def _check_enum(*allowed: str) -> Callable[[Any, str], None]:
    def check(value: Any, key: str) -> None:
        if value not in allowed:
            raise _refuse(400, "invalidArgument", f"{key} must be one of {', '.join(allowed)}.")

    return check


# rangeformat.md and rangefont.md: the writable properties and their enumerations.
FORMAT_PROPS: dict[str, Callable[[Any, str], None]] = {
    "columnWidth": _check_number,
    "rowHeight": _check_number,
    "wrapText": _check_bool,
    "horizontalAlignment": _check_enum(
        "General",
        "Left",
        "Center",
        "Right",
        "Fill",
        "Justify",
        "CenterAcrossSelection",
        "Distributed",
    ),
    "verticalAlignment": _check_enum("Center", "Bottom", "Top", "Justify", "Distributed"),
}
FONT_PROPS: dict[str, Callable[[Any, str], None]] = {
    "bold": _check_bool,
    "italic": _check_bool,
    "color": _check_str,
    "name": _check_str,
    "size": _check_number,
    "underline": _check_enum("None", "Single", "Double", "SingleAccountant", "DoubleAccountant"),
}


def _make_request(
    method: str, path: str, query: str, headers: Mapping[str, str], raw: bytes, *, inner: bool
) -> GraphRequest:
    body: Any = None
    if raw:
        text = raw.decode("utf-8", errors="replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = text
    kept = {k: v for k, v in headers.items() if k in LOGGED_HEADERS}
    return GraphRequest(method.upper(), unquote(path), query, kept, body, inner, raw)


def _only(req: GraphRequest, *methods: str, select: bool = False) -> None:
    """The route's methods and query options; anything else is refused."""
    if req.method not in methods:
        raise _refuse(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    for key, _ in parse_qsl(req.query, keep_blank_values=True):
        if key == "$select" and select:
            continue
        raise _refuse(
            400, "BadRequest", f"Query option '{key}' is not supported here by the double."
        )


def _select(req: GraphRequest, obj: dict[str, Any], props: Sequence[str]) -> dict[str, Any]:
    chosen = [v for k, v in parse_qsl(req.query) if k == "$select"]
    if not chosen:
        return obj
    names = [n.strip() for n in ",".join(chosen).split(",") if n.strip()]
    for name in names:
        if name not in props:
            # OData: "Could not find a property named 'x' on type ..." -> 400.
            raise _refuse(400, "BadRequest", f"Could not find a property named '{name}'.")
    return {k: v for k, v in obj.items() if k in names or k.startswith("@odata")}


def _json_object(req: GraphRequest, allowed: set[str]) -> dict[str, Any]:
    ctype = req.headers.get("content-type", "")
    if req.body is None:
        return {}
    if not ctype.lower().startswith("application/json"):
        raise _refuse(400, "BadRequest", "A JSON body needs Content-Type: application/json.")
    if not isinstance(req.body, dict):
        raise _refuse(400, "BadRequest", "The body must be a JSON object.")
    unknown = set(req.body) - allowed
    if unknown:
        raise _refuse(
            400, "BadRequest", f"Property '{sorted(unknown)[0]}' does not exist on this type."
        )
    return cast(dict[str, Any], req.body)


def _batch_steps(req: GraphRequest) -> list[dict[str, Any]]:
    """The inner requests of a $batch, checked as json-batching.md describes."""
    if req.method != "POST":
        raise _refuse(405, "BadRequest", "$batch takes POST.")
    if req.query:
        raise _refuse(400, "BadRequest", "$batch takes no query options.")
    body = req.body
    if (
        not isinstance(body, dict)
        or set(body) != {"requests"}
        or not isinstance(body["requests"], list)
    ):
        raise _refuse(400, "BadRequest", "Invalid batch payload format: one 'requests' array.")
    steps = body["requests"]
    if not steps:
        raise _refuse(400, "BadRequest", "Invalid batch payload: no requests.")
    if len(steps) > BATCH_LIMIT:
        raise _refuse(
            400, "BadRequest", "Number of individual requests in a batch is limited to 20."
        )
    seen: set[str] = set()
    for step in steps:
        if not isinstance(step, dict):
            raise _refuse(400, "BadRequest", "Each request must be a JSON object.")
        unknown = set(step) - {"id", "method", "url", "headers", "body", "dependsOn"}
        if unknown:
            raise _refuse(
                400, "BadRequest", f"Unknown property '{sorted(unknown)[0]}' in a batch request."
            )
        step_id = step.get("id")
        if not isinstance(step_id, str) or not step_id:
            raise _refuse(400, "BadRequest", "Each request needs a string id.")
        if step_id.casefold() in seen:  # ids are not case-sensitive
            raise _refuse(400, "BadRequest", f"Request id '{step_id}' is not unique.")
        if step.get("method") not in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            raise _refuse(400, "BadRequest", f"Request '{step_id}' has an invalid method.")
        url = step.get("url")
        if not isinstance(url, str) or not url or "://" in url:
            raise _refuse(400, "BadRequest", f"Request '{step_id}' needs a relative url.")
        headers = step.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise _refuse(400, "BadRequest", f"Request '{step_id}' has invalid headers.")
        if "body" in step and not any(k.lower() == "content-type" for k in headers):
            raise _refuse(
                400, "BadRequest", f"Request '{step_id}' has a body but no Content-Type header."
            )
        depends = step.get("dependsOn", [])
        if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
            raise _refuse(400, "BadRequest", f"Request '{step_id}' has an invalid dependsOn.")
        for d in depends:
            if d.casefold() not in seen:
                # Strict: a dependency must name an earlier request of the batch.
                raise _refuse(400, "BadRequest", f"Request '{step_id}' depends on unknown '{d}'.")
        seen.add(step_id.casefold())
    return cast(list[dict[str, Any]], steps)


def _inner_request(step: Mapping[str, Any]) -> GraphRequest:
    url = str(step["url"])
    if not url.startswith("/"):
        url = "/" + url
    parts = urlsplit(url)
    headers = {str(k).lower(): str(v) for k, v in dict(step.get("headers", {})).items()}
    raw = b""
    if "body" in step:
        body = step["body"]
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return _make_request(str(step["method"]), parts.path, parts.query, headers, raw, inner=True)


def _fault_error(fault: Fault) -> GraphError:
    # throttling.md: 429 with a Retry-After header; 503/504 may carry one too.
    codes = {
        429: ("TooManyRequests", "Too many requests.", "tooManyRequestsUncategorized"),
        500: (
            "generalException",
            "An internal server error occurred.",
            "internalServerErrorUncategorized",
        ),
        502: ("badGateway", "Bad gateway.", None),
        503: (
            "serviceNotAvailable",
            "The service is not available.",
            "serviceUnavailableUncategorized",
        ),
        504: ("gatewayTimeout", "The gateway timed out.", "gatewayTimeoutUncategorized"),
    }
    code, message, inner = codes.get(fault.status, ("generalException", "Failure.", None))
    headers: dict[str, str] = {}
    retry_after = fault.retry_after
    if retry_after is None and fault.status == 429:
        retry_after = 1
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return GraphError(fault.status, code, message, inner=inner, headers=headers)


def _write_reply(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    if isinstance(reply.body, bytes):
        payload = reply.body
    elif reply.body is None:
        payload = b""
    else:
        payload = json.dumps(reply.body).encode()
    handler.send_response(reply.status)
    for key, value in reply.headers.items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


# --------------------------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------------------------

_CREATED = "2026-01-05T09:00:00Z"


def _site_json(site: Site) -> dict[str, Any]:
    name = site.path.rsplit("/", 1)[-1]
    return {
        "id": site.id,
        "name": name,
        "displayName": name,
        "webUrl": f"https://{site.hostname}{site.path}",
        "createdDateTime": _CREATED,
        "lastModifiedDateTime": _CREATED,
        "siteCollection": {"hostname": site.hostname},
    }


def _drive_json(drive: Drive) -> dict[str, Any]:
    return {
        "id": drive.id,
        "name": drive.name,
        "driveType": "documentLibrary",
        "webUrl": drive.web_url,
        "createdDateTime": _CREATED,
        "description": "",
    }


def _item_json(item: Item) -> dict[str, Any]:
    drive = next(d for d in item.site.drives if d.id == item.drive_id)
    folder = item.path.rsplit("/", 1)[0] if "/" in item.path else ""
    return {
        "id": item.id,
        "name": item.name,
        "webUrl": f"{drive.web_url}/{quote(item.path)}",
        "size": 8192,
        "eTag": f'"{{{item.id[-8:]}}},{item.version}"',
        "cTag": f'"c:{{{item.id[-8:]}}},{item.version}"',
        "file": {"mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        "parentReference": {
            "driveId": item.drive_id,
            "driveType": "documentLibrary",
            "path": f"/drives/{item.drive_id}/root:" + (f"/{folder}" if folder else ""),
        },
        "createdDateTime": _CREATED,
        "lastModifiedDateTime": _CREATED,
    }


def _sheet_json(book: Book, sheet: Sheet) -> dict[str, Any]:
    return {
        "@odata.id": f"/workbook/worksheets(%27{quote(sheet.id)}%27)",
        "id": sheet.id,
        "name": sheet.name,
        "position": book.sheets.index(sheet),
        "visibility": "Visible",
    }


def _add_sheet(book: Book, name: Any) -> Sheet:
    if name is None:
        n = len(book.sheets) + 1
        while book.find(f"Sheet{n}") is not None:
            n += 1
        name = f"Sheet{n}"
    if not isinstance(name, str):
        raise _refuse(400, "invalidArgument", "name must be a string.")
    # Excel's sheet-name rules: 1..31 characters, none of : \ / ? * [ ], not starting or
    # ending with an apostrophe, not "History"; a duplicate is itemAlreadyExists
    # (workbook-error-handling.md: "The resource being created already exists").
    if (
        not 0 < len(name) <= 31
        or re.search(r"[:\\/?*\[\]]", name)
        or name.startswith("'")
        or name.endswith("'")
        or name.casefold() == "history"
    ):
        raise _refuse(
            400, "invalidArgument", "The argument is invalid or missing or has an incorrect format."
        )
    if book.find(name) is not None:
        raise GraphError(
            409, "itemAlreadyExists", "A resource with the same name or identifier already exists."
        )
    sheet = Sheet("{" + str(uuid.uuid4()).upper() + "}", name)
    book.sheets.append(sheet)
    return sheet


def _sheet_area(sheet: Sheet, address: str) -> tuple[int, int, int, int]:
    named, area = split_address(address)
    if named is not None and named.casefold() != sheet.name.casefold():
        # Strict: a worksheet's range() naming another sheet is not a range of this sheet.
        raise _refuse(400, "invalidArgument", f"The address '{address}' is not on this worksheet.")
    try:
        return parse_area(area)
    except ValueError as exc:
        # Whole columns/rows ("A:C", "1:3") are valid Excel but not supported by the double.
        raise _refuse(
            400, "invalidArgument", f"The address '{address}' is not a cell or A1:C4 area (double)."
        ) from exc


def _used_area(sheet: Sheet, values_only: bool) -> tuple[int, int, int, int]:
    # worksheet-usedrange.md: cells with a value or formatting (valuesOnly: values only);
    # a blank worksheet answers its top left cell.
    used = [
        rc
        for rc, cell in sheet.cells.items()
        if cell.value is not None or (not values_only and cell.number_format != "General")
    ]
    if not used:
        return 0, 0, 0, 0
    rows = [r for r, _ in used]
    cols = [c for _, c in used]
    return min(rows), min(cols), max(rows), max(cols)


def _cell_value(cell: Cell | None) -> Any:
    if cell is None or cell.value is None:
        return ""
    return cell.value


def _range_json(sheet: Sheet, r1: int, c1: int, r2: int, c2: int) -> dict[str, Any]:
    grid = [[sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
    address = f"{quote_sheet(sheet.name)}!{area_text(r1, c1, r2, c2)}"

    def kind(cell: Cell | None) -> str:
        value = _cell_value(cell)
        if value == "":
            return "Empty"
        if isinstance(value, bool):
            return "Boolean"
        if isinstance(value, int | float):
            return "Double"
        return "String"

    formulas = [[c.formula if c and c.formula else _cell_value(c) for c in row] for row in grid]
    rows, cols = r2 - r1 + 1, c2 - c1 + 1
    return {
        "address": address,
        "addressLocal": address,
        "cellCount": rows * cols,
        "columnCount": cols,
        "columnHidden": False,
        "columnIndex": c1,
        "formulas": formulas,
        "formulasLocal": formulas,
        "formulasR1C1": formulas,
        "hidden": False,
        "numberFormat": [[c.number_format if c else "General" for c in row] for row in grid],
        "rowCount": rows,
        "rowHidden": False,
        "rowIndex": r1,
        "text": [[display_text(c) for c in row] for row in grid],
        "valueTypes": [[kind(c) for c in row] for row in grid],
        "values": [[_cell_value(c) for c in row] for row in grid],
    }


def _grid(body: Mapping[str, Any], key: str, rows: int, cols: int) -> list[list[Any]] | None:
    """A 2-D array of exactly the range's size (range-update.md; Excel refuses others)."""
    if key not in body:
        return None
    grid = body[key]
    if (
        not isinstance(grid, list)
        or len(grid) != rows
        or not all(isinstance(row, list) and len(row) == cols for row in grid)
    ):
        raise _refuse(
            400,
            "InvalidArgument",
            f"The number of rows or columns in the input array for '{key}' doesn't match the "
            f"size or dimensions of the range ({rows}x{cols}).",
        )
    for row in grid:
        for item in row:
            if isinstance(item, dict | list):
                raise _refuse(400, "InvalidArgument", f"'{key}' holds a non-scalar element.")
    return cast(list[list[Any]], grid)


def _write_value(cell: Cell, value: Any, text_cell: bool) -> None:
    """One element of `values` written to a cell whose format was "@" (text_cell) or not."""
    if value == "":
        cell.value, cell.formula = None, None  # "" clears the cell
    elif isinstance(value, str) and not text_cell:
        new, formula, fmt = typed_input(value)
        cell.value, cell.formula = new, formula
        if fmt and cell.number_format == "General":
            cell.number_format = fmt
    else:
        cell.value, cell.formula = value, None  # text on "@" stays text; JSON numbers/bools


def _patch_range(sheet: Sheet, area: tuple[int, int, int, int], body: Mapping[str, Any]) -> None:
    r1, c1, r2, c2 = area
    rows, cols = r2 - r1 + 1, c2 - c1 + 1
    values = _grid(body, "values", rows, cols)
    formulas = _grid(body, "formulas", rows, cols)
    formats = _grid(body, "numberFormat", rows, cols)
    if formats is not None and not all(
        f is None or isinstance(f, str) for row in formats for f in row
    ):
        raise _refuse(400, "InvalidArgument", "numberFormat elements must be strings or null.")
    # range-update.md: a null element leaves that cell unchanged. The order of values and
    # numberFormat inside one PATCH is not documented: the double is STRICT and converts typed
    # input by the cell's number format as it was BEFORE this request, then applies
    # numberFormat. So '=x' sent with numberFormat '@' in the same PATCH becomes a formula.
    before = {
        (r, c): (sheet.cells[(r, c)].number_format == "@") if (r, c) in sheet.cells else False
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
    }
    for grid in (values, formulas):
        if grid is None:
            continue
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                if value is None:
                    continue
                rc = (r1 + i, c1 + j)
                cell = sheet.cells.setdefault(rc, Cell())
                _write_value(cell, value, before[rc])
    if formats is not None:
        for i, row in enumerate(formats):
            for j, fmt in enumerate(row):
                if fmt is not None:
                    sheet.cells.setdefault((r1 + i, c1 + j), Cell()).number_format = fmt
    for rc in [rc for rc, cell in sheet.cells.items() if cell == Cell()]:
        del sheet.cells[rc]


# --------------------------------------------------------------------------------------------
# Mail
# --------------------------------------------------------------------------------------------


def _mime_message(raw: bytes) -> EmailMessage:
    # user-sendmail.md: the MIME message base64-encoded in a text/plain body; malformed ->
    # 400 ErrorMimeContentInvalidBase64String "Invalid base64 string for MIME content."
    try:
        mime = base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _refuse(
            400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."
        ) from exc
    if not mime.strip():
        raise _refuse(
            400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."
        )
    message = BytesParser(policy=policy.default).parsebytes(mime)
    assert isinstance(message, EmailMessage)
    if message.defects or not message.keys():
        raise _refuse(400, "ErrorMimeContentInvalid", "The MIME content is not valid.")
    return message


def _json_message(req: GraphRequest, user: str) -> EmailMessage:
    body = _json_object(req, {"message", "saveToSentItems"})
    msg = body.get("message")
    if not isinstance(msg, dict):
        raise _refuse(400, "ErrorInvalidRequest", "message is required.")
    save = body.get("saveToSentItems", True)
    if not isinstance(save, bool | str):
        raise _refuse(400, "ErrorInvalidRequest", "saveToSentItems must be a Boolean.")
    allowed = {
        "subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "from",
        "attachments", "internetMessageHeaders", "importance", "flag",
    }  # fmt: skip
    unknown = set(msg) - allowed
    if unknown:
        raise _refuse(
            400,
            "ErrorInvalidRequest",
            f"Property '{sorted(unknown)[0]}' is not supported by the double.",
        )
    out = EmailMessage()
    out["From"] = user
    if isinstance(msg.get("subject"), str):
        out["Subject"] = msg["subject"]
    for key, header in (("toRecipients", "To"), ("ccRecipients", "Cc"), ("bccRecipients", "Bcc")):
        recipients = msg.get(key, [])
        if not isinstance(recipients, list):
            raise _refuse(400, "ErrorInvalidRequest", f"{key} must be an array.")
        addresses = []
        for r in recipients:
            address = r.get("emailAddress", {}).get("address") if isinstance(r, dict) else None
            if not isinstance(address, str) or "@" not in address:
                raise _refuse(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
            addresses.append(address)
        if addresses:
            out[header] = ", ".join(addresses)
    content = msg.get("body", {})
    if not isinstance(content, dict):
        raise _refuse(400, "ErrorInvalidRequest", "body must be an itemBody.")
    kind = str(content.get("contentType", "text")).lower()
    if kind not in ("text", "html"):
        raise _refuse(400, "ErrorInvalidRequest", "body.contentType must be text or html.")
    out.set_content(str(content.get("content", "")), subtype="html" if kind == "html" else "plain")
    return out


# --------------------------------------------------------------------------------------------
# The file's bytes
# --------------------------------------------------------------------------------------------


def xlsx_bytes(book: Book) -> bytes:
    """The workbook as a real .xlsx (formulas as formulas, "@" text as text)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for (r, c), cell in sheet.cells.items():
            target = ws.cell(row=r + 1, column=c + 1)
            target.value = cell.formula if cell.formula is not None else cell.value
            if cell.formula is None and isinstance(cell.value, str):
                target.data_type = "s"
            target.number_format = cell.number_format
        if sheet.frozen_rows:
            ws.freeze_panes = f"A{sheet.frozen_rows + 1}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def encode_share(url: str) -> str:
    """shares-get.md: "u!" + unpadded base64url of the sharing URL."""
    return "u!" + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def iter_refused(double: GraphDouble) -> Iterator[str]:
    """The reasons of `refused`, for readable assertion messages."""
    for req, reason in double.refused:
        yield f"{req.method} {req.path}: {reason}"
