"""Deliberately broken workbooks through `mentorflow check`: exact Problems, nothing lost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jobs.cli import main
from pipeline.core.vocab import PROBLEM_COLUMNS, SEVERITIES
from tests.adapters.test_xlsx import every_cell
from tests.conftest import MATCH_HEADER, basic_tabs, email, person, write_xlsx


@dataclass
class Case:
    tabs: Mapping[str, Sequence[Sequence[Any]]]
    expected: list[tuple[str, str, int, str, str]]  # severity, tab, row, column, text excerpt
    text_cells: list[tuple[str, str]] = field(default_factory=list)
    merges: list[tuple[str, str]] = field(default_factory=list)


def with_people(*people: dict[str, Any]) -> dict[str, list[list[Any]]]:
    return basic_tabs(list(people))


ANNA = person("anna", "mentor", years_of_experience=10)
BO = person("bo", "mentee", start_date=date(2026, 12, 1))

CASES: dict[str, Case] = {
    "every kind of bad participant cell": Case(
        with_people(
            ANNA,
            BO,
            {**person("c1"), "Email": None},
            {**person("c2"), "Email": "c2@"},
            {**person("c3"), "Email": email("ANNA")},
            {**person("c4"), "Name": "   "},
            {**person("c5"), "Role": "stagiair"},
            {**person("c6"), "Status": "met verlof"},
            {**person("c7"), "Shifts": "dag; slaapdienst"},
            {**person("c8"), "Start date": "31-02-2027"},
            {**person("c9", "mentor"), "Years of experience": "veel"},
            {**person("c10", "mentor"), "Capacity": -1},
            {**person("c11"), "Preferred mentor": email("nobody")},
            {**person("c12"), "Preferred mentor": email("bo")},
            {**person("c13"), "Email language": "fr"},
            {**person("c14"), "Email": 12345, "Role": True},
            {**person("c15"), "Manager email": "chef"},
        ),
        [
            ("error", "Participants", 4, "Email", "No email address."),
            ("error", "Participants", 5, "Email", '"c2@" is not a valid email address.'),
            ("error", "Participants", 6, "Email", "is already used in row 2."),
            ("error", "Participants", 7, "Name", "No name."),
            ("error", "Participants", 8, "Role", 'The role "stagiair" is unknown.'),
            ("error", "Participants", 9, "Status", 'The status "met verlof" is unknown.'),
            ("warning", "Participants", 10, "Shifts", 'The shift "slaapdienst" is unknown.'),
            ("error", "Participants", 11, "Start date", '"31-02-2027" cannot be read as a date.'),
            ("warning", "Participants", 12, "Years of experience", '"veel" is not a number.'),
            ("warning", "Participants", 13, "Capacity", '"-1" is below zero.'),
            ("warning", "Participants", 14, "Preferred mentor", "is not on the Participants tab"),
            ("warning", "Participants", 15, "Preferred mentor", "is not a mentor (role: mentee)"),
            ("warning", "Participants", 16, "Email language", 'The language "fr" is unknown.'),
            ("error", "Participants", 17, "Email", '"12345" is not a valid email address.'),
            ("error", "Participants", 17, "Role", 'The role "TRUE" is unknown.'),
            ("warning", "Participants", 18, "Manager email", '"chef" is not a valid email'),
        ],
    ),
    "empty rows, a merged title and cells of spaces": Case(
        {
            "Participants": [
                ["Mentorprogramma 2026", None, None],
                [],
                ["Email", "Name", "Role"],
                [email("anna"), "Anna", "mentor"],
                [],
                [None, "  ", None],
                [email("bo"), "Bo", "  "],
                [],
                [],
            ]
        },
        [("error", "Participants", 7, "Role", "No role.")],
        merges=[("Participants", "A1:C1")],
    ),
    "formulas in cells": Case(
        with_people(
            ANNA,
            {**BO, "Name": '=CONCAT("B","o")', "Start date": "=TODAY()+7"},
            {**person("cas"), "Name": '=HYPERLINK("http://x","y")'},
        ),
        [
            ("error", "Participants", 3, "Name", 'holds a formula (=CONCAT("B","o"))'),
            ("error", "Participants", 3, "Start date", "holds a formula (=TODAY()+7)"),
        ],
        text_cells=[("Participants", "B4")],
    ),
    "ten thousand characters and names in other scripts": Case(
        with_people(
            {**ANNA, "Name": "Ἀριστοτέλης Παπαδόπουλος", "Goals": "wondzorg; " * 1000},
            {**BO, "Name": "محمد العلي", "Languages": "العربية;Nederlands"},
            {**person("dmitri"), "Name": "Дмитрий Иванов", "Team": "x" * 10_000},
        ),
        [],
    ),
    "exclusions and matches naming unknown people": Case(
        {
            **with_people(ANNA, BO, person("cas")),
            "Exclusions": [
                ["Person A", "Person B", "Reason"],
                [email("bo"), email("ghost"), "x"],
                [email("bo"), None, "half"],
            ],
            "Matches": [
                MATCH_HEADER,
                [
                    "M-1",
                    email("bo"),
                    "Bo",
                    email("anna"),
                    "Anna",
                    50,
                    "",
                    "approved",
                    datetime(2026, 11, 1),
                    "",
                ],
                ["M-2", email("bo"), "Bo", email("anna"), "Anna", 50, "", "voorgesteld", None, ""],
                ["M-3", email("cas"), "Cas", email("ghost"), "?", None, "", "approved", None, ""],
                ["M-4", email("cas"), "Cas", email("anna"), "Anna", None, "", "ok?", None, ""],
            ],
        },
        [
            # M-1, the proposal beside it and the unreadable M-4 each hold one of her places
            ("warning", "Participants", 2, "Capacity", "Anna mentors 3 matches (M-1, M-2, M-4)"),
            ("warning", "Exclusions", 2, "Person B", '"ghost@zorg.example.org" is not on'),
            ("error", "Exclusions", 3, "Person B", "Only one of the two people is filled in."),
            ("error", "Matches", 3, "Mentee email", "already has an open match in row 2."),
            ("error", "Matches", 4, "Mentor email", '"ghost@zorg.example.org" is not on'),
            ("error", "Matches", 5, "Status", 'The status "ok?" is unknown.'),
        ],
    ),
    "settings nobody knows and values that cannot be used": Case(
        {
            **with_people(ANNA, BO),
            "Settings": [
                ["Setting", "Value"],
                ["Colour", "blue"],
                ["Grace days", "a week"],
                ["Auto-approve", "maybe"],
                ["Coordinator email", "coordinator@"],
            ],
        },
        [
            ("warning", "Settings", 2, "Setting", 'The setting "Colour" is unknown.'),
            ("warning", "Settings", 3, "Value", '"a week" of "Grace days" cannot be used'),
            ("warning", "Settings", 4, "Value", '"maybe" of "Auto-approve" cannot be used'),
            ("warning", "Settings", 5, "Value", "a valid email address is needed"),
        ],
    ),
    "a Norwegian workbook": Case(
        {
            "Deltakere": [
                ["E-post", "Navn", "Rolle", "Startdato", "Vakter"],
                [email("kari"), "Kari Nordmann", "mentor", None, "natt; helg"],
                [email("ola"), "Ola Nordmann", "ny ansatt", "1.12.2026", "kveld"],
                [email("per"), "Per", "sjef", "32.12.2026", "dag"],
            ]
        },
        [
            ("feil", "Deltakere", 4, "Rolle", 'Rollen "sjef" er ukjent.'),
            ("feil", "Deltakere", 4, "Startdato", '"32.12.2026" kan ikke leses som en dato.'),
        ],
    ),
}


#: What `check` also reports about the programme as a whole (SPEC §2: what `nightly` would),
#: tested on its own elsewhere: mentees left without a mentor, a digest with no coordinator.
ABOUT_THE_PROGRAMME = (
    "No mentor proposed",
    "Ingen mentor foreslått",
    "The weekly digest",
    "Den ukentlige",
)


@pytest.mark.parametrize("name", CASES)
def test_a_broken_workbook_gives_its_exact_problems_and_loses_nothing(
    name: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    path = write_xlsx(in_tmp / "broken.xlsx", case.tabs, case.text_cells)
    if case.merges:
        book = openpyxl.load_workbook(path)
        for tab, cells in case.merges:
            book[tab].merge_cells(cells)
        book.save(path)
    before = every_cell(path)

    code = main(["--workbook", str(path), "check"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), out

    book = openpyxl.load_workbook(path)
    problems_tab = next(t for t in book.sheetnames if t in ("Problems", "Problemer"))
    header, *cells = book[problems_tab].iter_rows(values_only=True)
    keys = [PROBLEM_COLUMNS.key_of(h) for h in header]
    rows = [
        r
        for r in (dict(zip(keys, row, strict=True)) for row in cells)
        if not str(r["problem"]).startswith(ABOUT_THE_PROGRAMME)
        and r["severity"] not in ("note", "merknad")
    ]
    # errors first, then warnings (SPEC §2); each severity in sheet order as listed
    expected = sorted(case.expected, key=lambda e: SEVERITIES.key_of(e[0]) != "error")
    assert [(r["severity"], r["tab"], r["row"], r["column"]) for r in rows] == [
        e[:4] for e in expected
    ]
    for row, wanted in zip(rows, expected, strict=True):
        assert wanted[4] in str(row["problem"]), (row, wanted)
        assert row["fix"]  # every problem says how to fix it
    assert every_cell(path) == before
