"""The Pairs tab (SPEC §2): the coordinator's board of every approved match, rewritten each run.

One row per approved match (running, or finished but still `approved`): who, since when,
where in the programme it stands, the last and the next message, who answered the
evaluation, and what needs the coordinator. Pure: the board is decided from the programme
(`board`), then written in the workbook's language (`pairs_rows`, `pairs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pipeline.core.cells import Cell, Row, add_days
from pipeline.core.changes import Replace
from pipeline.core.evaluation import Evaluations, read_evaluations
from pipeline.core.journey import OPENING, ORDER, RECIPIENTS, due_dates, message_key
from pipeline.core.life import Life, life_of
from pipeline.core.models import MailLogEntry, Match, latest
from pipeline.core.programme import Programme
from pipeline.core.stage import Context
from pipeline.core.vocab import (
    MATCH_STATUSES,
    PAIR_COLUMNS,
    ROLES,
    TABS,
    TOUCHPOINTS,
    Term,
    Vocabulary,
)

T = Term

#: Where a match stands, in the order of the programme. With A the day the journey counts
#: from (the start date, else the approval): before A, then until the first-week,
#: first-month and quarter check-ins, then until A + Programme length, then past it.
PHASES = Vocabulary(
    (
        T("before_start", "before the start", "voor de start", "før oppstart"),
        T("first_week", "first week", "eerste week", "første uke"),
        T("first_month", "first month", "eerste maand", "første måned"),
        T("first_quarter", "first quarter", "eerste kwartaal", "første kvartal"),
        T("closing", "closing", "afronding", "avslutning"),
        T("finished", "finished", "afgelopen", "ferdig"),
    )
)

#: What needs the coordinator on a pair's row. A reason may name the touchpoints or the
#: sides it is about in brackets: "mail failed (first week)", "low score (mentee)".
ATTENTION = Vocabulary(
    (
        T("mentor_paused", "mentor paused", "mentor gepauzeerd", "mentor har pause"),
        T("mentor_stopped", "mentor stopped", "mentor gestopt", "mentor har sluttet"),
        T("mentee_paused", "mentee paused", "mentee gepauzeerd", "mentee har pause"),
        T("mentee_stopped", "mentee stopped", "mentee gestopt", "mentee har sluttet"),
        T("mail_failed", "mail failed", "mail mislukt", "e-post feilet"),
        T(
            "mail_unknown",
            "unsure whether a mail went out",
            "onzeker of een mail is verstuurd",
            "usikkert om en e-post ble sendt",
        ),
        T("no_start", "no start date", "geen startdatum", "ingen startdato"),
        T("low_score", "low score", "lage score", "lav score"),
        T(
            "not_met",
            "says they have not met",
            "zegt elkaar niet gesproken te hebben",
            "sier at de ikke har møttes",
        ),
        # The status word is filled in from MATCH_STATUSES: the one the coordinator types.
        T(
            "finished",
            "finished: set Status to {completed}",
            "afgelopen: zet Status op {completed}",
            "ferdig: sett Status til {completed}",
        ),
    )
)

#: Who answered the evaluation of a match.
ANSWERED = Vocabulary(
    (
        T("both", "mentor and mentee", "mentor en mentee", "mentor og mentee"),
        T("mentor", "mentor only", "alleen mentor", "bare mentor"),
        T("mentee", "mentee only", "alleen mentee", "bare mentee"),
        T("none", "not yet", "nog niet", "ikke ennå"),
    )
)

#: A reason on the board: its ATTENTION key and what it is about (touchpoint or role keys).
Reason = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Pair:
    """One row of the board, in keys and dates: words come when it is written."""

    match: Match
    mentee: str  # the mentee's name (their address when they left Participants)
    mentor: str
    start: date | None  # the mentee's start date
    anchor: date  # the day the journey counts from: the start date, else the approval
    phase: str  # a PHASES key
    last: tuple[str, ...]  # touchpoints sent on the last day anything of the match was sent
    last_sent: date | None
    next: tuple[str, ...]  # touchpoints that go next (several on one night: the opening two)
    next_due: date | None
    answered: frozenset[str]  # mentor | mentee: who answered the evaluation of this match
    asked: bool  # the wrap-up (with the evaluation link) has come
    attention: tuple[Reason, ...]


def phase(life: Life, match: Match) -> str:
    """Where the match stands today (a PHASES key)."""
    if life.finished(match):
        return "finished"
    anchor, offsets, today = life.anchor(match), life.programme.settings.offsets, life.today
    if today < anchor:
        return "before_start"
    for key, touchpoint in (
        ("first_week", "first_week"),
        ("first_month", "first_month"),
        ("first_quarter", "quarter"),
    ):
        if today < add_days(anchor, offsets[touchpoint]):
            return key
    return "closing"


def _in_order(touchpoints: set[str]) -> tuple[str, ...]:
    return tuple(sorted(touchpoints, key=lambda t: ORDER.index(t) if t in ORDER else len(ORDER)))


def _last(entries: list[MailLogEntry]) -> tuple[tuple[str, ...], date | None]:
    """What was sent on the last day something of the match was sent, and that day."""
    sent = [(e.day, e.touchpoint) for e in entries if e.status == "sent" and e.day is not None]
    if not sent:
        return (), None
    day = max(d for d, _ in sent if d is not None)
    return _in_order({t for d, t in sent if d == day}), day


def _next(
    life: Life, match: Match, states: Mapping[str, MailLogEntry], respondents: frozenset[str]
) -> tuple[tuple[str, ...], date | None]:
    """The journey's next message for the match, as the journey will decide it: switched on,
    not yet in the Mail log for someone it goes to, and not so late it will be skipped."""
    programme, today = life.programme, life.today
    mentee = programme.person(match.mentee_email)
    mentor = programme.person(match.mentor_email)
    if mentee is None or mentor is None or life.finished(match) or life.too_late_to_open(match):
        return (), None
    settings = programme.settings
    coming: dict[date, set[str]] = {}
    for touchpoint, due in due_dates(life, match, mentee).items():
        if touchpoint not in settings.touchpoints_on:
            continue
        if touchpoint not in OPENING and (today - due).days > settings.grace_days:
            continue  # logged `skipped` when it comes to it, never sent
        people = [mentor if role == "mentor" else mentee for role in RECIPIENTS[touchpoint]]
        if touchpoint == "evaluation_reminder":
            people = [p for p in people if p.key not in respondents]
        if any(message_key(match.match_id, touchpoint, p.email) not in states for p in people):
            coming.setdefault(due, set()).add(touchpoint)
    if not coming:
        return (), None
    due = min(coming)
    due_then = coming[due]
    # One message a night (SPEC §1): an opening goes and the check-ins with it are skipped;
    # otherwise the check-in furthest along goes.
    opening = due_then & set(OPENING)
    return (_in_order(opening) if opening else _in_order(due_then)[-1:]), due


def _attention(
    life: Life, match: Match, entries: list[MailLogEntry], found: Evaluations
) -> tuple[Reason, ...]:
    programme = life.programme
    reasons: list[Reason] = []
    for role, email in (("mentor", match.mentor_email), ("mentee", match.mentee_email)):
        person = programme.person(email)
        if person is not None and not person.is_active:
            reasons.append((f"{role}_{person.status}", ()))
    for status in ("failed", "unknown"):
        touchpoints = {e.touchpoint for e in entries if e.status == status}
        if touchpoints:
            reasons.append((f"mail_{status}", _in_order(touchpoints)))
    mentee = programme.person(match.mentee_email)
    if mentee is not None and mentee.start_date is None:
        reasons.append(("no_start", ()))
    responses = [r for r in found.responses if r.match.match_id == match.match_id]
    low = {r.role for r in responses if r.low(found.questions)}
    if low:
        reasons.append(("low_score", tuple(sorted(low))))
    not_met = {r.role for r in responses if r.met is False}
    if not_met:
        reasons.append(("not_met", tuple(sorted(not_met))))
    if life.finished(match):
        reasons.append(("finished", ()))
    return tuple(reasons)


def board(programme: Programme, today: date, found: Evaluations | None = None) -> tuple[Pair, ...]:
    """Every approved match as a Pair: what needs attention first, then by start date (the
    approval day for a mentee without one), then by Match ID."""
    life = life_of(programme, today)
    found = found if found is not None else read_evaluations(programme, today)
    states = latest(programme.mail_log)
    by_match: dict[str, list[MailLogEntry]] = {}
    for entry in states.values():
        by_match.setdefault(entry.match_id, []).append(entry)
    pairs = []
    for match in programme.matches:
        if match.status != "approved":
            continue
        mentee = programme.person(match.mentee_email)
        mentor = programme.person(match.mentor_email)
        entries = by_match.get(match.match_id, [])
        last, last_sent = _last(entries)
        coming, due = _next(life, match, states, found.respondents)
        pairs.append(
            Pair(
                match=match,
                mentee=mentee.name if mentee else match.mentee_email,
                mentor=mentor.name if mentor else match.mentor_email,
                start=mentee.start_date if mentee else None,
                anchor=life.anchor(match),
                phase=phase(life, match),
                last=last,
                last_sent=last_sent,
                next=coming,
                next_due=due,
                answered=frozenset(
                    r.role for r in found.responses if r.match.match_id == match.match_id
                ),
                asked=today >= life.wrap_up(match),
                attention=_attention(life, match, entries, found),
            )
        )
    return tuple(sorted(pairs, key=lambda p: (not p.attention, p.anchor, p.match.match_id)))


def _word(key: str, lang: str) -> str:
    """A touchpoint as the Mail log shows it, or a side of the match (mentor, mentee)."""
    for vocabulary in (TOUCHPOINTS, ROLES):
        if key in vocabulary:
            return vocabulary.word(key, lang)
    return key  # a touchpoint the Mail log holds in words of its own


def _touchpoints(keys: tuple[str, ...], lang: str) -> str | None:
    return ", ".join(_word(k, lang) for k in keys) or None


def _reason(reason: Reason, lang: str) -> str:
    key, about = reason
    said = ATTENTION.word(key, lang).format(completed=MATCH_STATUSES.word("completed", lang))
    if not about:
        return said
    return f"{said} ({', '.join(_word(k, lang) for k in about)})"


def _answered(pair: Pair, lang: str) -> str | None:
    if {"mentor", "mentee"} <= pair.answered:
        return ANSWERED.word("both", lang)
    for role in ("mentor", "mentee"):
        if role in pair.answered:
            return ANSWERED.word(role, lang)
    return ANSWERED.word("none", lang) if pair.asked else None


def pair_row(pair: Pair, lang: str) -> Row:
    """One Pairs row, its cells in the order of PAIR_COLUMNS; dates stay dates."""
    cells: dict[str, Cell] = {
        "match_id": pair.match.match_id,
        "mentee": pair.mentee,
        "mentor": pair.mentor,
        "start": pair.start,
        "phase": PHASES.word(pair.phase, lang),
        "last_message": _touchpoints(pair.last, lang),
        "last_sent": pair.last_sent,
        "next_message": _touchpoints(pair.next, lang),
        "next_due": pair.next_due,
        "evaluation": _answered(pair, lang),
        "attention": "; ".join(_reason(r, lang) for r in pair.attention) or None,
    }
    return tuple(cells[key] for key in PAIR_COLUMNS.terms)


def pairs_rows(
    programme: Programme,
    today: date,
    lang: str | None = None,
    found: Evaluations | None = None,
) -> tuple[Row, ...]:
    """The Pairs tab, header first, in `lang` (default: the workbook's language)."""
    lang = lang or programme.language
    header: Row = tuple(PAIR_COLUMNS.choices(lang))
    return (header, *(pair_row(p, lang) for p in board(programme, today, found)))


def pairs(programme: Programme, run: Context, found: Evaluations | None = None) -> Replace:
    """The Pairs tab rewritten (created when missing), under the name it has in the workbook.

    `found`: the evaluations as another stage read them tonight, so they are read once.
    """
    table = programme.tables.get("pairs")
    name = table.name if table is not None else TABS.word("pairs", programme.language)
    return Replace(name, pairs_rows(programme, run.today, found=found))
