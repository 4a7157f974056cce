"""One run of the job: read the workbook once, run the stages, write one plan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from pipeline.adapters.mailer import Delivery, RecordingMailer
from pipeline.adapters.workbook import InMemoryWorkbook, Workbook
from pipeline.core.changes import Plan, Replace, trim
from pipeline.core.life import Life
from pipeline.core.models import Problem
from pipeline.core.problems import ProblemKey, first_seen, ordered, problems_tab
from pipeline.core.programme import Programme, read_programme


@dataclass(frozen=True)
class RunContext:
    """What every stage may know besides the workbook."""

    today: date
    dry_run: bool = False
    tab_names: Mapping[str, str] = field(default_factory=dict)  # config [tabs] overrides
    delivery: Delivery | None = None  # how mail goes out; None: the mail stage sends nothing
    intake_columns: Mapping[str, str] = field(default_factory=dict)  # question -> column key
    reporting: bool = False  # the stage only reports its problems (another command runs)
    # Filled in by `run` for each stage:
    workbook: str = ""  # the workbook's name, for messages that point into it
    found: tuple[Problem, ...] = ()  # the problems found so far: while reading, earlier stages
    seen: Mapping[ProblemKey, date] = field(default_factory=dict)  # since when, per problem


@dataclass(frozen=True)
class StageResult:
    plan: Plan = field(default_factory=Plan)  # for `run` to apply at the end
    applied: Plan = field(default_factory=Plan)  # already saved by the stage (the Mail log)
    problems: tuple[Problem, ...] = ()
    lines: tuple[str, ...] = ()  # what the terminal summary says about this stage
    failed: bool = False  # something (a mail, a write) did not go through: exit code 1
    shown: Plan = field(default_factory=Plan)  # what a reporting stage would have written


Stage = Callable[[Programme, RunContext], StageResult]


@dataclass(frozen=True)
class Reporting:
    """`stage` as a command that does not run it still reports it (SPEC §2, Problems): its
    problems, without writing or sending anything."""

    stage: Stage

    def __call__(self, programme: Programme, context: RunContext) -> StageResult:
        delivery = context.delivery
        if delivery is not None:  # as a dry run: same journal and templates, nothing leaves
            delivery = replace(delivery, mailer=RecordingMailer(), commit=_nothing)
        here = replace(context, dry_run=True, delivery=delivery, reporting=True)
        result = self.stage(programme, here)
        return StageResult(problems=result.problems, shown=result.applied + result.plan)


def _nothing(plan: Plan) -> None:
    """A reporting stage saves nothing."""


def check(programme: Programme, context: RunContext) -> StageResult:
    """Validation itself happens while reading; this stage reports what was read."""
    roles = Counter(p.role for p in programme.participants)
    statuses = Counter(m.status for m in programme.matches)
    left_out = len({(p.tab, p.row) for p in programme.problems if p.severity == "error"})
    lines = [
        f"participants: {len(programme.participants)} "
        f"({roles['mentee']} mentees, {roles['mentor']} mentors, {roles['both']} both)",
        "matches: " + (", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) or "none"),
        f"rows left out until fixed: {left_out}",
    ]
    return StageResult(lines=tuple(lines))


def _unchanged(change: object, snapshot: Mapping[str, tuple[object, ...]]) -> bool:
    """A rewrite of a tab that already holds exactly these rows (Summary, Problems)."""
    return isinstance(change, Replace) and snapshot.get(change.tab) == trim(change.rows)


@dataclass(frozen=True)
class RunReport:
    programme: Programme
    problems: tuple[Problem, ...]
    plan: Plan
    lines: tuple[tuple[str, str], ...]  # (stage, line)
    failed: bool

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def run(book: Workbook, stages: Sequence[tuple[str, Stage]], context: RunContext) -> RunReport:
    """Read once, run `stages` in order, apply the combined plan (unless nothing changes)."""
    snapshot = book.read()
    programme = read_programme(snapshot, context.tab_names)
    seen = first_seen(programme.tables.get("problems"))
    found = programme.problems
    # Each stage sees what earlier stages added (people from the intake form, tonight's
    # proposals, the mail sent), through a copy in memory; the workbook is written once, at
    # the end (the Mail log also while sending).
    working = InMemoryWorkbook(snapshot)
    results: list[tuple[str, StageResult]] = []

    # What the life of the matches asks of the coordinator, as far as the run has come
    # (tonight's proposals included: the digest lists it); worked out again only when a stage
    # changed the programme.
    life = Life(programme, context.today).problems()

    def so_far() -> list[Problem]:
        return [*found, *(p for _, r in results for p in r.problems), *life]

    for number, (name, stage) in enumerate(stages, start=1):
        here = replace(context, workbook=book.name, found=tuple(so_far()), seen=seen)
        result = stage(programme, here)
        results.append((name, result))
        changed = result.applied + result.plan
        # What a reporting stage would write counts for the problems of the stages after
        # it, unless one of those really runs: it must see the workbook as it will be.
        if not any(not isinstance(later, Reporting) for _, later in stages[number:]):
            changed += result.shown
        if changed and number < len(stages):  # only a later stage needs the new rows
            working.apply(changed)
            programme = read_programme(working.read(), context.tab_names)
            life = Life(programme, context.today).problems()
    problems = ordered(so_far(), list(snapshot))
    plan = Plan()
    for _, result in results:
        plan += result.plan
    plan += Plan(
        (
            problems_tab(
                snapshot, problems, programme.language, dict(context.tab_names), seen, context.today
            ),
        )
    )
    plan = Plan(tuple(c for c in plan.changes if not _unchanged(c, snapshot)))
    book.apply(plan)
    return RunReport(
        programme=programme,
        problems=tuple(problems),
        plan=plan,
        lines=tuple((name, line) for name, r in results for line in r.lines),
        failed=any(r.failed for _, r in results),
    )
