"""The solver: optimal by brute force on small problems, and its invariants on random ones."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.core.solver import solve


class source:
    """A score matrix as the solver sees scores: float32 blocks, exact float64 pairs."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores

    def block(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        picked: np.ndarray = self.scores[rows] if cols is None else self.scores[np.ix_(rows, cols)]
        return picked.astype(np.float32)

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        exact: np.ndarray = self.scores[mentees, mentors]
        return exact


SCORES = st.sampled_from([-np.inf, 0.0, 10.0, 13.333333, 20.0, 40.0, 50.0, 90.0])


def brute_force(scores: np.ndarray, capacity: np.ndarray) -> tuple[int, float]:
    mentees, mentors = scores.shape
    best = (0, 0.0)
    for choice in itertools.product(range(-1, mentors), repeat=mentees):
        load = np.bincount([j for j in choice if j >= 0], minlength=mentors)
        picked = [scores[i, j] for i, j in enumerate(choice) if j >= 0]
        if (load <= capacity).all() and all(np.isfinite(picked)):
            candidate = (len(picked), float(sum(picked)))
            if (candidate[0], round(candidate[1], 6)) > (best[0], round(best[1], 6)):
                best = candidate
    return best


Problem = tuple[np.ndarray, np.ndarray, int]  # scores, capacity, k


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    mentees = draw(st.integers(1, 5))
    mentors = draw(st.integers(1, 4))
    scores = draw(arrays(float, (mentees, mentors), elements=SCORES))
    capacity = draw(arrays(np.int64, mentors, elements=st.integers(0, 2)))
    return scores, capacity, draw(st.integers(1, 3))


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_result_is_as_good_as_trying_every_assignment(problem: Problem) -> None:
    """k (candidates per mentee) is kept small so the dual-price widening is exercised."""
    scores, capacity, k = problem
    solution = solve(source(scores), capacity, len(scores), k=k)
    count, total = brute_force(scores, capacity)
    assert (solution.matched, round(solution.total, 6)) == (count, round(total, 6))


@settings(max_examples=100, deadline=None)
@given(problems())
def test_no_forbidden_pair_no_mentor_over_capacity(problem: Problem) -> None:
    scores, capacity, k = problem
    solution = solve(source(scores), capacity, len(scores), k=k)
    matched = np.flatnonzero(solution.mentor_of >= 0)
    assert np.isfinite(scores[matched, solution.mentor_of[matched]]).all()
    assert (np.bincount(solution.mentor_of[matched], minlength=len(capacity)) <= capacity).all()
    assert solution.score[matched].tolist() == scores[matched, solution.mentor_of[matched]].tolist()


def test_a_larger_problem_needs_widening_and_stays_optimal_and_deterministic() -> None:
    rng = np.random.default_rng(5)
    scores = rng.choice([0.0, 10.0, 20.0, 30.0, 60.0, -np.inf], size=(300, 80))
    capacity = rng.integers(1, 4, 80)
    first = solve(source(scores), capacity, 300, k=2)
    again = solve(source(scores), capacity, 300, k=2)
    wide = solve(source(scores), capacity, 300, k=80)  # every pair a candidate
    assert first.rounds > 1
    assert (first.matched, round(first.total, 6)) == (wide.matched, round(wide.total, 6))
    assert first.mentor_of.tolist() == again.mentor_of.tolist()


def test_nothing_to_do() -> None:
    assert solve(source(np.zeros((3, 2))), np.array([0, 0]), 3).matched == 0
    assert solve(source(np.zeros((2, 0))), np.zeros(0, int), 2).matched == 0
    assert solve(source(np.full((2, 2), -np.inf)), np.array([1, 1]), 2).matched == 0
