"""The journey (SPEC §1): which message is due for whom on a given day, and which is skipped.

Pure: it reads the programme (matches, people, settings, Mail log) and a day, and returns
the messages to send or record as skipped. Sending and logging are the mail stage's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from pipeline.core.cells import add_days, email_key
from pipeline.core.life import Life, life_of
from pipeline.core.models import MailLogEntry, Match, Participant, latest
from pipeline.core.programme import Programme

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
    skip: str = ""  # why it is logged `skipped` instead of sent (a SKIPS key); "" to send
    previous_mentor: Participant | None = None  # the mentor this match's mentor takes over from


@dataclass(frozen=True)
class Outgoing:
    """A message ready to render and log: a journey message, or the coordinator's digest."""

    key: str
    match_id: str  # "" for the digest
    touchpoint: str
    to_email: str
    to_name: str
    due: date
    skip: str  # why it is logged `skipped` (a SKIPS key), "" to send
    lang: str
    variables: Mapping[str, object]  # for the touchpoint's templates
    after: str = ""  # the key of a message of tonight that must be sent before this one


def message_key(match_id: str, touchpoint: str, recipient: str) -> str:
    return f"{match_id}/{touchpoint}/{email_key(recipient)}"


def addressed(
    match: Match,
    touchpoint: str,
    mentor: Participant,
    mentee: Participant,
    due: date,
    skip: str = "",
    previous_mentor: Participant | None = None,
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
            previous_mentor,
        )
        for role in RECIPIENTS[touchpoint]
        for person in (mentor if role == "mentor" else mentee,)
    ]


#: The order of the journey: of several messages due the same night, the last one goes.
ORDER = tuple(RECIPIENTS)
#: The messages that open a match: they go however late the approval (up to the wrap-up).
OPENING = ("introduction", "welcome")


def due_dates(life: Life, match: Match, mentee: Participant) -> dict[str, date]:
    """Each touchpoint's due day for one match (SPEC §1).

    The introduction goes on the approval night; the welcome a week before the start date,
    or on the approval night when that is later; check-ins count from the start date, or
    without one from the approval (and `first_day` does not exist).
    """
    settings = life.programme.settings
    anchor, approved = life.anchor(match), life.approval(match)
    days = {"introduction": approved}
    for touchpoint, offset in settings.offsets.items():
        if touchpoint == "first_day" and mentee.start_date is None:
            continue
        days[touchpoint] = add_days(anchor, offset)
    days["welcome"] = max(days["welcome"], approved) if mentee.start_date else approved
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
    life = life_of(programme, today)
    states = latest(programme.mail_log)
    logged = set(states) - never_left - retry
    messages: list[Message] = []
    for match in life.running_matches:
        mentee = programme.person(match.mentee_email)
        mentor = programme.person(match.mentor_email)
        if mentee is None or mentor is None or not (mentee.is_active and mentor.is_active):
            continue
        earlier = life.earlier(match)
        previous = programme.person(earlier[-1].mentor_email) if earlier else None
        # Approved after the wrap-up: nothing opens, and no check-in goes to a pair who were
        # never introduced (a Problems row says so).
        too_late_to_open = life.too_late_to_open(match)
        for touchpoint, due in due_dates(life, match, mentee).items():
            switched_off = touchpoint not in settings.touchpoints_on
            # The introduction row is also the memory of the approval day, so it is logged
            # (as skipped) even when switched off; other switched-off touchpoints are not.
            if due > today or (switched_off and touchpoint != "introduction"):
                continue
            overdue = (today - due).days > settings.grace_days
            if switched_off:
                skip = "switched_off"
            elif too_late_to_open:
                skip = "approved_late"
            else:
                skip = "late" if overdue and touchpoint not in OPENING else ""
            for message in addressed(match, touchpoint, mentor, mentee, due, skip, previous):
                if touchpoint == "evaluation_reminder" and message.to.key in answered:
                    continue
                if message.key in logged or (message.key in retry and (overdue or message.skip)):
                    continue
                if (
                    message.role == "mentee"
                    and touchpoint != "welcome"  # it names the new mentor: it always goes
                    and not message.skip
                    and any(_had(m, touchpoint, mentee, states) for m in earlier)
                ):
                    message = replace(message, skip="sent_before")
                messages.append(message)
    held = _after_introductions(messages, states)
    return sorted(one_a_night(held), key=lambda m: (m.due, m.key))


def _had(
    match: Match, touchpoint: str, mentee: Participant, states: Mapping[str, MailLogEntry]
) -> bool:
    """Whether the mentee had this message with an earlier match (or may have: unknown)."""
    entry = states.get(message_key(match.match_id, touchpoint, mentee.email))
    return entry is not None and entry.status in ("sent", "pending", "unknown")


def _after_introductions(
    messages: list[Message], states: Mapping[str, MailLogEntry]
) -> list[Message]:
    """The welcome names the mentor, so it waits until the mentor has been told: until the
    introduction is sent (or skipped, or may have arrived), or goes tonight, before it."""
    tonight = {m.key for m in messages if not m.skip}
    kept = []
    for message in messages:
        if message.touchpoint == "welcome" and not message.skip:
            told = message_key(message.match.match_id, "introduction", message.mentor.email)
            state = states.get(told)
            ready = state is not None and state.status in ("sent", "skipped", "unknown")
            if not ready and told not in tonight:
                continue  # not logged: it waits
        kept.append(message)
    return kept


def one_a_night(messages: Iterable[Message]) -> list[Message]:
    """At most one message per match and person a night (SPEC §1, "One message a night").

    An introduction or welcome goes and the check-ins due with it are skipped; otherwise the
    message furthest along the journey goes and the earlier ones are skipped.
    """
    groups: dict[tuple[str, str], list[Message]] = {}
    for message in messages:
        groups.setdefault((message.match.match_id, message.to.key), []).append(message)
    decided: list[Message] = []
    for group in groups.values():
        going = [m for m in group if not m.skip]
        if len(going) > 1:
            first = max(going, key=lambda m: (m.touchpoint in OPENING, ORDER.index(m.touchpoint)))
            reason = {"introduction": "with_introduction", "welcome": "with_welcome"}.get(
                first.touchpoint, "later_went"
            )
            group = [m if m is first or m.skip else replace(m, skip=reason) for m in group]
        decided.extend(group)
    return decided
