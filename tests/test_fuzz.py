"""Workbooks nobody has seen: any cells in any tab give Problems rows or one layout error."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.cli import main
from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core.cells import Cell, Formula
from pipeline.core.layout import header, settings_rows
from pipeline.core.night import named, nightly
from pipeline.core.problem_text import render
from pipeline.core.vocab import LANGUAGES
from pipeline.errors import WorkbookLayoutError
from pipeline.run import RunContext, run
from tests.adapters.test_xlsx import every_cell
from tests.conftest import MATCH_HEADER, PEOPLE_HEADER, TODAY, write_xlsx

WORDS = [
    "mentor",
    "mentee",
    "beide",
    "begge",
    "actief",
    "pause",
    "stoppet",
    "dag; nacht",
    "helg",
    "goedgekeurd",
    "afgewezen",
    "proposed",
    "ok?",
    "24-11-2026",
    "31-02-2027",
    "2026-11-24",
    "3,5",
    "-1",
    "nl",
    "nb",
    "xx",
    '=HYPERLINK("x","y")',
    "a@zorg.example.org",
    "b@zorg.example.org",
    "A@ZORG.EXAMPLE.ORG",
    "jo@",
    "",
    "  ",
    "\n",
    "Дмитрий",
    "李",
    "x" * 10_000,
]
CELLS = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.builds(Formula, st.sampled_from(["=TODAY()", "=A1", "=1/0"])),
)


def rows_under(head: Sequence[Cell], width: int) -> st.SearchStrategy[list[list[Cell]]]:
    return st.lists(st.lists(CELLS, max_size=width + 2), max_size=8).map(
        lambda rows: [list(head), *rows]
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=rows_under(PEOPLE_HEADER, len(PEOPLE_HEADER)),
    matches=rows_under(MATCH_HEADER, len(MATCH_HEADER)),
    exclusions=rows_under(("Person A", "Person B", "Reason"), 3),
    extra_settings=st.lists(
        st.tuples(st.sampled_from([r[0] for r in settings_rows("en")] + ["Unknown"]), CELLS),
        max_size=6,
    ),
    log=rows_under(header("mail_log", "en"), 8),
    lang=st.sampled_from(LANGUAGES),
)
def test_any_cells_give_problems_rows_never_a_crash(
    people: list[list[Cell]],
    matches: list[list[Cell]],
    exclusions: list[list[Cell]],
    extra_settings: list[tuple[str, Cell]],
    log: list[list[Cell]],
    lang: str,
) -> None:
    book = InMemoryWorkbook(
        {
            "Participants": people,
            "Matches": matches,
            "Exclusions": exclusions,
            "Settings": [["Setting", "Value"], *extra_settings],
            "Mail log": log,
        }
    )
    report = run(book, nightly(), RunContext(TODAY))
    for problem in report.problems:
        assert problem.tab and problem.column
        severity, text, fix = render(problem, lang)
        assert severity and text and fix
    again = run(book, nightly(), RunContext(TODAY))
    assert not again.plan  # a second run on the same day changes nothing


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.lists(st.lists(CELLS, max_size=5), max_size=4),
        max_size=4,
    )
)
def test_any_tabs_give_a_layout_error_or_a_run(tabs: dict[str, list[list[Cell]]]) -> None:
    try:
        run(InMemoryWorkbook(tabs), named("check"), RunContext(TODAY))
    except WorkbookLayoutError as exc:
        assert "\n" not in str(exc) and str(exc).endswith(".")


def test_an_empty_participants_tab_is_a_layout_error() -> None:
    try:
        run(InMemoryWorkbook({"Participants": [[None, " "]]}), named("check"), RunContext(TODAY))
    except WorkbookLayoutError as exc:
        assert str(exc).startswith('Tab "Participants" is empty.')
    else:
        raise AssertionError("an empty Participants tab must stop the run")


FILE_CELLS = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2200, 1, 1)),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(st.lists(FILE_CELLS, min_size=3, max_size=len(PEOPLE_HEADER)), max_size=6),
    header_cut=st.integers(min_value=0, max_value=len(PEOPLE_HEADER)),
)
def test_any_xlsx_gives_problems_or_one_line_never_a_traceback(
    tmp_path_factory: pytest.TempPathFactory,
    people: list[list[Cell]],
    header_cut: int,
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = write_xlsx(
        folder / "fuzz.xlsx", {"Participants": [list(PEOPLE_HEADER[header_cut:]), *people]}
    )
    before = every_cell(path)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--workbook", str(path), "check"])
    if code == 0:
        assert err.getvalue() == "" and every_cell(path) == before
    else:
        assert code == 2 and err.getvalue().count("\n") == 1
        assert "Traceback" not in err.getvalue() and "unexpected error" not in err.getvalue()
