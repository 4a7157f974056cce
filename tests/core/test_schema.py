"""Finding tabs and headers in any language, and the exit-2 messages when they are missing."""

from __future__ import annotations

import pytest

from pipeline.core.schema import Snapshot, detect_language, read_table, read_tables
from pipeline.errors import WorkbookLayoutError

PEOPLE = ("Email", "Name", "Role")


def test_tabs_and_headers_in_dutch_are_found() -> None:
    tables, problems = read_tables(
        {
            "Deelnemers": (("E-MAIL ", " naam", "ROL"), ("a@zorg.example.org", "A", "mentor")),
            "Instellingen": (("Instelling", "Waarde"),),
        },
        {},
    )
    assert set(tables) == {"participants", "settings"}
    assert tables["participants"].columns == {"email": 0, "name": 1, "role": 2}
    assert problems == []


def test_the_header_may_sit_below_a_title_row() -> None:
    table, _ = read_table(
        "Participants",
        "participants",
        (("Mentor programme 2026",), (), PEOPLE, ("a@zorg.example.org", "A", "mentor")),
    )
    assert (table.header_row, [n for n, _ in table.rows]) == (3, [4])


def test_a_missing_header_names_what_is_missing_and_what_was_found() -> None:
    with pytest.raises(WorkbookLayoutError) as caught:
        read_table("Deelnemers", "participants", (("E-mail", "Naam", "Team"),))
    assert str(caught.value) == (
        'Tab "Deelnemers" has no column "Role" (Role, Rol, Rolle). Headers found in row 1: '
        "E-mail, Naam, Team. Add the missing column header(s) and run again."
    )


def test_a_missing_participants_tab_lists_the_tabs_found() -> None:
    with pytest.raises(WorkbookLayoutError) as caught:
        read_tables({"Sheet1": (PEOPLE,), "Blad2": ()}, {})
    assert str(caught.value) == (
        'The workbook has no tab "Participants" (Participants, Deelnemers, Deltakere). '
        "Tabs found: Sheet1, Blad2. Rename the tab that lists the participants, or start "
        "from a new workbook made with 'mentorflow init'."
    )


def test_two_tabs_claiming_one_role_is_an_error() -> None:
    with pytest.raises(WorkbookLayoutError, match='"Participants" and "Deelnemers"'):
        read_tables({"Participants": (PEOPLE,), "Deelnemers": (PEOPLE,)}, {})


def test_config_can_name_a_tab() -> None:
    tables, _ = read_tables(
        {"Staff": (PEOPLE,), "Formulierreacties 1": (("Tijdstempel", "E-mailadres"),)},
        {"participants": "Staff", "intake": "Formulierreacties 1"},
    )
    assert (tables["participants"].name, tables["intake"].headers) == (
        "Staff",
        ("Tijdstempel", "E-mailadres"),
    )


def test_a_repeated_header_is_reported_and_the_first_one_read() -> None:
    table, problems = read_table(
        "Participants", "participants", (("Email", "Name", "Role", "E-mail"),)
    )
    assert table.columns["email"] == 0
    assert [(p.code, p.row, p.column) for p in problems] == [("column_duplicate", 1, "E-mail")]


@pytest.mark.parametrize(
    ("tabs", "lang"),
    [
        ({"Deelnemers": (("E-mail", "Naam", "Rol"),)}, "nl"),
        ({"Deltakere": (("E-post", "Navn", "Rolle"),)}, "nb"),
        ({"Participants": (PEOPLE,)}, "en"),
    ],
)
def test_the_workbook_language_follows_its_words(tabs: Snapshot, lang: str) -> None:
    tables, _ = read_tables(tabs, {})
    assert detect_language(tabs, tables) == lang
