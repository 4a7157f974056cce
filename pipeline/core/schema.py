"""Finding the tabs and header rows of a workbook in any of its languages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.core.cells import Cell, Formula, Row, is_blank, quote, text
from pipeline.core.models import Problem
from pipeline.core.vocab import (
    COLUMNS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    REQUIRED,
    TABS,
    Vocabulary,
    normalise,
)
from pipeline.errors import WorkbookLayoutError

#: Every tab as the adapters hand it over: tab name -> rows of cells, in workbook order.
Snapshot = Mapping[str, tuple[Row, ...]]

HEADER_SCAN_ROWS = 10


@dataclass(frozen=True)
class Table:
    """One recognised tab: where its header is, which column holds what, and its data rows."""

    key: str
    name: str
    header_row: int | None  # sheet row number of the header; None for an empty tab
    headers: tuple[str, ...]
    columns: Mapping[str, int]
    rows: tuple[tuple[int, Row], ...]  # (sheet row number, cells), blank rows left out
    last_row: int = 0  # the tab's last filled row: an append lands on the row below

    def cell(self, row: Row, key: str) -> Cell:
        index = self.columns.get(key)
        if index is None or index >= len(row):
            return None
        return row[index]

    def header(self, key: str, lang: str) -> str:
        """The column's header as the coordinator wrote it, else our word for it."""
        index = self.columns.get(key)
        if index is not None:
            return self.headers[index]
        return COLUMNS[self.key].word(key, lang)

    def record(self, values: Mapping[str, Cell]) -> Row:
        """A row laid out like this tab's header, ready to append; other columns stay empty."""
        row: list[Cell] = [None] * len(self.headers)
        for key, value in values.items():
            index = self.columns.get(key)
            if index is not None:
                row[index] = value
        return tuple(row)


def tab_key(name: str, overrides: Mapping[str, str]) -> str | None:
    """Which of our tabs a tab name is: config overrides first, then any language."""
    for key, configured in overrides.items():
        if normalise(configured) == normalise(name):
            return key
    return TABS.key_of(name)


def _spellings(vocabulary: Vocabulary, key: str) -> str:
    term = vocabulary.terms[key]
    return ", ".join(dict.fromkeys((term.en, term.nl, term.nb)))


def _header_row(
    name: str, key: str, rows: tuple[Row, ...]
) -> tuple[int, dict[str, int], list[Problem]]:
    """Pick the row (among the first few) that holds the most of this tab's headers."""
    vocabulary = COLUMNS[key]
    best: tuple[int, dict[str, int], list[Problem]] = (0, {}, [])
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        problems: list[Problem] = []
        for col, value in enumerate(row):
            column_key = vocabulary.key_of(text(value)) if not is_blank(value) else None
            if column_key is None:
                continue
            if column_key in columns:
                first = text(row[columns[column_key]])
                problems.append(
                    Problem.at(
                        name, index + 1, text(value), "column_duplicate", "ignored", first=first
                    )
                )
                continue
            columns[column_key] = col
        if len(columns) > len(best[1]):
            best = (index, columns, problems)
    index, columns, problems = best
    missing = [k for k in REQUIRED[key] if k not in columns]
    if missing:
        found = ", ".join(quote(v) for v in rows[index] if not is_blank(v)) if rows else ""
        wanted = "; ".join(
            f'"{vocabulary.word(k, "en")}" ({_spellings(vocabulary, k)})' for k in missing
        )
        raise WorkbookLayoutError(
            f'Tab "{quote(name)}" has no column {wanted}. Headers found in row {index + 1}: '
            f"{found or 'none'}. Add the missing column header(s) and run again."
        )
    return index + 1, columns, problems


def _has_data(row: Row) -> bool:
    """A row with something typed in it; formulas dragged down empty rows show nothing."""
    return any(not is_blank(v) and not isinstance(v, Formula) for v in row)


def read_table(name: str, key: str, rows: tuple[Row, ...]) -> tuple[Table, list[Problem]]:
    """Locate the header of one tab and collect its non-blank data rows."""
    problems: list[Problem] = []
    if not any(not is_blank(v) for row in rows for v in row):
        return Table(key, name, None, (), {}, ()), problems
    if key in COLUMNS:
        header_row, columns, problems = _header_row(name, key, rows)
    else:  # form tabs: the questions are the headers, in row 1
        header_row, columns = 1, {}
    headers = tuple(text(v) for v in rows[header_row - 1])
    data = tuple(
        (number, row)
        for number, row in enumerate(rows[header_row:], start=header_row + 1)
        if _has_data(row)
    )
    return Table(key, name, header_row, headers, columns, data, len(rows)), problems


def read_tables(
    snapshot: Snapshot, overrides: Mapping[str, str]
) -> tuple[dict[str, Table], list[Problem]]:
    """All tabs we know, by key; no Participants tab, or two tabs for one role, is an error."""
    names: dict[str, list[str]] = {}
    for name in snapshot:
        key = tab_key(name, overrides)
        if key is not None:
            names.setdefault(key, []).append(name)
    for key, found in names.items():
        if len(found) > 1:
            listed = " and ".join(f'"{quote(n)}"' for n in found)
            raise WorkbookLayoutError(
                f"Tabs {listed} both look like the {TABS.word(key, 'en')} tab. "
                "Rename or delete one of them and run again."
            )
    if "participants" not in names:
        configured = overrides.get("participants")
        expected = (
            f'"{configured}"'
            if configured
            else f'"Participants" ({_spellings(TABS, "participants")})'
        )
        tabs = ", ".join(quote(n) for n in snapshot) or "none"
        raise WorkbookLayoutError(
            f"The workbook has no tab {expected}. Tabs found: {tabs}. Rename the tab that "
            "lists the participants, or start from a new workbook made with 'mentorflow init'."
        )
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    (people,) = names["participants"]
    if not any(not is_blank(v) for row in snapshot[people] for v in row):
        raise WorkbookLayoutError(
            f'Tab "{quote(people)}" is empty. Give it a header row with at least Email, Name and '
            "Role (a new workbook from 'mentorflow init' has them all), then the participants."
        )
    for key, (name,) in names.items():
        if key == "howto":
            continue  # text for people, not input
        table, header_problems = read_table(name, key, snapshot[name])
        tables[key] = table
        problems.extend(header_problems)
    return tables, problems


def detect_language(snapshot: Snapshot, tables: Mapping[str, Table]) -> str | None:
    """The language most tab names and Participants headers are written in, if any stands out."""
    votes: Counter[str] = Counter()
    for name in snapshot:
        votes.update(TABS.languages_of(name))
    participants = tables.get("participants")
    if participants is not None:
        for header in participants.headers:
            votes.update(COLUMNS["participants"].languages_of(header))
    if not votes:
        return None
    ranked = sorted(LANGUAGES, key=lambda lang: (-votes[lang], lang != DEFAULT_LANGUAGE))
    top = ranked[0]
    return top if votes[top] > votes[ranked[1]] else None
