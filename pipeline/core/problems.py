"""The Problems tab: every problem as a row in the workbook's language, rewritten only on change.

Each row says since when the problem has been open: carried over from the tab as the last run
left it, today for a problem that is new. The coordinator's digest lists the new ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

from pipeline.core.cells import Cell, Row, email_key, parse_date, text
from pipeline.core.changes import Replace
from pipeline.core.layout import header
from pipeline.core.models import SEVERITIES, Problem
from pipeline.core.problem_text import render
from pipeline.core.schema import Table
from pipeline.core.vocab import PROBLEM_COLUMNS, TABS
from pipeline.errors import CellError

#: What identifies a problem from one run to the next: tab, row, column and its text.
ProblemKey = tuple[str, str, str, str]


def ordered(problems: Iterable[Problem], tab_order: Sequence[str]) -> list[Problem]:
    """Unique problems, errors first, then warnings, then notes (SPEC §2); each severity in
    sheet order: by tab as the workbook lists them, then row, then column."""
    position = {name: index for index, name in enumerate(tab_order)}
    unique = dict.fromkeys(problems)
    return sorted(
        unique,
        key=lambda p: (
            SEVERITIES.index(p.severity),
            position.get(p.tab, len(position)),
            p.tab,
            p.row or 0,
            p.column,
            p.code,
        ),
    )


class People:
    """Who a workbook row is about, read off the tabs as the run found them (`tables`: the
    programme's, by key, as read: nothing is parsed again)."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.tables = {table.name: table for table in tables.values()}
        participants = tables["participants"]
        self.names = {
            email_key(text(participants.cell(row, "email"))): text(participants.cell(row, "name"))
            for _, row in participants.rows
        }
        self.match_table = matches = tables.get("matches")
        self.matches: dict[str, Row] = {}
        if matches is not None:
            self.matches = {text(matches.cell(r, "match_id")).strip(): r for _, r in matches.rows}

    def who(self, problem: Problem) -> str:
        """The person's name, both names for a match ("mentee / mentor"), or "" for a row
        about no one (a header, Settings, an exclusion: that pair is named on its own tab only)."""
        if problem.who:
            return problem.who
        table = self.tables.get(problem.tab)
        if table is None or table.header_row is None or (problem.row or 0) <= table.header_row:
            return ""
        row = dict(table.rows).get(problem.row or 0)
        if row is None:
            return ""
        if table.key == "participants":
            return self._person(table.cell(row, "email"), table.cell(row, "name"))
        if table.key == "matches":
            return self._pair(table, row)
        if table.key == "mail_log":
            match = self.matches.get(text(table.cell(row, "match_id")).strip())
            if match is not None and self.match_table is not None:
                return self._pair(self.match_table, match)
            return self._person(table.cell(row, "to"), None)
        if table.key in ("intake", "evaluations"):
            # form tabs: the respondent is the participant whose address the row holds
            known = (self.names.get(email_key(text(value))) for value in row)
            return " / ".join(dict.fromkeys(name for name in known if name))
        return ""

    def _person(self, email: Cell, name: Cell) -> str:
        return text(name).strip() or self.names.get(email_key(text(email))) or text(email).strip()

    def _pair(self, table: Table, row: Row) -> str:
        mentee = self._person(table.cell(row, "mentee_email"), table.cell(row, "mentee"))
        mentor = self._person(table.cell(row, "mentor_email"), table.cell(row, "mentor"))
        return " / ".join(name for name in (mentee, mentor) if name)


def _key(tab: Cell, row: Cell, column: Cell, problem: Cell) -> ProblemKey:
    return (text(tab), text(row), text(column), text(problem))


def first_seen(table: Table | None) -> dict[ProblemKey, date]:
    """The Since day of every problem on the Problems tab as the last run left it."""
    seen: dict[ProblemKey, date] = {}
    if table is None or table.header_row is None:
        return seen
    for _, row in table.rows:
        try:
            day = parse_date(table.cell(row, "since"))
        except CellError:
            continue  # an edited or older tab: the problem counts as new
        cells = (table.cell(row, k) for k in ("tab", "row", "column", "problem"))
        seen[_key(*cells)] = day
    return seen


def since(problem: Problem, lang: str, seen: Mapping[ProblemKey, date], today: date) -> date:
    """The day the problem was first seen: on an earlier Problems tab, else today."""
    _, shown, _ = render(problem, lang)
    return seen.get(_key(problem.tab, problem.row, problem.column, shown), today)


def problem_rows(
    problems: Sequence[Problem],
    lang: str,
    seen: Mapping[ProblemKey, date],
    today: date,
    who: Callable[[Problem], str] = lambda problem: problem.who,
) -> tuple[Row, ...]:
    rows: list[Row] = [header("problems", lang)]
    for problem in problems:
        severity, shown, fix = render(problem, lang)
        first = since(problem, lang, seen, today)
        # a date cell, shown as people in the workbook's language write dates (`looks`)
        rows.append(
            (
                severity,
                problem.tab,
                problem.row,
                problem.column or None,
                who(problem) or None,
                shown,
                fix,
                first,
            )
        )
    return tuple(rows)


def problems_tab(
    tables: Mapping[str, Table],
    problems: Sequence[Problem],
    lang: str,
    seen: Mapping[ProblemKey, date],
    today: date,
) -> Replace:
    """The rewrite of the Problems tab (the run leaves out a rewrite that changes nothing);
    `tables`: the programme's as read, by key."""
    found = tables.get("problems")
    name = found.name if found is not None else TABS.word("problems", lang)
    return Replace(name, problem_rows(problems, lang, seen, today, People(tables).who))


def where(problem: Problem, lang: str) -> str:
    """'Participants row 3, Email': the place of a problem, in the workbook's language."""
    row_word = PROBLEM_COLUMNS.word("row", lang).lower()
    place = problem.tab + (f" {row_word} {problem.row}" if problem.row else "")
    return place + (f", {problem.column}" if problem.column else "")


def as_line(problem: Problem, lang: str) -> str:
    """One problem on one line, for the terminal and logs."""
    severity, shown, fix = render(problem, lang)
    return f"{severity}: {where(problem, lang)}: {shown} {fix}"
