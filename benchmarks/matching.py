"""Matching benchmark: optimal proposals for growing programmes, against a greedy baseline."""

from __future__ import annotations

import random
import resource
import time
from datetime import date

import numpy as np

from pipeline.core.models import Participant
from pipeline.core.scoring import Features, Weights
from pipeline.core.settings import DEFAULT_WEIGHTS
from pipeline.core.solver import BLOCK_CELLS, solve

SIZES = ((200, 100), (1_000, 600), (5_000, 3_000), (20_000, 12_000))
#: The dense baseline holds mentees x places float64 costs; past this it needs many GB.
DENSE_BASELINE_CELLS = 40_000_000
TODAY = date(2026, 11, 24)
GOALS = [f"goal {i}" for i in range(30)]
LANGUAGES = ["Nederlands", "Engels", "Turks", "Arabisch", "Pools", "Papiaments", "Tigrinya"]
SHIFTS = ["day", "evening", "night", "weekend"]
DISCIPLINES = ["verpleegkundige", "verzorgende IG", "helpende", "begeleider", "fysiotherapeut"]

Figures = tuple[int, int, float, float, float, int, float, int, float, int]
Baseline = tuple[float, float, int, float] | None


def people(
    mentees: int, mentors: int, seed: int = 1
) -> tuple[list[Participant], list[Participant], set[tuple[str, str]]]:
    rng = random.Random(seed)
    teams = [f"team {i}" for i in range(max(4, (mentees + mentors) // 60))]

    def person(i: int, role: str) -> Participant:
        team = rng.choice(teams)
        mentor = role == "mentor"
        return Participant(
            row=i + 2,
            email=f"{role}{i}@bench.example.org",
            name=f"{role} {i}",
            role=role,
            team=team,
            discipline=rng.choice(DISCIPLINES),
            location=f"site {int(team.split()[1]) % 12}",
            shifts=frozenset(rng.sample(SHIFTS, rng.randint(1, 3))),
            manager_email=f"manager.{team.split()[1]}@bench.example.org",
            years_experience=float(rng.randint(3, 30) if mentor else rng.randint(0, 5)),
            languages=("Nederlands", *rng.sample(LANGUAGES[1:], rng.randint(0, 1))),
            goals=tuple(rng.sample(GOALS, 4 if mentor else 3)),
            capacity=rng.randint(1, 3) if mentor else 1,
        )

    mentee_list = [person(i, "mentee") for i in range(mentees)]
    mentor_list = [person(i, "mentor") for i in range(mentors)]
    for mentee in rng.sample(mentee_list, mentees // 20):  # 5% name a preferred mentor
        index = mentee_list.index(mentee)
        mentee_list[index] = Participant(
            **{**mentee.__dict__, "preferred_mentor": rng.choice(mentor_list).email}
        )
    excluded = {
        (rng.choice(mentee_list).key, rng.choice(mentor_list).key) for _ in range(mentees // 100)
    }  # 1% exclusions
    return mentee_list, mentor_list, excluded


def greedy(features: Features, capacity: np.ndarray) -> tuple[int, float]:
    """Each mentee in turn takes its best allowed mentor that still has room."""
    free = capacity.astype(float).copy()
    count, total = 0, 0.0
    size = max(1, BLOCK_CELLS // max(len(capacity), 1))
    for start in range(0, len(features.mentees), size):
        scores = features.block(np.arange(start, min(start + size, len(features.mentees))))
        for row in scores:
            row[free <= 0] = -np.inf
            best = int(np.argmax(row))
            if np.isfinite(row[best]):
                free[best] -= 1
                count += 1
                total += row[best]
    return count, total


def measure(size: tuple[int, int]) -> Figures:
    mentee_count, mentor_count = size
    mentees, mentors, excluded = people(mentee_count, mentor_count)
    capacity = np.array([p.capacity for p in mentors])
    weights = Weights.from_settings(DEFAULT_WEIGHTS)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    features = Features(mentees, mentors, weights, 1.0, {"excluded": excluded})
    solution = solve(features, capacity, len(mentees))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    greedy_count, greedy_total = greedy(features, capacity)
    return (
        mentee_count,
        mentor_count,
        seconds,
        peak,
        peak - before,
        solution.matched,
        solution.total,
        greedy_count,
        greedy_total,
        solution.rounds,
    )


def measure_dense(size: tuple[int, int]) -> Baseline:
    """scipy's dense linear_sum_assignment on the whole problem, with matching's own scoring
    (the float32 blocks, as float64) and mentor columns repeated per place: (seconds,
    peak MB, matched, total score). Its library is loaded before the clock starts."""
    from scipy.optimize import linear_sum_assignment

    mentee_count, mentor_count = size
    mentees, mentors, excluded = people(mentee_count, mentor_count)
    capacity = np.array([p.capacity for p in mentors])
    if mentee_count * int(capacity.sum()) > DENSE_BASELINE_CELLS:
        return None
    weights = Weights.from_settings(DEFAULT_WEIGHTS)
    start = time.perf_counter()
    features = Features(mentees, mentors, weights, 1.0, {"excluded": excluded})
    scores = features.block(np.arange(mentee_count)).astype(np.float64)
    allowed = np.isfinite(scores)
    big = (scores[allowed].max(initial=0.0) + 1.0) * (min(mentee_count, int(capacity.sum())) + 1)
    owner = np.repeat(np.arange(mentor_count), capacity)
    weight = np.where(allowed, big + scores, 0.0)[:, owner]
    chosen, places = linear_sum_assignment(weight, maximize=True)
    seconds = time.perf_counter() - start
    taken = weight[chosen, places] > 0
    total = float(features.pairs(chosen[taken], owner[places[taken]]).sum())  # exact, untimed
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return seconds, peak, int(taken.sum()), total
