"""The Pairs tab (SPEC §2): one row per approved match, where it stands and what it needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from pipeline.core.cells import Cell, Row
from pipeline.core.pairs import pairs, pairs_rows
from pipeline.core.programme import Programme, read_programme
from pipeline.core.stage import Context
from pipeline.core.vocab import (
    MAIL_LOG_COLUMNS,
    MATCH_COLUMNS,
    PAIR_COLUMNS,
    PARTICIPANT_COLUMNS,
    SETTINGS_COLUMNS,
    TABS,
    Vocabulary,
)
from tests.conftest import email as addr

DAY0 = date(2026, 11, 24)
START = DAY0 + timedelta(days=20)  # Bo's first working day
Record = Mapping[str, Any]


def days(n: int, start: date = START) -> date:
    return start + timedelta(days=n)


def person(
    name: str, role: str, start: date | None = None, status: str = "active", capacity: int = 1
) -> Record:
    return {
        "capacity": capacity,
        "email": addr(name),
        "name": name.title(),
        "role": role,
        "status": status,
        "start_date": start,
    }


def match(match_id: str = "M-0001", mentee: str = "bo", status: str = "approved") -> Record:
    return {
        "match_id": match_id,
        "status": status,
        "mentee": mentee.title(),
        "mentor": "Anna",
        "mentee_email": addr(mentee),
        "mentor_email": addr("anna"),
        "proposed_on": DAY0,
    }


def mail(
    touchpoint: str, to: str, day: date, status: str = "sent", match_id: str = "M-0001"
) -> Record:
    return {
        "time": datetime(day.year, day.month, day.day, 22, 5),
        "to": addr(to),
        "touchpoint": touchpoint,
        "match_id": match_id,
        "status": status,
        "key": f"{match_id}/{touchpoint}/{addr(to)}",
    }


def introduced(on: date = DAY0, match_id: str = "M-0001", mentee: str = "bo") -> list[Record]:
    """The approval night's introduction and welcome, both sent."""
    return [
        mail("introduction", "anna", on, match_id=match_id),
        mail("welcome", mentee, on, match_id=match_id),
    ]


def tab(vocabulary: Vocabulary, lang: str, records: Sequence[Record]) -> list[list[Any]]:
    """A tab with a header in `lang`, its columns in the reverse of a new workbook's order:
    nothing may depend on where a column stands."""
    keys = list(reversed(vocabulary.terms))
    return [[vocabulary.word(k, lang) for k in keys], *([r.get(k) for k in keys] for r in records)]


def programme(
    people: Sequence[Record] | None = None,
    matches: Sequence[Record] = (match(),),
    log: Sequence[Record] = (),
    answers: Sequence[tuple[str, int]] = (),
    lang: str = "en",
    not_met: Sequence[str] = (),
) -> Programme:
    """A workbook written in `lang`: Bo (starts on START) with Anna as mentor by default.

    `answers`: (who, score on a 1-5 question) rows of the evaluation form; who answered
    "did you meet?" with no is in `not_met`.
    """
    people = (
        people if people is not None else [person("anna", "mentor"), person("bo", "mentee", START)]
    )
    tabs: dict[str, list[list[Any]]] = {
        TABS.word("participants", lang): tab(PARTICIPANT_COLUMNS, lang, people),
        TABS.word("matches", lang): tab(MATCH_COLUMNS, lang, matches),
        TABS.word("settings", lang): tab(SETTINGS_COLUMNS, lang, []),
        TABS.word("mail_log", lang): tab(MAIL_LOG_COLUMNS, lang, log),
    }
    if answers:
        tabs[TABS.word("evaluations", lang)] = [
            ["Timestamp", "Email", "How useful were the conversations? (1-5)", "Did you meet?"],
            *(
                [days(150), addr(who), score, "no" if who in not_met else "yes"]
                for who, score in answers
            ),
        ]
    return read_programme({k: tuple(tuple(r) for r in v) for k, v in tabs.items()})


def board(programme: Programme, today: date, lang: str | None = None) -> list[dict[str, Cell]]:
    """The Pairs rows as {column key: cell}, the header read back by its words."""
    header, *rows = pairs_rows(programme, today, lang)
    keys = [PAIR_COLUMNS.key_of(h) for h in header]
    assert None not in keys, header
    return [dict(zip((str(k) for k in keys), row, strict=True)) for row in rows]


def only(programme: Programme, today: date, lang: str | None = None) -> dict[str, Cell]:
    (row,) = board(programme, today, lang)
    return row


# Phase boundaries as SPEC §1 writes them (first week S+7, first month S+30, quarter S+91,
# programme length 180): the last day of one phase and the first day of the next.
PHASES = [
    (-1, "before the start"),
    (0, "first week"),
    (6, "first week"),
    (7, "first month"),
    (29, "first month"),
    (30, "first quarter"),
    (90, "first quarter"),
    (91, "closing"),
    (180, "closing"),
    (181, "finished"),
]


@pytest.mark.parametrize(("offset", "expected"), PHASES)
def test_the_phase_turns_on_the_day_of_each_check_in(offset: int, expected: str) -> None:
    assert expected == only(programme(log=introduced()), days(offset))["phase"]


def test_without_a_start_date_the_phases_count_from_the_approval() -> None:
    people = [person("anna", "mentor"), person("bo", "mentee")]
    found = programme(people, log=introduced(DAY0))
    assert only(found, days(6, DAY0))["phase"] == "first week"
    assert only(found, days(7, DAY0))["phase"] == "first month"
    assert None is only(found, days(7, DAY0))["start"]


def test_a_row_names_the_match_its_people_and_the_start_date() -> None:
    row = only(programme(log=introduced()), DAY0)
    assert (
        row["match_id"],
        row["mentee"],
        row["mentor"],
        row["start"],
    ) == ("M-0001", "Bo", "Anna", START)


def test_the_last_message_is_the_last_sent_and_the_next_the_next_due() -> None:
    found = programme(log=introduced())
    row = only(found, days(5, DAY0))
    assert (row["last_message"], row["last_sent"]) == ("introduction, welcome", DAY0)
    assert (row["next_message"], row["next_due"]) == ("first day", START)

    found = programme(log=[*introduced(), mail("first_day", "anna", START)])
    row = only(found, days(3))
    assert (row["last_message"], row["last_sent"]) == ("first day", START)
    assert ("first week", days(7)) == (row["next_message"], row["next_due"])


def test_before_the_first_night_the_introduction_is_next_tonight() -> None:
    row = only(programme(), DAY0)
    assert (row["last_message"], row["last_sent"]) == (None, None)
    assert (row["next_message"], row["next_due"]) == ("introduction", DAY0)


def test_skipped_messages_are_not_the_last_and_too_late_ones_not_the_next() -> None:
    """Approved 40 days after the start: the check-ins already too late are never sent."""
    people = [person("anna", "mentor"), person("bo", "mentee", DAY0 - timedelta(days=40))]
    log = [
        *introduced(),
        mail("first_week", "anna", DAY0, "skipped"),
        mail("first_week", "bo", DAY0, "skipped"),
    ]
    row = only(programme(people, log=log), days(1, DAY0))
    assert (row["last_message"], row["last_sent"]) == ("introduction, welcome", DAY0)
    # first_day (S), first_week (S+7), first_month (S+30) are more than 7 days late
    assert ("quarter", days(91, DAY0 - timedelta(days=40))) == (
        row["next_message"],
        row["next_due"],
    )


def test_who_answered_the_evaluation() -> None:
    log = introduced()
    assert None is only(programme(log=log), days(149))["evaluation"]
    assert only(programme(log=log), days(150))["evaluation"] == "not yet"
    assert only(programme(log=log, answers=[("bo", 4)]), days(155))["evaluation"] == "mentee only"
    assert only(programme(log=log, answers=[("anna", 5)]), days(155))["evaluation"] == "mentor only"
    both = programme(log=log, answers=[("anna", 5), ("bo", 4)])
    assert only(both, days(155))["evaluation"] == "mentor and mentee"
    assert None is only(both, days(155))["attention"]


def test_a_reminder_is_not_next_for_whoever_answered() -> None:
    log = [*introduced(), *(mail(t, p, days(150)) for t in ("wrap_up",) for p in ("anna", "bo"))]
    row = only(programme(log=log, answers=[("anna", 5)]), days(151))
    assert ("evaluation reminder", days(164)) == (row["next_message"], row["next_due"])
    row = only(programme(log=log, answers=[("anna", 5), ("bo", 5)]), days(151))
    assert (row["next_message"], row["next_due"]) == (None, None)


@pytest.mark.parametrize(
    ("people", "log", "answers", "expected"),
    [
        (
            [person("anna", "mentor", status="paused"), person("bo", "mentee", START)],
            introduced(),
            [],
            "mentor paused",
        ),
        (
            [person("anna", "mentor"), person("bo", "mentee", START, status="stopped")],
            introduced(),
            [],
            "mentee stopped",
        ),
        (
            None,
            [*introduced(), mail("first_week", "bo", days(7), "failed")],
            [],
            "mail failed (first week)",
        ),
        (
            None,
            [*introduced(), mail("first_day", "anna", START, "unknown")],
            [],
            "unsure whether a mail went out (first day)",
        ),
        (
            [person("anna", "mentor"), person("bo", "mentee")],
            introduced(),
            [],
            "no start date",
        ),
        (None, introduced(), [("bo", 2), ("anna", 3)], "low score (mentee)"),
    ],
    ids=["paused", "stopped", "failed", "unknown", "no start", "low score"],
)
def test_each_reason_for_attention(
    people: list[Record] | None,
    log: list[Record],
    answers: list[tuple[str, int]],
    expected: str,
) -> None:
    assert expected == only(programme(people, log=log, answers=answers), days(155))["attention"]


def test_an_answer_that_they_have_not_met_needs_attention() -> None:
    found = programme(log=introduced(), answers=[("anna", 4), ("bo", 4)], not_met=["anna"])
    assert only(found, days(155))["attention"] == "says they have not met (mentor)"


def test_a_finished_match_still_approved_asks_to_be_marked_completed() -> None:
    row = only(programme(log=introduced()), days(181))
    assert (row["phase"], row["attention"]) == ("finished", "finished: set Status to completed")
    assert (row["next_message"], row["next_due"]) == (None, None)


def test_a_failed_mail_sent_later_needs_no_attention() -> None:
    """An older Mail log keeps one row per state: the latest row of a key counts."""
    log = [
        *introduced(),
        mail("first_week", "bo", days(7), "failed"),
        mail("first_week", "bo", days(8)),
    ]
    row = only(programme(log=log), days(9))
    assert None is row["attention"]
    assert ("first week", days(8)) == (row["last_message"], row["last_sent"])


def test_several_reasons_share_the_cell() -> None:
    people = [person("anna", "mentor", status="stopped"), person("bo", "mentee")]
    log = [*introduced(), mail("first_week", "anna", days(7, DAY0), "failed")]
    row = only(programme(people, log=log), days(10, DAY0))
    assert row["attention"] == "mentor stopped; mail failed (first week); no start date"


def test_only_approved_matches_are_on_the_board_attention_first_then_by_start() -> None:
    people = [
        person("anna", "mentor", capacity=9),
        person("bo", "mentee", START),
        person("cas", "mentee", days(-10)),
        person("dee", "mentee", days(30)),
        person("eli", "mentee", days(5)),
        person("fay", "mentee", days(1)),
        person("gus", "mentee", days(2)),
    ]
    matches = [
        match("M-0001", "bo"),
        match("M-0002", "cas"),
        match("M-0003", "dee"),
        match("M-0004", "eli", "proposed"),
        match("M-0005", "fay", "ended"),
        match("M-0006", "gus", "completed"),
    ]
    log = [
        *introduced(match_id="M-0001"),
        *introduced(match_id="M-0002", mentee="cas"),
        *introduced(match_id="M-0003", mentee="dee"),
        mail("welcome", "dee", DAY0, "failed", match_id="M-0003"),
    ]
    rows = board(programme(people, matches, log), days(1, DAY0))
    assert [r["match_id"] for r in rows] == ["M-0003", "M-0002", "M-0001"]


HEADERS = {
    "en": (
        "Match ID, Mentee, Mentor, Start date, Phase, Last message, Sent on, Next message, "
        "Due on, Evaluation answered, Needs attention"
    ),
    "nl": (
        "Koppeling-ID, Mentee, Mentor, Startdatum, Fase, Laatste bericht, Verstuurd op, "
        "Volgend bericht, Gepland op, Evaluatie ingevuld, Aandacht nodig"
    ),
    "nb": (
        "Koblings-ID, Mentee, Mentor, Startdato, Fase, Siste melding, Sendt, Neste melding, "
        "Planlagt, Evaluering besvart, Trenger oppfølging"
    ),
}
WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "phase": "eerste maand",
        "last_message": "eerste week",
        "next_message": "eerste maand",
        "evaluation": "alleen mentee",
        "attention": "mentor gepauzeerd; mail mislukt (eerste week); lage score (mentee)",
        "finished": "afgelopen: zet Status op afgerond",
    },
    "nb": {
        "phase": "første måned",
        "last_message": "første uke",
        "next_message": "første måned",
        "evaluation": "bare mentee",
        "attention": "mentor har pause; e-post feilet (første uke); lav score (mentee)",
        "finished": "ferdig: sett Status til fullført",
    },
    "en": {
        "phase": "first month",
        "last_message": "first week",
        "next_message": "first month",
        "evaluation": "mentee only",
        "attention": "mentor paused; mail failed (first week); low score (mentee)",
        "finished": "finished: set Status to completed",
    },
}


@pytest.mark.parametrize("lang", ["en", "nl", "nb"])
def test_the_board_speaks_the_workbooks_language(lang: str) -> None:
    """A workbook made in Dutch or Norwegian gets its board in that language, with no words
    passed in: header, phase, touchpoints as the Mail log shows them, evaluation, reasons."""
    people = [person("anna", "mentor", status="paused"), person("bo", "mentee", START)]
    log = [
        *introduced(),
        mail("first_week", "anna", days(7)),
        mail("first_week", "bo", days(7), "failed"),
    ]
    found = programme(people, log=log, answers=[("bo", 1)], lang=lang)
    assert lang == found.language
    header = pairs_rows(found, days(10))[0]
    assert HEADERS[lang] == ", ".join(str(h) for h in header)
    row = only(found, days(10))
    words = WORDS[lang]
    assert {k: words[k] for k in ("phase", "last_message", "next_message")} == {
        k: row[k] for k in ("phase", "last_message", "next_message")
    }
    assert (words["evaluation"], words["attention"]) == (row["evaluation"], row["attention"])
    finished = only(programme(log=introduced(), lang=lang), days(200))["attention"]
    assert words["finished"] == finished


def test_a_language_can_be_asked_for() -> None:
    row = only(programme(log=introduced()), days(40), lang="nb")
    assert row["phase"] == "første kvartal"


def test_the_tab_is_replaced_whole_under_its_name_in_the_workbook_language() -> None:
    found = programme(log=introduced(), lang="nl")
    replace = pairs(found, Context(today=days(3)))
    assert replace.tab == "Duo's"
    assert pairs_rows(found, days(3)) == replace.rows
    first: Row = replace.rows[1]
    assert START in first  # dates stay dates: the adapter writes them as dates
