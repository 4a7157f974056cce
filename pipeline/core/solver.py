"""The provably optimal assignment of mentees to mentors with capacities (SPEC §3).

Objective: first the most matched mentees, then the highest total score, and among the
assignments equal on both the first in mentee order: each mentee in turn gets the
lowest-numbered mentor it can have in such an assignment (mentors are numbered in email
order). Scores are counted in integer units (2**-k points, `units_per_point`), so that
every method computes exactly and ties are ties; each pair's gain is BIG + its score, BIG
(`match_bonus`) larger than any total score, so that one more match always wins.

Three methods, one answer (`choose` picks one per instance):
- "pure": plain Python, for tens of people; numpy and scipy are never loaded. Successive
  shortest paths over every allowed pair, which leave the node potentials that prove it.
- "dense" and "sparse" (solver_numpy.py): numpy and scipy, for hundreds and for thousands.
Each ends in `tie_rule`, which turns an optimal assignment and its potentials into the first
optimal assignment, so that the method never shows in the result.
"""

from __future__ import annotations

import heapq
import itertools
import math
import sys
from collections import deque
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np


class Scores(Protocol):
    """Where the solver gets scores: exact ones, and fast float32 blocks to choose with."""

    @property
    def shape(self) -> tuple[int, int]:
        """(mentees, mentors)"""
        ...

    @property
    def top(self) -> float:
        """No pair scores more (scores are never negative)."""
        ...

    def allowed(self) -> list[list[tuple[int, float]]]:
        """Per mentee, its allowed mentors (ascending) with their exact scores."""
        ...

    def block(self, rows: np.ndarray) -> np.ndarray:
        """(rows x mentors) scores, float32 within BLOCK_ERROR x (top + 1) of exact; negative
        where not allowed."""
        ...

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        """(rows x mentors) exact float64 scores, equal to those of `allowed`; negative where
        not allowed."""
        ...

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        """Exact float64 scores of the given allowed pairs, equal to those of `allowed`."""
        ...


METHODS = ("pure", "dense", "sparse")
#: Up to this many pairs plain Python is the fastest method, numpy and scipy loaded or not.
PURE_PAIRS = 250
#: Up to this many pairs plain Python is faster than loading numpy and scipy (0.5-0.8 s).
PURE_PAIRS_COLD = 30_000
#: Up to this many mentees x places scipy's dense linear_sum_assignment is the fastest.
DENSE_CELLS = 300_000  # measured: dense beats sparse up to 500 x 250 (250k), not at 700 x 400
BLOCK_ERROR = 1e-5
CANDIDATES = 12


@dataclass(frozen=True)
class Solution:
    mentor_of: tuple[int, ...]  # per mentee: mentor index, or -1 when unmatched
    score: tuple[float, ...]  # per mentee: the exact score of its pair (0 when unmatched)
    method: str
    rounds: int = 0  # sparse solves needed before the optimality proof held
    candidates: int = 0  # pairs the last solve had

    @property
    def matched(self) -> int:
        return sum(j >= 0 for j in self.mentor_of)

    @property
    def total(self) -> float:
        return math.fsum(s for s, j in zip(self.score, self.mentor_of, strict=True) if j >= 0)


def choose(mentees: int, mentors: int, places: int, loaded: Container[str] = sys.modules) -> str:
    """The fastest method for the size, counting what loading numpy and scipy would cost
    when they are not `loaded` yet: tens of people are matched in plain Python."""
    pairs = mentees * mentors
    if pairs <= PURE_PAIRS or (pairs <= PURE_PAIRS_COLD and "scipy" not in loaded):
        return "pure"
    if mentees * places <= DENSE_CELLS and "scipy.optimize" in loaded:
        return "dense"
    return "sparse"  # its scipy.sparse.csgraph loads faster than scipy.optimize


def solve(
    scores: Scores, capacity: Iterable[int], method: str | None = None, k: int = CANDIDATES
) -> Solution:
    """The first optimal assignment, by `method` (default: `choose`)."""
    mentees, mentors = scores.shape
    capacity = [int(c) for c in capacity]
    method = method or choose(mentees, mentors, sum(capacity))
    if mentees == 0 or sum(capacity) == 0:
        return Solution((-1,) * mentees, (0.0,) * mentees, method)
    if method == "pure":
        return _pure(scores, capacity)
    if method in ("dense", "sparse"):
        from pipeline.core import solver_numpy  # numpy and scipy: only for many people

        if method == "dense":
            return solver_numpy.dense(scores, capacity)
        return solver_numpy.sparse(scores, capacity, k)
    raise ValueError(f"unknown method {method!r}; one of {', '.join(METHODS)}")


def units_per_point(top: float, mentees: int, mentors: int) -> float:
    """Integer units per score point: a power of two, so fine that different totals stay
    different, and coarse enough that every gain, potential and sum of them stays below
    2**50 (exact in float64, as LAPJVsp and the potentials compute)."""
    room = 2.0**50 / ((top + 1.0) * (mentees + mentors + 2))
    return 2.0 ** math.floor(math.log2(room))


def match_bonus(top: float, unit: float, mentees: int, capacity: Sequence[int]) -> int:
    """A gain every match gets on top of its score: more than any total score."""
    return (round(top * unit) + 1) * (min(mentees, sum(capacity)) + 1)


# --- plain Python ---------------------------------------------------------------------------


def _pure(scores: Scores, capacity: list[int]) -> Solution:
    mentees, mentors = scores.shape
    unit = units_per_point(scores.top, mentees, mentors)
    big = match_bonus(scores.top, unit, mentees, capacity)
    allowed = scores.allowed()
    gain = [{j: big + round(s * unit) for j, s in row} for row in allowed]
    mentor_of, potential = _shortest_paths(gain, capacity)
    sink = potential[-1]
    tight = [
        [j for j, g in sorted(row.items()) if potential[i] - potential[mentees + j] == g]
        for i, row in enumerate(gain)
    ]
    levels = (
        {i for i in range(mentees) if potential[i] == sink},
        {j for j in range(mentors) if potential[mentees + j] == sink},
    )
    tight_of = {i: row for i, row in enumerate(tight) if row}
    mentor_of = tie_rule(mentor_of, tight_of, levels, capacity, movable(tight_of, levels[0]))
    exact = [dict(row) for row in allowed]
    score = tuple(exact[i][j] if j >= 0 else 0.0 for i, j in enumerate(mentor_of))
    return Solution(tuple(mentor_of), score, "pure", 1, sum(map(len, allowed)))


def _shortest_paths(gain: list[dict[int, int]], capacity: list[int]) -> tuple[list[int], list[int]]:
    """An optimal assignment and its node potentials: mentees join one at a time, each along
    a shortest augmenting path (Dijkstra on reduced costs) to a free place or to staying
    unmatched.

    Nodes: mentees 0..M-1, mentors M..M+R-1, the sink M+R. Arcs (cost = minus gain): mentee
    to an allowed mentor (-gain), mentor back to a mentee it has (+gain), a matched mentee to
    the sink (becoming unmatched, 0), a mentor with a free place to the sink (0).
    """
    mentees, mentors = len(gain), len(capacity)
    sink = mentees + mentors
    # A node's potential is potential[v] + shift: a step adds to every node at once.
    potential, shift = [0] * (sink + 1), 0
    mentor_of = [-1] * mentees
    members: list[set[int]] = [set() for _ in range(mentors)]
    for new in range(mentees):
        # the new mentee's potential makes every arc out of it non-negative
        best, chosen = potential[sink], -1
        for j, g in gain[new].items():
            if potential[mentees + j] + g > best:
                best, chosen = potential[mentees + j] + g, j
        potential[new] = best
        if (
            chosen >= 0
            and len(members[chosen]) < capacity[chosen]
            and potential[mentees + chosen] == potential[sink]
        ):  # a tight arc to a free place: a shortest path of length 0, nothing to update
            members[chosen].add(new)
            mentor_of[new] = chosen
            continue
        distance = {new: 0}
        parent: dict[int, int] = {}
        done: set[int] = set()
        heap = [(0, new)]
        while heap:
            du, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            if u == sink:
                break
            arcs: list[tuple[int, int]] = []
            if u < mentees:
                arcs = [(mentees + j, -g) for j, g in gain[u].items() if j != mentor_of[u]]
                if mentor_of[u] >= 0 or u == new:
                    arcs.append((sink, 0))
            else:
                j = u - mentees
                arcs = [(k, gain[k][j]) for k in members[j]]
                if len(members[j]) < capacity[j]:
                    arcs.append((sink, 0))
            for v, cost in arcs:
                dv = du + cost + potential[u] - potential[v]
                if v not in done and dv < distance.get(v, dv + 1):
                    distance[v], parent[v] = dv, u
                    heapq.heappush(heap, (dv, v))
        reach = distance[sink]
        shift += reach
        for v in done:
            potential[v] -= reach - distance[v]
        path = [sink]
        while path[-1] != new:
            path.append(parent[path[-1]])
        path.reverse()
        for u, v in itertools.pairwise(path):
            if u < mentees and v < sink:
                members[v - mentees].add(u)
                mentor_of[u] = v - mentees
            elif u < mentees:
                mentor_of[u] = -1
            elif u < sink and v < mentees:
                members[u - mentees].discard(v)
    return mentor_of, [p + shift for p in potential]


# --- the tie rule, shared by every method ---------------------------------------------------


def tie_rule(
    mentor_of: Sequence[int],
    tight: dict[int, list[int]],
    level: tuple[set[int], set[int]],
    capacity: Sequence[int],
    moving: Iterable[int],
) -> list[int]:
    """The first optimal assignment in mentee order, from any optimal one and its potentials.

    Optimal assignments differ by cycles of tight arcs (reduced cost 0) in the residual
    network. `tight[i]`: the mentors j with potential(i) - potential(j) = gain(i, j),
    ascending (those on no cycle may be left out); `level`: the mentees and the mentors with
    the sink's potential (their arcs to and from the sink are tight). Each mentee in turn
    takes the lowest tight mentor below its own that a tight cycle avoiding the mentees
    before it can give it (an unmatched mentee: any it can get); only those in `moving`
    (ascending) can move at all.
    """
    graph = _Tight(mentor_of, tight, level, capacity)
    for i in moving:
        graph.settle(i)
    return graph.x


def movable(tight: dict[int, list[int]], level_mentees: set[int]) -> list[int]:
    """The mentees a cycle can leave by a tight arc: to a second tight mentor, or to the sink
    (a level mentee); the others never move."""
    return sorted(i for i, row in tight.items() if len(row) > 1 or (row and i in level_mentees))


class _Tight:
    """The tight arcs of the residual network, as the tie rule walks them.

    Nodes: mentees 0..M-1, mentors M..M+R-1, the sink M+R. Arcs: a mentee to a tight mentor
    it does not have, a mentor to a mentee it has (tight), a matched level mentee to the
    sink, a level mentor with a free place to the sink, the sink to a level mentor with
    mentees and to an unmatched level mentee. Mentees up to `current` are settled: no arc
    reaches them.
    """

    def __init__(
        self,
        mentor_of: Sequence[int],
        tight: dict[int, list[int]],
        level: tuple[set[int], set[int]],
        capacity: Sequence[int],
    ) -> None:
        self.mentees, self.sink = len(mentor_of), len(mentor_of) + len(capacity)
        self.x, self.tight, self.capacity = list(mentor_of), tight, capacity
        self.level_mentees, self.level_mentors = level
        self.tight_set = {k: set(row) for k, row in tight.items()}
        self.tight_in: dict[int, list[int]] = {}  # mentor -> mentees tight with it
        self.held: dict[int, set[int]] = {}  # mentor -> its mentees, by a tight pair
        for k, row in tight.items():
            for j in row:
                self.tight_in.setdefault(j, []).append(k)
                if j == self.x[k]:
                    self.held.setdefault(j, set()).add(k)
        self.load = [0] * len(capacity)
        for j in self.x:
            if j >= 0:
                self.load[j] += 1
        self.current = -1

    def after(self, u: int) -> Iterator[int]:
        """Arcs out of a mentee or mentor (the sink is never expanded: see `settle`)."""
        m, x, current = self.mentees, self.x, self.current
        if u < m:
            yield from (m + j for j in self.tight.get(u, ()) if j != x[u])
            if x[u] >= 0 and u in self.level_mentees:
                yield self.sink
        else:
            j = u - m
            yield from (k for k in self.held.get(j, ()) if k > current)
            if self.load[j] < self.capacity[j] and j in self.level_mentors:
                yield self.sink

    def before(self, v: int) -> Iterator[int]:
        """Arcs into a mentee or mentor."""
        m, x, current = self.mentees, self.x, self.current
        if v < m:
            if x[v] >= 0 and v in self.held.get(x[v], ()):
                yield m + x[v]
            elif x[v] < 0 and v in self.level_mentees:
                yield self.sink
        else:
            j = v - m
            yield from (k for k in self.tight_in.get(j, ()) if k > current and x[k] != j)
            if self.load[j] and j in self.level_mentors:
                yield self.sink

    def settle(self, i: int) -> None:
        """Give mentee i the lowest mentor a tight cycle can; then it is settled."""
        self.current = i
        x, m, sink = self.x, self.mentees, self.sink
        options = [j for j in self.tight.get(i, ()) if x[i] < 0 or j < x[i]]
        back = i in self.level_mentees if x[i] < 0 else i in self.held.get(x[i], ())
        if not options or not back:
            return  # nothing lower, or no tight arc leads back to i: nothing can change
        target = sink if x[i] < 0 else m + x[i]
        # Searched from both ends: backward from the target once for all of i's options,
        # forward from each option in turn, the smaller side first; an option reaches the
        # target when they meet. The sink, a hub, is reached but never expanded: a path
        # through it is found when the forward side reaches it and the backward side too.
        toward = {target: target}  # node -> the next node on its path to the target
        backward = deque([target] if target != sink else [])
        dead: set[int] = set()  # nodes that cannot reach the target
        for b in options:
            start = m + b
            meet = start if start in toward else None
            parent = {start: start}
            forward = deque([] if start in dead else [start])
            while meet is None and (forward or (backward and sink in parent)):
                if backward and (not forward or len(backward) <= len(forward)):
                    v = backward.popleft()
                    for u in self.before(v):
                        if u not in toward:
                            toward[u] = v
                            if u != sink:
                                backward.append(u)
                            if u in parent:
                                meet = u
                                break
                    continue
                u = forward.popleft()
                for v in self.after(u):
                    if v not in parent and v not in dead:
                        parent[v] = u
                        if v != sink:
                            forward.append(v)
                        if v in toward:
                            meet = v
                            break
            if meet is None:
                dead |= parent.keys()
                continue
            path = [meet]
            while path[-1] != start:
                path.append(parent[path[-1]])
            path.reverse()
            while path[-1] != target:
                path.append(toward[path[-1]])
            self._turn([i, *path, i])
            return

    def _turn(self, cycle: list[int]) -> None:
        """Move mentees along a cycle of arcs (from a mentee, mentor, or the sink)."""
        m, sink = self.mentees, self.sink
        for u, v in itertools.pairwise(cycle):
            if u < m and v < sink:
                self.held.setdefault(v - m, set()).add(u)
                self.load[v - m] += 1
                self.x[u] = v - m
            elif u < m:
                self.x[u] = -1
            elif u < sink and v < m:
                self.held[u - m].discard(v)
                self.load[u - m] -= 1
