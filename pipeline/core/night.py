"""Decide the night: one pure function from a workbook snapshot and today to the whole plan.

`decide` reads the cells once into a `Programme` and runs the stages in order; each stage
hands the next the models it adds (new people, tonight's proposals, the Mail log as it will
be), never rows to read again. The result, a `Night`, says everything the run will do: the
rows and tabs to write, the mail to send (a `Mailing`), the problems. `pipeline.run` carries
it out; `--dry-run` shows it and stops.

A command runs every stage of the night, but only its own stage is carried out: the others
report their problems, so every command writes the Problems tab `nightly` would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from pipeline.core.cells import serial
from pipeline.core.changes import Append, Plan, Replace, trim
from pipeline.core.intake import intake
from pipeline.core.life import life_of
from pipeline.core.mail import Mailing, MailLog, mail
from pipeline.core.matching import match
from pipeline.core.models import Problem
from pipeline.core.problems import ProblemKey, first_seen, ordered, problems_tab
from pipeline.core.programme import Programme, read_programme
from pipeline.core.schema import Snapshot
from pipeline.core.stage import Context, Stage, StageResult
from pipeline.core.summary import evaluate


def check(programme: Programme, context: Context) -> StageResult:
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


#: The stages of the night, in the order `nightly` runs them.
STAGES: Mapping[str, Stage] = {
    "check": check,
    "intake": intake,
    "match": match,
    "mail": mail,
    "evaluate": evaluate,
}

#: The stages a run decides, in order, each with whether it is carried out (written, sent).
Stages = tuple[tuple[str, bool], ...]


def nightly() -> Stages:
    return tuple((name, True) for name in STAGES)


def command(name: str) -> Stages:
    """Every stage of the night; only `name` is carried out, the others report."""
    return tuple((stage, stage == name) for stage in STAGES)


def named(*names: str) -> Stages:
    """Only these stages, each carried out (tests and tools)."""
    return tuple((name, True) for name in names)


@dataclass(frozen=True)
class Night:
    """Everything one run will do, decided before anything is done."""

    snapshot: Snapshot  # the workbook as read
    programme: Programme  # as read
    tonight: Programme  # with what the carried-out stages add
    steps: tuple[tuple[str, StageResult], ...]  # the carried-out stages' decisions, in order
    problems: tuple[Problem, ...]  # every problem, the Mail log's as decided
    seen: Mapping[ProblemKey, date]
    context: Context

    @property
    def mailing(self) -> Mailing | None:
        """The mail to send, when the mail stage is carried out with a way to deliver."""
        return next((r.mailing for _, r in self.steps if r.mailing is not None), None)

    def report_lines(self, mail: str | None = None) -> tuple[tuple[str, str], ...]:
        """(stage, line) for the terminal; `mail`, what the sending did, in place of the
        mail stage's lines about what it would send."""
        return tuple(
            (name, line)
            for name, result in self.steps
            for line in ((mail,) if mail is not None and result.mailing else result.lines)
        )

    def settled(self, log: MailLog) -> tuple[tuple[str, StageResult], ...]:
        """The steps, those after the mail stage decided again on the Mail log as the sending
        left it (Summary counts the mails sent)."""
        mailing = self.mailing
        if mailing is None or not mailing.letters:
            return self.steps  # nothing was sent: the Mail log is as decided
        # the programme the mail stage decided on, with the Mail log as the executor wrote it
        programme = mailing.programme.adding(mail_log=[log.state[key] for key in log.logged])
        context = replace(self.context, found=self.problems)
        steps: list[tuple[str, StageResult]] = []
        after_mail = False
        for name, result in self.steps:
            if after_mail:
                result = STAGES[name](programme, context)
                programme = programme.adding(result.participants, result.matches, result.mail_log)
            after_mail = after_mail or result.mailing is not None
            steps.append((name, result))
        return tuple(steps)

    def appends(self) -> Plan:
        """The rows the night adds to Participants and Matches."""
        return Plan(
            tuple(c for _, r in self.steps for c in r.plan.changes if isinstance(c, Append))
        )

    def finish(self, log: MailLog | None = None, saved: Plan = Plan()) -> Plan:  # noqa: B008
        """The last save: every change of the night not `saved` yet, and the Problems tab,
        with the Mail log as `log` (the sending) left it."""
        plan = self._plan(self.steps if log is None else self.settled(log), log)
        return Plan(tuple(c for c in plan.changes if c not in saved.changes))

    def shown(self) -> Plan:
        """What a dry run shows: the Mail log rows as they would be saved before sending
        (tonight's letters `pending`), in the place of the mail stage, then the last save."""
        return self._plan(self.steps, None, pending=True)

    def _plan(
        self, steps: Sequence[tuple[str, StageResult]], log: MailLog | None, pending: bool = False
    ) -> Plan:
        """The steps' changes and the Problems tab; a tab that already holds exactly these
        rows is left alone."""
        plan = Plan()
        for _, result in steps:
            plan += result.plan
            if pending and result.mailing is not None:
                plan += result.mailing.logged().flush()
        plan += Plan((self.problems_tab(log),))
        return Plan(tuple(c for c in plan.changes if not _unchanged(c, self.snapshot)))

    def final_problems(self, log: MailLog | None = None) -> tuple[Problem, ...]:
        """Every problem, the Mail log's as `log` left them after sending."""
        mailing = self.mailing
        if log is None or mailing is None:
            return self.problems
        grace = mailing.programme.settings.grace_days
        decided = set(mailing.logged().problems(grace))
        kept = [p for p in self.problems if p not in decided]
        return tuple(ordered([*kept, *log.problems(grace)], list(self.snapshot)))

    def problems_tab(self, log: MailLog | None = None) -> Replace:
        return problems_tab(
            self.programme.tables,
            self.final_problems(log),
            self.programme.language,
            self.seen,
            self.context.today,
        )


def _unchanged(change: object, snapshot: Mapping[str, tuple[object, ...]]) -> bool:
    """A rewrite of a tab that already holds exactly these rows (Summary, Pairs, Problems);
    a date reads back as a moment (.xlsx) or a day number (Google Sheets, Excel online)."""
    if not isinstance(change, Replace) or change.tab not in snapshot:
        return False
    held = snapshot[change.tab]
    return _days(held) == _days(trim(change.rows))


def _days(rows: Sequence[object]) -> list[tuple[object, ...]]:
    def day(value: object) -> object:
        return serial(value) if isinstance(value, date) else value

    return [tuple(map(day, row)) for row in rows if isinstance(row, tuple)]


def decide(snapshot: Snapshot, stages: Sequence[tuple[str, bool]], context: Context) -> Night:
    """The whole plan of the night for this workbook. Raises WorkbookLayoutError only for a
    missing tab or header.

    Two views go through the stages. `whole` is the night as `nightly` would leave it: every
    stage adds its rows, and the stages that only report find their problems there, as
    `nightly` would. `done` is the workbook as this run leaves it: a stage that is carried
    out decides on it, without the rows of stages that only report, and reports on what it
    writes. Under `nightly` the two are one and the same.
    """
    read = read_programme(snapshot, context.tab_names)
    whole = done = read
    seen = first_seen(read.tables.get("problems"))
    reported: list[Problem] = []
    steps: list[tuple[str, StageResult]] = []

    def so_far() -> list[Problem]:
        # What the life of the matches asks of the coordinator, as far as the night has come
        # (tonight's proposals included: the digest lists them)
        return [*read.problems, *reported, *life_of(whole, context.today).problems()]

    for name, carried_out in stages:
        apart = done is not whole
        here = replace(
            context, reporting=not carried_out or apart, found=tuple(so_far()), seen=seen
        )
        result = STAGES[name](whole, here)
        following = whole.adding(result.participants, result.matches, result.mail_log)
        if not carried_out:
            reported += result.problems
        else:
            own = STAGES[name](done, replace(here, reporting=False)) if apart else result
            reported += own.problems  # a stage that writes reports on what it writes
            steps.append((name, own))
            done = done.adding(own.participants, own.matches, own.mail_log) if apart else following
        whole = following
    return Night(
        snapshot=snapshot,
        programme=read,
        tonight=done,
        steps=tuple(steps),
        problems=tuple(ordered(so_far(), list(snapshot))),
        seen=seen,
        context=context,
    )
