"""Cell parsing: dates in every form coordinators type, numbers, lists, addresses."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.cells import (
    Cell,
    Formula,
    parse_date,
    parse_email,
    parse_list,
    parse_number,
    parse_whole_number,
    quote,
    text,
)
from pipeline.errors import CellError

DAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    "cell",
    [
        DAY,
        datetime(2026, 11, 24, 0, 0),
        datetime(2026, 11, 24, 14, 3, 12),
        46350,  # Excel serial number
        46350.0,
        46350.5,
        "46350",
        "2026-11-24",
        "2026-11-24 08:00:00",
        "2026-11-24T08:00:00",
        "24-11-2026",
        "24/11/2026",
        "24.11.2026",
        " 24-11-2026 ",
        "24-11-26",
        "24/11/2026 14:03:00",
        "11/24/2026",  # month first, only possible reading
        "2026/11/24",
        "24 november 2026",
        "24 nov 2026",
        "24. november 2026",
        "24 nov. 2026",
    ],
)
def test_dates_read_in_every_form(cell: Cell) -> None:
    assert parse_date(cell) == DAY


def test_day_first_when_both_readings_are_possible() -> None:
    """03-04-2026 is 3 April in the Netherlands and Norway."""
    assert parse_date("03-04-2026") == date(2026, 4, 3)


@pytest.mark.parametrize(
    "cell",
    [
        "31-02-2027",
        "morgen",
        "2026-13-01",
        "24-11",
        "",
        None,
        True,
        10,
        9_999_999,
        float("nan"),
        Formula("=TODAY()"),
    ],
)
def test_unreadable_dates_say_so(cell: Cell) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(cell)
    assert caught.value.code == "date_unreadable"


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_every_written_form_reads_back_as_the_same_date(day: date) -> None:
    forms: list[Cell] = [
        day.isoformat(),
        day.strftime("%d-%m-%Y"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%d.%m.%Y"),
        (day - date(1899, 12, 30)).days,
    ]
    assert [parse_date(f) for f in forms] == [day] * len(forms)


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        (3, 3.0),
        (2.5, 2.5),
        ("3", 3.0),
        ("3,5", 3.5),
        ("2.5", 2.5),
        ("4 jaar", 4.0),
        ("10 years", 10.0),
        (" 7 ", 7.0),
        ("-1", -1.0),
    ],
)
def test_numbers_read_with_comma_or_point(cell: Cell, number: float) -> None:
    assert parse_number(cell) == number


@pytest.mark.parametrize("cell", ["drie", "3-4", True, DAY, "", float("inf")])
def test_unreadable_numbers_say_so(cell: Cell) -> None:
    with pytest.raises(CellError) as caught:
        parse_number(cell)
    assert caught.value.code == "number_unreadable"


def test_whole_numbers_refuse_fractions() -> None:
    assert parse_whole_number("2") == 2
    with pytest.raises(CellError) as caught:
        parse_whole_number("1,5")
    assert caught.value.code == "whole_number_needed"


def test_lists_split_on_semicolons_commas_and_new_lines() -> None:
    assert parse_list("wondzorg; medicatie,\ndementie\r\n;; Wondzorg") == (
        "wondzorg",
        "medicatie",
        "dementie",
    )
    assert parse_list(None) == ()
    assert parse_list("  ") == ()


@pytest.mark.parametrize(
    "cell", ["a.b@zorg.example.org", " A.B@Zorg.Example.org ", "mailto:a.b@zorg.example.org"]
)
def test_valid_addresses_are_kept_as_typed(cell: str) -> None:
    assert parse_email(cell).lower() == "a.b@zorg.example.org"


@pytest.mark.parametrize("cell", ["jo@", "jo", "jo@example", "jo @zorg.nl", "jo@zorg..nl", 42])
def test_invalid_addresses_say_so(cell: Cell) -> None:
    with pytest.raises(CellError) as caught:
        parse_email(cell)
    assert caught.value.code == "email_invalid"


def test_text_shows_cells_as_a_person_sees_them() -> None:
    assert [text(612345678.0), text(2.5), text(DAY), text(None), text(" x ")] == [
        "612345678",
        "2.5",
        "2026-11-24",
        "",
        "x",
    ]


def test_quotes_are_short_and_on_one_line() -> None:
    assert quote("a\nb") == "a b"
    assert len(quote("x" * 10_000)) == 60
