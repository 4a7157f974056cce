"""One parsing step per tab: rows in, typed models and Problems out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from pipeline.core.cells import (
    Cell,
    Formula,
    Row,
    email_key,
    is_blank,
    parse_amount,
    parse_count,
    parse_date,
    parse_email,
    parse_list,
    parse_number,
    parse_term,
    quote,
    text,
)
from pipeline.core.models import Exclusion, MailLogEntry, Match, Participant, Problem
from pipeline.core.schema import Table
from pipeline.core.vocab import (
    EMAIL_LANGUAGES,
    MAIL_STATUSES,
    MATCH_STATUSES,
    ROLES,
    SHIFTS,
    STATUSES,
    TOUCHPOINTS,
)
from pipeline.errors import CellError

V = TypeVar("V")


class RowReader:
    """Reads one row's cells, collecting a Problem for each bad one.

    A bad cell whose effect is "skipped" marks the whole row as unusable.
    """

    def __init__(self, table: Table, number: int, row: Row, lang: str) -> None:
        self.table, self.number, self.row, self.lang = table, number, row, lang
        self.problems: list[Problem] = []
        self.skipped = False

    def report(self, key: str, code: str, effect: str, **params: object) -> None:
        column = self.table.header(key, self.lang)
        self.problems.append(
            Problem.at(self.table.name, self.number, column, code, effect, **params)
        )
        self.skipped = self.skipped or effect == "skipped"

    def raw(self, key: str) -> Cell:
        return self.table.cell(self.row, key)

    def get(
        self,
        key: str,
        parse: Callable[[Cell], V],
        fallback: V,
        effect: str,
        missing: str | None = None,
        **params: object,
    ) -> V:
        """The parsed cell, or `fallback` for a blank or bad one.

        A bad cell is always a problem; a blank one only when `missing` names its code.
        """
        value = self.raw(key)
        if isinstance(value, Formula):
            self.report(key, "formula_no_value", effect, value=quote(value), **params)
            return fallback
        if is_blank(value):
            if missing:
                self.report(key, missing, effect, **params)
            return fallback
        try:
            return parse(value)
        except CellError as exc:
            self.report(key, exc.code, effect, value=quote(value), **exc.params, **params)
            return fallback


def _name(value: Cell) -> str:
    """A name or label as typed, without surrounding spaces (inner spaces are kept)."""
    return text(value)


def _role(value: Cell) -> str:
    return parse_term(value, ROLES, "role_unknown")


def _status(value: Cell) -> str:
    return parse_term(value, STATUSES, "status_unknown")


def _language(value: Cell) -> str:
    return parse_term(value, EMAIL_LANGUAGES, "language_unknown")


def parse_participants(table: Table, lang: str) -> tuple[list[Participant], list[Problem]]:
    """Participants by row; a row with a bad email, name, role, status or start date is left out."""
    people: list[Participant] = []
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for number, row in table.rows:
        r = RowReader(table, number, row, lang)
        email = r.get("email", parse_email, "", "skipped", missing="email_missing")
        if email and email_key(email) in first_row:
            r.report(
                "email",
                "email_duplicate",
                "skipped",
                value=quote(email),
                first=first_row[email_key(email)],
            )
        elif email:
            first_row[email_key(email)] = number
        name = r.get("name", _name, "", "skipped", missing="name_missing")
        role = r.get("role", _role, "", "skipped", missing="role_missing")
        status = r.get("status", _status, "active", "skipped")
        # A start date only matters for a mentee; a mentor's bad date costs them nothing.
        start = r.get("start_date", parse_date, None, "skipped" if role != "mentor" else "ignored")
        shifts: set[str] = set()
        for item in parse_list(r.raw("shifts")):
            shift = SHIFTS.key_of(item)
            if shift is None:
                r.report("shifts", "shift_unknown", "ignored", value=quote(item))
            else:
                shifts.add(shift)
        participant = Participant(
            row=number,
            email=email,
            name=name,
            role=role,
            status=status,
            start_date=start,
            team=_name(r.raw("team")),
            discipline=_name(r.raw("discipline")),
            location=_name(r.raw("location")),
            shifts=frozenset(shifts),
            manager_email=r.get("manager_email", parse_email, "", "ignored"),
            years_experience=r.get("years_experience", parse_amount, None, "ignored"),
            languages=parse_list(r.raw("languages")),
            goals=parse_list(r.raw("goals")),
            # Empty means the default of one mentee; a bad value means none until fixed.
            capacity=1
            if is_blank(r.raw("capacity"))
            else r.get("capacity", parse_count, 0, "default", default="0"),
            preferred_mentor=r.get("preferred_mentor", parse_email, "", "ignored"),
            email_language=r.get("email_language", _language, None, "ignored"),
        )
        problems.extend(r.problems)
        if not r.skipped:
            people.append(participant)
    return people, problems


def parse_exclusions(table: Table | None, lang: str) -> tuple[list[Exclusion], list[Problem]]:
    if table is None:
        return [], []
    exclusions: list[Exclusion] = []
    problems: list[Problem] = []
    for number, row in table.rows:
        r = RowReader(table, number, row, lang)
        if is_blank(r.raw("person_a")) or is_blank(r.raw("person_b")):
            blank = "person_a" if is_blank(r.raw("person_a")) else "person_b"
            r.report(blank, "exclusion_incomplete", "skipped")
        else:
            a = r.get("person_a", parse_email, "", "skipped")
            b = r.get("person_b", parse_email, "", "skipped")
            if not r.skipped and email_key(a) == email_key(b):
                r.report("person_b", "exclusion_self", "skipped")
            if not r.skipped:
                exclusions.append(Exclusion(number, a, b))
        problems.extend(r.problems)
    return exclusions, problems


def derived_match_id(mentee_email: str, mentor_email: str) -> str:
    """A stable ID for a match typed in by hand without one."""
    digest = hashlib.sha1(f"{email_key(mentee_email)}|{email_key(mentor_email)}".encode())
    return "M-" + digest.hexdigest()[:8].upper()


def _quiet(parse: Callable[[Cell], V], value: Cell) -> V | None:
    """Job-written cells (score, date proposed) are informative only: unreadable means absent."""
    try:
        return None if is_blank(value) else parse(value)
    except CellError:
        return None


def _match_status(value: Cell) -> str:
    return parse_term(value, MATCH_STATUSES, "match_status_unknown")


def parse_matches(table: Table | None, lang: str) -> tuple[list[Match], list[Match], list[Problem]]:
    """(usable matches, held matches, problems).

    A held match has a problem of its own; it sends no mail, but still keeps its pair
    from being proposed again and its mentee from getting a second mentor.
    """
    if table is None:
        return [], [], []
    usable: list[Match] = []
    held: list[Match] = []
    problems: list[Problem] = []
    for number, row in table.rows:
        r = RowReader(table, number, row, lang)
        mentee = r.get("mentee_email", parse_email, "", "skipped", missing="email_missing")
        mentor = r.get("mentor_email", parse_email, "", "skipped", missing="email_missing")
        status = r.get(
            "status", _match_status, "unknown", "skipped", missing="match_status_missing"
        )
        if mentee and mentor and email_key(mentee) == email_key(mentor):
            r.report("mentor_email", "match_self", "skipped")
        match_id = text(r.raw("match_id")) or (
            derived_match_id(mentee, mentor) if mentee and mentor else ""
        )
        score = _quiet(parse_number, r.raw("score"))
        proposed_on: date | None = _quiet(parse_date, r.raw("proposed_on"))
        problems.extend(r.problems)
        if not (mentee and mentor):
            continue  # nothing to hold on to: the row names no pair
        match = Match(number, match_id, mentee, mentor, status, score, proposed_on)
        (held if r.skipped else usable).append(match)
    return usable, held, problems


def parse_mail_log(table: Table | None, lang: str) -> tuple[list[MailLogEntry], list[Problem]]:
    """Every logged key; a status nobody can read counts as `unknown`, never as unsent."""
    if table is None:
        return [], []
    entries: list[MailLogEntry] = []
    problems: list[Problem] = []
    for number, row in table.rows:
        r = RowReader(table, number, row, lang)
        key = text(r.raw("key"))
        if not key:
            continue
        raw_status = r.raw("status")
        status = MAIL_STATUSES.key_of(text(raw_status))
        if status is None:
            r.report("status", "mail_status_unknown", "", value=quote(raw_status))
            status = "unknown"
        entries.append(
            MailLogEntry(
                row=number,
                key=key,
                match_id=text(r.raw("match_id")),
                touchpoint=TOUCHPOINTS.key_of(text(r.raw("touchpoint")))
                or text(r.raw("touchpoint")),
                to=text(r.raw("to")),
                status=status,
                subject=text(r.raw("subject")),
                time=text(r.raw("time")),
                detail=text(r.raw("detail")),
            )
        )
        problems.extend(r.problems)
    return entries, problems
