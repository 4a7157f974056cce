"""The programme as plain frozen data: participants, exclusions, matches, the mail log, problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from pipeline.core import vocab
from pipeline.core.cells import email_key, parse_date
from pipeline.errors import CellError


@dataclass(frozen=True)
class Participant:
    row: int
    email: str
    name: str
    role: str  # mentor | mentee | both
    status: str = "active"  # active | paused | stopped
    start_date: date | None = None
    team: str = ""
    discipline: str = ""
    location: str = ""
    shifts: frozenset[str] = frozenset()
    manager_email: str = ""
    years_experience: float | None = None
    languages: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    capacity: int = 1
    preferred_mentor: str = ""
    email_language: str | None = None

    @property
    def key(self) -> str:
        return email_key(self.email)

    @property
    def is_mentor(self) -> bool:
        return self.role in ("mentor", "both")

    @property
    def is_mentee(self) -> bool:
        return self.role in ("mentee", "both")

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class Exclusion:
    row: int
    person_a: str
    person_b: str

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((email_key(self.person_a), email_key(self.person_b)))


OPEN_MATCH_STATUSES = ("proposed", "approved")


@dataclass(frozen=True)
class Match:
    row: int
    match_id: str
    mentee_email: str
    mentor_email: str
    status: str  # proposed | approved | rejected | ended | completed
    score: float | None = None
    proposed_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MATCH_STATUSES

    @property
    def is_rejected(self) -> bool:
        return self.status == "rejected"

    @property
    def pair(self) -> tuple[str, str]:
        return (email_key(self.mentee_email), email_key(self.mentor_email))


@dataclass(frozen=True)
class MailLogEntry:
    row: int
    key: str
    match_id: str
    touchpoint: str
    to: str
    status: str  # pending | sent | failed | skipped | unknown
    subject: str = ""
    time: str = ""
    detail: str = ""

    @property
    def day(self) -> date | None:
        """The day of `time`, or None when it cannot be read."""
        try:
            return parse_date(self.time)
        except CellError:
            return None


def latest(log: Iterable[MailLogEntry]) -> dict[str, MailLogEntry]:
    """Each key's state: its last row, as the log only grows (an older log has two rows per
    message). A `pending` row below an outcome (a log sorted by hand) never undoes it."""
    found: dict[str, MailLogEntry] = {}
    for entry in log:
        known = found.get(entry.key)
        if known is None or entry.status != "pending" or known.status == "pending":
            found[entry.key] = entry
    return found


#: What happens to the data until the coordinator fixes it; "skipped" makes a problem an error,
#: "note" a note (nothing is wrong; the coordinator may want to know), the others warnings.
EFFECTS = ("skipped", "ignored", "default", "note", "")


@dataclass(frozen=True)
class Problem:
    """One thing the coordinator has to look at, as a Problems-tab row.

    `tab` and `column` are the names as the coordinator sees them in the workbook;
    `code` and `params` select and fill the message in the workbook's language, and
    `effect` says what mentorflow does with the data until it is fixed. `who` names the
    person the problem is about when the row alone does not tell (the Problems tab reads
    the name off the row otherwise).
    """

    tab: str
    row: int | None
    column: str
    code: str
    effect: str = ""
    params: tuple[tuple[str, str], ...] = field(default=())
    who: str = ""

    @classmethod
    def at(
        cls, tab: str, row: int | None, column: str, code: str, effect: str = "", **params: object
    ) -> Problem:
        return cls(
            tab, row, column, code, effect, tuple(sorted((k, str(v)) for k, v in params.items()))
        )

    def about(self, who: str) -> Problem:
        """This problem, naming the person it is about."""
        return replace(self, who=who)

    @property
    def severity(self) -> str:
        if self.effect == "skipped":
            return "error"
        return "note" if self.effect == "note" else "warning"


#: The order of the Problems tab: what keeps data out first (SPEC §2), as vocab lists them.
SEVERITIES = tuple(vocab.SEVERITIES.terms)
