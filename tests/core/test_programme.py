"""Reading a programme: each kind of bad input gives exactly its Problems; the rest is used."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pipeline.core.cells import Formula
from pipeline.core.models import Problem
from pipeline.core.programme import Programme, read_programme
from tests.conftest import MATCH_HEADER, basic_tabs, email, people_rows, person


def found(
    problems: tuple[Problem, ...] | list[Problem],
) -> list[tuple[str, int | None, str, str, str]]:
    return [(p.tab, p.row, p.column, p.code, p.effect) for p in problems]


def programme(**tabs: Any) -> Programme:
    sheets = basic_tabs()
    sheets.update({k.capitalize(): v for k, v in tabs.items()})
    return read_programme({k: tuple(tuple(r) for r in v) for k, v in sheets.items()})


def with_people(*people: dict[str, Any]) -> Programme:
    return programme(participants=people_rows(list(people)))


def test_a_clean_workbook_has_no_problems() -> None:
    result = programme()
    assert (len(result.participants), result.problems, result.language) == (2, (), "en")


@pytest.mark.parametrize(
    ("cells", "column", "code", "effect"),
    [
        ({"Email": None}, "Email", "email_missing", "skipped"),
        ({"Email": "jo@"}, "Email", "email_invalid", "skipped"),
        ({"Name": "  "}, "Name", "name_missing", "skipped"),
        ({"Role": None}, "Role", "role_missing", "skipped"),
        ({"Role": "intern"}, "Role", "role_unknown", "skipped"),
        ({"Status": "on leave?"}, "Status", "status_unknown", "skipped"),
        ({"Start date": "31-02-2027"}, "Start date", "date_unreadable", "skipped"),
        ({"Start date": Formula("=TODAY()")}, "Start date", "formula_no_value", "skipped"),
        ({"Shifts": "day; siesta"}, "Shifts", "shift_unknown", "ignored"),
        ({"Years of experience": "lots"}, "Years of experience", "number_unreadable", "ignored"),
        ({"Years of experience": -2}, "Years of experience", "number_negative", "ignored"),
        ({"Capacity": -1}, "Capacity", "number_negative", "default"),
        ({"Capacity": "1,5"}, "Capacity", "whole_number_needed", "default"),
        ({"Manager email": "boss@"}, "Manager email", "email_invalid", "ignored"),
        ({"Email language": "fr"}, "Email language", "language_unknown", "ignored"),
        ({"Preferred mentor": email("nobody")}, "Preferred mentor", "preferred_unknown", "ignored"),
        ({"Preferred mentor": email("bo")}, "Preferred mentor", "preferred_not_mentor", "ignored"),
    ],
)
def test_each_bad_participant_cell_gives_one_problem(
    cells: dict[str, Any], column: str, code: str, effect: str
) -> None:
    bad = person("cas", "mentee")
    bad.update(cells)
    result = with_people(person("anna", "mentor"), person("bo", "mentee"), bad)
    assert found(result.problems) == [("Participants", 4, column, code, effect)]
    used = {p.name for p in result.participants}
    assert used == ({"Anna", "Bo"} if effect == "skipped" else {"Anna", "Bo", "Cas"})


def test_a_mentors_unreadable_start_date_only_drops_the_date() -> None:
    result = with_people(person("anna", "mentor", start_date="soon"))
    assert found(result.problems) == [
        ("Participants", 2, "Start date", "date_unreadable", "ignored")
    ]
    assert result.participants[0].start_date is None


def test_a_bad_capacity_means_no_mentees_until_fixed() -> None:
    result = with_people(person("anna", "mentor", capacity=-3), person("rik", "mentor"))
    assert [p.capacity for p in result.participants] == [0, 1]
    assert dict(result.problems[0].params)["default"] == "0"


def test_duplicate_emails_keep_the_first_row() -> None:
    result = with_people(
        person("anna", "mentor"), person("bo"), {**person("anna", "mentee"), "Email": email("ANNA")}
    )
    assert found(result.problems) == [("Participants", 4, "Email", "email_duplicate", "skipped")]
    assert dict(result.problems[0].params) == {"first": "2", "value": email("ANNA")}
    assert [p.role for p in result.participants] == ["mentor", "mentee"]


def test_a_row_with_several_problems_reports_each() -> None:
    result = with_people({**person("x", "boss"), "Email": "x@", "Start date": "gisteren"})
    assert [p.code for p in result.problems] == ["email_invalid", "role_unknown", "date_unreadable"]
    assert result.participants == ()


def test_values_are_read_in_all_languages_and_forms() -> None:
    result = with_people(
        person(
            "anna",
            "Begeleider",
            status="Gepauzeerd",
            shifts="Nachtdienst\nhelg",
            languages="Nederlands, Turks",
            capacity="2",
            years_of_experience="12,5",
            email_language="Norsk",
            start_date="24.11.2026",
        )
    )
    anna = result.participants[0]
    assert (
        anna.role,
        anna.status,
        anna.shifts,
        anna.languages,
        anna.capacity,
        anna.years_experience,
        anna.email_language,
        anna.start_date,
    ) == (
        "mentor",
        "paused",
        frozenset({"night", "weekend"}),
        ("Nederlands", "Turks"),
        2,
        12.5,
        "nb",
        date(2026, 11, 24),
    )


def test_unknown_extra_columns_are_ignored_not_reported() -> None:
    header = ["Email", "Name", "Role", "Favourite colour", "Start date"]
    result = programme(participants=[header, [email("bo"), "Bo", "mentee", "blue", 46350]])
    assert (result.problems, result.participants[0].start_date) == ((), date(2026, 11, 24))


def test_exclusions_naming_unknown_or_half_filled_pairs() -> None:
    result = programme(
        exclusions=[
            ["Person A", "Person B", "Reason"],
            [email("anna"), email("bo"), "family"],
            [email("anna"), email("ghost"), "old conflict"],
            [email("anna"), None, "?"],
            [email("bo"), email("BO"), "typo"],
            ["bo@", email("anna"), None],
        ]
    )
    assert found(result.problems) == [  # errors first
        ("Exclusions", 4, "Person B", "exclusion_incomplete", "skipped"),
        ("Exclusions", 5, "Person B", "exclusion_self", "skipped"),
        ("Exclusions", 6, "Person A", "email_invalid", "skipped"),
        ("Exclusions", 3, "Person B", "exclusion_unknown", ""),
    ]
    assert [e.row for e in result.exclusions] == [2, 3]


def match(mid: str | None, mentee: str, mentor: str, status: str | None) -> list[Any]:
    return [mid, email(mentee), None, email(mentor), None, None, None, status, None, None]


def test_bad_matches_are_held_not_lost() -> None:
    people = [
        person("anna", "mentor"),
        person("rik", "mentor"),
        person("bo"),
        person("cas"),
        person("dex"),
    ]
    result = programme(
        participants=people_rows(people),
        matches=[
            list(MATCH_HEADER),
            match("M-1", "bo", "anna", "proposed"),
            match("M-2", "bo", "rik", "Goedgekeurd"),
            match("M-3", "cas", "ghost", "approved"),
            match("M-4", "dex", "anna", "maybe"),
            match("M-2", "cas", "rik", "rejected"),
            match("M-6", "anna", "anna", "approved"),
            match("M-7", "dex", "rik", None),
            match("M-8", "ghost", "rik", "completed"),
        ],
    )
    assert found(result.problems) == [
        ("Matches", 2, "Mentee email", "match_two_open", "skipped"),
        ("Matches", 4, "Mentor email", "match_person_unknown", "skipped"),
        ("Matches", 5, "Status", "match_status_unknown", "skipped"),
        ("Matches", 6, "Match ID", "match_id_duplicate", "skipped"),
        ("Matches", 7, "Mentor email", "match_self", "skipped"),
        ("Matches", 8, "Status", "match_status_missing", "skipped"),
        ("Matches", 9, "Mentee email", "match_person_unknown", ""),
    ]
    assert [m.match_id for m in result.matches] == ["M-2", "M-8"]
    assert [m.match_id for m in result.held_matches] == ["M-1", "M-3", "M-4", "M-2", "M-6", "M-7"]


def test_a_match_typed_without_id_gets_a_stable_one() -> None:
    rows = [list(MATCH_HEADER), match(None, "bo", "anna", "approved")]
    first = programme(matches=rows).matches[0].match_id
    assert first.startswith("M-") and first == programme(matches=rows).matches[0].match_id


def test_a_mail_log_status_nobody_can_read_counts_as_unknown() -> None:
    log = [
        ["Key", "Match ID", "Touchpoint", "To", "Subject", "Status", "Time", "Detail"],
        ["M-1/welcome/bo", "M-1", "welcome", email("bo"), "Hi", "verzonden", None, None],
        ["M-1/first_day/anna", "M-1", "first_day", email("anna"), "Hi", "??", None, None],
    ]
    result = programme(**{"mail log": log})
    assert [(e.key, e.status) for e in result.mail_log] == [
        ("M-1/welcome/bo", "sent"),
        ("M-1/first_day/anna", "unknown"),
    ]
    assert found(result.problems) == [("Mail log", 3, "Status", "mail_status_unknown", "")]


def test_a_dutch_workbook_reports_with_its_own_column_names() -> None:
    result = read_programme({"Deelnemers": (("E-mail", "Naam", "Rol"), ("jo@", "Jo", "mentee"))})
    assert result.language == "nl"
    assert found(result.problems) == [("Deelnemers", 2, "E-mail", "email_invalid", "skipped")]
