"""The provably optimal assignment of mentees to mentors with capacities (SPEC §3).

Objective: first the most matched mentees, then the highest total score. Each pair's gain
is B + score, with B larger than any total score, so one more match always wins.

The full problem has a pair for every mentee and mentor; it is solved on each mentee's best
candidates (a sparse problem for scipy's LAPJVsp, mentor columns repeated per free place),
then proven optimal for the full problem: node potentials from a Bellman-Ford pass over the
residual flow network give every left-out pair a reduced cost, and when one could still
improve the result its pairs join the candidates and the sparse problem is solved again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from pipeline.errors import MentorflowError

Scores = Callable[[np.ndarray], np.ndarray]  # mentee rows -> (rows x mentors), -inf forbidden
BLOCK_CELLS = 4_000_000  # scores held at once: about 32 MB of float64
CANDIDATES = 12


class SolverError(MentorflowError):
    """The solver could not prove its result optimal (a bug, never bad data)."""


@dataclass(frozen=True)
class Solution:
    mentor_of: np.ndarray  # per mentee: mentor index, or -1 when unmatched
    score: np.ndarray  # per mentee: the score of its pair (0 when unmatched)
    rounds: int  # sparse solves needed before the optimality proof held
    candidates: int  # pairs in the last sparse problem

    @property
    def matched(self) -> int:
        return int((self.mentor_of >= 0).sum())

    @property
    def total(self) -> float:
        return float(self.score[self.mentor_of >= 0].sum())


def _blocks(count: int, width: int) -> list[np.ndarray]:
    size = max(1, BLOCK_CELLS // max(width, 1))
    return [np.arange(start, min(start + size, count)) for start in range(0, count, size)]


def _best(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row the k best allowed columns, and the best score left out (-inf if none)."""
    rows, width = scores.shape
    allowed = np.isfinite(scores)
    if width <= k:
        r, c = np.nonzero(allowed)
        return r, c, np.full(rows, -np.inf)
    # argpartition is deterministic for the same input, and the input comes in a fixed order.
    order = np.argpartition(-scores, k, axis=1)
    top = order[:, :k]
    r = np.repeat(np.arange(rows), k)
    c = top.ravel()
    keep = allowed[r, c]
    next_best = scores[np.arange(rows), order[:, k]]
    return r[keep], c[keep], np.where(np.isfinite(next_best), next_best, -np.inf)


class _Problem:
    def __init__(self, scores: Scores, capacity: np.ndarray, mentees: int, k: int) -> None:
        self.scores, self.capacity, self.mentees = scores, capacity, mentees
        self.mentors = len(capacity)
        rows, cols, vals, self.left_out = [], [], [], np.full(mentees, -np.inf)
        for block in _blocks(mentees, self.mentors):
            s = scores(block)
            r, c, rest = _best(s, k)
            rows.append(block[r])
            cols.append(c)
            vals.append(s[r, c])
            self.left_out[block] = rest
        self.rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        self.cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        self.vals = np.concatenate(vals) if vals else np.zeros(0)
        top = max(float(self.vals.max()) if len(self.vals) else 0.0, 0.0)
        self.top = top
        # One more match must outweigh any difference in total score.
        self.big = (top + 1.0) * (min(mentees, int(capacity.sum())) + 1)
        self.tolerance = 1e-9 * self.big * 8

    def assign(self) -> np.ndarray:
        """Optimal mentor per mentee (-1 unmatched) on the current candidate pairs."""
        places = np.concatenate([[0], np.cumsum(self.capacity)]).astype(np.int64)
        slots = int(places[-1])
        copies = self.capacity[self.cols]
        first = np.repeat(places[self.cols], copies)
        offset = np.arange(copies.sum()) - np.repeat(np.cumsum(copies) - copies, copies)
        ceiling = self.big + self.top + 1.0  # all costs positive: LAPJVsp treats 0 as no edge
        cost = np.concatenate(
            [np.repeat(ceiling - (self.big + self.vals), copies), np.full(self.mentees, ceiling)]
        )
        row = np.concatenate([np.repeat(self.rows, copies), np.arange(self.mentees)])
        col = np.concatenate([first + offset, slots + np.arange(self.mentees)])
        graph = sp.csr_matrix((cost, (row, col)), shape=(self.mentees, slots + self.mentees))
        matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
        owner = np.repeat(np.arange(self.mentors), self.capacity)
        mentor_of = np.full(self.mentees, -1, dtype=np.int64)
        real = matched_cols < slots
        mentor_of[matched_rows[real]] = owner[matched_cols[real]]
        return mentor_of

    def potentials(self, mentor_of: np.ndarray) -> np.ndarray:
        """Bellman-Ford distances on the residual network: the dual prices of the solution.

        Nodes: mentees 0..M-1, mentors M..M+R-1, sink M+R. Costs are minus gains.
        """
        m, r = self.mentees, self.mentors
        sink = m + r
        gain = self.big + self.vals
        used = mentor_of[self.rows] == self.cols
        matched = mentor_of >= 0
        load = np.bincount(mentor_of[matched], minlength=r)
        mentees, mentors = np.arange(m), np.arange(r) + m
        src = np.concatenate(
            [
                np.where(used, self.cols + m, self.rows),
                mentees[matched],
                np.full((~matched).sum(), sink),
                mentors[load < self.capacity],
                np.full((load > 0).sum(), sink),
            ]
        )
        dst = np.concatenate(
            [
                np.where(used, self.rows, self.cols + m),
                np.full(matched.sum(), sink),
                mentees[~matched],
                np.full((load < self.capacity).sum(), sink),
                mentors[load > 0],
            ]
        )
        cost = np.concatenate([np.where(used, gain, -gain), np.zeros(len(src) - len(gain))])
        order = np.argsort(dst, kind="stable")
        src, dst, cost = src[order], dst[order], cost[order]
        starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]]) if len(dst) else np.zeros(0, int)
        targets = dst[starts]
        distance = np.zeros(sink + 1)
        for _ in range(sink + 2):
            if not len(dst):
                return distance
            best = np.minimum.reduceat(distance[src] + cost, starts)
            better = best < distance[targets] - self.tolerance
            if not better.any():
                return distance
            distance[targets[better]] = best[better]
        raise SolverError("the sparse solution has a negative cycle: it is not optimal")

    def widen(self, distance: np.ndarray, k: int) -> bool:
        """Add left-out pairs that could still improve the result; False when none can."""
        m = self.mentees
        mentor_price = distance[m : m + self.mentors]
        highest = float(mentor_price.max()) if self.mentors else 0.0
        # A left-out pair (i, j) is fine when big + score <= d[i] - d[j]; its score is at most
        # left_out[i] and d[j] at most `highest`, so most rows need no second look.
        doubtful = np.flatnonzero(
            self.big + self.left_out > distance[:m] - highest + self.tolerance
        )
        if not len(doubtful):
            return False
        candidates = sp.csr_matrix(
            (np.ones(len(self.rows), dtype=bool), (self.rows, self.cols)), shape=(m, self.mentors)
        )
        added_rows, added_cols, added_vals = [], [], []
        for block in _blocks(len(doubtful), self.mentors):
            rows = doubtful[block]
            s = self.scores(rows)
            known_r, known_c = candidates[rows].nonzero()
            s[known_r, known_c] = -np.inf
            slack = (self.big + s) - (distance[rows, None] - mentor_price[None, :])
            r, c, _ = _best(np.where(slack > self.tolerance, s, -np.inf), k)
            added_rows.append(rows[r])
            added_cols.append(c)
            added_vals.append(s[r, c])
            # what stays left out now is bounded by the best score not added
            remaining = s.copy()
            remaining[r, c] = -np.inf
            self.left_out[rows] = remaining.max(axis=1)
        new_rows = np.concatenate(added_rows)
        if not len(new_rows):
            return False
        self.rows = np.concatenate([self.rows, new_rows])
        self.cols = np.concatenate([self.cols, np.concatenate(added_cols)])
        self.vals = np.concatenate([self.vals, np.concatenate(added_vals)])
        return True


def solve(scores: Scores, capacity: np.ndarray, mentees: int, k: int = CANDIDATES) -> Solution:
    """The optimal assignment, with the proof that no left-out pair could improve it."""
    capacity = np.asarray(capacity, dtype=np.int64)
    if mentees == 0 or not len(capacity) or capacity.sum() == 0:
        return Solution(np.full(mentees, -1, dtype=np.int64), np.zeros(mentees), 0, 0)
    problem = _Problem(scores, capacity, mentees, k)
    rounds = 0
    while True:
        rounds += 1
        mentor_of = problem.assign()
        distance = problem.potentials(mentor_of)
        if not problem.widen(distance, k):
            break
    keys = problem.rows * problem.mentors + problem.cols
    order = np.argsort(keys)
    matched = np.flatnonzero(mentor_of >= 0)
    found = order[
        np.searchsorted(keys, matched * problem.mentors + mentor_of[matched], sorter=order)
    ]
    pair_score = np.zeros(mentees)
    pair_score[matched] = problem.vals[found]
    return Solution(mentor_of, pair_score, rounds, len(problem.rows))
