"""The solver's methods for many people, with numpy and scipy (loaded only for them).

- `dense`: every pair's exact score at once, scipy's linear_sum_assignment with mentor
  columns repeated per free place, then node potentials by Bellman-Ford over the mentors.
- `sparse`: each mentee's best candidates from fast float32 blocks, scipy's LAPJVsp on
  them, node potentials by Bellman-Ford over the residual network; the potentials then
  prove the result optimal for every pair: a left-out pair that could improve it, or tie
  with it, joins the candidates (and the problem is solved again when one improves it).
Both end in `solver.tie_rule`, on every tight pair.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from pipeline.core.solver import (
    BLOCK_ERROR,
    Scores,
    Solution,
    match_bonus,
    movable,
    tie_rule,
    units_per_point,
)
from pipeline.errors import SolverError

BLOCK_CELLS = 4_000_000  # block scores held at once (16 MB): never the whole pair matrix
SPREADS = (10.0, 5.0, 2.0, 0.0)  # score points below a mentee's best that make a candidate
#: From this many mentees the tie rule first splits the tight arcs into components.
COMPONENTS_FROM = 100


def dense(scores: Scores, capacity: list[int]) -> Solution:
    """Every pair at once: scipy's linear_sum_assignment, mentors repeated per place."""
    from scipy.optimize import linear_sum_assignment  # (only here: it loads slowly)

    m, r = scores.shape
    unit = units_per_point(scores.top, m, r)
    big = float(match_bonus(scores.top, unit, m, capacity))
    exact = scores.matrix(np.arange(m))
    allowed = exact >= 0
    units = np.where(allowed, np.rint(exact * unit), -np.inf)  # a pair's gain is big + units
    # costs as `_Candidates.assign` has them: a forbidden pair no better than none
    cost = np.minimum(round(scores.top * unit) + 1.0 - units, big + round(scores.top * unit) + 1)
    owner = np.repeat(np.arange(r), capacity)
    if m <= len(owner):
        chosen, places = linear_sum_assignment(cost[:, owner])
    else:  # places as rows (scipy would copy the matrix transposed), those of the mentors
        # with the least cost first: scipy then finds shorter paths
        owner = owner[np.argsort(cost.min(axis=0)[owner], kind="stable")]
        places, chosen = linear_sum_assignment(cost.T[owner])
    mentor_of = np.full(m, -1, dtype=np.int64)
    real = allowed[chosen, owner[places]]  # a forbidden pair gains nothing: unmatched
    mentor_of[chosen[real]] = owner[places[real]]
    # Bellman-Ford over the mentors as in `_potentials`, every pair an arc: a dense matrix
    matched = np.flatnonzero(mentor_of >= 0)
    own = np.full(m, -big)  # minus the gain of staying unmatched (0), in units past big
    own[matched] = units[matched, mentor_of[matched]]
    arcs = own[:, None] - units  # +inf where forbidden; big cancels
    arcs[matched, mentor_of[matched]] = np.inf  # a mentee's own pair is no arc out of it
    load = np.bincount(mentor_of[matched], minlength=r)
    via = np.where(mentor_of >= 0, mentor_of, r)  # a mentee's mentor, or the sink
    distance = np.append(np.where(load > 0, 0.0, np.inf), 0.0)
    changed = np.ones(r + 1, dtype=bool)
    for _ in range(r + 2):
        active = np.flatnonzero(changed[via])  # only arcs out of a changed node can help
        if 2 * len(active) > m:  # most: all at once (the others are no shorter) is faster
            best = (distance[via][:, None] + arcs).min(axis=0)
        else:
            best = (distance[via[active]][:, None] + arcs[active]).min(axis=0, initial=np.inf)
        changed[:r] = best < distance[:r]
        changed[r] = False
        if not changed.any():
            break
        distance[:r][changed[:r]] = best[changed[:r]]
    else:
        raise SolverError("the solution has a negative cycle: it is not optimal")
    gain = np.where(mentor_of >= 0, big + own, 0.0)
    mentee, mentor = _levels(distance[:r], load, capacity, mentor_of, gain)
    rows, cols = np.nonzero((mentee - big)[:, None] - mentor[None, :] == units)
    first = _finish(mentor_of, rows, cols, (mentee, mentor), capacity)
    chosen = np.array(first, dtype=np.int64)
    score = np.where(chosen >= 0, exact[np.arange(m), chosen], 0.0)
    return Solution(tuple(first), tuple(score.tolist()), "dense", 1, int(allowed.sum()))


def sparse(scores: Scores, capacity: list[int], k: int) -> Solution:
    """Solved on candidates, widened until the potentials prove it for every pair."""
    problem = _Candidates(scores, np.array(capacity, dtype=np.int64), k)
    rounds, widened = 0, "improving"
    while widened == "improving":
        rounds += 1
        mentor_of = problem.assign()
        problem.potential = _potentials(mentor_of, problem, capacity)
        widened = problem.widen()
        while widened == "tied":  # the potentials still hold: more ties to take in
            widened = problem.widen()
    (mentee, mentor), rows, cols = problem.potential, problem.rows, problem.cols
    tight = mentee[rows] - mentor[cols] == problem.gain
    first = _finish(mentor_of, rows[tight], cols[tight], problem.potential, capacity)
    r = len(capacity)
    keys = rows * r + cols
    order = np.argsort(keys)
    chosen = np.array(first, dtype=np.int64)
    matched = np.flatnonzero(chosen >= 0)
    found = order[np.searchsorted(keys, matched * r + chosen[matched], sorter=order)]
    score = np.zeros(len(first))
    score[matched] = problem.exact[found]
    return Solution(tuple(first), tuple(score.tolist()), "sparse", rounds, len(rows))


def _potentials(
    mentor_of: np.ndarray, pairs: _Candidates, capacity: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Node potentials (mentees, mentors) proving `mentor_of` optimal on the candidates:
    distances from the sink (Bellman-Ford; costs are minus gains), see `_levels`."""
    r = len(capacity)
    rows, cols, gain = pairs.rows, pairs.cols, pairs.gain
    matched = mentor_of >= 0
    used = mentor_of[rows] == cols
    own = np.zeros(len(mentor_of))  # a mentee's potential is its mentor's plus this gain
    own[rows[used]] = gain[used]
    free_rows, dst = rows[~used], cols[~used]
    # an unused pair (i, j): mentor j <= (i's mentor, or the sink r) + own[i] - gain(i, j)
    src = np.where(matched[free_rows], mentor_of[free_rows], r)
    weight = own[free_rows] - gain[~used]
    order = np.argsort(dst, kind="stable")
    src, dst, weight = src[order], dst[order], weight[order]
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]]) if len(dst) else dst
    targets = dst[starts]
    load = np.bincount(mentor_of[matched], minlength=r)
    distance = np.append(np.where(load > 0, 0.0, np.inf), 0.0)  # the sink reaches every
    for _ in range(r + 2):  # mentor with mentees for free
        if not len(dst):
            break
        best = np.minimum.reduceat(distance[src] + weight, starts)
        better = best < distance[targets]
        if not better.any():
            break
        distance[targets[better]] = best[better]
    else:
        raise SolverError("the solution has a negative cycle: it is not optimal")
    return _levels(distance[:r], load, capacity, mentor_of, own)


def _levels(
    distance: np.ndarray,
    load: np.ndarray,
    capacity: Sequence[int],
    mentor_of: np.ndarray,
    own: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Potentials from the mentors' distances, checked; a mentor without mentees then as low
    as it may be (the sink's level), which makes the proof for left-out pairs easiest."""
    places = np.asarray(capacity)
    mentor = distance.copy()
    if (mentor[load < places] < 0).any():
        raise SolverError("a mentor with a free place could improve the solution")
    mentor[(load == 0) & (places > 0)] = 0.0
    mentor[places == 0] = -np.inf
    mentee = np.where(mentor_of >= 0, mentor[np.maximum(mentor_of, 0)] + own, 0.0)
    if (mentee < 0).any():
        raise SolverError("an unmatched mentee could improve the solution")
    return mentee, mentor


def _finish(
    mentor_of: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    potential: tuple[np.ndarray, np.ndarray],
    capacity: list[int],
) -> list[int]:
    """`tie_rule` on the tight pairs (rows, cols); all of them are given.

    A tight cycle stays within a strongly connected component of the tight arcs, and
    components only split as the rule moves mentees: a mentee without another tight mentor
    in its own component (or its own, when it is level) never moves, and is not looked at.
    """
    (mentee, mentor), m, r = potential, len(mentor_of), len(capacity)
    sink, x = m + r, mentor_of
    own = x[rows] == cols
    # a cycle leaves a mentee by a tight arc: to another mentor, or (level) to the sink
    able = ~own | (mentee[rows] == 0)
    if not able.any():
        return [int(j) for j in x]  # the only optimal assignment
    if m < COMPONENTS_FROM:  # few mentees: finding the components costs more than it saves
        tight: dict[int, list[int]] = {}
        for key in np.sort(rows * r + cols).tolist():
            tight.setdefault(key // r, []).append(key % r)
        levels = (
            set(np.flatnonzero(mentee == 0).tolist()),
            set(np.flatnonzero(mentor == 0).tolist()),
        )
        return tie_rule(x.tolist(), tight, levels, capacity, movable(tight, levels[0]))
    load = np.bincount(x[x >= 0], minlength=r)
    level = np.flatnonzero(mentee == 0)
    matched = x[level] >= 0
    on = np.flatnonzero(mentor == 0)
    spare, busy = on[load[on] < np.asarray(capacity)[on]], on[load[on] > 0]
    # the arcs: pairs (tight, as given), level mentees to/from the sink, level mentors too
    ends = [
        (np.where(own, m + cols, rows), np.where(own, rows, m + cols)),
        (level[matched], np.full(matched.sum(), sink)),
        (np.full((~matched).sum(), sink), level[~matched]),
        (m + spare, np.full(len(spare), sink)),
        (np.full(len(busy), sink), m + busy),
    ]
    src, dst = np.concatenate([a for a, _ in ends]), np.concatenate([b for _, b in ends])
    order = np.argsort(src, kind="stable")
    ptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=sink + 1))])
    arcs = sp.csr_array((np.ones(len(src)), dst[order], ptr), shape=(sink + 1, sink + 1))
    component = connected_components(arcs, directed=True, connection="strong")[1]
    moving = np.unique(rows[able & (component[m + cols] == component[rows])])
    # only arcs within a component can lie on a cycle
    inside = component[rows] == component[m + cols]
    keys = np.sort(rows[inside] * r + cols[inside])
    tight = {}
    for key in keys.tolist():
        tight.setdefault(key // r, []).append(key % r)
    hub = component[sink]
    levels = (
        set(np.flatnonzero((mentee == 0) & (component[:m] == hub)).tolist()),
        set(np.flatnonzero((mentor == 0) & (component[m:sink] == hub)).tolist()),
    )
    return tie_rule(x.tolist(), tight, levels, capacity, moving.tolist())


def _blocks(count: int, width: int) -> list[np.ndarray]:
    size = max(1, BLOCK_CELLS // max(width, 1))
    return [np.arange(start, min(start + size, count)) for start in range(0, count, size)]


def _best(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row the best allowed columns (about k), and a bound of the scores left out.

    A row keeps every column within SPREADS[0] of its best score; a row crowded with more
    than k of those keeps a narrower spread, and at last the first k of its best (ties).
    """
    best = scores.max(axis=1, initial=-np.inf)
    some = best >= 0  # scores are never negative: a row with none has no allowed pair
    bound = np.where(some, best - SPREADS[0], -np.inf)
    rows = np.arange(len(scores))
    kept_rows, kept_cols = [], []
    for spread in SPREADS:
        line = best[rows] - spread
        part = scores if len(rows) == len(scores) else scores[rows]
        keep = part >= np.where(some[rows], line, np.inf)[:, None]
        if spread == SPREADS[-1]:
            keep &= np.cumsum(keep, axis=1) <= k
        r, c = np.divmod(np.flatnonzero(keep), scores.shape[1])
        counts = np.bincount(r, minlength=len(rows))
        fits = counts[r] <= k
        kept_rows.append(rows[r[fits]])
        kept_cols.append(c[fits])
        bound[rows] = np.where(some[rows], line, -np.inf)
        rows = rows[counts > k]
        if not len(rows):
            break
    return np.concatenate(kept_rows), np.concatenate(kept_cols), bound


def _entries(rows: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position in `wanted`, index into `rows`) of every entry whose row is wanted."""
    order = np.argsort(rows, kind="stable")
    starts = np.searchsorted(rows, wanted, sorter=order)
    lengths = np.searchsorted(rows, wanted, side="right", sorter=order) - starts
    local = np.repeat(np.arange(len(wanted)), lengths)
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return local, order[np.arange(len(local)) + shift]


class _Candidates:
    """The sparse problem: candidate pairs, solved, then proven optimal for every pair."""

    def __init__(self, scores: Scores, capacity: np.ndarray, k: int) -> None:
        self.scores, self.capacity, self.k = scores, capacity, k
        self.mentees, self.mentors = scores.shape
        unit = units_per_point(scores.top, self.mentees, self.mentors)
        big = float(match_bonus(scores.top, unit, self.mentees, capacity.tolist()))
        self.ceiling = big + round(scores.top * unit) + 1.0  # above every gain
        self.error = BLOCK_ERROR * (scores.top + 1.0) * unit  # of a block score, in units
        rows, cols = [], []
        self.bound = np.full(self.mentees, -np.inf)  # left-out pairs score at most this
        for block in _blocks(self.mentees, self.mentors):
            r, c, self.bound[block] = _best(scores.block(block), k)
            rows.append(block[r])
            cols.append(c)
        self.rows, self.cols = np.concatenate(rows), np.concatenate(cols)
        self.big, self.unit = big, unit
        self.exact = scores.pairs(self.rows, self.cols)
        self.gain = big + np.rint(self.exact * unit)
        self.potential = (self.exact[:0], self.exact[:0])
        self.checked_with: tuple[np.ndarray, np.ndarray] | None = None
        self.reached = np.zeros(0)  # per row: max of units + mentor potential, left out

    def assign(self) -> np.ndarray:
        """Optimal mentor per mentee (-1 unmatched) on the candidate pairs (LAPJVsp)."""
        m = self.mentees
        places = np.concatenate([[0], np.cumsum(self.capacity)]).astype(np.int64)
        slots = int(places[-1])
        copies = self.capacity[self.cols]
        first = np.repeat(places[self.cols], copies)
        offset = np.arange(copies.sum()) - np.repeat(np.cumsum(copies) - copies, copies)
        # all costs positive (LAPJVsp reads 0 as no edge); each mentee may stay unmatched
        cost = np.concatenate(
            [np.repeat(self.ceiling - self.gain, copies), np.full(m, self.ceiling)]
        )
        row = np.concatenate([np.repeat(self.rows, copies), np.arange(m)])
        col = np.concatenate([first + offset, slots + np.arange(m)])
        graph = sp.csr_matrix((cost, (row, col)), shape=(m, slots + m))
        matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
        owner = np.repeat(np.arange(self.mentors), self.capacity)
        mentor_of = np.full(m, -1, dtype=np.int64)
        real = matched_cols < slots
        mentor_of[matched_rows[real]] = owner[matched_cols[real]]
        return mentor_of

    def widen(self) -> str:
        """Add left-out pairs that could improve the result or tie with it, at most k per
        mentee, those that gain most first: "improving" when one improves it (it must be
        solved again), "tied" when only ties were added, "done" when none is left out (the
        tie rule needs them all)."""
        mentee, mentor = self.potential
        if self.checked_with is not self.potential:  # new potentials: nothing checked yet
            self.checked_with, self.reached = self.potential, np.full(self.mentees, np.nan)
        # a left-out pair (i, j) is tight or better when big + gain(i, j) + mentor[j] >= mentee[i]
        reach = np.where(
            np.isnan(self.reached),
            self.bound * self.unit + mentor.max(),
            self.reached,  # exact for a row looked at in full with these potentials
        )
        doubtful = np.flatnonzero(self.big + reach + self.error - mentee >= 0)
        added_rows, added_cols = [], []
        for block in _blocks(len(doubtful), self.mentors):
            rows = doubtful[block]
            s = self.scores.block(rows).astype(np.float64)
            local, entry = _entries(self.rows, rows)
            s[local, self.cols[entry]] = -np.inf
            slack = self.big + s * self.unit + self.error + mentor[None, :] - mentee[rows, None]
            slack[slack < 0] = -np.inf
            crowded = np.flatnonzero(np.count_nonzero(slack >= 0, axis=1) > self.k)
            if len(crowded):
                top = np.argpartition(-slack[crowded], self.k, axis=1)[:, self.k :]
                slack[np.repeat(crowded, top.shape[1]), top.ravel()] = -np.inf
            r, c = np.nonzero(slack >= 0)
            added_rows.append(rows[r])
            added_cols.append(c)
            s[r, c] = -np.inf
            self.bound[rows] = s.max(axis=1, initial=-np.inf)
            self.reached[rows] = (s * self.unit + mentor[None, :]).max(axis=1, initial=-np.inf)
        if not added_rows or not sum(map(len, added_rows)):
            return "done"
        rows, cols = np.concatenate(added_rows), np.concatenate(added_cols)
        exact = self.scores.pairs(rows, cols)
        gain = self.big + np.rint(exact * self.unit)
        self.rows = np.concatenate([self.rows, rows])
        self.cols = np.concatenate([self.cols, cols])
        self.exact = np.concatenate([self.exact, exact])
        self.gain = np.concatenate([self.gain, gain])
        return "improving" if (gain + mentor[cols] > mentee[rows]).any() else "tied"
