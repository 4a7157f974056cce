"""The solver: every method finds the optimum that trying every assignment finds, and the same
first assignment among the equal ones (the tie rule), whatever the method."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.core import solver_numpy
from pipeline.core.solver import METHODS, choose, solve

#: (method, candidates per mentee): a small k makes the sparse method widen, round by round
WAYS = (("pure", 12), ("dense", 12), ("sparse", 1), ("sparse", 2), ("sparse", 12))


class Matrix:
    """A score matrix as the solver sees scores: -inf where a pair is not allowed."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores

    @property
    def shape(self) -> tuple[int, int]:
        mentees, mentors = self.scores.shape
        return mentees, mentors

    @property
    def top(self) -> float:
        return float(np.max(self.scores, initial=0.0, where=np.isfinite(self.scores)))

    def allowed(self) -> list[list[tuple[int, float]]]:
        return [[(j, float(s)) for j, s in enumerate(row) if s >= 0] for row in self.scores]

    def block(self, rows: np.ndarray) -> np.ndarray:
        picked: np.ndarray = self.scores[rows].astype(np.float32)
        return picked

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        picked: np.ndarray = self.scores[rows]
        return picked

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        exact: np.ndarray = self.scores[mentees, mentors]
        return exact


def brute_force(
    scores: np.ndarray, capacity: np.ndarray
) -> tuple[tuple[int, float], tuple[int, ...]]:
    """The optimum by trying every assignment, and the first optimal one: mentee by mentee
    the lowest mentor, unmatched last."""
    mentees, mentors = scores.shape
    best: tuple[int, float] = (0, 0.0)
    first: tuple[int, ...] = (-1,) * mentees
    # in this order of choices the first optimal assignment found is the first one
    for choice in itertools.product([*range(mentors), -1], repeat=mentees):
        load = np.bincount([j for j in choice if j >= 0], minlength=mentors)
        picked = [scores[i, j] for i, j in enumerate(choice) if j >= 0]
        if (load <= capacity).all() and all(np.isfinite(picked)):
            found = (len(picked), round(float(sum(picked)), 6))
            if found > best:
                best, first = found, choice
    return best, first


SCORES = st.sampled_from([-np.inf, 0.0, 10.0, 13.333333333333334, 20.0, 40.0, 50.0, 90.0])
Problem = tuple[np.ndarray, np.ndarray]  # scores, capacity


@st.composite
def problems(draw: st.DrawFn, most: int = 5) -> Problem:
    mentees = draw(st.integers(1, most))
    mentors = draw(st.integers(1, 4))
    # few distinct values: many exact ties
    values = draw(st.lists(SCORES, min_size=1, max_size=4))
    scores = draw(arrays(float, (mentees, mentors), elements=st.sampled_from(values)))
    capacity = draw(arrays(np.int64, mentors, elements=st.integers(0, 2)))
    return scores, capacity


@settings(max_examples=250, deadline=None)
@given(problems())
def test_every_method_finds_the_optimum_and_the_first_of_the_equal_ones(problem: Problem) -> None:
    scores, capacity = problem
    best, first = brute_force(scores, capacity)
    for method, k in WAYS:
        solution = solve(Matrix(scores), capacity, method, k=k)
        assert ((solution.matched, round(solution.total, 6)), solution.mentor_of) == (best, first)


@settings(max_examples=100, deadline=None)
@given(problems(most=8))
def test_no_forbidden_pair_no_mentor_over_capacity_exact_scores(problem: Problem) -> None:
    scores, capacity = problem
    for method, k in WAYS:
        solution = solve(Matrix(scores), capacity, method, k=k)
        matched = [(i, j) for i, j in enumerate(solution.mentor_of) if j >= 0]
        assert all(np.isfinite(scores[i, j]) for i, j in matched)
        load = np.bincount([j for _, j in matched], minlength=len(capacity))
        assert (load <= capacity).all()
        assert [solution.score[i] for i, _ in matched] == [scores[i, j] for i, j in matched]


@pytest.mark.parametrize("seed", range(6))
def test_every_method_gives_the_same_assignment_when_most_pairs_tie(seed: int) -> None:
    """Two or three distinct scores over hundreds of pairs: optimal assignments abound, one is
    proposed, by every method."""
    rng = np.random.default_rng(seed)
    mentees, mentors = int(rng.integers(20, 90)), int(rng.integers(5, 40))
    values = [-np.inf, 10.0, 40.0][: 2 + seed % 2]
    scores = rng.choice(values, size=(mentees, mentors))
    capacity = rng.integers(0, 4, mentors)
    solutions = [solve(Matrix(scores), capacity, method, k=k) for method, k in WAYS]
    assert len({s.mentor_of for s in solutions}) == 1
    assert len({(s.matched, round(s.total, 6)) for s in solutions}) == 1


@pytest.mark.parametrize("seed", range(4))
def test_the_tie_rule_gives_the_same_when_it_splits_the_tight_arcs_into_components(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.choice([-np.inf, 0.0, 10.0, 20.0][: 2 + seed % 3], size=(60, 20))
    capacity = rng.integers(0, 4, 20)
    whole = [solve(Matrix(scores), capacity, method, k=k).mentor_of for method, k in WAYS]
    monkeypatch.setattr(solver_numpy, "COMPONENTS_FROM", 0)
    split = [solve(Matrix(scores), capacity, method, k=k).mentor_of for method, k in WAYS]
    assert len({*whole, *split}) == 1


def test_all_pairs_equal_the_mentees_in_order_get_the_lowest_mentors() -> None:
    """The tie rule: mentee by mentee, the lowest-numbered mentor; places run out at the end."""
    scores, capacity = np.zeros((5, 3)), np.array([1, 2, 1])
    for method, k in WAYS:
        assert solve(Matrix(scores), capacity, method, k=k).mentor_of == (0, 1, 1, 2, -1)


def test_a_larger_problem_needs_widening_and_every_method_agrees() -> None:
    rng = np.random.default_rng(5)
    scores = rng.choice([0.0, 10.0, 20.0, 30.0, 60.0, -np.inf], size=(300, 80))
    capacity = rng.integers(1, 4, 80)
    narrow = solve(Matrix(scores), capacity, "sparse", k=2)
    again = solve(Matrix(scores), capacity, "sparse", k=2)
    dense = solve(Matrix(scores), capacity, "dense")
    pure = solve(Matrix(scores), capacity, "pure")
    assert narrow.rounds > 1
    assert narrow.mentor_of == again.mentor_of == dense.mentor_of == pure.mentor_of
    assert round(narrow.total, 6) == round(dense.total, 6) == round(pure.total, 6)


def test_nothing_to_do() -> None:
    for method in METHODS:
        assert solve(Matrix(np.zeros((3, 2))), np.array([0, 0]), method).matched == 0
        assert solve(Matrix(np.zeros((2, 0))), np.zeros(0, int), method).matched == 0
        assert solve(Matrix(np.full((2, 2), -np.inf)), np.array([1, 1]), method).matched == 0


def test_the_method_follows_the_size_and_what_is_loaded() -> None:
    everything = {"scipy", "scipy.optimize", "scipy.sparse.csgraph"}
    assert choose(15, 10, 12, loaded=everything) == "pure"
    assert choose(15, 10, 12, loaded=set()) == "pure"
    assert choose(200, 100, 190, loaded=set()) == "pure"  # loading scipy would take longer
    assert choose(200, 100, 190, loaded=everything) == "dense"
    assert choose(1_000, 600, 1_200, loaded=everything) == "sparse"
    assert choose(1_000, 600, 1_200, loaded=set()) == "sparse"
    with pytest.raises(ValueError, match="unknown method"):
        solve(Matrix(np.zeros((1, 1))), np.array([1]), "greedy")
