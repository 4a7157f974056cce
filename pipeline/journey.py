"""The journey (SPEC §1): which message is due for whom on a given day, and which is skipped.

Pure: it reads the programme (matches, people, settings, Mail log) and a day, and returns
the messages to send or record as skipped. Sending and logging are the mail stage's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pipeline.cells import add_days, email_key
from pipeline.models import MailLogEntry, Match, Participant
from pipeline.programme import Programme
from pipeline.settings import Settings

#: Who gets each touchpoint (SPEC §1); the digest goes to the coordinator, not along a match.
RECIPIENTS: dict[str, tuple[str, ...]] = {
    "introduction": ("mentor",),
    "welcome": ("mentee",),
    "first_day": ("mentor",),
    "first_week": ("mentor", "mentee"),
    "first_month": ("mentor", "mentee"),
    "quarter": ("mentor", "mentee"),
    "wrap_up": ("mentor", "mentee"),
    "evaluation_reminder": ("mentor", "mentee"),
}
#: introduction and welcome always go once when the match is approved before S + this.
ALWAYS_BEFORE_DAYS = 14


@dataclass(frozen=True)
class Message:
    """One message of one match's journey, to one person."""

    key: str  # match ID / touchpoint / recipient: the at-most-once key of the Mail log
    match: Match
    touchpoint: str
    role: str  # mentor | mentee: the recipient's side of the match
    to: Participant
    mentor: Participant
    mentee: Participant
    due: date
    skip: bool  # more than grace days late when it became possible: logged, never sent


@dataclass(frozen=True)
class Outgoing:
    """A message ready to render and log: a journey message, or the coordinator's digest."""

    key: str
    match_id: str  # "" for the digest
    touchpoint: str
    to_email: str
    to_name: str
    due: date
    skip: bool
    lang: str
    variables: Mapping[str, object]  # for the touchpoint's templates


def message_key(match_id: str, touchpoint: str, recipient: str) -> str:
    return f"{match_id}/{touchpoint}/{email_key(recipient)}"


def addressed(
    match: Match,
    touchpoint: str,
    mentor: Participant,
    mentee: Participant,
    due: date,
    skip: bool = False,
) -> list[Message]:
    """One message of `touchpoint` per recipient SPEC §1 names for it."""
    return [
        Message(
            message_key(match.match_id, touchpoint, person.email),
            match,
            touchpoint,
            role,
            person,
            mentor,
            mentee,
            due,
            skip,
        )
        for role in RECIPIENTS[touchpoint]
        for person in (mentor if role == "mentor" else mentee,)
    ]


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


def due_dates(anchor: date, approved: date, settings: Settings) -> dict[str, date]:
    """Each touchpoint's due day for a match anchored on `anchor` (the start date S)."""
    days = {"introduction": approved}
    for touchpoint, offset in settings.offsets.items():
        days[touchpoint] = add_days(anchor, offset)
    return days


def journey(
    programme: Programme,
    today: date,
    answered: frozenset[str] = frozenset(),
    never_left: frozenset[str] = frozenset(),
    retry: frozenset[str] = frozenset(),
) -> list[Message]:
    """Messages due today or earlier that the Mail log does not hold yet, oldest first.

    `answered` holds the (folded) emails of everyone who answered the evaluation: they get
    no evaluation reminder. `never_left` holds logged keys proven never handed to a mail
    server (a run died first): they are due like unlogged ones. `retry` holds keys that
    failed for a passing reason: due again while within the grace days, left as they are
    (failed) after that.
    """
    settings = programme.settings
    logged = {entry.key for entry in programme.mail_log} - never_left - retry
    approved_on = approval_dates(programme.mail_log)
    messages: list[Message] = []
    for match in programme.matches:
        if match.status != "approved":
            continue
        mentee = programme.person(match.mentee_email)
        mentor = programme.person(match.mentor_email)
        if mentee is None or mentor is None or not (mentee.is_active and mentor.is_active):
            continue
        approved = approved_on.get(match.match_id, today)
        anchor = mentee.start_date or approved
        for touchpoint, due in due_dates(anchor, approved, settings).items():
            switched_off = touchpoint not in settings.touchpoints_on
            # The introduction row is also the memory of the approval day, so it is logged
            # (as skipped) even when switched off; other switched-off touchpoints are not.
            if due > today or (switched_off and touchpoint != "introduction"):
                continue
            late = (today - due).days > settings.grace_days
            # A retry has its grace days from the night the message first became possible:
            # introduction and welcome go on the approval night however late that is.
            possible = due
            if touchpoint in ("introduction", "welcome"):
                late = late and approved >= add_days(anchor, ALWAYS_BEFORE_DAYS)
                possible = max(due, approved)
            overdue = (today - possible).days > settings.grace_days
            for message in addressed(match, touchpoint, mentor, mentee, due, late or switched_off):
                if touchpoint == "evaluation_reminder" and message.to.key in answered:
                    continue
                if message.key in logged or (message.key in retry and (overdue or message.skip)):
                    continue
                messages.append(message)
    return sorted(messages, key=lambda m: (m.due, m.key))
