"""Shared fixtures: a clean environment, real .xlsx files in tmp_path, a fixed day."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller

from pipeline.core.vocab import COLUMNS

TODAY = date(2026, 11, 24)
DOMAIN = "zorg.example.org"

PEOPLE_HEADER = (
    "Email",
    "Name",
    "Role",
    "Status",
    "Start date",
    "Team",
    "Discipline",
    "Location",
    "Shifts",
    "Manager email",
    "Years of experience",
    "Languages",
    "Goals",
    "Capacity",
    "Preferred mentor",
    "Email language",
)
MATCH_HEADER = (
    "Match ID",
    "Mentee email",
    "Mentee",
    "Mentor email",
    "Mentor",
    "Score",
    "Why",
    "Status",
    "Proposed on",
    "Notes",
)


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test sees the developer's mentorflow, Google or SMTP settings.

    What a run keeps outside the workbook's folder (a Google Sheet's run lock) goes to a
    folder of the test's own: two test runs at once never meet, and nothing is left behind.
    """
    for name in list(os.environ):
        if name.startswith(("MENTORFLOW_", "GOOGLE_", "SMTP_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MENTORFLOW_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run with tmp_path as the working directory (no stray config/mentorflow.toml)."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def email(name: str) -> str:
    return f"{name}@{DOMAIN}"


def person(name: str, role: str = "mentee", **cells: Any) -> dict[str, Any]:
    """A Participants row by English header; unspecified cells stay empty."""
    row = {"Email": email(name), "Name": name.replace(".", " ").title(), "Role": role}
    row.update({k.replace("_", " ").capitalize(): v for k, v in cells.items()})
    return row


def people_rows(
    people: Sequence[Mapping[str, Any]], header: Sequence[str] = PEOPLE_HEADER
) -> list[list[Any]]:
    return [list(header)] + [[p.get(h) for h in header] for p in people]


def records(rows: Sequence[Sequence[Any]], tab: str) -> list[dict[str | None, Any]]:
    """A tab's data rows by column key (`tab` is its key, like "matches"), read by the header
    in its first row in any language and order, as mentorflow reads it."""
    header, *data = rows
    keys = [COLUMNS[tab].key_of(h) for h in header]
    return [dict(zip(keys, row, strict=False)) for row in data]


def basic_tabs(people: Sequence[Mapping[str, Any]] | None = None) -> dict[str, list[list[Any]]]:
    people = (
        people
        if people is not None
        else [
            person("anna", "mentor", years_of_experience=10, capacity=2),
            person("bo", "mentee", start_date=date(2026, 12, 1), years_of_experience=1),
        ]
    )
    return {
        "Participants": people_rows(people),
        "Exclusions": [["Person A", "Person B", "Reason"]],
        "Matches": [list(MATCH_HEADER)],
        "Settings": [["Setting", "Value"]],
    }


def approved_pair() -> dict[str, list[list[Any]]]:
    """The basic programme with one approved match, M-0007: Bo with Anna."""
    tabs = basic_tabs()
    tabs["Matches"].append(
        ["M-0007", email("bo"), "Bo", email("anna"), "Anna", None, "", "approved", TODAY, ""]
    )
    return tabs


def write_xlsx(
    path: Path,
    tabs: Mapping[str, Sequence[Sequence[Any]]],
    text_cells: Sequence[tuple[str, str]] = (),
) -> Path:
    """A real .xlsx file as a coordinator might have typed it.

    Strings starting with '=' become formulas, as in Excel, unless listed in text_cells
    as (tab, cell) to be stored as text.
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tabs.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    for tab, ref in text_cells:
        book[tab][ref].data_type = "s"
    book.save(path)
    return path


def cells_of(path: Path, tab: str) -> dict[str, tuple[Any, str]]:
    """Every cell of a tab as {coordinate: (value, data type)}, formulas as formulas."""
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    return {
        c.coordinate: (c.value, c.data_type)
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    }


@pytest.fixture
def workbook_file(in_tmp: Path) -> Path:
    return write_xlsx(in_tmp / "programme.xlsx", basic_tabs())


class Server:
    """Records what arrives; can refuse a recipient, answer 4xx, or drop the connection."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.sessions: set[int] = set()
        self.refuse: dict[str, str] = {}  # recipient -> reply
        self.busy_rcpt = 0  # answer this many RCPTs with 451
        self.drop_data = 0  # drop the connection on this many DATA commands

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.sessions.add(id(session))
        if address in self.refuse:
            return self.refuse[address]
        if self.busy_rcpt:
            self.busy_rcpt -= 1
            return "451 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_data:
            self.drop_data -= 1
            server.transport.close()
            return "250 never seen"
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Server, int]]:
    handler = Server()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def sheets_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The local Google Sheets API double, with mentorflow pointed at it by token and URL."""
    from tests.sheets_double import SheetsDouble

    with SheetsDouble() as double:
        monkeypatch.setenv("MENTORFLOW_SHEETS_ENDPOINT", double.endpoint)
        monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "test-token")
        yield double
