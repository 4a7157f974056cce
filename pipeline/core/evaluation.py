"""Evaluations (SPEC §5): the evaluation form's answers, linked to matches and checked.

The Evaluations tab is the form's responses tab (Google Forms, Microsoft Forms). Besides
the form's own columns (timestamp, ID, name, ...) it holds the respondent's email and one
column per question:

- a scale question has numeric answers from 1 to 5 or 1 to 10. The scale is read from
  the title ("(1-5)", "1 tot 10", "1–10") or else from the answers: 10 when at least a third
  of them are above 5. Other answers in such a column are reported and not counted;
- a "did you meet" question has yes/no answers; a "no" is flagged in the digest;
- every other column is an open question. Its answers are never read into anything that
  leaves this tab, and no Problems row quotes an answer.

Each response is linked to a match through the respondent's email: a match the person is
the mentor or mentee of, and that has started (approved, completed or ended). A response
that links to nothing is reported and not counted; of two responses by one person for one
match, the later counts.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from pipeline.core.cells import (
    Cell,
    add_days,
    column_letter,
    email_key,
    is_blank,
    parse_date,
    parse_email,
    quote,
    text,
)
from pipeline.core.life import life_of
from pipeline.core.models import Match, Problem
from pipeline.core.programme import Programme
from pipeline.core.schema import Table
from pipeline.core.scoring import fold
from pipeline.core.vocab import BOOLEANS, FORM_COLUMNS, PARTICIPANT_COLUMNS
from pipeline.errors import CellError

#: Statuses of a match whose people can be asked for an evaluation.
EVALUATED = ("approved", "completed", "ended")
#: A score at or below this share of the scale is low: 2 of 5, 4 of 10.
LOW_SHARE = 0.4

_SCORE = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_SCALE_IN_TITLE = re.compile(
    r"\b[01]\s*(?:-|–|—|to|tot(?: en met)?|t/m|til|through)\s*(5|10)\b", re.IGNORECASE
)
# "Did you meet?", "Hebben jullie elkaar ontmoet/gesproken?", "Har dere møttes?"
_MET_IN_TITLE = re.compile(
    r"\b(?:(?:did|have|has)\b.*\b(?:meet|met)|ontmoet|gesproken|afgesproken|møtt\w*|møtte"
    r"|truffet|snakket)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    """A scale question: its column on the tab, its title and the top of its scale."""

    column: int
    title: str  # the header; a repeated title gets " (2)", " (3)", ...
    top: int  # 5 or 10


@dataclass(frozen=True)
class Response:
    """One counted response: whose, for which match, and its scale and yes/no answers."""

    row: int
    person: str  # the respondent's email, folded
    match: Match
    role: str  # mentor | mentee: the respondent's side of the match
    cohort: tuple[int, int] | None  # (year, quarter) the match started in
    received: date | None
    scores: Mapping[int, int]  # question column -> answer, only answers within the scale
    met: bool | None  # the "did you meet" answer, when the form asks it

    def low(self, questions: Sequence[Question]) -> list[Question]:
        return [
            q
            for q in questions
            if q.column in self.scores and self.scores[q.column] <= LOW_SHARE * q.top
        ]


@dataclass(frozen=True)
class Evaluations:
    tab: str | None  # the Evaluations tab's name, None without one
    questions: tuple[Question, ...] = ()
    responses: tuple[Response, ...] = ()
    unlinked: int = 0  # responses with an address that belongs to no match
    respondents: frozenset[str] = frozenset()  # every readable address: no more reminders
    problems: tuple[Problem, ...] = ()
    anchors: Mapping[str, date] = field(default_factory=dict)  # match ID -> start (S)


def _score(value: Cell) -> float | None:
    """A number typed as a number or as plain digits ("4", "4,5"); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and _SCORE.fullmatch(value.strip()):
        return float(value.strip().replace(",", "."))
    return None


def _yes_no(value: Cell) -> bool | None:
    """Yes or no in words (a 1 or 0 is a score, not an answer to "did you meet")."""
    if isinstance(value, bool):
        return value
    if _score(value) is not None:
        return None
    key = BOOLEANS.key_of(text(value))
    return None if key is None else key == "yes"


def _cells(table: Table, column: int) -> list[tuple[int, Cell]]:
    return [
        (number, row[column])
        for number, row in table.rows
        if column < len(row) and not is_blank(row[column])
    ]


def _top(title: str, scores: Sequence[float]) -> int:
    said = _SCALE_IN_TITLE.search(title)
    if said:
        return int(said[1])
    above_five = sum(1 for s in scores if 5 < s <= 10)
    return 10 if scores and above_five * 3 >= len(scores) else 5


@dataclass
class _Layout:
    email: int | None = None
    timestamp: int | None = None
    met: int | None = None
    questions: list[Question] = field(default_factory=list)


def _layout(table: Table, problems: list[Problem]) -> _Layout:
    """Which column is which: the form's own, the email, the scale and yes/no questions."""
    layout = _Layout()
    titles: dict[str, tuple[int, int]] = {}  # folded title -> (times seen, first column)
    for column, header in enumerate(table.headers):
        answers = _cells(table, column)
        own = FORM_COLUMNS.key_of(header)
        if layout.email is None and (
            PARTICIPANT_COLUMNS.key_of(header) == "email" or own == "respondent"
        ):
            layout.email = column
            continue
        if own == "timestamp" and layout.timestamp is None:
            layout.timestamp = column
        if own is not None or not answers:
            continue
        title = header or f"({column_letter(column)})"
        seen, first = titles.get(fold(title), (0, column))
        titles[fold(title)] = (seen + 1, first)
        if seen:
            shown = f"{title} ({seen + 1})"
            problems.append(
                Problem.at(
                    table.name,
                    table.header_row,
                    header,
                    "evaluation_same_title",
                    "",
                    first=column_letter(first),
                    second=column_letter(column),
                    shown=shown,
                )
            )
            title = shown
        yes_no = [_yes_no(v) for _, v in answers]
        if (
            layout.met is None
            and _MET_IN_TITLE.search(header)
            and sum(a is not None for a in yes_no) * 2 >= len(answers)
        ):
            layout.met = column
            continue
        scores = [s for s in (_score(v) for _, v in answers) if s is not None]
        if scores and len(scores) * 2 >= len(answers):
            layout.questions.append(Question(column, title, _top(header, scores)))
    return layout


def _anchors(programme: Programme, today: date) -> dict[str, date]:
    """The day each match's journey counts from, where it is known (see `Life.anchor`)."""
    life = life_of(programme, today)
    return {m.match_id: life.anchor(m) for m in programme.matches if life.dated(m)}


def _link(
    answers: Sequence[tuple[int, date]],
    candidates: Sequence[Match],
    anchors: Mapping[str, date],
    wrap_up: int,
) -> dict[int, Match]:
    """Each of one person's answers (row, day) to the match it is most likely about.

    The day of an answer lies near its match's wrap-up. Answers and matches are paired so
    that the days lie nearest in all (a mentor of two pairs who answered twice answered
    once for each); answers beyond the number of matches go to the nearest match.
    """

    def distance(day: date, match: Match) -> int:
        start = anchors.get(match.match_id)
        return 100_000 if start is None else abs((day - add_days(start, wrap_up)).days)

    cost = [[distance(day, m) for m in candidates] for _, day in answers]
    if len(answers) > len(candidates):
        return {
            row: candidates[min(range(len(candidates)), key=cost[a].__getitem__)]
            for a, (row, _) in enumerate(answers)
        }
    pairing = _nearest(cost, len(candidates))
    return {answers[a][0]: candidates[m] for a, m in enumerate(pairing)}


PERMUTATIONS = 40_320  # 8!: beyond this many orders, scipy's assignment solver decides


def _nearest(cost: Sequence[Sequence[int]], columns: int) -> tuple[int, ...]:
    """The columns (one each, all different) for the rows with the least total cost; the
    first such in order on a tie. One person's answers and matches are a handful: every
    order is tried, without loading scipy (a second of start-up)."""
    rows = len(cost)
    if math.perm(columns, rows) <= PERMUTATIONS:
        return min(
            itertools.permutations(range(columns), rows),
            key=lambda order: sum(cost[r][c] for r, c in enumerate(order)),
        )
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    _, chosen = linear_sum_assignment(np.array(cost, dtype=float))
    return tuple(int(c) for c in chosen)


def read_evaluations(programme: Programme, today: date) -> Evaluations:
    """Every response linked, checked and ready for Summary; what is wrong as Problems."""
    table = programme.tables.get("evaluations")
    if table is None or table.header_row is None:
        return Evaluations(table.name if table is not None else None)
    problems: list[Problem] = []
    layout = _layout(table, problems)
    anchors = _anchors(programme, today)
    if layout.email is None:
        problems.append(Problem.at(table.name, table.header_row, "", "evaluation_no_email", ""))
        return Evaluations(
            table.name, tuple(layout.questions), unlinked=len(table.rows), problems=tuple(problems)
        )
    email_header = table.headers[layout.email]
    by_person: dict[str, list[Match]] = {}
    for match in programme.matches:
        if match.status in EVALUATED:
            for person in match.pair:
                by_person.setdefault(person, []).append(match)
    wrap_up = programme.settings.offsets["wrap_up"]
    respondents: set[str] = set()
    unlinked = 0
    people: dict[str, list[tuple[int, date]]] = {}  # person -> (row, day of the answer)
    for number, row in table.rows:
        try:
            person = email_key(parse_email(row[layout.email] if layout.email < len(row) else None))
        except CellError as exc:
            code = "evaluation_no_email_given" if exc.code == "email_missing" else "email_invalid"
            problems.append(
                Problem.at(
                    table.name, number, email_header, code, "skipped", value=quote(exc.value)
                )
            )
            unlinked += 1
            continue
        respondents.add(person)
        if person not in by_person:
            problems.append(
                Problem.at(
                    table.name, number, email_header, "evaluation_no_match", "skipped", value=person
                )
            )
            unlinked += 1
            continue
        received = _received(row, layout.timestamp)
        people.setdefault(person, []).append((number, received or today))
    linked: dict[int, tuple[str, Match]] = {}
    for person, answers in people.items():
        for number, match in _link(answers, by_person[person], anchors, wrap_up).items():
            linked[number] = (person, match)
    kept: dict[tuple[str, str], Response] = {}
    for number, row in table.rows:
        if number not in linked:
            continue
        person, match = linked[number]
        received = _received(row, layout.timestamp)
        scores: dict[int, int] = {}
        for question in layout.questions:
            value = row[question.column] if question.column < len(row) else None
            if is_blank(value):
                continue  # not answered: not counted
            score = _score(value)
            if score is None or not score.is_integer() or not 1 <= score <= question.top:
                problems.append(
                    Problem.at(
                        table.name,
                        number,
                        table.headers[question.column],
                        "evaluation_out_of_range"
                        if score is not None
                        else "evaluation_not_a_score",
                        "ignored",
                        top=question.top,
                    )
                )
                continue
            scores[question.column] = int(score)
        met = None
        if layout.met is not None and layout.met < len(row) and not is_blank(row[layout.met]):
            met = _yes_no(row[layout.met])
        start = anchors.get(match.match_id)
        response = Response(
            number,
            person,
            match,
            "mentee" if person == match.pair[0] else "mentor",
            (start.year, (start.month - 1) // 3 + 1) if start else None,
            received,
            scores,
            met,
        )
        key = (person, match.match_id)
        earlier = kept.get(key)
        if earlier is not None:
            later, older = sorted((earlier, response), key=_order, reverse=True)
            problems.append(
                Problem.at(
                    table.name, older.row, email_header, "evaluation_again", "", first=later.row
                )
            )
            response = later
        kept[key] = response
    return Evaluations(
        table.name,
        tuple(layout.questions),
        tuple(sorted(kept.values(), key=lambda r: r.row)),
        unlinked,
        frozenset(respondents),
        tuple(problems),
        anchors,
    )


def _order(response: Response) -> tuple[date, int]:
    return (response.received or date.min, response.row)


def _received(row: tuple[Cell, ...], column: int | None) -> date | None:
    if column is None or column >= len(row):
        return None
    try:
        return parse_date(row[column])
    except CellError:
        return None
