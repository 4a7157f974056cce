"""The match stage against an independent reading of SPEC §3 (tests/reference.py)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core.cells import Cell
from pipeline.core.night import named
from pipeline.core.programme import read_programme
from pipeline.core.scoring import Features, Weights
from pipeline.run import RunContext, RunReport, run
from tests import reference
from tests.conftest import MATCH_HEADER, PEOPLE_HEADER, TODAY, records
from tests.reference import Person

DOMAIN = "zorg.example.org"


def row(p: Person) -> list[Any]:
    cells = {
        "Email": p.email,
        "Name": p.email.split("@")[0].title(),
        "Role": p.role,
        "Status": p.status,
        "Start date": p.start,
        "Team": p.team,
        "Discipline": p.discipline,
        "Location": p.location,
        "Shifts": "; ".join(sorted(p.shifts)),
        "Manager email": p.manager,
        "Years of experience": p.years,
        "Languages": "; ".join(p.languages),
        "Goals": "; ".join(p.goals),
        "Capacity": p.capacity,
        "Preferred mentor": p.preferred,
    }
    return [cells.get(h) for h in PEOPLE_HEADER]


def book(
    people: list[Person],
    matches: Sequence[Sequence[Cell]] = (),
    exclusions: Sequence[Sequence[Cell]] = (),
    settings_rows: Sequence[Sequence[Cell]] = (),
) -> InMemoryWorkbook:
    return InMemoryWorkbook(
        {
            "Participants": [list(PEOPLE_HEADER), *(row(p) for p in people)],
            "Exclusions": [["Person A", "Person B", "Reason"], *exclusions],
            "Matches": [list(MATCH_HEADER), *matches],
            "Settings": [["Setting", "Value"], *settings_rows],
        }
    )


def proposals(workbook: InMemoryWorkbook) -> list[tuple[Any, ...]]:
    rows = workbook.tabs["Matches"][1:]
    return [r for r in rows if len(r) > 7 and r[7] in ("proposed", "approved") and r[6]]


def match(workbook: InMemoryWorkbook, today: date = TODAY) -> RunReport:
    return run(workbook, named("match"), RunContext(today))


def email(name: str) -> str:
    return f"{name}@{DOMAIN}"


TEAMS, GOALS, LANGS = (
    ["A", "b ", "C"],
    ["wondzorg", "Medicatie", "dementie", "tillen"],
    ["nl", "tr"],
)


@st.composite
def people(draw: st.DrawFn) -> list[Person]:
    count = draw(st.integers(2, 9))
    names = [f"p{i}" for i in range(count)]
    result = []
    for name in names:
        role = draw(st.sampled_from(["mentor", "mentee", "both", "mentee"]))
        result.append(
            Person(
                email=email(name),
                role=role,
                status=draw(st.sampled_from(["active"] * 5 + ["paused"])),
                start=draw(
                    st.one_of(
                        st.none(), st.integers(-30, 90).map(lambda d: TODAY + timedelta(days=d))
                    )
                ),
                team=draw(st.sampled_from(TEAMS)),
                discipline=draw(st.sampled_from(["nurse", "ca"])),
                location=draw(st.sampled_from(["x", "y", ""])),
                shifts=set(
                    draw(st.lists(st.sampled_from(["day", "night", "evening"]), max_size=2))
                ),
                manager=draw(st.sampled_from(["", *map(email, names)])),
                years=draw(st.one_of(st.none(), st.integers(0, 12).map(float))),
                languages=draw(st.lists(st.sampled_from(LANGS), max_size=2, unique=True)),
                goals=draw(st.lists(st.sampled_from(GOALS), max_size=3, unique=True)),
                capacity=draw(st.integers(0, 2)),
                preferred=draw(st.sampled_from(["", *map(email, names)])),
            )
        )
    return result


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people(), st.data())
def test_proposals_reach_the_independent_optimum(group: list[Person], data: st.DataObject) -> None:
    emails = [p.email for p in group]
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(emails), st.sampled_from(emails)), max_size=3)
    )
    workbook = book(group, exclusions=[[a, b, "x"] for a, b in pairs])
    match(workbook)
    made = proposals(workbook)

    mentees = [p for p in reference.waiting(group, set(), TODAY) if p.role != "mentor"]
    mentors = reference.mentoring(group, TODAY)
    free = {p.email: p.capacity for p in mentors}
    expected = reference.best(mentees, mentors, free, set(pairs))
    by_email = {p.email: p for p in group}
    got = [(by_email[r[1]], by_email[r[3]]) for r in made]
    assert (len(got), round(sum(reference.score(m, r) for m, r in got), 6)) == (
        expected[0],
        round(expected[1], 6),
    )
    assert all(reference.allowed(m, r, set(pairs)) for m, r in got)
    load = {e: sum(1 for _, r in got if r.email == e) for e in free}
    assert all(load[e] <= free[e] for e in free)
    assert len({m.email for m, _ in got}) == len(got)
    assert [round(reference.score(m, r), 1) for m, r in got] == [r[5] for r in made]


def test_the_rule_of_spec_3_in_one_workbook() -> None:
    """Manager, exclusion (either order), earlier rejection and experience gap rule mentors out."""
    group = [
        Person(email("new"), years=2, manager=email("boss")),
        Person(email("boss"), "mentor", years=20),
        Person(email("excl"), "mentor", years=20),
        Person(email("rej"), "mentor", years=20),
        Person(email("junior"), "mentor", years=2.5),
        Person(email("ok"), "mentor", years=3),
    ]
    workbook = book(
        group,
        exclusions=[[email("excl"), email("new"), "family"]],
        matches=[["M-0001", email("new"), "", email("rej"), "", 50, "", "rejected", TODAY, ""]],
    )
    match(workbook)
    assert [(r[0], r[1], r[3], r[7]) for r in proposals(workbook)] == [
        ("M-0002", email("new"), email("ok"), "proposed")
    ]


def test_a_rejected_pair_is_never_proposed_again_and_the_mentee_gets_another() -> None:
    group = [
        Person(email("new"), goals=["wondzorg"]),
        Person(email("best"), "mentor", goals=["wondzorg"]),
        Person(email("second"), "mentor"),
    ]
    workbook = book(group)
    match(workbook)
    assert proposals(workbook)[0][3] == email("best")
    rows = list(workbook.tabs["Matches"])
    rows[1] = (*rows[1][:7], "afgewezen", *rows[1][8:])  # the coordinator rejects it
    workbook.tabs["Matches"] = tuple(rows)
    match(workbook, TODAY + timedelta(days=1))
    assert [(r[0], r[3]) for r in proposals(workbook)] == [("M-0002", email("second"))]


def test_a_match_typed_in_by_hand_is_respected() -> None:
    group = [
        Person(email("a"), goals=["x"]),
        Person(email("b"), goals=["x"]),
        Person(email("mentor"), "mentor", capacity=1, goals=["x"]),
        Person(email("other"), "mentor", capacity=1),
    ]
    workbook = book(
        group,
        matches=[
            [
                None,
                email("a"),
                "A",
                email("mentor"),
                "M",
                None,
                None,
                "goedgekeurd",
                None,
                "typed by hand",
            ]
        ],
    )
    report = match(workbook)
    assert [(r[1], r[3]) for r in proposals(workbook)] == [(email("b"), email("other"))]
    assert [p for p in report.problems if p.severity != "note"] == []  # notes: no start dates


def test_a_place_is_free_again_180_days_after_the_start() -> None:
    group = [
        Person(email("old"), start=TODAY - timedelta(days=181)),
        Person(email("new")),
        Person(email("mentor"), "mentor", capacity=1),
    ]
    busy = [["M-0001", email("old"), "", email("mentor"), "", None, "", "approved", None, ""]]
    workbook = book(group, matches=busy)
    match(workbook)
    assert [(r[1], r[3]) for r in proposals(workbook)] == [(email("new"), email("mentor"))]
    workbook = book([*group[:2], group[2]], matches=busy)
    match(workbook, TODAY - timedelta(days=2))  # 179 days after the start: still taken
    assert proposals(workbook) == []


def test_who_waits_for_a_mentor() -> None:
    group = [
        Person(email("soon"), start=TODAY + timedelta(days=60)),
        Person(email("late"), start=TODAY + timedelta(days=61)),
        Person(email("started"), start=TODAY - timedelta(days=40)),
        Person(email("undated")),
        Person(email("paused"), status="paused"),
        *(Person(email(f"m{i}"), "mentor", capacity=2) for i in range(3)),
        Person(email("resting"), "mentor", status="stopped", capacity=5),
    ]
    workbook = book(group)
    match(workbook)
    assert sorted(r[1] for r in proposals(workbook)) == sorted(
        email(n) for n in ("soon", "started", "undated")
    )
    assert email("resting") not in {r[3] for r in proposals(workbook)}


def test_settings_change_weights_gap_horizon_and_auto_approve() -> None:
    group = [
        Person(email("new"), team="A", years=5, start=TODAY + timedelta(days=80)),
        Person(email("same.team"), "mentor", team="A", years=5.5),
        Person(email("other"), "mentor", team="B", discipline="", years=30),
    ]
    workbook = book(
        group,
        settings_rows=[
            ["Match horizon (days)", 90],
            ["Auto-approve", "yes"],
            ["Minimum experience gap (years)", "0,5"],
            ["Weight: team", 100],
        ],
    )
    match(workbook)
    assert [(r[3], r[5], r[6], r[7]) for r in proposals(workbook)] == [
        (email("same.team"), 100.0, "same team (A)", "approved")
    ]


def test_why_is_written_in_the_workbooks_language() -> None:
    tabs = {
        "Deelnemers": [
            ["E-mail", "Naam", "Rol", "Discipline", "Doelen", "Diensten", "Talen"],
            [
                email("nieuw"),
                "Nieuw",
                "mentee",
                "Verpleegkundige",
                "wondzorg; medicatie",
                "nacht; weekend",
                "Turks",
            ],
            [
                email("mentor"),
                "Mentor",
                "mentor",
                "verpleegkundige ",
                "Medicatie, wondzorg",
                "nachtdienst",
                "turks",
            ],
        ]
    }
    workbook = InMemoryWorkbook(tabs)
    match(workbook)
    (proposal,) = records(workbook.tabs["Koppelingen"], "matches")
    assert (proposal["score"], proposal["why"], proposal["status"]) == (
        75.0,  # goals 40 + discipline 20 + half the shifts 5 + language 10
        "gedeelde doelen: wondzorg, medicatie; zelfde discipline (Verpleegkundige); "
        "werken allebei: nacht; gedeelde taal: Turks",
        "voorgesteld",
    )


def test_a_new_matches_tab_puts_the_decision_next_to_the_names() -> None:
    """SPEC §2: a workbook without a Matches tab gets one in the coordinator's reading order."""
    workbook = book([Person(email("bo")), Person(email("anna"), "mentor")])
    del workbook.tabs["Matches"]
    match(workbook)
    assert list(workbook.tabs["Matches"]) == [
        (
            "Match ID",
            "Status",
            "Mentee",
            "Mentor",
            "Mentee start",
            "Score",
            "Why",
            "Mentee email",
            "Mentor email",
            "Proposed on",
            "Notes",
        ),
        (
            "M-0001",
            "proposed",
            "Bo",
            "Anna",
            None,
            0.0,
            "nothing in common; the best mentor available",
            email("bo"),
            email("anna"),
            TODAY,
        ),
    ]


def test_a_proposal_shows_when_the_mentee_starts_under_mentee_start() -> None:
    """The mentee's start date as a date; empty for a mentee who has none."""
    workbook = book(
        [
            Person(email("bo"), start=date(2026, 12, 1), goals=["wound care"]),
            Person(email("cas"), goals=["medication"]),
            Person(email("anna"), "mentor", capacity=2, goals=["wound care", "medication"]),
        ]
    )
    # a coordinator's own column order, Mentee start first
    workbook.tabs["Matches"] = (("Mentee start", "Notes", *MATCH_HEADER[:-1]),)
    match(workbook)
    rows = records(workbook.tabs["Matches"], "matches")
    assert [(r["mentee_email"], r["mentee_start"]) for r in rows] == [
        (email("bo"), date(2026, 12, 1)),
        (email("cas"), None),
    ]


def test_a_matches_tab_without_mentee_start_takes_proposals_as_before() -> None:
    workbook = book([Person(email("bo"), start=date(2026, 12, 1)), Person(email("anna"), "mentor")])
    match(workbook)
    assert workbook.tabs["Matches"][0] == MATCH_HEADER
    assert [(r[1], r[3]) for r in proposals(workbook)] == [(email("bo"), email("anna"))]
    assert date(2026, 12, 1) not in workbook.tabs["Matches"][1]


def test_unmatched_mentees_get_their_reason_and_a_rerun_changes_nothing() -> None:
    group = [
        Person(email("senior"), years=30),
        Person(email("blocked"), manager=email("m1")),
        Person(email("crowd1"), goals=["x"]),
        Person(email("crowd2"), goals=["x"]),
        Person(email("m1"), "mentor", years=10, capacity=2, goals=["x"]),
    ]
    workbook = book(group, exclusions=[])
    report = match(workbook)
    reasons = {
        dict(p.params)["value"]: (p.code, dict(p.params).get("breakdown"))
        for p in report.problems
        if p.code.startswith("unmatched")
    }
    assert reasons == {
        "Senior": ("unmatched_not_allowed", "experience:1"),
        "Blocked": ("unmatched_not_allowed", "manager:1"),
    }
    assert len(proposals(workbook)) == 2
    crowd = book([*group, Person(email("crowd3"), goals=["x"])])
    third = {
        dict(p.params)["value"]: p.code
        for p in match(crowd).problems
        if p.code.startswith("unmatched")
    }
    assert sorted(third.values()).count("unmatched_full") == 1
    again = match(crowd)
    assert not again.plan


def test_the_same_people_in_another_row_order_get_the_same_proposals() -> None:
    rng = random.Random(3)
    group = [
        Person(email(f"e{i}"), goals=rng.sample(GOALS, 2), team=rng.choice(TEAMS))
        for i in range(12)
    ]
    group += [
        Person(
            email(f"r{i}"),
            "mentor",
            goals=rng.sample(GOALS, 2),
            team=rng.choice(TEAMS),
            capacity=rng.randint(1, 2),
        )
        for i in range(6)
    ]
    results = []
    for seed in range(3):
        shuffled = group[:]
        random.Random(seed).shuffle(shuffled)
        workbook = book(shuffled)
        match(workbook)
        results.append(sorted((r[0], r[1], r[3]) for r in proposals(workbook)))
    assert results[0] == results[1] == results[2]


def test_the_vectorised_scores_equal_the_reference_scores() -> None:
    rng = random.Random(11)
    group = [
        Person(
            email(f"p{i}"),
            rng.choice(["mentor", "mentee"]),
            team=rng.choice(TEAMS),
            discipline=rng.choice(["nurse", "Nurse ", ""]),
            location=rng.choice(["x", "X", ""]),
            shifts=set(rng.sample(["day", "night", "evening", "weekend"], rng.randint(0, 3))),
            languages=rng.sample(LANGS, rng.randint(0, 2)),
            goals=rng.sample(GOALS, rng.randint(0, 4)),
            preferred=email(f"p{rng.randint(0, 29)}"),
        )
        for i in range(30)
    ]
    programme = read_programme(book(group).read())
    people = {p.email: p for p in programme.participants}
    mentees = [people[p.email] for p in group if p.role == "mentee"]
    mentors = [people[p.email] for p in group if p.role == "mentor"]
    scores = Features(mentees, mentors, Weights.from_settings(reference.WEIGHTS), 1.0).block(
        np.arange(len(mentees))
    )
    by_email = {p.email: p for p in group}
    expected = [
        [reference.score(by_email[m.email], by_email[r.email]) for r in mentors] for m in mentees
    ]
    assert np.allclose(scores, expected)


def test_text_compares_ignoring_case_and_surrounding_spaces_only() -> None:
    """SPEC §3: "wound care" and "Wound Care " match; "wound-care" is another goal."""
    group = [
        Person(email("new"), goals=["wound care", "wound-care"], team=" Team A"),
        Person(email("mentor"), "mentor", goals=["Wound Care "], team="team a"),
    ]
    workbook = book(group)
    match(workbook)
    assert [(r[5], r[6]) for r in proposals(workbook)] == [
        (30.0, "shared goals: wound care; same team (Team A)")
    ]
