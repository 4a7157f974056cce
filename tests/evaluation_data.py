"""A programme with known evaluation answers, as real form-response tabs in three languages.

The answers are written down once here, as plain data; the tests recompute every Summary
figure from this data with plain Python and compare it with what mentorflow wrote.

Matches (S = start date; wrap-up is S + 150; today is 2026-11-24):
    M-0001 mentee m1, mentor ann   S 2026-05-04 (Q2)  completed   wrap-up 2026-10-01
    M-0002 mentee m2, mentor ben   S 2026-05-18 (Q2)  completed   wrap-up 2026-10-15
    M-0003 mentee m3, mentor ann   S 2026-06-01 (Q2)  completed   wrap-up 2026-10-29
    M-0004 mentee m4, mentor cas   S 2026-07-06 (Q3)  approved    wrap-up 2026-12-03 (not yet)
    M-0005 mentee m5, mentor ben   S 2026-02-02 (Q1)  completed   wrap-up 2026-07-02
    M-0006 mentee m6, mentor cas   proposed
ann mentors two pairs and answers twice, once for each (told apart by the answers' days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pipeline.core.layout import header
from pipeline.core.settings import SPECS
from pipeline.core.vocab import (
    COLUMNS,
    MAIL_STATUSES,
    MATCH_STATUSES,
    ROLES,
    STATUSES,
    TABS,
    TOUCHPOINTS,
)
from tests.conftest import DOMAIN

TODAY = date(2026, 11, 24)
OPEN_TEXTS = (
    "OPEN-ANSWER-1 my mentor made me feel at home",
    "OPEN-ANSWER-2 more time in the roster please",
    "OPEN-ANSWER-3 we never found a moment",
    "OPEN-ANSWER-4 the night shifts were hard",
)
NOT_A_SCORE = "SCALE-TEXT quite good actually"


def addr(name: str) -> str:
    return f"{name}@{DOMAIN}"


@dataclass(frozen=True)
class Pair:
    match_id: str
    mentee: str
    mentor: str
    start: date | None
    status: str


PAIRS = (
    Pair("M-0001", "m1", "ann", date(2026, 5, 4), "completed"),
    Pair("M-0002", "m2", "ben", date(2026, 5, 18), "completed"),
    Pair("M-0003", "m3", "ann", date(2026, 6, 1), "completed"),
    Pair("M-0004", "m4", "cas", date(2026, 7, 6), "approved"),
    Pair("M-0005", "m5", "ben", date(2026, 2, 2), "completed"),
    Pair("M-0006", "m6", "cas", date(2026, 12, 7), "proposed"),
)

# The questions, by language: scale 1-5 (said in the title), scale 1-5 (read from the
# answers), scale 1-10, did you meet, an open question, and the second title repeated.
QUESTIONS = {
    "en": (
        "How satisfied are you with the mentoring? (1-5)",
        "Did you feel welcome in the team?",
        "Would you recommend the programme? (1-10)",
        "Did you meet regularly?",
        "What could be better?",
        "Did you feel welcome in the team?",
    ),
    "nl": (
        "Hoe tevreden ben je over het mentorschap? (1-5)",
        "Voelde je je welkom in het team?",
        "Zou je het programma aanraden? (1 tot 10)",
        "Hebben jullie elkaar regelmatig gesproken?",
        "Wat kan er beter?",
        "Voelde je je welkom in het team?",
    ),
    "nb": (
        "Hvor fornøyd er du med mentorordningen? (1-5)",
        "Følte du deg velkommen i teamet?",
        "Vil du anbefale programmet? (1–10)",
        "Har dere møttes jevnlig?",
        "Hva kan bli bedre?",
        "Følte du deg velkommen i teamet?",
    ),
}
YES = {"en": "Yes", "nl": "Ja", "nb": "Ja"}
NO = {"en": "No", "nl": "Nee", "nb": "Nei"}
TOPS = (5, 5, 10, None, None, 5)  # per question; None: not a scale question


@dataclass(frozen=True)
class Answer:
    """One form response: who, when, and an answer per question (None: left blank)."""

    who: str  # a name (see addr) or a raw email cell
    when: datetime
    answers: tuple[Any, Any, Any, bool | None, str | None, Any]
    counted_for: str | None  # the match it must count for; None: not counted
    role: str | None = None


RESPONSES = (
    # m1 answers twice for one match: only the later answer counts
    Answer("m1", datetime(2026, 10, 2, 9, 0), (3, 3, 7, True, OPEN_TEXTS[0], 3), None),
    Answer(
        "ann", datetime(2026, 10, 3, 14, 5), (5, 4, 9, True, OPEN_TEXTS[1], 5), "M-0001", "mentor"
    ),
    Answer(
        "m2",
        datetime(2026, 10, 16, 8, 30),
        (2, None, 7, False, OPEN_TEXTS[2], 3),
        "M-0002",
        "mentee",
    ),
    Answer("ben", datetime(2026, 10, 20, 17, 45), (4, 4, 11, True, None, 4), "M-0002", "mentor"),
    Answer(
        "m3",
        datetime(2026, 10, 30, 11, 0),
        (5, 5, 10, True, OPEN_TEXTS[3], NOT_A_SCORE),
        "M-0003",
        "mentee",
    ),
    Answer("ann", datetime(2026, 10, 31, 10, 10), (3, 3, 6, None, None, 4), "M-0003", "mentor"),
    Answer("m5", datetime(2026, 7, 5, 12, 0), (4, 4, 8, True, None, 4), "M-0005", "mentee"),
    Answer("unknown.person", datetime(2026, 10, 5, 9, 0), (1, 1, 1, False, OPEN_TEXTS[2], 1), None),
    Answer("m4", datetime(2026, 11, 20, 19, 0), (3, 4, 9, True, None, 5), "M-0004", "mentee"),
    Answer("m1", datetime(2026, 10, 9, 16, 20), (4, 5, 8, True, None, 4), "M-0001", "mentee"),
    Answer("not-an-address", datetime(2026, 10, 6, 9, 0), (5, 5, 10, True, OPEN_TEXTS[1], 5), None),
    Answer("ben", datetime(2026, 7, 8, 9, 0), (0, 4, 8, True, None, 4), "M-0005", "mentor"),
)


def cohort_of(match_id: str) -> tuple[int, int]:
    start = next(p.start for p in PAIRS if p.match_id == match_id)
    assert start is not None
    return start.year, (start.month - 1) // 3 + 1


def _email_cell(who: str) -> str:
    return who if "@" in who or "-" in who else addr(who)


def form_tab(lang: str) -> list[list[Any]]:
    """The evaluation form's responses tab as its form tool lays it out."""
    questions = list(QUESTIONS[lang])
    rows: list[list[Any]] = []

    def answers(response: Answer) -> list[Any]:
        cells: list[Any] = []
        for index, value in enumerate(response.answers):
            if index == 3 and value is not None:
                value = YES[lang] if value else NO[lang]
            cells.append(value)
        return cells

    if lang == "en":  # Google Forms: Timestamp, Email address, the questions
        rows.append(["Timestamp", "Email address", *questions])
        for r in RESPONSES:
            rows.append([r.when, _email_cell(r.who), *answers(r)])
    elif lang == "nl":  # Microsoft Forms (Dutch): ID, times, email, name, the questions
        rows.append(["ID", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", *questions])
        for number, r in enumerate(RESPONSES, 1):
            rows.append([number, r.when, r.when, _email_cell(r.who), r.who.title(), *answers(r)])
    else:  # Google Forms (Norwegian), timestamps as text the way the sheet shows them
        rows.append(["Tidsmerke", "E-postadresse", *questions])
        for r in RESPONSES:
            rows.append([r.when.strftime("%d.%m.%Y %H:%M:%S"), _email_cell(r.who), *answers(r)])
    return rows


EVALUATION_TAB = {"en": "Evaluations", "nl": "Evaluaties", "nb": "Skjemasvar 2"}


def workbook(lang: str, minimum: int | None = None) -> dict[str, list[list[Any]]]:
    """The whole workbook in `lang`: tabs, headers and values in that language."""
    people: list[list[Any]] = [list(header("participants", lang))]

    def row(values: dict[str, Any], tab: str = "participants") -> list[Any]:
        """A row of `tab` laid out like its header, by column key."""
        return [values.get(k) for k in COLUMNS[tab].terms]

    for name in ("ann", "ben", "cas"):
        people.append(
            row(
                {
                    "email": addr(name),
                    "name": name.title() + " Mentor",
                    "role": ROLES.word("mentor", lang),
                    "capacity": 3,
                }
            )
        )
    for pair in PAIRS:
        finished = pair.status == "completed"
        people.append(
            row(
                {
                    "email": addr(pair.mentee),
                    "name": pair.mentee.upper() + " Mentee",
                    "role": ROLES.word("mentee", lang),
                    "status": STATUSES.word("stopped" if finished else "active", lang),
                    "start_date": pair.start,
                }
            )
        )
    # m7 waits for a mentor: every mentor is full until S + 180 days
    people.append(
        row(
            {
                "email": addr("m7"),
                "name": "M7 Mentee",
                "role": ROLES.word("mentee", lang),
                "start_date": date(2026, 12, 14),
            }
        )
    )
    matches: list[list[Any]] = [list(header("matches", lang))]
    for pair in PAIRS:
        matches.append(
            row(
                {
                    "match_id": pair.match_id,
                    "mentee_email": addr(pair.mentee),
                    "mentee": pair.mentee.upper() + " Mentee",
                    "mentor_email": addr(pair.mentor),
                    "mentor": pair.mentor.title() + " Mentor",
                    "status": MATCH_STATUSES.word(pair.status, lang),
                    "proposed_on": pair.start or TODAY,
                },
                "matches",
            )
        )
    mail_log: list[list[Any]] = [list(header("mail_log", lang))]
    for key, when, status in (
        ("M-0004/first_month/m4", datetime(2026, 8, 5, 2, 30), "sent"),
        ("M-0004/quarter/m4", datetime(2026, 10, 5, 2, 30), "sent"),
        ("M-0004/quarter/cas", datetime(2026, 11, 2, 2, 30), "sent"),
        ("M-0004/quarter/x", datetime(2026, 11, 3, 2, 30), "failed"),
        ("M-0004/first_week/cas", datetime(2026, 11, 10, 2, 30), "sent"),
    ):
        mail_log.append(
            row(
                {
                    "key": key,
                    "match_id": "M-0004",
                    "touchpoint": TOUCHPOINTS.word(key.split("/")[1], lang),
                    "to": addr(key.split("/")[2]),
                    "subject": "",
                    "status": MAIL_STATUSES.word(status, lang),
                    "time": when,
                    "detail": "",
                },
                "mail_log",
            )
        )
    settings: list[list[Any]] = [list(header("settings", lang)[:2])]
    if minimum is not None:
        settings.append([SPECS["minimum_group_size"].label.word(lang), minimum])
    return {
        TABS.word("participants", lang): people,
        TABS.word("matches", lang): matches,
        EVALUATION_TAB[lang]: form_tab(lang),
        TABS.word("mail_log", lang): mail_log,
        TABS.word("settings", lang): settings,
    }
