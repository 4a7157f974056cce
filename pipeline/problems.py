"""The Problems tab: every problem as a row in the workbook's language, rewritten only on change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline.cells import Row
from pipeline.layout import header
from pipeline.messages import render
from pipeline.models import Problem
from pipeline.schema import Snapshot, tab_key
from pipeline.vocab import PROBLEM_COLUMNS, TABS
from pipeline.workbook import Replace


def ordered(problems: Iterable[Problem], tab_order: Sequence[str]) -> list[Problem]:
    """Unique problems in sheet order: by tab as the workbook lists them, then row, then column."""
    position = {name: index for index, name in enumerate(tab_order)}
    unique = dict.fromkeys(problems)
    return sorted(
        unique,
        key=lambda p: (position.get(p.tab, len(position)), p.tab, p.row or 0, p.column, p.code),
    )


def problem_rows(problems: Sequence[Problem], lang: str) -> tuple[Row, ...]:
    rows: list[Row] = [header("problems", lang)]
    for problem in problems:
        severity, text, fix = render(problem, lang)
        rows.append((severity, problem.tab, problem.row, problem.column, text, fix))
    return tuple(rows)


def problems_tab(
    snapshot: Snapshot, problems: Sequence[Problem], lang: str, tab_names: dict[str, str]
) -> Replace | None:
    """The rewrite of the Problems tab, or None when it already says exactly this."""
    name = next(
        (n for n in snapshot if tab_key(n, tab_names) == "problems"), TABS.word("problems", lang)
    )
    rows = problem_rows(problems, lang)
    if snapshot.get(name) == rows:
        return None
    return Replace(name, rows)


def as_line(problem: Problem, lang: str) -> str:
    """One problem on one line, for the terminal and logs."""
    severity, text, fix = render(problem, lang)
    row_word = PROBLEM_COLUMNS.word("row", lang).lower()
    where = f"{problem.tab}" + (f" {row_word} {problem.row}" if problem.row else "")
    where += f", {problem.column}" if problem.column else ""
    return f"{severity}: {where}: {text} {fix}"
