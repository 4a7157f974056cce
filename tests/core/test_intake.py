"""Intake: Google and Microsoft Forms responses become Participants rows, never overwrites."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core.cells import Cell
from pipeline.core.night import named, nightly
from pipeline.core.programme import read_programme
from pipeline.run import RunContext, RunReport, run
from tests.conftest import TODAY, records

PEOPLE = ["E-mail", "Naam", "Rol", "Status", "Startdatum", "Diensten", "Doelen", "Team"]


def book(
    form_tab: str, form: Sequence[Sequence[Cell]], people: Sequence[Sequence[Cell]] = ()
) -> InMemoryWorkbook:
    return InMemoryWorkbook(
        {
            "Deelnemers": [
                PEOPLE,
                [
                    "anna@zorg.example.org",
                    "Anna de Vries",
                    "mentor",
                    "actief",
                    None,
                    "dag; nacht",
                    "wondzorg",
                    "PG",
                ],
                *people,
            ],
            form_tab: form,
        }
    )


def intake(workbook: InMemoryWorkbook, columns: dict[str, str] | None = None) -> RunReport:
    return run(workbook, named("intake"), RunContext(TODAY, intake_columns=columns or {}))


GOOGLE: list[list[Cell]] = [
    [
        "Tijdstempel",
        "E-mailadres",
        "Naam",
        "Startdatum",
        "Welke diensten ga je draaien?",
        "Wat wil je leren?",
    ],
    [
        datetime(2026, 11, 20, 9, 14),
        "bo@zorg.example.org",
        "Bo Smit",
        "14-12-2026",
        "Dag, Nacht",
        "Medicatie, Dementie",
    ],
    [
        datetime(2026, 11, 21, 16, 2),
        "cas@zorg.example.org",
        "Cas Kaya",
        date(2027, 1, 4),
        "Avond",
        "",
    ],
]
GOOGLE_MAPPING = {"Welke diensten ga je draaien?": "Shifts", "Wat wil je leren?": "Doelen"}


def test_google_forms_responses_in_dutch_become_new_participants() -> None:
    workbook = book("Formulierreacties 1", GOOGLE)
    report = intake(workbook, GOOGLE_MAPPING)
    assert report.problems == ()
    assert workbook.tabs["Deelnemers"][2:] == (
        (
            "bo@zorg.example.org",
            "Bo Smit",
            "mentee",
            None,
            "14-12-2026",
            "Dag, Nacht",
            "Medicatie, Dementie",
        ),
        ("cas@zorg.example.org", "Cas Kaya", "mentee", None, date(2027, 1, 4), "Avond"),
    )
    bo = read_programme(workbook.read()).person("bo@zorg.example.org")
    assert bo is not None and (bo.start_date, bo.shifts, bo.goals) == (
        date(2026, 12, 14),
        frozenset({"day", "night"}),
        ("Medicatie", "Dementie"),
    )


def test_microsoft_forms_responses_are_read_by_their_own_headers() -> None:
    form: list[list[Cell]] = [
        ["ID", "Start time", "Completion time", "Email", "Name", "Which shifts?"],
        [
            1,
            datetime(2026, 11, 20, 9, 0),
            datetime(2026, 11, 20, 9, 4),
            "dina@zorg.example.org",
            "Dina Ali",
            "Day;Weekend;",
        ],
    ]
    workbook = book("Intake", form)
    intake(workbook, {"Which shifts?": "Shifts"})
    dina = read_programme(workbook.read()).person("dina@zorg.example.org")
    assert dina is not None and (dina.name, dina.role, dina.shifts) == (
        "Dina Ali",
        "mentee",
        frozenset({"day", "weekend"}),
    )


def test_a_known_person_is_never_overwritten_and_differences_are_reported() -> None:
    form: list[list[Cell]] = [
        ["Tijdstempel", "E-mailadres", "Naam", "Team"],
        [datetime(2026, 11, 20), "ANNA@zorg.example.org", "Anna de Vries", "Somatiek"],
        [datetime(2026, 11, 21), "anna@zorg.example.org", "", "PG "],
    ]
    workbook = book("Formulierreacties 1", form)
    before = workbook.tabs["Deelnemers"]
    report = intake(workbook)
    assert workbook.tabs["Deelnemers"] == before
    assert [(p.tab, p.row, p.column, p.code, dict(p.params)) for p in report.problems] == [
        (
            "Formulierreacties 1",
            2,
            "Team",
            "intake_differs",
            {"value": "Somatiek", "first": "2", "current": "PG"},
        ),
    ]


def test_a_response_is_appended_once_over_many_runs() -> None:
    workbook = book("Formulierreacties 1", GOOGLE)
    intake(workbook, GOOGLE_MAPPING)
    again = intake(workbook, GOOGLE_MAPPING)
    assert len(workbook.tabs["Deelnemers"]) == 4 and not again.plan and again.problems == ()


def test_bad_answers_are_reported_on_the_form_tab_and_not_appended() -> None:
    form: list[list[Cell]] = [
        ["Tijdstempel", "E-mailadres", "Naam", "Startdatum"],
        [datetime(2026, 11, 20), "eve@", "Eve", "morgen"],
    ]
    workbook = book("Formulierreacties 1", form)
    report = intake(workbook)
    assert [(p.tab, p.row, p.column, p.code) for p in report.problems] == [
        ("Formulierreacties 1", 2, "E-mailadres", "email_invalid"),
        ("Formulierreacties 1", 2, "Startdatum", "date_unreadable"),
    ]
    assert len(workbook.tabs["Deelnemers"]) == 2


def test_a_form_without_an_email_question_says_how_to_map_it() -> None:
    workbook = book("Intake", [["Tijdstempel", "Jouw adres"], [datetime(2026, 11, 20), "x"]])
    report = intake(workbook)
    assert [p.code for p in report.problems] == ["intake_no_email"]


def test_someone_who_registers_tonight_gets_a_proposal_tonight() -> None:
    workbook = book("Formulierreacties 1", GOOGLE)
    report = run(workbook, nightly(), RunContext(TODAY, intake_columns=GOOGLE_MAPPING))
    proposals = records(workbook.tabs["Koppelingen"], "matches")
    assert [(r["mentee_email"], r["mentor_email"]) for r in proposals] == [
        ("bo@zorg.example.org", "anna@zorg.example.org")
    ]
    assert report.exit_code == 0


def test_blank_answers_change_nothing_and_a_second_response_is_compared_with_the_first() -> None:
    form: list[list[Cell]] = [
        ["Tijdstempel", "E-mailadres", "Naam", "Capaciteit", "Team"],
        [datetime(2026, 11, 20), "anna@zorg.example.org", "", "", ""],
        [datetime(2026, 11, 20), "nieuw@zorg.example.org", "Nieuw", "", "A"],
        [datetime(2026, 11, 21), "nieuw@zorg.example.org", "", "", "B"],
    ]
    workbook = book(
        "Formulierreacties 1", form, people=[["bram@zorg.example.org", "Bram", "mentor", "actief"]]
    )
    report = intake(workbook)
    assert [(p.row, p.column, p.code, dict(p.params)) for p in report.problems] == [
        (4, "Team", "intake_differs", {"value": "B", "first": "4", "current": "A"}),
        # the newcomer as the run leaves Participants (row 4): a mentee without a start date,
        # a note, so after the warning
        (4, "Startdatum", "start_date_none", {"value": "Nieuw"}),
    ]
    assert [r[0] for r in workbook.tabs["Deelnemers"][1:]] == [
        "anna@zorg.example.org",
        "bram@zorg.example.org",
        "nieuw@zorg.example.org",
    ]


def test_a_newcomer_is_numbered_on_the_row_the_append_lands_on() -> None:
    """A stray cell below the people (spaces, a dragged-down formula) moves the append down;
    the stages after intake name the newcomer on that row."""
    workbook = book(
        "Formulierreacties 1", [["E-mailadres", "Naam"], ["nieuw@zorg.example.org", "Nieuw"]]
    )
    workbook.tabs["Deelnemers"] += ((None,) * 8 + (" ",),)  # row 3: one cell of spaces
    report = run(workbook, nightly(), RunContext(TODAY))
    assert workbook.tabs["Deelnemers"][3][0] == "nieuw@zorg.example.org"  # sheet row 4
    notes = [p for p in report.problems if p.code == "start_date_none"]
    assert [(p.tab, p.row) for p in notes] == [("Deelnemers", 4)]


def test_a_response_of_someone_whose_row_has_a_problem_waits_for_that_row() -> None:
    """Their row is left out until fixed; the response gives them no second row (and so no
    proposal on it), and the row's own problem says what to fix."""
    workbook = book(
        "Formulierreacties 1",
        [["E-mailadres", "Naam"], ["joost@zorg.example.org", "Joost"]],
        people=[["joost@zorg.example.org", "Joost", "stagiair", "actief"]],
    )
    report = run(workbook, nightly(), RunContext(TODAY))
    assert [r[0] for r in workbook.tabs["Deelnemers"][1:]] == [
        "anna@zorg.example.org",
        "joost@zorg.example.org",
    ]
    assert "Koppelingen" not in workbook.tabs
    assert [(p.row, p.code) for p in report.problems if p.tab == "Deelnemers"] == [
        (3, "role_unknown")
    ]
