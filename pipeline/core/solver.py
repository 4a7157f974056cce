"""The provably optimal assignment of mentees to mentors with capacities (SPEC §3).

Objective: first the most matched mentees, then the highest total score. Each pair's gain
is B + score, with B larger than any total score, so one more match always wins.

The full problem has a pair for every mentee and mentor; it is solved on each mentee's best
candidates (a sparse problem for scipy's LAPJVsp, mentor columns repeated per free place),
then proven optimal for the full problem: node potentials from a Bellman-Ford pass over the
residual flow network give every left-out pair a reduced cost, and when one could still
improve the result its pairs join the candidates and the sparse problem is solved again.

Scores arrive in float32 blocks, to choose candidates and bound what is left out (with a
margin for rounding); the pairs that are solved with come exactly, in float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from pipeline.errors import SolverError


class Scores(Protocol):
    """Where the solver gets scores: fast blocks to choose with, exact values to decide with."""

    def block(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """(rows x mentors, or x cols) scores, float32 is fine; -inf where not allowed."""
        ...

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        """Exact float64 scores of the given (allowed) pairs."""
        ...


BLOCK_CELLS = 1_000_000  # scores held at once (a few MB): never the whole pair matrix
CANDIDATES = 12
SPREAD = 10.0  # score points below a mentee's best that still make a candidate
RISEN = 256  # mentors whose potential rose, looked at column by column; more: a cruder bound


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
    """Per row the best allowed columns (about k), and the best score left out (-inf if none).

    A row keeps every column within SPREAD of its best score; a row crowded with more than
    k such columns keeps k of its best (argpartition is costly, so only for those rows).
    """
    best = scores.max(axis=1, initial=-np.inf)
    keep = scores >= np.where(np.isfinite(best), best - SPREAD, np.inf)[:, None]
    crowded = np.flatnonzero(np.count_nonzero(keep, axis=1) > k)
    if len(crowded) and scores.shape[1] > k:
        # argpartition is deterministic for the same input, and the input has a fixed order
        top = np.argpartition(-scores[crowded], k, axis=1)[:, :k]
        keep[crowded] = False
        keep[np.repeat(crowded, k), top.ravel()] = True
        keep &= np.isfinite(scores)
    r, c = np.nonzero(keep)
    left_out = np.max(scores, axis=1, where=~keep, initial=-np.inf)
    return r, c, left_out


class _Problem:
    def __init__(self, scores: Scores, capacity: np.ndarray, mentees: int, k: int) -> None:
        self.scores, self.capacity, self.mentees = scores, capacity, mentees
        self.mentors = len(capacity)
        rows, cols, self.left_out = [], [], np.full(mentees, -np.inf)
        for block in _blocks(mentees, self.mentors):
            r, c, self.left_out[block] = _best(scores.block(block), k)
            rows.append(block[r])
            cols.append(c)
        self.rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        self.cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        self.vals = scores.pairs(self.rows, self.cols)
        top = max(float(self.vals.max()) if len(self.vals) else 0.0, 0.0)
        self.top = top
        # Blocks may be float32 (relative error near 6e-8 a step): bounds taken from them get
        # this much room, which stays below the tolerance so that exact ties settle.
        self.margin = 1e-6 * (top + 1.0)
        self.left_out += self.margin
        # One more match must outweigh any difference in total score.
        self.big = (top + 1.0) * (min(mentees, int(capacity.sum())) + 1)
        # An improvement smaller than this is not one: float64 rounding on potentials of this
        # size stays far below it, and different totals differ by more (weights are points,
        # goal and shift fractions have small denominators).
        self.tolerance = 1e-3 + 1e-12 * self.big
        # For a row looked at in full: the exact max of (score + mentor potential) over its
        # left-out pairs, and the mentor potentials it was taken with (by widening round).
        self.exact = np.full(mentees, np.nan)
        self.exact_round = np.full(mentees, -1)
        self.round_prices: list[np.ndarray] = []

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
        # Distances from the sink: the highest prices a mentee can have relative to the sink.
        # A node the sink cannot reach has no constraint from it: a mentee keeps +inf (no
        # left-out pair of it can help), a mentor (then without mentees) the sink's level.
        distance = np.full(sink + 1, np.inf)
        distance[sink] = 0.0
        for _ in range(sink + 2):
            if not len(dst):
                break
            with np.errstate(invalid="ignore"):
                best = np.minimum.reduceat(distance[src] + cost, starts)
            better = best < distance[targets] - self.tolerance
            if not better.any():
                break
            distance[targets[better]] = best[better]
        else:
            raise SolverError("the sparse solution has a negative cycle: it is not optimal")
        mentor_part = distance[m : m + r]
        mentor_part[np.isinf(mentor_part)] = 0.0  # a mentor no mentee can reach: free
        if np.isinf(distance[:m]).any():  # every mentee is reachable from the sink
            raise SolverError("a mentee has no potential: the residual network is malformed")
        return distance

    def candidate_matrix(self) -> sp.csr_matrix:
        return sp.csr_matrix(
            (np.ones(len(self.rows), dtype=bool), (self.rows, self.cols)),
            shape=(self.mentees, self.mentors),
        )

    def bounds(self, prices: np.ndarray) -> np.ndarray:
        """Per mentee, an upper bound of max(score + mentor potential) over its left-out pairs.

        A row never looked at in full: its best left-out score plus the highest potential.
        A row looked at in an earlier round: its exact value then, where no potential rose;
        the mentors whose potential rose are scored again, column by column.
        """
        bound = self.left_out + (prices.max() if len(prices) else 0.0)
        candidates = None
        for number, earlier in enumerate(self.round_prices):
            rows = np.flatnonzero(self.exact_round == number)
            if not len(rows):
                continue
            rise = prices - earlier
            risen = np.flatnonzero(rise > self.tolerance)
            if len(risen) > RISEN:
                bound[rows] = self.exact[rows] + float(rise.max())
                continue
            bound[rows] = self.exact[rows] + self.tolerance
            if not len(risen):
                continue
            candidates = self.candidate_matrix() if candidates is None else candidates
            for block in _blocks(len(rows), len(risen)):
                part = rows[block]
                s = self.scores.block(part, risen).astype(np.float64)
                known_r, known_c = candidates[part][:, risen].nonzero()
                s[known_r, known_c] = -np.inf
                reach = (s + prices[risen][None, :]).max(axis=1) + self.margin
                bound[part] = np.maximum(bound[part], reach)
        return bound

    def widen(self, distance: np.ndarray, k: int) -> bool:
        """Add left-out pairs that could still improve the result; False when none can."""
        m = self.mentees
        prices = distance[m : m + self.mentors]
        # A left-out pair (i, j) could improve the result when big + s_ij + d[j] > d[i].
        doubtful = np.flatnonzero(self.big + self.bounds(prices) > distance[:m] + self.tolerance)
        if not len(doubtful):
            return False
        candidates = self.candidate_matrix()
        added_rows, added_cols = [], []
        number = len(self.round_prices)
        self.round_prices.append(prices.copy())
        for block in _blocks(len(doubtful), self.mentors):
            rows = doubtful[block]
            s = self.scores.block(rows).astype(np.float64)
            known_r, known_c = candidates[rows].nonzero()
            s[known_r, known_c] = -np.inf
            reach = s + prices[None, :]  # score + mentor potential
            # within the margin counts as a possible improvement: the pair joins the candidates
            slack = self.big + reach + self.margin - distance[rows, None]
            r, c, _ = _best(np.where(slack > self.tolerance, s, -np.inf), k)
            added_rows.append(rows[r])
            added_cols.append(c)
            reach[r, c] = -np.inf
            self.exact[rows] = reach.max(axis=1, initial=-np.inf) + self.margin
            self.exact_round[rows] = number
        new_rows = np.concatenate(added_rows)
        if not len(new_rows):
            return False
        new_cols = np.concatenate(added_cols)
        self.rows = np.concatenate([self.rows, new_rows])
        self.cols = np.concatenate([self.cols, new_cols])
        self.vals = np.concatenate([self.vals, self.scores.pairs(new_rows, new_cols)])
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
