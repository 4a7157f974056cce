"""The life of a match (SPEC §1): on a given day, which matches run, which are finished, which
mentees wait for a mentor and which mentors have a place left.

Pure: it reads the programme (matches, people, settings, the Mail log's memory of approvals)
and a day. Matching, the journey, the digest and the Problems tab all ask it the same
questions, so that they never disagree about a match.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from pipeline.core.cells import add_days, email_key
from pipeline.core.models import MailLogEntry, Match, Participant, Problem
from pipeline.core.programme import Programme
from pipeline.core.vocab import MATCH_STATUSES, STATUSES


def approval_dates(log: Iterable[MailLogEntry]) -> dict[str, date]:
    """The day each match was first seen approved, remembered by its introduction rows."""
    approved: dict[str, date] = {}
    for entry in log:
        day = entry.day
        if entry.touchpoint != "introduction" or day is None:
            continue
        if entry.match_id not in approved or day < approved[entry.match_id]:
            approved[entry.match_id] = day
    return approved


@dataclass(frozen=True)
class Life:
    programme: Programme
    today: date

    @cached_property
    def approved_on(self) -> Mapping[str, date]:
        return approval_dates(self.programme.mail_log)

    @property
    def length(self) -> int:
        return self.programme.settings.programme_length_days

    def approval(self, match: Match) -> date:
        """The match's approval day: remembered by the Mail log, else tonight."""
        return self.approved_on.get(match.match_id, self.today)

    @cached_property
    def _by_mentee(self) -> Mapping[str, tuple[Match, ...]]:
        """Mentee key -> every match of theirs that was ever approved (introduced), oldest
        approval first: the mentee's own history in the programme."""
        found: defaultdict[str, list[Match]] = defaultdict(list)
        for match in (*self.programme.matches, *self.programme.held_matches):
            if match.match_id in self.approved_on:
                found[email_key(match.mentee_email)].append(match)
        return {
            key: tuple(sorted(ms, key=lambda m: (self.approved_on[m.match_id], m.row)))
            for key, ms in found.items()
        }

    def earlier(self, match: Match) -> tuple[Match, ...]:
        """The mentee's matches approved before this one (a mentor who left, an ended match):
        the journey goes on from them, never again from the start."""
        approved = self.approval(match)
        return tuple(
            m
            for m in self._by_mentee.get(email_key(match.mentee_email), ())
            if m.match_id != match.match_id and self.approved_on[m.match_id] <= approved
        )

    def anchor(self, match: Match) -> date:
        """The day the journey counts from: the mentee's start date, else the day the mentee
        was first approved a mentor (a later mentor goes on on the mentee's own dates)."""
        mentee = self.programme.person(match.mentee_email)
        if mentee is not None and mentee.start_date is not None:
            return mentee.start_date
        return min(self.approval(m) for m in (*self.earlier(match), match))

    def wrap_up(self, match: Match) -> date:
        return add_days(self.anchor(match), self.programme.settings.offsets["wrap_up"])

    def end(self, match: Match) -> date:
        """The last day of the match's programme: S (or the approval) + Programme length."""
        return add_days(self.anchor(match), self.length)

    def finished(self, match: Match) -> bool:
        """Approved and past its programme length: counts as completed for every decision."""
        return match.status == "approved" and self.today > self.end(match)

    def running(self, match: Match) -> bool:
        return match.status == "approved" and not self.finished(match)

    @cached_property
    def running_matches(self) -> tuple[Match, ...]:
        return tuple(m for m in self.programme.matches if self.running(m))

    def mentor_left(self, match: Match) -> Participant | None:
        """The mentor of a running match who is paused or stopped (None if they are active)."""
        mentor = self.programme.person(match.mentor_email)
        if mentor is None or mentor.is_active or not self.running(match):
            return None
        return mentor

    def _holds_place(self, match: Match, held: bool) -> bool:
        """A proposed, approved or unreadable match takes one of its mentor's places until
        the mentee's start date (or, before an approval, the day it was proposed) + length."""
        if match.status == "approved" and not held:
            return self.running(match)
        if match.status not in ("proposed", "approved", "unknown"):
            return False
        mentee = self.programme.person(match.mentee_email)
        start = mentee.start_date if mentee and mentee.start_date else match.proposed_on
        return start is None or self.today <= add_days(start, self.length)

    @cached_property
    def places(self) -> Mapping[str, tuple[Match, ...]]:
        """Mentor key -> the matches that take one of their places today."""
        taken: defaultdict[str, list[Match]] = defaultdict(list)
        for held, matches in ((False, self.programme.matches), (True, self.programme.held_matches)):
            for match in matches:
                if self._holds_place(match, held):
                    taken[email_key(match.mentor_email)].append(match)
        return {key: tuple(matches) for key, matches in taken.items()}

    def load(self) -> Counter[str]:
        return Counter({key: len(matches) for key, matches in self.places.items()})

    def new_in_programme(self, person: Participant) -> bool:
        """A new colleague in their own first programme length: not yet a mentor (SPEC §1)."""
        start = person.start_date
        return start is not None and self.today < add_days(start, self.length)

    @cached_property
    def done(self) -> frozenset[str]:
        """Mentees (keys) whose mentoring is over: completed, finished, or ended after their
        wrap-up. They are never proposed a mentor again."""
        over = set()
        for match in (*self.programme.matches, *self.programme.held_matches):
            ended_late = match.status == "ended" and self.dated(match)
            ended_late = ended_late and self.today >= self.wrap_up(match)
            if match.status == "completed" or self.finished(match) or ended_late:
                over.add(email_key(match.mentee_email))
        return frozenset(over)

    def dated(self, match: Match) -> bool:
        """Whether the match has days to count from: a start date, or a known approval (its
        own or an earlier match's of the mentee)."""
        mentee = self.programme.person(match.mentee_email)
        known = mentee is not None and mentee.start_date is not None
        return known or match.match_id in self.approved_on or bool(self.earlier(match))

    @cached_property
    def taken(self) -> frozenset[str]:
        """Mentees (keys) who have a mentor or a proposal: proposed, running (unless waiting
        for a replacement), or a row nobody can read (held until it is fixed)."""
        held = set()
        for match in self.programme.held_matches:
            if match.status in ("proposed", "approved", "unknown"):
                held.add(email_key(match.mentee_email))
        for match in self.programme.matches:
            mentee = email_key(match.mentee_email)
            if match.status == "proposed" or (
                self.running(match) and self.replacing.get(mentee) != match
            ):
                held.add(mentee)
        return frozenset(held)

    @cached_property
    def replacing(self) -> Mapping[str, Match]:
        """Mentee key -> their running match whose mentor left: they wait for a replacement
        (only before their wrap-up: a closing conversation is not a new start)."""
        return {
            email_key(m.mentee_email): m
            for m in self.running_matches
            if self.mentor_left(m) is not None and self.today < self.wrap_up(m)
        }

    def waiting(self, person: Participant) -> bool:
        """Whether an active mentee waits for a (new) mentor, the match horizon aside (SPEC §3).

        Not once their own wrap-up has come: a match approved then would send nothing.
        """
        start = person.start_date
        offset = self.programme.settings.offsets["wrap_up"]
        return (
            person.is_active
            and person.is_mentee
            and person.key not in self.taken
            and person.key not in self.done
            and (start is None or self.today < add_days(start, offset))
        )

    def to_mark(self) -> list[tuple[Match, str, date]]:
        """(match, the status to set, since when) for rows whose Status no longer says what
        the job does with them: finished matches (completed), ended by a replacement (ended).
        """
        marks = [
            (m, "completed", add_days(self.end(m), 1))
            for m in self.programme.matches
            if self.finished(m)
        ]
        for new_id, old in self.programme.replaces.items():
            if new_id in self.approved_on:  # listed once the replacement has started
                marks.append((old, "ended", self.approved_on[new_id]))
        return marks

    def too_late_to_open(self, match: Match) -> bool:
        """Approved after the mentee's wrap-up: nothing opens, and no check-in goes."""
        return self.approval(match) > self.wrap_up(match)

    def problems(self) -> list[Problem]:
        """What the life of the matches asks of the coordinator today (SPEC §1)."""
        return [
            *self._undated(),
            *self._mentors_left(),
            *self._over_capacity(),
            *self._approved_too_late(),
        ]

    def _approved_too_late(self) -> list[Problem]:
        table = self.programme.tables.get("matches")
        if table is None:
            return []
        column = table.header("status", self.programme.language)
        found = []
        for match in self.running_matches:
            mentee = self.programme.person(match.mentee_email)
            if mentee is not None and self.too_late_to_open(match):
                found.append(
                    Problem.at(
                        table.name,
                        match.row,
                        column,
                        "approved_after_wrap_up",
                        "",
                        id=match.match_id,
                        mentee=mentee.name,
                    )
                )
        return found

    def _undated(self) -> list[Problem]:
        """A note per mentee without a start date: a mentee, or a `both` with a mentor (one
        who only mentors needs no start date)."""
        table = self.programme.tables["participants"]
        lang = self.programme.language
        column = table.header("start_date", lang)
        mentored = {
            email_key(m.mentee_email)
            for m in self.programme.matches
            if m.status == "proposed" or self.running(m)
        }
        return [
            Problem.at(table.name, p.row, column, "start_date_none", "note", value=p.name)
            for p in self.programme.participants
            if (p.role == "mentee" or p.key in mentored)
            and p.is_active
            and p.start_date is None
            and p.key not in self.done
        ]

    def _mentors_left(self) -> list[Problem]:
        table = self.programme.tables.get("matches")
        if table is None:
            return []
        lang = self.programme.language
        proposed = {
            email_key(m.mentee_email): m for m in self.programme.matches if m.status == "proposed"
        }
        found = []
        for match in self.running_matches:
            mentor = self.mentor_left(match)
            mentee = self.programme.person(match.mentee_email)
            if mentor is None or mentee is None or not mentee.is_active:
                continue
            params: dict[str, object] = {
                "value": mentor.name,
                "status": STATUSES.word(mentor.status, lang),
                "mentee": mentee.name,
            }
            replacement = proposed.get(mentee.key)
            if replacement is not None:
                code = "mentor_left_proposed"
                params |= {"id": replacement.match_id, "proposal_row": replacement.row}
                params["approved"] = MATCH_STATUSES.word("approved", lang)
            elif mentee.key in self.replacing:
                code = "mentor_left_waiting"
            else:
                code = "mentor_left_closing"
            params["ended"] = MATCH_STATUSES.word("ended", lang)
            column = table.header("mentor_email", lang)
            found.append(Problem.at(table.name, match.row, column, code, "", **params))
        return found

    def _over_capacity(self) -> list[Problem]:
        table = self.programme.tables["participants"]
        lang = self.programme.language
        column = table.header("capacity", lang)
        found = []
        for key, matches in sorted(self.places.items()):
            mentor = self.programme.people.get(key)
            if mentor is None or not mentor.is_active or len(matches) <= mentor.capacity:
                continue
            found.append(
                Problem.at(
                    table.name,
                    mentor.row,
                    column,
                    "over_capacity",
                    "",
                    value=mentor.name,
                    count=len(matches),
                    capacity=mentor.capacity,
                    ids=", ".join(m.match_id for m in sorted(matches, key=lambda m: m.row)),
                )
            )
        return found


def life_of(programme: Programme, today: date) -> Life:
    """The life of `programme`'s matches on `today`, worked out once: every stage of the night
    that asks about the same programme gets the same answers."""
    if today not in programme.lives:
        programme.lives[today] = Life(programme, today)
    return programme.lives[today]
