"""An independent, plain-Python reading of SPEC §3 and a brute-force optimum, for the tests.

It shares no code with pipeline/core/scoring.py or pipeline/core/solver.py on purpose.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

WEIGHTS = {
    "goals": 40,
    "discipline": 20,
    "team": 10,
    "shifts": 10,
    "location": 10,
    "language": 10,
    "preference": 50,
}


@dataclass
class Person:
    email: str
    role: str = "mentee"
    status: str = "active"
    start: date | None = None
    team: str = ""
    discipline: str = ""
    location: str = ""
    shifts: set[str] = field(default_factory=set)
    manager: str = ""
    years: float | None = None
    languages: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    capacity: int = 1
    preferred: str = ""


def same(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().lower() == b.strip().lower()


def score(m: Person, r: Person, w: Mapping[str, float] = WEIGHTS) -> float:
    goals = {g.strip().lower() for g in m.goals}
    theirs = {g.strip().lower() for g in r.goals}
    total = w["goals"] * (len(goals & theirs) / len(goals) if goals else 0)
    total += w["discipline"] * same(m.discipline, r.discipline)
    total += w["team"] * same(m.team, r.team)
    total += w["shifts"] * (len(m.shifts & r.shifts) / len(m.shifts) if m.shifts else 0)
    total += w["location"] * same(m.location, r.location)
    total += w["language"] * bool(
        {x.lower() for x in m.languages} & {x.lower() for x in r.languages}
    )
    total += w["preference"] * same(m.preferred, r.email)
    return total


def allowed(m: Person, r: Person, blocked: set[tuple[str, str]], gap: float = 1) -> bool:
    if m.email == r.email or same(m.manager, r.email):
        return False
    if (m.email, r.email) in blocked or (r.email, m.email) in blocked:
        return False
    return not (m.years is not None and r.years is not None and r.years < m.years + gap)


def waiting(
    people: Sequence[Person], busy: set[str], today: date, horizon: int = 60
) -> list[Person]:
    return [
        p
        for p in people
        if p.status == "active"
        and p.role in ("mentee", "both")
        and p.email not in busy
        and (p.start is None or p.start <= today + timedelta(days=horizon))
    ]


def mentoring(people: Sequence[Person], today: date, length: int = 180) -> list[Person]:
    """Active mentors; a `both` only once their own start is empty or `length` days ago."""
    return [
        p
        for p in people
        if p.status == "active"
        and p.role in ("mentor", "both")
        and not (
            p.role == "both" and p.start is not None and today <= p.start + timedelta(days=length)
        )
    ]


def best(
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    free: dict[str, int],
    blocked: set[tuple[str, str]],
    gap: float = 1,
) -> tuple[int, float]:
    """The most matches, then the highest total score, by trying every assignment."""
    options = [
        [(r.email, score(m, r)) for r in mentors if allowed(m, r, blocked, gap)] for m in mentees
    ]

    def go(i: int, left: dict[str, int]) -> tuple[int, float]:
        if i == len(mentees):
            return (0, 0.0)
        result = go(i + 1, left)  # mentee i stays unmatched
        for email, s in options[i]:
            if left.get(email, 0) > 0:
                left[email] -= 1
                count, total = go(i + 1, left)
                left[email] += 1
                if (count + 1, round(total + s, 6)) > (result[0], round(result[1], 6)):
                    result = (count + 1, total + s)
        return result

    return go(0, dict(free))


def first(
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    free: dict[str, int],
    blocked: set[tuple[str, str]],
    gap: float = 1,
) -> dict[str, str]:
    """The proposal among the optimal assignments: mentees in email order, each in turn the
    mentor first in email order that still leaves an optimal assignment (unmatched last).
    Returns mentee email -> mentor email, by trying every assignment."""
    people = sorted(mentees, key=lambda p: p.email.lower())
    options = [
        [
            *(
                r.email
                for r in sorted(mentors, key=lambda p: p.email.lower())
                if allowed(m, r, blocked, gap)
            ),
            None,
        ]
        for m in people
    ]
    scores = {(m.email, r.email): score(m, r) for m in people for r in mentors}
    best: tuple[int, float] = (-1, 0.0)
    chosen: tuple[str | None, ...] = ()
    for choice in itertools.product(*options):  # in order: the first best is the proposal
        taken = [c for c in choice if c is not None]
        if any(taken.count(e) > free.get(e, 0) for e in set(taken)):
            continue
        total = sum(scores[m.email, c] for m, c in zip(people, choice, strict=True) if c)
        if (len(taken), round(total, 6)) > best:
            best, chosen = (len(taken), round(total, 6)), choice
    return {m.email: c for m, c in zip(people, chosen, strict=True) if c is not None}
