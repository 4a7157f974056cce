"""Scores and proposals against an independent reading of SPEC §3 (tests/reference.py), by
every method; the exact scores of plain Python and numpy are equal, to the bit."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.models import Participant
from pipeline.core.scoring import Features, Weights
from pipeline.core.solver import BLOCK_ERROR, METHODS, solve
from tests import reference
from tests.reference import Person

DOMAIN = "zorg.example.org"
TEAMS, GOALS, LANGS = (
    ["A", "b ", "C"],
    ["wondzorg", "Medicatie", "dementie", "tillen"],
    ["nl", "tr"],
)


def email(name: str) -> str:
    return f"{name}@{DOMAIN}"


def participant(p: Person, row: int) -> Participant:
    return Participant(
        row=row,
        email=p.email,
        name=p.email.split("@")[0].title(),
        role=p.role,
        team=p.team,
        discipline=p.discipline,
        location=p.location,
        shifts=frozenset(p.shifts),
        manager_email=p.manager,
        years_experience=p.years,
        languages=tuple(p.languages),
        goals=tuple(p.goals),
        capacity=p.capacity,
        preferred_mentor=p.preferred,
    )


def features(group: list[Person], blocked: frozenset[tuple[str, str]] = frozenset()) -> Features:
    """Mentees and mentors in email order, as the match stage orders them."""
    people = sorted(group, key=lambda p: p.email)
    return Features(
        [participant(p, n) for n, p in enumerate(people) if p.role == "mentee"],
        [participant(p, n) for n, p in enumerate(people) if p.role == "mentor"],
        Weights.from_settings(reference.WEIGHTS),
        1.0,
        {"excluded": set(blocked) | {(b, a) for a, b in blocked}},
    )


@st.composite
def groups(draw: st.DrawFn, most: int = 9) -> list[Person]:
    names = [f"p{i}" for i in range(draw(st.integers(2, most)))]
    # a narrow choice of values: many pairs score the same
    return [
        Person(
            email=email(name),
            role=draw(st.sampled_from(["mentor", "mentee", "mentee"])),
            team=draw(st.sampled_from(TEAMS)),
            discipline=draw(st.sampled_from(["nurse", "ca", ""])),
            location=draw(st.sampled_from(["x", "X ", ""])),
            shifts=set(draw(st.lists(st.sampled_from(["day", "night", "evening"]), max_size=2))),
            manager=draw(st.sampled_from(["", *map(email, names)])),
            years=draw(st.one_of(st.none(), st.integers(0, 12).map(float))),
            languages=draw(st.lists(st.sampled_from(LANGS), max_size=2, unique=True)),
            goals=draw(st.lists(st.sampled_from(GOALS), max_size=3, unique=True)),
            capacity=draw(st.integers(0, 2)),
            preferred=draw(st.sampled_from(["", *map(email, names)])),
        )
        for name in names
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups(), st.data())
def test_every_method_proposes_the_reference_optimum_and_tie_rule(
    group: list[Person], data: st.DataObject
) -> None:
    emails = [p.email for p in group]
    blocked = set(data.draw(st.lists(st.tuples(*[st.sampled_from(emails)] * 2), max_size=3)))
    scored = features(group, frozenset(blocked))
    mentees = [p for p in group if p.role == "mentee"]
    mentors = [p for p in group if p.role == "mentor"]
    free = {p.email: p.capacity for p in mentors}
    best = reference.best(mentees, mentors, free, blocked)
    first = reference.first(mentees, mentors, free, blocked)
    for method in METHODS:
        solution = solve(scored, [p.capacity for p in scored.mentors], method)
        proposed = {
            scored.mentees[i].email: scored.mentors[j].email
            for i, j in enumerate(solution.mentor_of)
            if j >= 0
        }
        assert (solution.matched, round(solution.total, 6)) == (best[0], round(best[1], 6))
        assert proposed == first


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups(most=14))
def test_exact_scores_are_equal_in_python_and_numpy_and_rules_agree(group: list[Person]) -> None:
    scored = features(group, frozenset({(group[0].email, group[-1].email)}))
    mentees, mentors = scored.shape
    if not mentees or not mentors:
        return
    rows = np.arange(mentees)
    matrix, block = scored.matrix(rows), scored.block(rows)
    python = np.array([[scored.score(i, j) for j in range(mentors)] for i in range(mentees)])
    allowed = np.array(
        [[scored.rule(i, j) is None for j in range(mentors)] for i in range(mentees)]
    )
    assert ((matrix >= 0) == allowed).all() and ((block >= 0) == allowed).all()
    assert (matrix[allowed] == python[allowed]).all()  # to the bit
    i, j = np.nonzero(allowed)
    assert (scored.pairs(i, j) == python[i, j]).all()
    assert np.abs(block[allowed] - python[allowed]).max(initial=0) <= BLOCK_ERROR * scored.top
    by_email = {p.email: p for p in group}
    expected = [
        [reference.score(by_email[m.email], by_email[r.email]) for r in scored.mentors]
        for m in scored.mentees
    ]
    assert np.allclose(python, expected)
    assert [dict(row) for row in scored.allowed()] == [
        {j: python[i, j] for j in range(mentors) if allowed[i, j]} for i in rows
    ]


def test_the_reasons_count_each_mentor_under_its_first_rule() -> None:
    group = [
        Person(email("new"), years=4, manager=email("boss")),
        Person(email("boss"), "mentor", years=2),  # the manager, and too junior
        Person(email("excl"), "mentor", years=2),  # excluded, and too junior
        Person(email("junior"), "mentor", years=4.5),
        Person(email("ok"), "mentor", years=30),
        Person(email("unknown"), "mentor"),
    ]
    scored = features(group, frozenset({(email("new"), email("excl"))}))
    assert scored.reasons(0) == {
        "allowed": 2,
        "manager": 1,
        "excluded": 1,
        "rejected": 0,
        "experience": 1,
    }


def test_identical_people_go_in_email_order_by_every_method() -> None:
    """Every pair scores the same: the first mentees (by email) get the first mentors."""
    mentees = [Person(email(f"e{i:02d}"), goals=["wondzorg"]) for i in range(40)]
    mentors = [
        Person(email(f"r{i:02d}"), "mentor", goals=["wondzorg"], capacity=2) for i in range(12)
    ]
    scored = features([*reversed(mentees), *mentors])
    expected = tuple(i // 2 if i < 24 else -1 for i in range(40))
    for method in METHODS:
        assert solve(scored, [2] * 12, method).mentor_of == expected


@pytest.mark.parametrize("seed", range(3))
def test_every_method_agrees_on_a_bigger_programme_full_of_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    group = [
        Person(
            email(f"p{i:03d}"),
            "mentor" if i % 3 == 0 else "mentee",
            team=str(rng.choice(TEAMS)),
            goals=list(rng.choice(GOALS, 1)),
            capacity=int(rng.integers(1, 3)),
        )
        for i in range(150)
    ]
    scored = features(group)
    capacity = [p.capacity for p in scored.mentors]
    solutions = [solve(scored, capacity, method, k=k) for method in METHODS for k in (1, 12)]
    assert len({s.mentor_of for s in solutions}) == 1


def test_matching_the_demo_loads_neither_numpy_nor_scipy() -> None:
    """Start-up (issue 12): tens of people are matched in plain Python."""
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from pipeline import demo\n"
        "from pipeline.adapters.workbook import InMemoryWorkbook\n"
        "from pipeline.core.matching import propose\n"
        "from pipeline.core.programme import read_programme\n"
        "today = date(2026, 11, 24)\n"
        "book = InMemoryWorkbook.from_templates(demo.templates(today))\n"
        "outcome = propose(read_programme(book.read()), today)\n"
        "assert outcome.proposals, 'the demo has mentees to match'\n"
        "print(outcome.solution.method, *sorted(m for m in sys.modules if m.split('.')[0] in "
        "('numpy', 'scipy')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stderr, done.stdout.split()) == (0, "", ["pure"])


def test_importing_matching_loads_neither_numpy_nor_scipy() -> None:
    script = (
        "import sys\n"
        "import pipeline.core.matching\n"
        "print(*sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'scipy')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stderr, done.stdout.strip()) == (0, "", "")
