"""A Google Sheet as the workbook: one batched read, one batched write, bounded retries.

The only module that imports gspread. A run costs a handful of requests whatever the number
of rows: the spreadsheet's metadata (gspread's `open_by_key`), ONE values batchGet for every
tab (unformatted values, dates as serial numbers, parsed by mentorflow's own code), and per
saved plan at most four:

1. a structural batchUpdate, only when a tab is missing or the grid must grow: first, so
   that no later request reads or writes outside a tab's grid (Google refuses those);
2. a batchGet that checks the rows about to be filled are still empty (nobody typed there
   since the read; two runs at once cannot both log a mail);
3. ONE values batchUpdate with RAW input, so that text is never read as a formula; a
   rewritten tab (Summary, Problems) is written over in place, its old rows blanked; the
   Mail log's rows written over in place (`Update`) carry JSON nulls for the cells they
   leave alone (the API skips a null);
4. the looks (bold headers, date and number formats, the Summary chart): with the
   structural batchUpdate when there is one, else a batchUpdate of their own sent last.
   Looks may be refused: the data is saved all the same.

Every request has a timeout and is retried a bounded number of times with backoff on
429, 5xx and connection errors (gspread's own backoff client retries forever). The requests
of a saved plan are built in `sheets_requests`.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import gspread
import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import GoogleAuthError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from pipeline.adapters.sheets_requests import Batch, Tab, cell_json, quoted
from pipeline.core.cells import Row, from_api
from pipeline.core.changes import Plan, Replace, Update, trim, updated
from pipeline.core.schema import Snapshot
from pipeline.errors import ConfigError, SheetsUnavailable, WorkbookError, WorkbookLockedError

#: Least privilege: the spreadsheets the service account is given, nothing in Drive.
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
GOOGLE_ENDPOINT = "https://sheets.googleapis.com"
TIMEOUT = (10.0, 60.0)  # seconds to connect, seconds to wait for an answer
ATTEMPTS = 5  # tries per request; the waits between them are 1, 2, 4 and 8 seconds
RETRIED = frozenset({429, 500, 502, 503, 504})
_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")
_METADATA = re.compile(r"/v4/spreadsheets/[A-Za-z0-9_-]+(\?|$)")


def sheet_key(url_or_key: str) -> str:
    """The spreadsheet key from a sheet's URL (…/spreadsheets/d/KEY/edit) or the key itself."""
    text = url_or_key.strip()
    found = re.search(r"/spreadsheets/d/([A-Za-z0-9_-]+)", text)
    key = found[1] if found else text
    if not _KEY.fullmatch(key):
        raise ConfigError(
            f"'{text}' is not a Google Sheet URL or key. Copy the address of the sheet from the "
            "browser (https://docs.google.com/spreadsheets/d/…/edit) into --sheet or "
            "[workbook] google_sheet."
        )
    return key


def load_credentials(credentials_file: str | None) -> Credentials:
    """Credentials from GOOGLE_SERVICE_ACCOUNT_JSON, the credentials file, or an access token.

    Secrets are never put in a message: a broken key is named by where it came from.
    """
    info = os.environ.get("GOOGLE_SERVICE_ACCOUNT_JSON", "").strip()
    token = os.environ.get("GOOGLE_OAUTH_ACCESS_TOKEN", "").strip()
    try:
        if info:
            try:
                parsed = json.loads(info)
            except json.JSONDecodeError:
                raise ConfigError(
                    "GOOGLE_SERVICE_ACCOUNT_JSON is not JSON. Paste the whole key file of the "
                    "service account into it, from { to }."
                ) from None
            return cast(
                Credentials,
                service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                    parsed, scopes=SCOPES
                ),
            )
        if credentials_file:
            return cast(
                Credentials,
                service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                    credentials_file, scopes=SCOPES
                ),
            )
    except FileNotFoundError:
        raise ConfigError(
            f"[workbook] credentials_file '{credentials_file}' does not exist. Give the path of "
            "the service account's key file, or set GOOGLE_SERVICE_ACCOUNT_JSON instead."
        ) from None
    except (ValueError, KeyError, GoogleAuthError):
        where = "GOOGLE_SERVICE_ACCOUNT_JSON" if info else f"'{credentials_file}'"
        raise ConfigError(
            f"{where} is not a service account key (it needs client_email and private_key). "
            "Download a new JSON key for the service account in the Google Cloud console."
        ) from None
    if token:
        return user_credentials.Credentials(token=token)  # type: ignore[no-untyped-call]
    raise ConfigError(
        "No Google credentials: set GOOGLE_SERVICE_ACCOUNT_JSON (the key file's contents), "
        "[workbook] credentials_file (its path), or GOOGLE_OAUTH_ACCESS_TOKEN."
    )


class Session(AuthorizedSession):
    """gspread's HTTP session, with a timeout, a bounded retry, a request count and an endpoint.

    `MENTORFLOW_SHEETS_ENDPOINT` sends every request to another host (an API gateway, or
    the tests' local double of the Sheets API).
    """

    def __init__(
        self,
        credentials: Credentials,
        endpoint: str = GOOGLE_ENDPOINT,
        sleep: Callable[[float], None] | None = None,
        attempts: int = ATTEMPTS,
    ) -> None:
        super().__init__(credentials)  # type: ignore[no-untyped-call]
        # "http://host:port", ".../v4" and ".../v4/spreadsheets" all mean the same API root
        self.endpoint = re.sub(r"(/v4)?(/spreadsheets)?/*$", "", endpoint.strip())
        self.sleep = sleep or time.sleep
        self.attempts = attempts
        self.count = 0  # HTTP requests made, retries included
        # The spreadsheet's metadata as gspread's open_by_key fetched it (gspread keeps only
        # the title of it): the tab list then costs no second request.
        self.metadata: dict[str, Any] | None = None

    def request(  # type: ignore[override]
        self, method: str, url: str, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        if url.startswith(GOOGLE_ENDPOINT):
            url = self.endpoint + url[len(GOOGLE_ENDPOINT) :]
        for attempt in range(1, self.attempts + 1):
            self.count += 1
            try:
                response = cast(
                    requests.Response,
                    super().request(  # type: ignore[no-untyped-call]
                        method, url, timeout=timeout or TIMEOUT, **kwargs
                    ),
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self.attempts:
                    raise SheetsUnavailable(
                        f"Google Sheets could not be reached after {self.attempts} tries "
                        f"({type(exc).__name__}). Nothing more was written; the next run "
                        "tries again."
                    ) from None
                self.sleep(2 ** (attempt - 1))
                continue
            if response.status_code not in RETRIED or attempt == self.attempts:
                if method.upper() == "GET" and response.ok and _METADATA.search(url):
                    self.metadata = response.json()
                return response
            self.sleep(_wait(response, attempt))
        raise AssertionError("unreachable")


def _wait(response: requests.Response, attempt: int) -> float:
    try:
        return min(float(response.headers.get("Retry-After", "")), 60.0)
    except ValueError:
        return float(2 ** (attempt - 1))


class SheetsWorkbook:
    """One Google Sheet, opened by key; the same reading and writing rules as the .xlsx file."""

    def __init__(
        self,
        key: str,
        credentials: Credentials,
        endpoint: str | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.key = key
        self.session = Session(
            credentials,
            endpoint or os.environ.get("MENTORFLOW_SHEETS_ENDPOINT") or GOOGLE_ENDPOINT,
            sleep,
        )
        client = gspread.Client(credentials, session=self.session)
        self._spreadsheet = self._call(lambda: client.open_by_key(key))
        self._tabs: dict[str, Tab] = {}
        self._snapshot: Snapshot | None = None
        # (sheet, column) -> the row from which down it has its date format
        self._formatted: dict[tuple[int, int], int] = {}
        self._written: dict[str, tuple[Row, ...]] = {}  # tab -> its rows, as last read or written
        self.notes: list[str] = []  # what went wrong without harm (shown with --verbose)

    @property
    def name(self) -> str:
        return f"Google Sheet {self.key}"

    @property
    def address(self) -> str:
        """Where people find it: the sheet's link."""
        return f"https://docs.google.com/spreadsheets/d/{self.key}/edit"

    @property
    def requests(self) -> int:
        return self.session.count

    def _call(self, action: Callable[[], Any]) -> Any:
        """One API call; its errors as one line that says what to do."""
        try:
            return action()
        except gspread.exceptions.SpreadsheetNotFound:
            raise WorkbookError(
                f"Google Sheet {self.key} was not found. Check the key, and share the sheet "
                "with the service account's email address (as Editor)."
            ) from None
        except PermissionError:
            raise WorkbookError(
                f"No access to Google Sheet {self.key}. Share the sheet with the service "
                "account's email address (as Editor), then run again."
            ) from None
        except gspread.exceptions.APIError as exc:
            code = exc.response.status_code
            if code == 401:
                raise WorkbookError(
                    "Google refused the credentials (401). Check the service account key, or "
                    "get a new access token."
                ) from None
            if code == 403:
                raise WorkbookError(
                    f"No access to Google Sheet {self.key} (403). Share the sheet with the "
                    "service account's email address (as Editor), then run again."
                ) from None
            reason = exc.error.get("message", "") if isinstance(exc.error, dict) else ""
            if code in RETRIED:
                raise SheetsUnavailable(
                    f"Google Sheets kept answering {code} after {ATTEMPTS} tries; nothing more "
                    "was written. The next run tries again."
                ) from None
            raise WorkbookError(f"Google Sheets refused a request ({code}): {reason}") from None
        except GoogleAuthError:
            raise WorkbookError(
                "Google did not accept the credentials. Check the service account key (or the "
                "access token) and that its project has the Google Sheets API enabled."
            ) from None

    def _dress(self, batch: Batch) -> None:
        """Formats and the chart: refused looks cost the sheet its looks, never its data."""
        try:
            answer = self._call(lambda: self._spreadsheet.batch_update({"requests": batch.looks}))
        except WorkbookError as exc:
            self.notes.append(f"formats and chart not applied: {exc}")
            return
        self._charts(batch, answer)

    @staticmethod
    def _charts(batch: Batch, answer: Mapping[str, Any]) -> None:
        """Remember the new chart's id: the next rewrite of its tab removes it."""
        for reply in answer.get("replies", []):
            chart = reply.get("addChart", {}).get("chart", {})
            position = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell", {})
            for tab in batch.tabs.values():
                if "chartId" in chart and tab.sheet_id == position.get("sheetId"):
                    tab.charts.append(chart["chartId"])

    def read(self) -> Snapshot:
        if self._snapshot is not None:
            return self._snapshot
        metadata = self.session.metadata or self._call(self._spreadsheet.fetch_sheet_metadata)
        for sheet in metadata.get("sheets", []):
            props = sheet["properties"]
            if props.get("sheetType", "GRID") != "GRID":
                continue  # a chart on a sheet of its own holds no cells
            grid = props.get("gridProperties", {})
            self._tabs[props["title"]] = Tab(
                props["sheetId"],
                props["title"],
                grid.get("rowCount", 1000),
                grid.get("columnCount", 26),
                0,
                [c["chartId"] for c in sheet.get("charts", []) if "chartId" in c],
            )
        titles = list(self._tabs)
        answer = self._call(
            lambda: self._spreadsheet.values_batch_get(
                [quoted(t) for t in titles],
                params={
                    "valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "SERIAL_NUMBER",
                    "majorDimension": "ROWS",
                },
            )
        )
        snapshot: dict[str, tuple[Row, ...]] = {}
        for title, found in zip(titles, answer.get("valueRanges", []), strict=True):
            rows = trim(tuple(from_api(v) for v in row) for row in found.get("values", []))
            snapshot[title] = rows
            tab = self._tabs[title]
            tab.filled = len(rows)
            # what is filled is inside the grid, whatever the metadata said
            tab.rows = max(tab.rows, len(rows))
            tab.columns = max(tab.columns, max((len(r) for r in rows), default=0))
        self._snapshot = snapshot
        self._written = dict(snapshot)
        return snapshot

    def apply(self, plan: Plan) -> None:
        if not plan:
            return
        if self._snapshot is None:
            self.read()
        batch = Batch(self._tabs, self._formatted)
        written = dict(self._written)
        for change in plan.changes:
            before = written.get(change.tab, ())
            if isinstance(change, Replace):
                batch.replace(change, before)
                written[change.tab] = trim(change.rows)
            elif isinstance(change, Update):
                batch.update(change, before)
                written[change.tab] = updated(before, change)
            else:
                batch.append(change, before)
                head = (change.header,) if not before and change.header else ()
                written[change.tab] = trim(before + head + change.rows)
        looks = batch.looks
        if batch.structure:
            # With the structure anyway, the looks ride along: one request fewer. Should the
            # API refuse a look, the structure goes alone and the looks try once more, last.
            try:
                answer = self._call(
                    lambda: self._spreadsheet.batch_update(
                        {"requests": batch.structure + batch.looks}
                    )
                )
                self._charts(batch, answer)
                looks = []
            except SheetsUnavailable:
                raise
            except WorkbookError:
                if not batch.looks:
                    raise
                self._call(lambda: self._spreadsheet.batch_update({"requests": batch.structure}))
        if batch.targets or batch.expected:
            # Nobody typed in the rows we are about to fill since the read, and every row an
            # update writes over still holds its key (nobody sorted or deleted rows).
            ranges = [*batch.targets, *(cell for cell, _ in batch.expected)]
            found = self._call(
                lambda: self._spreadsheet.values_batch_get(
                    ranges, params={"valueRenderOption": "UNFORMATTED_VALUE"}
                )
            )
            answers = found.get("valueRanges", [])
            taken = [r.get("range", "") for r in answers[: len(batch.targets)] if r.get("values")]
            if taken:
                raise WorkbookLockedError(
                    f"Someone added rows to the Google Sheet during the run ({taken[0]}); "
                    "nothing was written. Run again."
                )
            for answer, (_, change) in zip(
                answers[len(batch.targets) :], batch.expected, strict=True
            ):
                values = answer.get("values") or [[None]]
                change.check(from_api(values[0][0] if values[0] else None))
        if batch.data:
            self._call(
                lambda: self._spreadsheet.values_batch_update(
                    {"valueInputOption": "RAW", "data": batch.data}
                )
            )
        if looks:
            self._dress(batch)
        self._tabs = batch.tabs
        self._formatted = batch.formatted
        self._written = written


_json = cell_json  # a cell as the API takes it (the tests and benchmarks build sheets with it)
