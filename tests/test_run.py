"""A run: read once, one plan, Problems rewritten only when they change, dry runs write nothing."""

from __future__ import annotations

from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core.changes import Replace
from pipeline.core.night import named, nightly
from pipeline.run import RunContext, run
from tests.conftest import TODAY, basic_tabs, person


def broken_book() -> InMemoryWorkbook:
    return InMemoryWorkbook(
        basic_tabs([person("anna", "mentor"), {**person("bo"), "Email": "bo@"}])
    )


def test_problems_are_written_to_a_problems_tab_in_sheet_order() -> None:
    book = broken_book()
    report = run(book, named("check"), RunContext(TODAY))
    assert book.tabs["Problems"] == (
        ("Severity", "Tab", "Row", "Column", "Who", "Problem", "How to fix", "Since"),
        (
            "error",
            "Participants",
            3,
            "Email",
            "Bo",
            '"bo@" is not a valid email address.',
            "Correct the address (like name@organisation.nl). Until then this row is left out.",
            TODAY,  # a date: shown as people in the workbook's language write dates
        ),
    )
    assert report.exit_code == 0


def test_running_twice_on_the_same_day_changes_nothing() -> None:
    book = broken_book()
    run(book, nightly(), RunContext(TODAY))
    again = run(book, nightly(), RunContext(TODAY))
    assert (bool(again.plan), len(book.applied)) == (False, 2)


def test_fixing_the_cell_clears_the_problem_on_the_next_run() -> None:
    book = broken_book()
    run(book, named("check"), RunContext(TODAY))
    book.tabs["Participants"] = basic_tabs()["Participants"]  # type: ignore[assignment]
    report = run(book, named("check"), RunContext(TODAY))
    assert report.plan.changes == (Replace("Problems", (book.tabs["Problems"][0],)),)
    assert report.problems == ()


def test_an_existing_problems_tab_in_another_language_is_reused() -> None:
    tabs = basic_tabs([{**person("bo"), "Email": "bo@"}])
    tabs["Problemen"] = [["oud"]]
    book = InMemoryWorkbook(tabs)
    run(book, named("check"), RunContext(TODAY))
    assert "Problems" not in book.tabs and book.tabs["Problemen"][1][0] == "error"


def test_nightly_runs_the_stages_that_exist_in_order() -> None:
    names = [name for name, _ in nightly()]
    assert names[:3] == ["check", "intake", "match"]
    assert names == sorted(names, key=("check", "intake", "match", "mail", "evaluate").index)
