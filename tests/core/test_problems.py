"""The Problems tab: errors first, and on every row the person it is about."""

from __future__ import annotations

from typing import Any

from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core.models import Problem
from pipeline.core.night import named
from pipeline.core.problems import ordered
from pipeline.run import RunContext, run
from tests.conftest import TODAY, approved_pair, basic_tabs, email, person, records


def problems_tab(
    tabs: dict[str, list[list[Any]]], stage: str = "check"
) -> list[dict[str | None, Any]]:
    book = InMemoryWorkbook(tabs)
    run(book, named(stage), RunContext(TODAY))
    return records(book.tabs["Problems"], "problems")


def test_errors_come_first_then_warnings_then_notes_each_in_sheet_order() -> None:
    note = Problem.at("Participants", 2, "Start date", "start_date_none", "note")
    warning = Problem.at("Participants", 3, "Manager email", "email_invalid", "ignored")
    early_error = Problem.at("Participants", 4, "Email", "email_invalid", "skipped")
    late_error = Problem.at("Matches", 2, "Status", "match_status_unknown", "skipped")
    tab_order = ["Participants", "Matches"]
    shuffled = [late_error, note, warning, early_error]
    assert ordered(shuffled, tab_order) == [early_error, late_error, warning, note]


def test_the_problems_tab_lists_errors_before_warnings_and_notes() -> None:
    tabs = basic_tabs(
        [
            person("anna", "mentor"),
            person("cas"),  # no start date: a note
            {**person("dirk", start_date=TODAY), "Manager email": "chef"},  # a warning
            {**person("eva", start_date=TODAY), "Email": "eva@"},  # an error, further down
        ]
    )
    shown = [(r["severity"], r["row"]) for r in problems_tab(tabs) if r["tab"] == "Participants"]
    assert shown == [("error", 5), ("warning", 4), ("note", 3)]


def test_each_problem_names_the_person_or_the_pair_it_is_about() -> None:
    tabs = basic_tabs(
        [
            person("anna.de.vries", "mentor", start_date=TODAY),
            person("bram.dijkstra", "mentor", start_date=TODAY),
            person("bo", start_date=TODAY),
            {**person("cas", start_date=TODAY), "Role": "boss"},
        ]
    )
    tabs["Matches"] += [
        # names as the coordinator typed them on the row
        ["M-0001", email("bo"), "Bo", email("anna.de.vries"), "Anna", None, "", "approvd"],
        # only the addresses: the names come from Participants
        ["M-0002", email("cas"), None, email("bram.dijkstra"), None, None, "", "approvd"],
    ]
    tabs["Settings"].append(["Auto-approve", "perhaps"])
    tabs["Exclusions"].append([email("bo"), email("ghost"), "old conflict"])
    who = {(r["tab"], r["row"]): r["who"] for r in problems_tab(tabs)}
    assert who == {
        ("Participants", 5): "Cas",
        ("Matches", 2): "Bo / Anna",
        ("Matches", 3): "Cas / Bram Dijkstra",
        ("Settings", 2): None,  # about no one
        ("Exclusions", 2): None,  # an excluded pair is named on its own tab only
    }


def test_a_problem_that_names_its_person_keeps_that_name() -> None:
    """A mentee left without a mentor is named as the match stage knows them."""
    tabs = basic_tabs([person("bo", start_date=TODAY)])  # no mentor at all
    book = InMemoryWorkbook(tabs)
    run(book, named("match"), RunContext(TODAY))
    rows = records(book.tabs["Problems"], "problems")
    assert [(r["row"], r["who"]) for r in rows if r["tab"] == "Participants"] == [(2, "Bo")]


def test_a_mail_log_row_names_the_pair_of_its_match() -> None:
    tabs = approved_pair()  # M-0007: Bo with Anna
    tabs["Mail log"] = [
        ["Time", "To", "Touchpoint", "Match ID", "Subject", "Status", "Detail", "Key"],
        [TODAY, email("anna"), "introduction", "M-0007", "Hi", "failed", "refused: 550", "k1"],
    ]
    who = {(r["tab"], r["row"]): r["who"] for r in problems_tab(tabs, "mail")}
    assert who[("Mail log", 2)] == "Bo / Anna"
