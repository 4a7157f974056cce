"""One run of the job: decide the night (pipeline.core.night), then carry it out.

`run` is the only part of the pipeline that touches a workbook and a mail server. It reads
the workbook once, asks the core for the plan, and then does it, in the order the at-most-once
protocol of SPEC §4 needs:

1. the Mail log rows decided before sending (recovered after a crash, skipped, unwritten)
   and the first messages, logged `pending`, are SAVED;
2. each message is handed to the mail server (noted in the journal before and after);
3. the outcomes are saved over the pending rows, chunk by chunk;
4. the last save: new people, tonight's proposals, Summary and Problems.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.adapters.workbook import Workbook
from pipeline.core.changes import Plan
from pipeline.core.mail import Letter, Mailing, MailLog, mail_detail, not_tried
from pipeline.core.models import Problem
from pipeline.core.night import Night, decide
from pipeline.core.programme import Programme
from pipeline.core.stage import Context, Post
from pipeline.errors import MailError, MailRefused, MailUnavailable, MailUncertain

if TYPE_CHECKING:  # smtplib and ssl load only when mail goes out
    from pipeline.adapters.mailer import Journal, Mailer


@dataclass(frozen=True)
class Delivery:
    """How a run delivers: the mailer, the sender, the limits, the clock, and saving."""

    mailer: Mailer
    sender: str
    now: Callable[[], datetime]
    commit: Callable[[Plan], None] | None = None  # saves Mail log rows; None: the workbook's
    per_run: int | None = None
    per_minute: int | None = None
    sleep: Callable[[float], None] = time.sleep
    journal: Journal | None = None  # without one, every key left pending becomes unknown
    templates: tuple[Path, ...] = ()  # the organisation's email templates, before ours


@dataclass(frozen=True)
class RunContext:
    """What a run is asked to do, besides the workbook."""

    today: date
    dry_run: bool = False
    tab_names: Mapping[str, str] = field(default_factory=dict)  # config [tabs] overrides
    delivery: Delivery | None = None  # how mail goes out; None: the mail stage sends nothing
    intake_columns: Mapping[str, str] = field(default_factory=dict)  # question -> column key


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


CHUNK = 50  # messages logged pending per save when there is no per-minute limit


def run(book: Workbook, stages: Sequence[tuple[str, bool]], context: RunContext) -> RunReport:
    """Read once, decide the night, and carry it out (a dry run only shows it)."""
    post = None
    delivery = context.delivery
    if delivery is not None:
        journal = delivery.journal
        handed_over, accepted = journal.read() if journal else (frozenset(), frozenset())
        post = Post(
            delivery.now(),
            delivery.templates,
            delivery.per_run,
            journal is not None,
            handed_over,
            accepted,
        )
    wanted = Context(
        context.today,
        context.tab_names,
        context.intake_columns,
        post,
        workbook=str(getattr(book, "address", book.name)),
    )
    night = decide(book.read(), stages, wanted)
    mailing = night.mailing
    if context.dry_run or delivery is None or mailing is None:
        plan = night.shown() if context.dry_run else night.finish()
        book.apply(plan)
        return _report(night, plan, night.report_lines(), None, failed=False)
    # Tonight's new people and proposals go with the first save of the Mail log: an
    # introduction is never sent for a Match ID that is not on the Matches tab yet.
    sending = Sending(mailing, delivery, delivery.commit or book.apply, night.appends())
    sending.send_all()
    last = night.finish(sending.log, saved=sending.carried)
    book.apply(last)
    plan = sending.carried + last
    lines = night.report_lines(mail=sending.summary())
    return _report(night, plan, lines, sending.log, sending.failed)


def _report(
    night: Night,
    plan: Plan,
    lines: Sequence[tuple[str, str]],
    log: MailLog | None,
    failed: bool,
) -> RunReport:
    return RunReport(night.tonight, night.final_problems(log), plan, tuple(lines), failed)


class Sending:
    """Carries out a `Mailing`: pending rows saved before each chunk goes, outcomes after."""

    def __init__(
        self,
        mailing: Mailing,
        delivery: Delivery,
        commit: Callable[[Plan], None],
        first: Plan = Plan(),  # noqa: B008 (a Plan is immutable)
    ):
        self.mailing, self.delivery, self._commit = mailing, delivery, commit
        self.first = first  # saved with the first save of the Mail log
        self.carried = Plan()  # what of `first` is saved
        self.log = mailing.book()
        self.counts = {"sent": 0, "failed": mailing.unwritten, "unknown": 0}
        self.reachable = True

    @property
    def failed(self) -> bool:
        return bool(self.counts["failed"] or self.counts["unknown"])

    def commit(self) -> None:
        plan = self.log.flush()
        if plan:
            if not self.carried:
                plan = self.first + plan
            self._commit(plan)
            self.carried = self.first

    def send_all(self) -> None:
        # A welcome names the mentor, so it goes only once tonight's introduction has gone;
        # if that failed, the welcome is not logged and waits (SPEC §1, "Introductions").
        self.wave(self.mailing.first)
        self.wave(tuple(x for x in self.mailing.second if self._sent(x.message.after)))
        self.commit()  # recovered and skipped keys, when nothing was sent to carry them
        self.delivery.mailer.close()
        if self.delivery.journal is not None:
            self.delivery.journal.clear()  # every outcome is saved in the Mail log now

    def _sent(self, key: str) -> bool:
        entry = self.log.state.get(key)
        return entry is not None and entry.status == "sent"

    def wave(self, letters: Sequence[Letter]) -> None:
        delivery = self.delivery
        gap = 60.0 / delivery.per_minute if delivery.per_minute else 0.0
        size = delivery.per_minute or CHUNK
        for start in range(0, len(letters), size):
            chunk = letters[start : start + size]
            if not self.reachable:
                break  # what is left is not logged: it waits for the next run
            # Logged as pending and saved BEFORE sending: a crash now leaves "pending", never
            # a second copy.
            for letter in chunk:
                self.log.add(letter.entry("pending"))
            self.commit()
            for letter in chunk:
                if not self.reachable:
                    status, detail = "failed", not_tried(self.log.lang)
                else:
                    if self.counts["sent"] and gap:
                        delivery.sleep(gap)
                    try:
                        status, detail = self._hand_over(letter)
                    except MailUnavailable as exc:  # the server cannot be reached tonight
                        status, detail = "failed", mail_detail("passing", self.log.lang, exc)
                        self.reachable = False
                self.counts[status] += 1
                self.log.add(letter.entry(status, detail))
            self.commit()

    def _hand_over(self, letter: Letter) -> tuple[str, str]:
        """(status, detail) of one message; MailUnavailable passes through: nothing more
        goes tonight."""
        journal, key = self.delivery.journal, letter.message.key
        if journal is not None:
            journal.attempt(key)
        try:
            email = letter.email(self.delivery.sender, self.delivery.now())
            self.delivery.mailer.send(email, key)
        except MailRefused as exc:
            return "failed", mail_detail("refused", self.log.lang, exc)
        except MailUncertain as exc:
            return "unknown", mail_detail("uncertain", self.log.lang, exc)
        except MailUnavailable:
            raise
        except MailError as exc:
            return "failed", str(exc)
        if journal is not None:
            journal.done(key)
        return "sent", ""

    def summary(self) -> str:
        counts, mailing = self.counts, self.mailing
        sendable = len(mailing.letters) + mailing.waiting + mailing.unwritten
        waiting = sendable - counts["sent"] - counts["failed"] - counts["unknown"]
        return (
            f"sent {counts['sent']}, failed {counts['failed']}, unknown {counts['unknown']}, "
            f"skipped {mailing.skipped}" + (f"; {waiting} wait for the next run" if waiting else "")
        )
