"""Shared fixtures: a clean environment, real .xlsx files in tmp_path, a fixed day."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

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
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's mentorflow, Google or SMTP settings."""
    for name in list(os.environ):
        if name.startswith(("MENTORFLOW_", "GOOGLE_", "SMTP_")):
            monkeypatch.delenv(name)


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
