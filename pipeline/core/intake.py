"""The intake stage (SPEC §2): form responses become Participants rows, never overwrites.

A Google Forms or Microsoft Forms responses tab is read like Participants: its questions
map to Participants headers (config [intake.columns], or a question that is itself a
header, such as "E-mailadres" or Microsoft's "Email" and "Name"). A new email is appended
to Participants; for a known email, each answer that differs is reported on Problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from pipeline.core.cells import Cell, Row, email_key, is_blank, quote, text
from pipeline.core.changes import Append, Plan
from pipeline.core.models import Participant, Problem
from pipeline.core.parse import parse_participants
from pipeline.core.programme import Programme
from pipeline.core.schema import Table
from pipeline.core.scoring import fold
from pipeline.core.stage import Context, StageResult
from pipeline.core.vocab import PARTICIPANT_COLUMNS, ROLES

#: The Participants fields compared between a response and the coordinator's row.
COMPARED = (
    "name",
    "role",
    "start_date",
    "team",
    "discipline",
    "location",
    "shifts",
    "manager_email",
    "years_experience",
    "languages",
    "goals",
    "capacity",
    "preferred_mentor",
    "email_language",
)


def columns(table: Table, mapping: Mapping[str, str]) -> dict[str, int]:
    """Participants column key -> index in the form tab (config first, then the header)."""
    found: dict[str, int] = {}
    # config values may be column keys ("shifts") or headers in any language ("Diensten")
    configured = {fold(q): PARTICIPANT_COLUMNS.key_of(key) for q, key in mapping.items()}
    for index, question in enumerate(table.headers):
        key = configured.get(fold(question)) or PARTICIPANT_COLUMNS.key_of(question)
        if key is not None and key not in found:
            found[key] = index
    return found


def _comparable(person: Participant, field: str) -> object:
    value = getattr(person, field)
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, tuple | frozenset):
        return frozenset(fold(v) for v in value)
    return value


def _shown(value: object) -> str:
    if isinstance(value, tuple | frozenset):
        return "; ".join(sorted(str(v) for v in value))
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else text(value)  # type: ignore[arg-type]


def intake(programme: Programme, run: Context) -> StageResult:
    """Append new people from the form; report answers that differ for people already known."""
    form = programme.tables.get("intake")
    mapping = run.intake_columns
    people = programme.tables["participants"]
    if form is None or form.header_row is None or not form.rows:
        return StageResult(lines=("no form responses",))
    lang = programme.language
    mapped = columns(form, mapping)
    if "email" not in mapped:
        problem = Problem.at(form.name, form.header_row, "", "intake_no_email", "")
        return StageResult(problems=(problem,), lines=("no email question found",))
    known = {p.key: p for p in programme.participants}
    problems: list[Problem] = []
    appended: list[tuple[Cell, ...]] = []
    newcomers: list[Participant] = []
    last_row = people.last_row or people.header_row or 1  # an append lands below it
    # A row left out for a problem of its own still holds its person: their response waits
    # until that row is fixed, rather than giving them a second row.
    listed = {email_key(text(people.cell(row, "email"))) for _, row in people.rows} - set(known)
    for number, raw in form.rows:  # one at a time: a second response is an update, not a copy
        one = Table(
            "participants",
            form.name,
            form.header_row,
            form.headers,
            mapped,
            (_filled_in(number, raw, mapped, known),),
        )
        if "role" not in mapped:  # an intake form without a role question: new colleagues
            one = _with_role(one)
        parsed, found = parse_participants(one, lang)
        problems += found
        for answer in parsed:
            current = known.get(answer.key)
            if current is None and answer.key in listed:
                continue
            if current is None:
                values: dict[str, Cell] = {
                    key: raw[index] if index < len(raw) else None for key, index in mapped.items()
                }
                values.setdefault("role", ROLES.word("mentee", lang))
                appended.append(people.record(values))
                # a later response of this person compares with the row appended now
                known[answer.key] = replace(answer, row=last_row + len(appended))
                newcomers.append(known[answer.key])
                continue
            problems += _differences(form, mapped, raw, answer, current)
    plan = Plan((Append(people.name, tuple(appended)),)) if appended else Plan()
    lines = (
        f"{len(form.rows)} response(s): {len(appended)} new participant(s), "
        f"{sum(p.code == 'intake_differs' for p in problems)} difference(s) reported",
    )
    return StageResult(
        plan=plan, problems=tuple(problems), lines=lines, participants=tuple(newcomers)
    )


def _differences(
    form: Table, mapped: Mapping[str, int], raw: Row, answer: Participant, current: Participant
) -> list[Problem]:
    """A Problems row for each answered question that differs from the Participants row."""
    problems = []
    for field in COMPARED:
        index = mapped.get(field)
        if index is None or index >= len(raw) or is_blank(raw[index]):
            continue  # a question left blank changes nothing
        if _comparable(answer, field) != _comparable(current, field):
            problems.append(
                Problem.at(
                    form.name,
                    answer.row,
                    form.headers[index],
                    "intake_differs",
                    "",
                    value=quote(_shown(getattr(answer, field))),
                    first=current.row,
                    current=quote(_shown(getattr(current, field))),
                )
            )
    return problems


def _filled_in(
    number: int, row: Row, mapped: Mapping[str, int], known: Mapping[str, Participant]
) -> tuple[int, Row]:
    """A known person may leave their name blank: a form answers only what it asks."""
    email, name = mapped.get("email"), mapped.get("name")
    if email is None or name is None or email >= len(row):
        return number, row
    person = known.get(fold(text(row[email])))
    if person is None or (name < len(row) and text(row[name])):
        return number, row
    cells = list(row) + [None] * max(0, name + 1 - len(row))
    cells[name] = person.name
    return number, tuple(cells)


def _with_role(table: Table) -> Table:
    """Responses without a role question are read as mentees (their role cell is virtual)."""
    width = len(table.headers)
    rows = tuple((n, (*row, *([None] * (width - len(row))), "mentee")) for n, row in table.rows)
    return replace(
        table, columns={**table.columns, "role": width}, headers=(*table.headers, ""), rows=rows
    )
