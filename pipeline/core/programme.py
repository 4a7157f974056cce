"""The whole programme read from one workbook snapshot, checked across tabs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from pipeline.core.cells import email_key
from pipeline.core.models import Exclusion, MailLogEntry, Match, Participant, Problem
from pipeline.core.parse import parse_exclusions, parse_mail_log, parse_matches, parse_participants
from pipeline.core.problems import ordered
from pipeline.core.schema import Snapshot, Table, detect_language, read_tables
from pipeline.core.settings import Settings, parse_settings
from pipeline.core.vocab import DEFAULT_LANGUAGE, ROLES

if TYPE_CHECKING:
    from pipeline.core.life import Life


@dataclass(frozen=True)
class Programme:
    language: str  # the workbook's language: Problems and new tabs are written in it
    tables: Mapping[str, Table]
    settings: Settings
    participants: tuple[Participant, ...]
    exclusions: tuple[Exclusion, ...]
    matches: tuple[Match, ...]
    held_matches: tuple[Match, ...]  # rows with a problem: no mail, but they block re-proposal
    mail_log: tuple[MailLogEntry, ...]
    problems: tuple[Problem, ...]
    # An approved replacement (new match ID) -> the match it ended, whose mentor left. The
    # ended match is in `matches` with status "ended" (SPEC §1, "A mentor who leaves").
    replaces: Mapping[str, Match] = field(default_factory=dict)
    parsed: Parsed | None = None  # the models before the checks across tabs
    # The life of the matches per day, worked out once (pipeline.core.life.life_of)
    lives: dict[date, Life] = field(default_factory=dict, compare=False, repr=False)

    def adding(
        self,
        participants: Sequence[Participant] = (),
        matches: Sequence[Match] = (),
        mail_log: Sequence[MailLogEntry] = (),
    ) -> Programme:
        """The programme with rows a stage of tonight adds, checked across tabs again; no
        cell is parsed twice. A Mail log entry replaces the entry of its row."""
        if self.parsed is None or not (participants or matches or mail_log):
            return self
        parsed = self.parsed
        rows = {e.row for e in mail_log}
        return assemble(
            dataclasses.replace(
                parsed,
                participants=(*parsed.participants, *participants),
                matches=(*parsed.matches, *matches),
                mail_log=(*(e for e in parsed.mail_log if e.row not in rows), *mail_log),
            )
        )

    @cached_property
    def people(self) -> Mapping[str, Participant]:
        return {p.key: p for p in self.participants}

    def person(self, email: str) -> Participant | None:
        return self.people.get(email_key(email))

    @property
    def email_language(self) -> str:
        """The language for people who did not choose one."""
        return self.settings.language or self.language


def _check_preferences(
    people: list[Participant], table: Table, lang: str
) -> tuple[list[Participant], list[Problem]]:
    by_key = {p.key: p for p in people}
    problems: list[Problem] = []
    checked: list[Participant] = []
    column = table.header("preferred_mentor", lang)
    for person in people:
        wanted = person.preferred_mentor
        if wanted:
            mentor = by_key.get(email_key(wanted))
            if mentor is None:
                problems.append(
                    Problem.at(
                        table.name, person.row, column, "preferred_unknown", "ignored", value=wanted
                    )
                )
            elif not mentor.is_mentor:
                problems.append(
                    Problem.at(
                        table.name,
                        person.row,
                        column,
                        "preferred_not_mentor",
                        "ignored",
                        value=wanted,
                        role=ROLES.word(mentor.role, lang),
                    )
                )
            if mentor is None or not mentor.is_mentor:
                person = dataclasses.replace(person, preferred_mentor="")
        checked.append(person)
    return checked, problems


def _check_exclusions(
    exclusions: list[Exclusion], known: set[str], table: Table | None, lang: str
) -> list[Problem]:
    if table is None:
        return []
    problems = []
    for exclusion in exclusions:
        for key, email in (("person_a", exclusion.person_a), ("person_b", exclusion.person_b)):
            if email_key(email) not in known:
                problems.append(
                    Problem.at(
                        table.name,
                        exclusion.row,
                        table.header(key, lang),
                        "exclusion_unknown",
                        "",
                        value=email,
                    )
                )
    return problems


def _takes_over(match: Match, holder: Match, left: set[str], introduced: set[str]) -> bool:
    """Whether `match` may stand beside `holder`, the mentee's open match before it.

    A mentee whose mentor left (paused or stopped) waits for a replacement while the match
    is still approved; once approved, the replacement ends that match for good, also when
    the mentor comes back later (its introduction shows it has been running).
    """
    if holder.status != "approved":
        return False
    mentor = email_key(holder.mentor_email)
    return mentor in left or (match.status == "approved" and match.match_id in introduced)


def _check_matches(
    usable: list[Match],
    held: list[Match],
    people: Mapping[str, Participant],
    introduced: set[str],
    table: Table | None,
    lang: str,
) -> tuple[list[Match], list[Match], dict[str, Match], list[Problem]]:
    """Unknown people, duplicate IDs and a second open match move a match to `held`.

    Returns (usable, held, replaces, problems): `replaces` maps an approved replacement's ID
    to the match it ended, which is among the usable matches with status "ended".
    """
    if table is None:
        return usable, held, {}, []
    held = list(held)  # the caller's list stays as it was
    left = {key for key, p in people.items() if not p.is_active}  # paused or stopped
    problems: list[Problem] = []
    kept: list[Match] = []
    replaces: dict[str, Match] = {}
    id_row: dict[str, int] = {m.match_id: m.row for m in held if m.match_id}
    holders: dict[str, Match] = {email_key(m.mentee_email): m for m in held if m.is_open}
    # Approved matches claim their mentee before proposals do, then the sheet's order.
    for match in sorted(usable, key=lambda m: (m.status != "approved", m.row)):
        found: list[tuple[str, str, str, dict[str, object]]] = []  # key, code, effect, params
        for key, email in (
            ("mentee_email", match.mentee_email),
            ("mentor_email", match.mentor_email),
        ):
            if email_key(email) not in people:
                # an open match cannot go on without the person; a closed one only informs
                effect = "skipped" if match.is_open else ""
                found.append((key, "match_person_unknown", effect, {"value": email}))
        if match.match_id in id_row:
            found.append(
                (
                    "match_id",
                    "match_id_duplicate",
                    "skipped",
                    {"value": match.match_id, "first": id_row[match.match_id]},
                )
            )
        else:
            id_row[match.match_id] = match.row
        mentee = email_key(match.mentee_email)
        holder = holders.get(mentee)
        if match.is_open and holder is not None:
            if not _takes_over(match, holder, left, introduced):
                found.append(
                    (
                        "mentee_email",
                        "match_two_open",
                        "skipped",
                        {"value": match.mentee_email, "first": holder.row},
                    )
                )
            elif match.status == "approved":
                replaces[match.match_id] = holder
                holders[mentee] = match
        elif match.is_open:
            holders[mentee] = match
        problems.extend(
            Problem.at(table.name, match.row, table.header(key, lang), code, effect, **params)
            for key, code, effect, params in found
        )
        held_back = any(effect == "skipped" for _, _, effect, _ in found)
        (held if held_back else kept).append(match)
    # A match a replacement took over counts as ended for every decision
    replaces = {new: dataclasses.replace(old, status="ended") for new, old in replaces.items()}
    ended = {old.row: old for old in replaces.values()}
    kept = [ended.get(m.row, m) for m in sorted(kept, key=lambda m: m.row)]
    held.sort(key=lambda m: m.row)
    return kept, held, replaces, problems


@dataclass(frozen=True)
class Parsed:
    """The models read from the cells, before the checks across tabs: parsed once a night."""

    language: str
    tables: Mapping[str, Table]
    settings: Settings
    participants: tuple[Participant, ...]
    exclusions: tuple[Exclusion, ...]
    matches: tuple[Match, ...]  # usable on their own row
    held_matches: tuple[Match, ...]  # a cell of their own row keeps them out
    mail_log: tuple[MailLogEntry, ...]
    problems: tuple[Problem, ...]  # found while reading the cells
    tab_order: tuple[str, ...]


def parse_programme(snapshot: Snapshot, tab_names: Mapping[str, str] | None = None) -> Parsed:
    """Turn every tab's cells into models. Raises WorkbookLayoutError only for a missing tab
    or header."""
    tables, problems = read_tables(snapshot, tab_names or {})
    detected = detect_language(snapshot, tables)
    settings, found = parse_settings(tables.get("settings"), detected or DEFAULT_LANGUAGE)
    lang = detected or settings.language or DEFAULT_LANGUAGE
    problems.extend(found)
    people, found = parse_participants(tables["participants"], lang)
    problems.extend(found)
    exclusions, found = parse_exclusions(tables.get("exclusions"), lang)
    problems.extend(found)
    mail_log, found = parse_mail_log(tables.get("mail_log"), lang)
    problems.extend(found)
    usable, held, found = parse_matches(tables.get("matches"), lang)
    problems.extend(found)
    return Parsed(
        lang,
        tables,
        settings,
        tuple(people),
        tuple(exclusions),
        tuple(usable),
        tuple(held),
        tuple(mail_log),
        tuple(problems),
        tuple(snapshot),
    )


def assemble(parsed: Parsed) -> Programme:
    """Check the models across tabs: preferred mentors, exclusions, who a match names, a
    second open match, a replacement for a mentor who left."""
    lang, tables = parsed.language, parsed.tables
    problems = list(parsed.problems)
    people_table = tables["participants"]
    people, found = _check_preferences(list(parsed.participants), people_table, lang)
    problems.extend(found)
    by_key = {p.key: p for p in people}
    exclusions = list(parsed.exclusions)
    problems.extend(_check_exclusions(exclusions, set(by_key), tables.get("exclusions"), lang))
    introduced = {e.match_id for e in parsed.mail_log if e.touchpoint == "introduction"}
    usable, held, replaces, found = _check_matches(
        list(parsed.matches),
        list(parsed.held_matches),
        by_key,
        introduced,
        tables.get("matches"),
        lang,
    )
    problems.extend(found)
    return Programme(
        language=lang,
        tables=tables,
        settings=parsed.settings,
        participants=tuple(people),
        exclusions=tuple(exclusions),
        matches=tuple(usable),
        held_matches=tuple(held),
        mail_log=parsed.mail_log,
        problems=tuple(ordered(problems, list(parsed.tab_order))),
        replaces=replaces,
        parsed=parsed,
    )


def read_programme(snapshot: Snapshot, tab_names: Mapping[str, str] | None = None) -> Programme:
    """Parse and check every tab. Raises WorkbookLayoutError only for a missing tab or header."""
    return assemble(parse_programme(snapshot, tab_names))
