"""An Excel workbook on SharePoint, through the Excel workbook API of Microsoft Graph.

The file is never replaced: cells are read and written in ranges inside a workbook
session, so coordinators may keep it open in Excel for the web or on the desktop while
the job runs (a replaced file would be refused with 423 while anyone edits it, and would
lose what openpyxl cannot keep). A run costs a constant handful of requests, whatever the
number of rows (`Graph.batch` sends 20 at once):

- open: the site, its libraries and the file (`graph.locate`), a workbook session;
- read: the worksheets, then every tab's used range in one $batch;
- per saved plan: new worksheets; one $batch that checks the rows about to be filled are
  still empty and that each row written over still holds its key; one $batch that marks the
  text cells as text (number format "@", set BEFORE the values: Excel turns a typed "=…"
  into a formula, "00123" into a number), and writes the values (a null leaves a cell as
  it is); one $batch that reads back what was written (a write can be acknowledged and
  lost), written again once when it was; then the looks (bold headers): refused looks
  cost the tab its looks, never its data.

An expired session is opened again and the request repeated; 429 and 5xx are retried,
honouring Retry-After (see `Graph`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pipeline.adapters.excel_ranges import (
    Write,
    at,
    joined,
    kept,
    key_check,
    rectangles,
    start,
)
from pipeline.adapters.graph import Answer, Call, Graph, Item, locate
from pipeline.core.cells import Cell, Row, column_letter, from_api
from pipeline.core.changes import Plan, Replace, Update, trim, updated
from pipeline.core.looks import Look, look
from pipeline.core.schema import Snapshot
from pipeline.errors import WorkbookError, WorkbookLockedError

WRITES = 3  # a write read back as lost is written again, this many times in all
POINTS_PER_CHARACTER = 5.5  # a column `looks` wants n characters wide, in Excel's points


@dataclass
class _Tab:
    id: str
    name: str
    filled: int  # rows up to the last one with a value


class ExcelOnlineWorkbook:
    """One .xlsx in a SharePoint library, opened by its address; the rules of every adapter."""

    def __init__(self, graph: Graph, url: str, writable: bool = True) -> None:
        self.graph, self.url, self.writable = graph, url, writable
        self.item: Item = locate(graph, url, "write" if writable else "read")
        self.session: str | None = None
        self.sessionless = not writable  # a read needs no session
        self._tabs: dict[str, _Tab] = {}
        self._snapshot: Snapshot | None = None
        self._written: dict[str, tuple[Row, ...]] = {}
        self.notes: list[str] = []  # what went wrong without harm (shown with --verbose)

    @property
    def name(self) -> str:
        return f"SharePoint workbook {self.url}"

    @property
    def address(self) -> str:
        """Where people find it: the address the coordinator gave."""
        return self.url

    @property
    def requests(self) -> int:
        return self.graph.count

    # --- requests inside the workbook session ------------------------------------------

    def _open_session(self) -> None:
        answer = self.graph.call(
            Call(
                "POST",
                f"{self.item.path}/workbook/createSession",
                {"persistChanges": self.writable},
            )
        )
        if answer.status == 403 and "editmode" in answer.codes.lower():
            # Reported for app-only tokens on some tenants: then every request is saved on
            # its own, without a session (slower, and just as safe).
            self.sessionless = True
            self.notes.append(f"no workbook session ({answer.code}): writing without one")
            return
        if not answer.ok:
            raise self._error(answer, "opening a workbook session")
        self.session = str(answer.body["id"])

    def _call(self, method: str, path: str, body: Any = None) -> Call:
        """A request in the workbook session; read-only, without one (sessionless)."""
        if self.session is None and not self.sessionless:
            self._open_session()
        headers = {"workbook-session-id": self.session} if self.session else {}
        return Call(method, f"{self.item.path}/workbook{path}", body, headers)

    @staticmethod
    def _expired(answer: Answer) -> bool:
        """The workbook session expired or was lost: Excel's detailed error code says a new
        one may be made (whatever the HTTP status that comes with it)."""
        codes = answer.codes.lower()
        return "invalidsessionrecreatable" in codes or "invalidsessionunexpected" in codes

    def _one(self, method: str, path: str, body: Any = None) -> Answer:
        answer = self.graph.call(self._call(method, path, body))
        if self._expired(answer):
            self._open_session()
            answer = self.graph.call(self._call(method, path, body))
        return answer

    def _many(self, calls: Sequence[tuple[str, str, Any]], in_order: bool = True) -> list[Answer]:
        """Requests in one $batch (or a few). Those that met an expired session are sent again
        in a new session, with the rest of their chain (answered 424)."""
        answers = self.graph.batch([self._call(*c) for c in calls], in_order)
        again: list[int] = []
        for n, answer in enumerate(answers):
            if self._expired(answer) or (again and in_order and answer.status == 424):
                again.append(n)
        if again:
            self._open_session()
            redone = self.graph.batch([self._call(*calls[n]) for n in again], in_order)
            for n, answer in zip(again, redone, strict=True):
                answers[n] = answer
        return answers

    def _error(self, answer: Answer, doing: str) -> WorkbookError:
        if answer.status == 403:
            return WorkbookError(
                f"The app may read but not write {self.url} (403 {answer.code}). Ask the "
                "Microsoft 365 admin to grant the app 'write' (not 'read') on this site "
                '(Sites.Selected; README "Connect your Microsoft 365 workbook").'
                if self.writable
                else f"The app may not read {self.url} (403 {answer.code})."
            )
        return self.graph.error(answer, f"{doing} in {self.item.name}")

    def _sheet(self, tab: _Tab) -> str:
        return f"/worksheets/{quote(tab.id, safe='')}"

    def close(self) -> None:
        """End the workbook session (it would expire by itself after a few minutes)."""
        if self.session is not None:
            session, self.session = self.session, None
            with contextlib.suppress(WorkbookError):  # an unclosed session expires by itself
                self.graph.call(
                    Call(
                        "POST",
                        f"{self.item.path}/workbook/closeSession",
                        None,
                        {"workbook-session-id": session},
                    ),
                    retry=False,
                )

    # --- reading -------------------------------------------------------------------------

    def read(self) -> Snapshot:
        if self._snapshot is not None:
            return self._snapshot
        answer = self._one("GET", "/worksheets?$select=id,name,position,visibility")
        if not answer.ok:
            raise self._error(answer, "listing the worksheets")
        sheets = sorted(answer.body.get("value", []), key=lambda s: s.get("position", 0))
        tabs = [_Tab(str(s["id"]), str(s["name"]), 0) for s in sheets]
        ranges = self._many(
            [("GET", f"{self._sheet(t)}/usedRange(valuesOnly=true)", None) for t in tabs],
            in_order=False,
        )
        snapshot: dict[str, tuple[Row, ...]] = {}
        for tab, found in zip(tabs, ranges, strict=True):
            if not found.ok:
                raise self._error(found, f'reading tab "{tab.name}"')
            top, left = start(found.body.get("address", "A1"))
            rows: list[Row] = [()] * top  # the used range starts at its first filled cell
            rows += [(None,) * left + tuple(map(from_api, row)) for row in found.body["values"]]
            snapshot[tab.name] = trim(rows)
            tab.filled = len(snapshot[tab.name])
            self._tabs[tab.name] = tab
        self._snapshot = snapshot
        self._written = dict(snapshot)
        return snapshot

    # --- writing -------------------------------------------------------------------------

    def apply(self, plan: Plan) -> None:
        if not plan:
            return
        if not self.writable:
            raise WorkbookError(f"{self.name} was opened read-only; nothing was written.")
        if self._snapshot is None:
            self.read()
        written = dict(self._written)
        writes: list[Write] = []
        # (tab, address, the updates whose key cells it holds; none: rows that must be empty)
        checks: list[tuple[str, str, list[Update]]] = []
        new_tabs: list[str] = []
        filled = {name: tab.filled for name, tab in self._tabs.items()}
        read = dict(filled)  # rows there before this plan: those an update may check
        dressed: dict[str, tuple[Look, int]] = {}  # tab -> its look, its rows (new or rewritten)
        for change in plan.changes:
            before = written.get(change.tab, ())
            shown = look(change.tab, before[:1])
            if change.tab not in self._tabs and change.tab not in new_tabs:
                new_tabs.append(change.tab)
                filled[change.tab] = 0
            if isinstance(change, Replace):
                new = trim(change.rows)
                shown = look(change.tab, new)
                width = max((len(r) for r in (*new, *before)), default=1)
                blanked: list[Row] = [*new, *([()] * (len(before) - len(new)))]
                writes += rectangles(change.tab, 1, blanked, "", width, shown)
                dressed[change.tab] = (shown, len(new))
                written[change.tab] = new
                filled[change.tab] = len(new)
            elif isinstance(change, Update):
                cells: list[Cell] = list(change.cells)
                while cells and cells[-1] is None:
                    cells.pop()
                if change.expect is not None and change.row <= read.get(change.tab, 0):
                    checks = key_check(checks, change)
                if cells:
                    writes += rectangles(change.tab, change.row, [cells], None, 0, shown)
                written[change.tab] = updated(before, change)
                filled[change.tab] = max(filled[change.tab], change.row)
            else:
                head = (change.header,) if not filled[change.tab] and change.header else ()
                rows = trim(head + change.rows)
                if not rows:
                    continue
                shown = look(change.tab, (*before[:1], *rows))
                if head:
                    dressed[change.tab] = (shown, len(rows))
                width = max(len(r) for r in rows)
                first = filled[change.tab] + 1
                if filled[change.tab]:
                    last = first + len(rows) - 1
                    checks.append((change.tab, f"A{first}:{column_letter(width - 1)}{last}", []))
                writes += rectangles(change.tab, first, rows, None, 0, shown)
                written[change.tab] = trim(before + rows)
                filled[change.tab] = first + len(rows) - 1
        self._add_tabs(new_tabs)
        self._check(checks)
        self._write(joined(writes))
        self._looks(dressed, written)
        for name, count in filled.items():
            self._tabs[name].filled = count
        self._written = written

    def _add_tabs(self, names: Sequence[str]) -> None:
        if not names:
            return
        answers = self._many([("POST", "/worksheets/add", {"name": name}) for name in names])
        there: dict[str, str] | None = None
        for name, answer in zip(names, answers, strict=True):
            if answer.status == 409 and there is None:
                # added by a try whose answer was lost (a $batch sent again): it is there
                listed = self._one("GET", "/worksheets?$select=id,name")
                there = {s["name"]: s["id"] for s in (listed.body or {}).get("value", [])}
            if answer.ok:
                self._tabs[name] = _Tab(str(answer.body["id"]), name, 0)
            elif there and name in there:
                self._tabs[name] = _Tab(str(there[name]), name, 0)
            else:
                raise self._error(answer, f'adding the tab "{name}"')

    def _check(self, checks: Sequence[tuple[str, str, list[Update]]]) -> None:
        """Nobody typed in the rows about to be filled since the read, and every row written
        over still holds its key (nobody sorted or deleted rows)."""
        if not checks:
            return
        answers = self._many(
            [
                (
                    "GET",
                    f"{self._sheet(self._tabs[tab])}/range(address='{cell}')?$select=values",
                    None,
                )
                for tab, cell, _ in checks
            ],
            in_order=False,
        )
        for (tab, cell, updates), answer in zip(checks, answers, strict=True):
            if not answer.ok:
                raise self._error(answer, f'checking tab "{tab}"')
            values = answer.body.get("values") or [[None]]
            if not updates and any(from_api(v) is not None for row in values for v in row):
                raise WorkbookLockedError(
                    f'Someone added rows to tab "{tab}" of the workbook during the run '
                    f"({cell}); nothing was written. Run again."
                )
            for n, update in enumerate(updates):  # one key cell per row, rows in a run
                update.check(from_api(at(values, n, 0)))

    def _write(self, writes: Sequence[Write]) -> None:
        """The writes in order, read back; all of them again when one was lost (a later
        write over the same cells must land after it again)."""
        if not writes:
            return
        final: dict[tuple[str, int, int], tuple[Any, str | None]] = {}  # what each cell holds
        for w in writes:
            for r, row in enumerate(w.values):
                for c, value in enumerate(row):
                    if value is not None:
                        final[(w.tab, w.row + r, c)] = (value, w.formats[r][c])
        pending = list(writes)
        for attempt in range(1, WRITES + 1):
            calls: list[tuple[str, str, Any]] = []
            for w in pending:
                target = f"{self._sheet(self._tabs[w.tab])}/range(address='{w.address}')"
                # the formats first: each value lands on a cell already formatted for it
                calls.append(("PATCH", target, {"numberFormat": w.formats}))
                calls.append(("PATCH", target, {"values": w.values}))
            for answer in self._many(calls):
                if not answer.ok:
                    raise self._error(answer, "writing cells")
            # read back: a write can be acknowledged and its change lost
            back = self._many(
                [
                    (
                        "GET",
                        f"{self._sheet(self._tabs[w.tab])}/range(address='{w.address}')"
                        "?$select=values,numberFormat",
                        None,
                    )
                    for w in pending
                ],
                in_order=False,
            )
            lost = []
            for w, answer in zip(pending, back, strict=True):
                if not answer.ok:
                    raise self._error(answer, "reading back what was written")
                found = answer.body.get("values") or []
                formats = answer.body.get("numberFormat") or []
                if not all(
                    kept(final.get((w.tab, w.row + r, c), (None, None)), found, formats, r, c)
                    for r, row in enumerate(w.values)
                    for c in range(len(row))
                ):
                    lost.append(w)
            if not lost:
                return
            if attempt == WRITES:
                raise WorkbookError(
                    f'Microsoft 365 acknowledged a write to tab "{lost[0].tab}" '
                    f"({lost[0].address}) but did not keep it, {WRITES} times. Run again; if it "
                    "happens again, check the workbook's version history in SharePoint."
                )
            self.notes.append(f"{len(lost)} write(s) acknowledged but lost; written again")
            pending = list(writes)

    def _looks(
        self, dressed: Mapping[str, tuple[Look, int]], written: Mapping[str, tuple[Row, ...]]
    ) -> None:
        """The look of each tab created or rewritten: column widths, wrapped columns, the
        header row and headings in bold. Refused looks are a note, never a failed run.
        (Graph v1.0 has no frozen panes, conditional formats or print settings: the
        workbook from `init` brings them for the coordinator's tabs.)"""
        calls: list[tuple[str, str, Any]] = []
        for tab, (shown, height) in dressed.items():
            sheet = self._sheet(self._tabs[tab])
            rows = written.get(tab, ())
            for index, width in enumerate(shown.widths):
                letter = column_letter(index)
                body = {"columnWidth": round(width * POINTS_PER_CHARACTER, 1)}
                if index in shown.wrap and height > 1:
                    calls.append(
                        (
                            "PATCH",
                            f"{sheet}/range(address='{letter}2:{letter}{height}')/format",
                            {"wrapText": True, "verticalAlignment": "Top"},
                        )
                    )
                calls.append(("PATCH", f"{sheet}/range(address='{letter}1')/format", body))
            bold = ((1,) if shown.header else ()) + shown.bold
            for number in bold:
                width = len(rows[number - 1]) if number <= len(rows) else 0
                if width:
                    address = f"A{number}:{column_letter(width - 1)}{number}"
                    calls.append(
                        ("PATCH", f"{sheet}/range(address='{address}')/format/font", {"bold": True})
                    )
        if not calls:
            return
        try:
            answers = self._many(calls, in_order=False)
        except WorkbookError as exc:
            self.notes.append(f"looks not applied: {exc}")
            return
        refused = [a for a in answers if not a.ok]
        if refused:
            self.notes.append(f"looks not applied: {refused[0].status} {refused[0].code}")
