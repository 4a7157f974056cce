"""What a stage of the night is given and what it decides (pipeline.core.night runs them)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.changes import Plan
from pipeline.core.models import MailLogEntry, Match, Participant, Problem
from pipeline.core.problems import ProblemKey

if TYPE_CHECKING:
    from pipeline.core.mail import Mailing
    from pipeline.core.programme import Programme


@dataclass(frozen=True)
class Post:
    """What the mail stage needs to know of how mail goes out; facts, no connection."""

    now: datetime  # the Mail log's Time of tonight's rows
    templates: tuple[Path, ...] = ()  # the organisation's email templates, before ours
    per_run: int | None = None
    journal: bool = False  # a journal of hand-overs is kept (without one, pending is unknown)
    handed_over: frozenset[str] = frozenset()  # keys the journal saw handed to the server
    accepted: frozenset[str] = frozenset()  # keys the server accepted


@dataclass(frozen=True)
class Context:
    """What every stage may know besides the programme."""

    today: date
    tab_names: Mapping[str, str] = field(default_factory=dict)  # config [tabs] overrides
    intake_columns: Mapping[str, str] = field(default_factory=dict)  # question -> column key
    post: Post | None = None  # None: no mail transport, nothing is sent
    reporting: bool = False  # the stage only reports its problems (another command runs)
    # Filled in by `decide` for each stage:
    workbook: str = ""  # the workbook's name, for messages that point into it
    found: tuple[Problem, ...] = ()  # the problems found so far: while reading, earlier stages
    seen: Mapping[ProblemKey, date] = field(default_factory=dict)  # since when, per problem


@dataclass(frozen=True)
class StageResult:
    """A stage's decisions: the rows it writes, and the same rows as models for the stages
    after it (they see tonight's people, proposals and Mail log without reading cells)."""

    plan: Plan = field(default_factory=Plan)
    problems: tuple[Problem, ...] = ()
    lines: tuple[str, ...] = ()  # what the terminal summary says about this stage
    participants: tuple[Participant, ...] = ()  # appended to Participants
    matches: tuple[Match, ...] = ()  # appended to Matches
    mail_log: tuple[MailLogEntry, ...] = ()  # Mail log rows as they will be once logged
    mailing: Mailing | None = None  # the mail stage: what to send, for the executor


Stage = Callable[["Programme", Context], StageResult]
