"""Match scores (SPEC §3), built a block of mentees at a time so no pair matrix is ever whole.

`Features` turns participants into arrays once; `block(rows)` gives those mentees' scores
against every mentor, with -inf for pairs that are not allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pipeline.core.models import Participant
from pipeline.core.vocab import SHIFTS

NOT_ALLOWED = -np.inf
SHIFT_ORDER = tuple(SHIFTS.terms)


def fold(text: str) -> str:
    """Text comparisons ignore case and surrounding spaces (SPEC §3), nothing more."""
    return text.strip().casefold()


def _codes(values: Iterable[str], index: dict[str, int], empty: int) -> np.ndarray:
    """An integer per value, equal values sharing a code; `empty` (negative) for no value."""
    return np.array(
        [index.setdefault(fold(v), len(index)) if v.strip() else empty for v in values],
        dtype=np.int64,
    )


def _masks(lists: Sequence[Iterable[str]], index: dict[str, int]) -> np.ndarray | None:
    """One 64-bit mask per person of the items they list; None past 64 distinct items."""
    masks = np.zeros(len(lists), dtype=np.uint64)
    for row, items in enumerate(lists):
        for item in {fold(i) for i in items if i.strip()}:
            bit = index.setdefault(item, len(index))
            if bit >= 64:
                return None
            masks[row] |= np.uint64(1) << np.uint64(bit)
    return masks


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
        # Goal and shift fractions are one small dense product (weighted mentee items times
        # mentor items); same discipline, team and location compare integer codes.
        mentee_parts, mentor_parts = [], []
        for weight, mentee_lists, mentor_lists in (
            (weights.goals, [p.goals for p in mentees], [p.goals for p in mentors]),
            (weights.shifts, [p.shifts for p in mentees], [p.shifts for p in mentors]),
        ):
            if not weight:
                continue
            mine, theirs = _incidence(mentee_lists, mentor_lists)
            counts = np.asarray(mine.sum(axis=1)).ravel()
            share = np.divide(weight, counts, out=np.zeros(len(counts)), where=counts > 0)
            mentee_parts.append(sp.diags(share) @ mine)  # a fraction of the mentee's own items
            mentor_parts.append(theirs)
        self.mentee_features = (
            sp.hstack(mentee_parts).tocsr() if mentee_parts else sp.csr_matrix((len(mentees), 1))
        )
        self.mentor_features = (
            sp.hstack(mentor_parts).tocsr() if mentor_parts else sp.csr_matrix((len(mentors), 1))
        )
        # Blocks are float32 (half the memory traffic); `pairs` gives exact float64 scores.
        self.mentee_features32 = self.mentee_features.astype(np.float32)
        dense = self.mentor_features.shape[1] * len(mentors) <= 20_000_000
        transposed = self.mentor_features.T.astype(np.float32)
        self.mentor_features_t = transposed.toarray() if dense else transposed.tocsr()
        self.dense_features = dense and self.mentor_features.shape[1] <= 256
        self.categories = []
        for attribute in ("discipline", "team", "location"):
            index: dict[str, int] = {}
            weight = getattr(weights, attribute)
            if weight:
                # empty values get different codes on each side, so they never count as same
                self.categories.append(
                    (
                        weight,
                        _codes((getattr(p, attribute) for p in mentees), index, -1),
                        _codes((getattr(p, attribute) for p in mentors), index, -2),
                    )
                )
        languages: dict[str, int] = {}
        mentee_masks = _masks([p.languages for p in mentees], languages)
        mentor_masks = _masks([p.languages for p in mentors], languages)
        # Sharing a language is a bit test when there are at most 64 languages, else a product.
        self.language_masks = (
            (mentee_masks, mentor_masks)
            if mentee_masks is not None and mentor_masks is not None
            else None
        )
        self.mentee_languages, mentor_languages = _incidence(
            [p.languages for p in mentees], [p.languages for p in mentors]
        )
        self.mentor_languages = mentor_languages.tocsr()
        self.mentor_languages_t = mentor_languages.T.tocsr()
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

    def block(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """Scores (float32) of mentees `rows` against mentors `cols` (default: all), with
        NOT_ALLOWED where the rule forbids the pair. Exact scores come from `pairs`."""
        w = self.weights
        every = cols is None
        pick = slice(None) if cols is None else cols
        mine = self.mentee_features32[rows]
        theirs = self.mentor_features_t[:, pick]
        product = (mine.toarray() if self.dense_features else mine) @ theirs
        score = product.toarray() if sp.issparse(product) else np.array(product, copy=False)
        score = score.astype(np.float32, copy=False)
        for weight, mentee_codes, mentor_codes in self.categories:
            same = mentee_codes[rows, None] == mentor_codes[pick]
            np.add(score, np.float32(weight), out=score, where=same)
        if w.language and self.language_masks is not None:
            mentee_masks, mentor_masks = self.language_masks
            shared = (mentee_masks[rows, None] & mentor_masks[None, pick]) != 0
            np.add(score, np.float32(w.language), out=score, where=shared)
        elif w.language:
            product = self.mentee_languages[rows] @ self.mentor_languages_t[:, pick]
            np.add(score, np.float32(w.language), out=score, where=product.toarray() > 0)
        # where each mentor is among the columns asked for (-1: not asked)
        column = np.arange(len(self.mentors))
        if cols is not None:
            column = np.full(len(self.mentors), -1)
            column[cols] = np.arange(len(cols))
        local = np.arange(len(rows))

        def at(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            position = np.where(index >= 0, column[index], -1)
            hit = position >= 0
            return local[hit], position[hit]

        if w.preference:
            score[at(self.preferred[rows])] += w.preference
        # NaN (an unknown number of years) compares False: the gap rule then does not apply.
        junior = self.mentor_years[None, pick] < self.mentee_years[rows, None] + self.gap
        np.putmask(score, junior, NOT_ALLOWED)
        for index in (self.self_index[rows], self.manager_index[rows]):
            score[at(index)] = NOT_ALLOWED
        blocked = self.blocked[rows] if every else self.blocked[rows][:, cols]
        blocked_rows, blocked_cols = blocked.nonzero()
        score[blocked_rows, blocked_cols] = NOT_ALLOWED
        return score

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        """Exact (float64) scores of the pairs (mentees[n], mentors[n]), allowed or not."""
        w = self.weights
        score = (
            np.asarray(
                self.mentee_features[mentees].multiply(self.mentor_features[mentors]).sum(axis=1)
            )
            .ravel()
            .astype(np.float64)
        )
        for weight, mentee_codes, mentor_codes in self.categories:
            score += weight * (mentee_codes[mentees] == mentor_codes[mentors])
        if w.language:
            shared = (
                self.mentee_languages[mentees].multiply(self.mentor_languages[mentors]).sum(axis=1)
            )
            score += w.language * (np.asarray(shared).ravel() > 0)
        if w.preference:
            score += w.preference * (self.preferred[mentees] == mentors)
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
