"""The match stage (SPEC §3): who needs a mentor, who has room, and the optimal proposals."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pipeline.core.cells import Cell, Row, add_days, email_key
from pipeline.core.changes import Append, Plan
from pipeline.core.explain import why
from pipeline.core.layout import header
from pipeline.core.life import Life
from pipeline.core.models import Match, Participant, Problem
from pipeline.core.programme import Programme
from pipeline.core.scoring import Features, Fit, Weights, fit
from pipeline.core.solver import Solution, solve
from pipeline.core.stage import Context, StageResult
from pipeline.core.vocab import MATCH_COLUMNS, MATCH_STATUSES, TABS


@dataclass(frozen=True)
class Pool:
    """The mentees to match and the mentors with room, each in a fixed (email) order."""

    mentees: tuple[Participant, ...]
    mentors: tuple[Participant, ...]
    capacity: tuple[int, ...]  # free places per mentor
    excluded: frozenset[tuple[str, str]]  # (mentee key, mentor key), both orders
    rejected: frozenset[tuple[str, str]]
    replacing: Mapping[str, Match]  # mentee key -> the running match whose mentor left


def _active_mentors(life: Life) -> tuple[Participant, ...]:
    """Active mentors, except a `both` still in their own first programme length (SPEC §1)."""
    people = (
        p
        for p in life.programme.participants
        if p.is_active and p.is_mentor and not (p.role == "both" and life.new_in_programme(p))
    )
    return tuple(sorted(people, key=lambda p: p.key))


def pool(programme: Programme, today: date) -> Pool:
    """Who waits for a mentor and who has a place, as the life of each match says (SPEC §1)."""
    life = Life(programme, today)
    horizon = add_days(today, programme.settings.match_horizon_days)
    mentees = sorted(
        (
            p
            for p in programme.participants
            if life.waiting(p) and (p.start_date is None or p.start_date <= horizon)
        ),
        key=lambda p: p.key,
    )
    load = life.load()
    mentors = [p for p in _active_mentors(life) if p.capacity > load[p.key]]
    excluded = set()
    for exclusion in programme.exclusions:
        a, b = (email_key(exclusion.person_a), email_key(exclusion.person_b))
        excluded |= {(a, b), (b, a)}
    # A rejected pair is never proposed again, nor one the coordinator ended: it ended for a
    # reason. (A match that a replacement ended, because its mentor left, is not held against
    # the pair.)
    replaced = {old.match_id for old in programme.replaces.values()}
    rejected = {
        m.pair
        for m in (*programme.matches, *programme.held_matches)
        if m.is_rejected or (m.status == "ended" and m.match_id not in replaced)
    }
    return Pool(
        tuple(mentees),
        tuple(mentors),
        tuple(p.capacity - load[p.key] for p in mentors),
        frozenset(excluded),
        frozenset(rejected),
        life.replacing,
    )


def features(programme: Programme, chosen: Pool) -> Features:
    settings = programme.settings
    return Features(
        chosen.mentees,
        chosen.mentors,
        Weights.from_settings(settings.weights),
        settings.min_experience_gap,
        {"excluded": chosen.excluded, "rejected": chosen.rejected},
    )


@dataclass(frozen=True)
class Proposal:
    match_id: str
    mentee: Participant
    mentor: Participant
    score: float
    fit: Fit
    replaces: Participant | None = None  # the mentor who left, for a replacement


def _left(programme: Programme, match: Match | None) -> Participant | None:
    return programme.person(match.mentor_email) if match is not None else None


def next_ids(existing: Sequence[Match], count: int) -> list[str]:
    """IDs after the highest M-number in use: M-0001, M-0002, ..."""
    numbers = [int(m[1]) for match in existing if (m := re.fullmatch(r"M-(\d+)", match.match_id))]
    start = max(numbers, default=0) + 1
    return [f"M-{n:04d}" for n in range(start, start + count)]


@dataclass(frozen=True)
class Outcome:
    pool: Pool
    features: Features
    solution: Solution
    proposals: tuple[Proposal, ...]


def propose(programme: Programme, today: date) -> Outcome:
    """The optimal proposals for everyone waiting, proven optimal by the solver (which picks
    its method for the size: tens of people are matched without loading numpy or scipy)."""
    chosen = pool(programme, today)
    scored = features(programme, chosen)
    solution = solve(scored, chosen.capacity)
    matched = [(i, j) for i, j in enumerate(solution.mentor_of) if j >= 0]
    ids = next_ids([*programme.matches, *programme.held_matches], len(matched))
    proposals = [
        Proposal(
            match_id,
            chosen.mentees[i],
            chosen.mentors[j],
            solution.score[i],
            fit(chosen.mentees[i], chosen.mentors[j]),
            _left(programme, chosen.replacing.get(chosen.mentees[i].key)),
        )
        for match_id, (i, j) in zip(ids, matched, strict=True)
    ]
    return Outcome(chosen, scored, solution, tuple(proposals))


def unmatched_problems(programme: Programme, outcome: Outcome, today: date) -> list[Problem]:
    """A Problems row for every mentee left without a proposal, saying why.

    The reason looks at every active mentor, full or not, so that it reads the same on the
    next run: either each is ruled out by a rule, or the suitable ones have no place left
    (with an optimal result, an unmatched mentee never has a suitable mentor with room).
    """
    table = programme.tables["participants"]
    column = table.header("name", programme.language)
    mentor_of = outcome.solution.mentor_of
    waiting = [m for m, j in zip(outcome.pool.mentees, mentor_of, strict=True) if j < 0]
    if not waiting:
        return []
    everyone = Pool(
        tuple(waiting),
        _active_mentors(Life(programme, today)),
        (),
        outcome.pool.excluded,
        outcome.pool.rejected,
        outcome.pool.replacing,
    )
    rules = features(programme, everyone)
    problems = []
    for i, mentee in enumerate(waiting):
        counts = rules.reasons(i)
        ruled_out = {k: v for k, v in counts.items() if k != "allowed" and v}
        if counts["allowed"]:
            code, count, breakdown = "unmatched_full", counts["allowed"], ""
        elif ruled_out:
            code, count = "unmatched_not_allowed", sum(ruled_out.values())
            breakdown = ";".join(f"{k}:{v}" for k, v in ruled_out.items())
        else:
            code, count, breakdown = "unmatched_no_mentor", 0, ""
        params = {"value": mentee.name, "count": count}
        if breakdown:
            params["breakdown"] = breakdown
        problem = Problem.at(table.name, mentee.row, column, code, "", **params)
        problems.append(problem.about(mentee.name))
    return problems


def match_rows(
    programme: Programme, proposals: Sequence[Proposal], today: date
) -> tuple[str, tuple[Row, ...], Row]:
    """(tab, rows to append, header for a new tab) for the Matches tab."""
    lang = programme.language
    status = "approved" if programme.settings.auto_approve else "proposed"
    table = programme.tables.get("matches")
    records: list[dict[str, Cell]] = [
        {
            "match_id": p.match_id,
            "mentee_email": p.mentee.email,
            "mentee": p.mentee.name,
            "mentor_email": p.mentor.email,
            "mentor": p.mentor.name,
            "mentee_start": p.mentee.start_date,
            "score": round(p.score, 1),
            "why": why(p.fit, lang, p.replaces),
            "status": MATCH_STATUSES.word(status, lang),
            "proposed_on": today,
        }
        for p in proposals
    ]
    if table is not None and table.header_row is not None:
        return table.name, tuple(table.record(r) for r in records), ()
    # No Matches tab yet (or an empty one): it gets our header, in our column order.
    name = table.name if table is not None else TABS.word("matches", lang)
    rows = tuple(tuple(r.get(k) for k in MATCH_COLUMNS.terms) for r in records)
    return name, rows, header("matches", lang)


def match(programme: Programme, context: Context) -> StageResult:
    outcome = propose(programme, context.today)
    chosen, solution, proposals = outcome.pool, outcome.solution, outcome.proposals
    problems = unmatched_problems(programme, outcome, context.today)
    plan = Plan()
    if proposals:
        tab, rows, new_header = match_rows(programme, proposals, context.today)
        plan = Plan((Append(tab, rows, new_header),))
    table = programme.tables.get("matches")
    below = table.last_row if table is not None and table.header_row is not None else 1
    status = "approved" if programme.settings.auto_approve else "proposed"
    added = tuple(
        Match(
            below + n,
            p.match_id,
            p.mentee.email,
            p.mentor.email,
            status,
            round(p.score, 1),
            context.today,
        )
        for n, p in enumerate(proposals, start=1)
    )
    approved = " (approved automatically)" if programme.settings.auto_approve else ""
    lines = (
        f"{len(proposals)} proposed{approved} for {len(chosen.mentees)} mentee(s) waiting, "
        f"{len(chosen.mentors)} mentor(s) with room; total score {solution.total:.1f}",
        f"mentees left without a mentor: {len(problems)}",
    )
    return StageResult(plan=plan, problems=tuple(problems), lines=lines, matches=added)
