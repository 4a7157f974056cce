"""Match scores (SPEC §3): each pair's exact score in plain Python, and fast blocks for many.

`Features` reads the mentees and mentors once. `score(i, j)` and `rule(i, j)` give one pair's
exact score and the rule that forbids it, without numpy: a programme of tens of people is
matched without loading it. `block(rows)` scores mentees against every mentor at once as one
float32 matrix product (numpy, loaded on first use), and `pairs` gives exact float64 scores of
many pairs, computed in the same order of operations as `score`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.core.models import Participant
from pipeline.core.vocab import SHIFTS

if TYPE_CHECKING:
    import numpy as np

NOT_ALLOWED = -math.inf
SHIFT_ORDER = tuple(SHIFTS.terms)
RULES = ("manager", "excluded", "rejected", "experience")  # as `reasons` names them
CATEGORIES = ("discipline", "team", "location")


def fold(text: str) -> str:
    """Text comparisons ignore case and surrounding spaces (SPEC §3), nothing more."""
    return text.strip().casefold()


@dataclass(frozen=True)
class Weights:
    goals: float
    discipline: float
    team: float
    shifts: float
    location: float
    language: float
    preference: float

    @classmethod
    def from_settings(cls, weights: Mapping[str, float]) -> Weights:
        return cls(**{name: float(weights[name]) for name in cls.__dataclass_fields__})


@dataclass(slots=True)
class Profile:
    """A participant as matching compares them: folded text, sets of folded items."""

    key: str
    goals: frozenset[str]
    shifts: frozenset[str]
    languages: frozenset[str]
    discipline: str
    team: str
    location: str
    years: float | None
    manager: str
    preferred: str


def _points(m: Profile, r: Profile, w: Weights) -> float:
    """The exact score of a pair (SPEC §3); `Features.pairs` adds the parts in this order."""
    score = 0.0
    if m.goals:
        score += w.goals * len(m.goals & r.goals) / len(m.goals)
    if m.discipline and m.discipline == r.discipline:
        score += w.discipline
    if m.team and m.team == r.team:
        score += w.team
    if m.shifts:
        score += w.shifts * len(m.shifts & r.shifts) / len(m.shifts)
    if m.location and m.location == r.location:
        score += w.location
    if not m.languages.isdisjoint(r.languages):
        score += w.language
    if m.preferred and m.preferred == r.key:
        score += w.preference
    return score


def _profile(p: Participant, seen: dict[object, Any]) -> Profile:
    """`p` as compared; `seen` remembers texts and lists already folded (people share them)."""

    def one(text: str) -> str:
        if text not in seen:
            seen[text] = fold(text)
        return seen[text]  # type: ignore[no-any-return]

    def items(texts: Iterable[str]) -> frozenset[str]:
        if texts not in seen:
            seen[texts] = frozenset(item for item in map(one, texts) if item)
        return seen[texts]  # type: ignore[no-any-return]

    return Profile(
        p.key,
        items(p.goals),
        items(p.shifts),
        items(p.languages),
        one(p.discipline),
        one(p.team),
        one(p.location),
        p.years_experience,
        one(p.manager_email),
        one(p.preferred_mentor),
    )


class Features:
    """Mentees and mentors as matching sees them: the score and rules of every pair."""

    def __init__(
        self,
        mentees: Sequence[Participant],
        mentors: Sequence[Participant],
        weights: Weights,
        min_experience_gap: float,
        blocked: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    ) -> None:
        self.mentees, self.mentors, self.weights = mentees, mentors, weights
        self.gap = min_experience_gap
        seen: dict[object, Any] = {}
        self.mentee_profiles = [_profile(p, seen) for p in mentees]
        self.mentor_profiles = [_profile(p, seen) for p in mentors]
        self.mentor_index = {r.key: j for j, r in enumerate(self.mentor_profiles)}
        # rule ("excluded", "rejected") -> mentee index -> the mentors it forbids
        mentee_index = {m.key: i for i, m in enumerate(self.mentee_profiles)}
        self.blocked: dict[str, dict[int, set[int]]] = {}
        for rule, pairs in (blocked or {}).items():
            found = self.blocked.setdefault(rule, {})
            for a, b in pairs:
                if a in mentee_index and b in self.mentor_index:
                    found.setdefault(mentee_index[a], set()).add(self.mentor_index[b])
        self._years = sorted(r.years for r in self.mentor_profiles if r.years is not None)
        self._arrays: Any = None

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.mentees), len(self.mentors)

    @property
    def top(self) -> float:
        """No pair scores more: every weight earned in full (weights are never negative)."""
        w = self.weights
        return w.goals + w.discipline + w.team + w.shifts + w.location + w.language + w.preference

    def score(self, i: int, j: int) -> float:
        """The exact score of mentee i with mentor j."""
        return _points(self.mentee_profiles[i], self.mentor_profiles[j], self.weights)

    def rule(self, i: int, j: int) -> str | None:
        """The rule that forbids the pair ("self", "manager", "excluded", "rejected",
        "experience", in that order of precedence), or None when it is allowed."""
        m, r = self.mentee_profiles[i], self.mentor_profiles[j]
        if m.key == r.key:
            return "self"
        if m.manager and m.manager == r.key:
            return "manager"
        for name in ("excluded", "rejected"):
            if j in self.blocked.get(name, {}).get(i, ()):
                return name
        # an unknown number of years on either side: the gap rule does not apply
        if m.years is not None and r.years is not None and r.years < m.years + self.gap:
            return "experience"
        return None

    def allowed(self) -> list[list[tuple[int, float]]]:
        """Per mentee, its allowed mentors (ascending) with their exact scores."""
        result = []
        for i, m in enumerate(self.mentee_profiles):
            forbidden = {self.mentor_index.get(m.key), self.mentor_index.get(m.manager)}
            for pairs in self.blocked.values():
                forbidden |= pairs.get(i, set())
            least = -math.inf if m.years is None else m.years + self.gap
            result.append(
                [
                    (j, _points(m, r, self.weights))
                    for j, r in enumerate(self.mentor_profiles)
                    if j not in forbidden and (r.years is None or r.years >= least)
                ]
            )
        return result

    def reasons(self, i: int) -> dict[str, int]:
        """For mentee `i`, how many mentors each rule rules out; each mentor counted once.

        The key "allowed" counts the mentors no rule forbids; the mentee itself is left out.
        """
        m = self.mentee_profiles[i]
        special = {self.mentor_index.get(m.key), self.mentor_index.get(m.manager)}
        for pairs in self.blocked.values():
            special |= pairs.get(i, set())
        counts = dict.fromkeys(("allowed", *RULES), 0)
        counts["experience"] = (
            0 if m.years is None else bisect.bisect_left(self._years, m.years + self.gap)
        )
        for j in special - {None}:
            assert j is not None
            rule = self.rule(i, j)
            years = self.mentor_profiles[j].years
            if m.years is not None and years is not None and years < m.years + self.gap:
                counts["experience"] -= 1  # counted under its first rule instead
            if rule in counts:
                counts[rule] += 1
        counts["allowed"] = len(self.mentors) - sum(counts.values()) - (m.key in self.mentor_index)
        return counts

    def block(self, rows: np.ndarray) -> np.ndarray:
        """Scores (float32, within 1e-5 x (top + 1) of exact) of mentees `rows` against every
        mentor, negative (-2**40 or less) where a rule forbids the pair. Exact scores come
        from `pairs`."""
        arrays = self._arrays or self._build()
        return arrays.block(rows)  # type: ignore[no-any-return]

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        """Exact (float64) scores of the pairs (mentees[n], mentors[n]), as `score` gives."""
        arrays = self._arrays or self._build()
        return arrays.pairs(mentees, mentors)  # type: ignore[no-any-return]

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        """Exact (float64) scores of mentees `rows` against every mentor, as `score` gives,
        NOT_ALLOWED where a rule forbids the pair."""
        arrays = self._arrays or self._build()
        return arrays.matrix(rows)  # type: ignore[no-any-return]

    def _build(self) -> Any:
        from pipeline.core.scoring_numpy import Arrays  # numpy: only for many people

        self._arrays = Arrays(self)
        return self._arrays


@dataclass(frozen=True)
class Fit:
    """What one pair has in common, for the Why column."""

    goals: tuple[str, ...]
    discipline: str
    team: str
    location: str
    shifts: tuple[str, ...]
    languages: tuple[str, ...]
    preferred: bool


def fit(mentee: Participant, mentor: Participant) -> Fit:
    """What a pair shares, compared as `Features` compares (case and spaces ignored)."""
    mentor_goals = {fold(g) for g in mentor.goals}
    goals = tuple(g for g in dict.fromkeys(mentee.goals) if fold(g) in mentor_goals)

    def same(attribute: str) -> str:
        mine, theirs = getattr(mentee, attribute), getattr(mentor, attribute)
        return mine if mine.strip() and fold(mine) == fold(theirs) else ""

    shifts = tuple(s for s in SHIFT_ORDER if s in mentee.shifts and s in mentor.shifts)
    mentor_languages = {fold(lang) for lang in mentor.languages}
    languages = tuple(lang for lang in mentee.languages if fold(lang) in mentor_languages)
    preferred = bool(mentee.preferred_mentor) and fold(mentee.preferred_mentor) == mentor.key
    return Fit(
        goals, same("discipline"), same("team"), same("location"), shifts, languages, preferred
    )
