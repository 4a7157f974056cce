"""Match scores (SPEC §3), built a block of mentees at a time so no pair matrix is ever whole.

`Features` turns participants into arrays once; `block(rows)` gives those mentees' scores
against every mentor, with -inf for pairs that are not allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pipeline.models import Participant
from pipeline.vocab import SHIFTS

NOT_ALLOWED = -np.inf
SHIFT_ORDER = tuple(SHIFTS.terms)


def fold(text: str) -> str:
    """Text comparisons ignore case and surrounding (and doubled) spaces."""
    return " ".join(text.split()).casefold()


def _codes(values: Iterable[str], index: dict[str, int]) -> np.ndarray:
    """An integer per value (-1 when empty), equal values sharing a code."""
    return np.array(
        [index.setdefault(fold(v), len(index)) if v.strip() else -1 for v in values], dtype=np.int64
    )


def _incidence(
    mentee_lists: Sequence[Iterable[str]], mentor_lists: Sequence[Iterable[str]]
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """0/1 matrices (people x distinct folded items) for both sides, over one shared index."""
    index: dict[str, int] = {}
    sides = []
    for lists in (mentee_lists, mentor_lists):
        rows, cols = [], []
        for row, items in enumerate(lists):
            for item in sorted({fold(i) for i in items if i.strip()}):
                rows.append(row)
                cols.append(index.setdefault(item, len(index)))
        sides.append((rows, cols, len(lists)))
    width = max(len(index), 1)
    mentee, mentor = (
        sp.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(n, width))
        for r, c, n in sides
    )
    return mentee, mentor


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


class Features:
    """Mentees and mentors as arrays: attribute codes, goal/language/shift incidence, rules."""

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
        mentor_index = {p.key: j for j, p in enumerate(mentors)}
        self.self_index = np.array([mentor_index.get(p.key, -1) for p in mentees], dtype=np.int64)
        self.manager_index = np.array(
            [mentor_index.get(fold(p.manager_email), -1) for p in mentees], dtype=np.int64
        )
        self.preferred = np.array(
            [mentor_index.get(fold(p.preferred_mentor), -1) for p in mentees], dtype=np.int64
        )
        self.categories = []
        for attribute in ("discipline", "team", "location"):
            index: dict[str, int] = {}
            self.categories.append(
                (
                    getattr(weights, attribute),
                    _codes((getattr(p, attribute) for p in mentees), index),
                    _codes((getattr(p, attribute) for p in mentors), index),
                )
            )
        self.mentee_goals, mentor_goals = _incidence(
            [p.goals for p in mentees], [p.goals for p in mentors]
        )
        self.mentor_goals_t = mentor_goals.T.tocsr()
        self.goal_count = np.asarray(self.mentee_goals.sum(axis=1)).ravel()
        self.mentee_languages, mentor_languages = _incidence(
            [p.languages for p in mentees], [p.languages for p in mentors]
        )
        self.mentor_languages_t = mentor_languages.T.tocsr()
        # the shift order is fixed by listing every shift first on a phantom row
        shifts, mentor_shifts = _incidence(
            [SHIFT_ORDER, *(p.shifts for p in mentees)], [p.shifts for p in mentors]
        )
        self.mentee_shifts = shifts.toarray()[1:]
        self.mentor_shifts_t = mentor_shifts.toarray().T
        self.shift_count = self.mentee_shifts.sum(axis=1)
        nan = float("nan")
        self.mentee_years = np.array(
            [nan if p.years_experience is None else p.years_experience for p in mentees]
        )
        self.mentor_years = np.array(
            [nan if p.years_experience is None else p.years_experience for p in mentors]
        )
        mentee_index = {p.key: i for i, p in enumerate(mentees)}
        # rule ("excluded", "rejected") -> (mentee email key, mentor email key) pairs
        self.blocked_by: dict[str, sp.csr_matrix] = {}
        for rule, pairs in (blocked or {}).items():
            found = [
                (mentee_index[a], mentor_index[b])
                for a, b in pairs
                if a in mentee_index and b in mentor_index
            ]
            rows, cols = zip(*found, strict=True) if found else ((), ())
            self.blocked_by[rule] = sp.csr_matrix(
                (np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(mentees), len(mentors))
            )
        self.blocked = sum(
            self.blocked_by.values(), sp.csr_matrix((len(mentees), len(mentors)), dtype=bool)
        )

    def block(self, rows: np.ndarray) -> np.ndarray:
        """Scores of mentees `rows` against every mentor; NOT_ALLOWED where the rule forbids."""
        w = self.weights
        count = len(rows)
        score = np.zeros((count, len(self.mentors)))
        if w.goals:
            shared = (self.mentee_goals[rows] @ self.mentor_goals_t).toarray()
            with np.errstate(invalid="ignore", divide="ignore"):
                fraction = shared / self.goal_count[rows, None]
            score += w.goals * np.nan_to_num(fraction)
        if w.shifts:
            shared = self.mentee_shifts[rows] @ self.mentor_shifts_t
            with np.errstate(invalid="ignore", divide="ignore"):
                fraction = shared / self.shift_count[rows, None]
            score += w.shifts * np.nan_to_num(fraction)
        if w.language:
            shared = (self.mentee_languages[rows] @ self.mentor_languages_t).toarray()
            score += w.language * (shared > 0)
        for weight, mentee_codes, mentor_codes in self.categories:
            if weight:
                codes = mentee_codes[rows, None]
                score += weight * ((codes == mentor_codes[None, :]) & (codes >= 0))
        local = np.arange(count)
        if w.preference:
            named = self.preferred[rows] >= 0
            score[local[named], self.preferred[rows][named]] += w.preference
        for index in (self.self_index[rows], self.manager_index[rows]):
            known = index >= 0
            score[local[known], index[known]] = NOT_ALLOWED
        # NaN (an unknown number of years) compares False: the gap rule then does not apply.
        too_junior = self.mentor_years[None, :] < self.mentee_years[rows, None] + self.gap
        score[too_junior] = NOT_ALLOWED
        blocked_rows, blocked_cols = self.blocked[rows].nonzero()
        score[blocked_rows, blocked_cols] = NOT_ALLOWED
        return score

    def reasons(self, i: int) -> dict[str, int]:
        """For mentee `i`, how many mentors each rule rules out; each mentor counted once.

        The key "allowed" counts the mentors no rule forbids; the mentee itself is left out.
        """
        rule = np.zeros(len(self.mentors), dtype=np.int64)  # 0: allowed
        rule[self.mentor_years < self.mentee_years[i] + self.gap] = 4
        for code, name in ((3, "rejected"), (2, "excluded")):
            if name in self.blocked_by:
                rule[self.blocked_by[name][i].nonzero()[1]] = code
        if self.manager_index[i] >= 0:
            rule[self.manager_index[i]] = 1
        if self.self_index[i] >= 0:
            rule[self.self_index[i]] = 5
        counts = np.bincount(rule, minlength=6)
        names = ("allowed", "manager", "excluded", "rejected", "experience")
        return {name: int(counts[code]) for code, name in enumerate(names)}


@dataclass(frozen=True)
class Fit:
    """The parts of one pair's score, for the Why column."""

    score: float
    goals: tuple[str, ...]
    discipline: str
    team: str
    location: str
    shifts: tuple[str, ...]
    languages: tuple[str, ...]
    preferred: bool


def fit(mentee: Participant, mentor: Participant, weights: Weights) -> Fit:
    """One pair's score and what it is made of (the same rule as `Features.block`)."""
    mentor_goals = {fold(g) for g in mentor.goals}
    goals = tuple(g for g in dict.fromkeys(mentee.goals) if fold(g) in mentor_goals)
    distinct_goals = {fold(g) for g in mentee.goals}
    shared_goals = {fold(g) for g in goals}

    def same(attribute: str) -> str:
        mine, theirs = getattr(mentee, attribute), getattr(mentor, attribute)
        return mine if mine.strip() and fold(mine) == fold(theirs) else ""

    shifts = tuple(s for s in SHIFT_ORDER if s in mentee.shifts and s in mentor.shifts)
    mentor_languages = {fold(lang) for lang in mentor.languages}
    languages = tuple(lang for lang in mentee.languages if fold(lang) in mentor_languages)
    preferred = bool(mentee.preferred_mentor) and fold(mentee.preferred_mentor) == mentor.key
    score = (
        weights.goals * (len(shared_goals) / len(distinct_goals) if distinct_goals else 0.0)
        + weights.discipline * bool(same("discipline"))
        + weights.team * bool(same("team"))
        + weights.shifts * (len(shifts) / len(mentee.shifts) if mentee.shifts else 0.0)
        + weights.location * bool(same("location"))
        + weights.language * bool(languages)
        + weights.preference * preferred
    )
    return Fit(
        score,
        goals,
        same("discipline"),
        same("team"),
        same("location"),
        shifts,
        languages,
        preferred,
    )
