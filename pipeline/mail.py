"""The mail stage (SPEC §4): the journey's messages, each sent at most once.

The Mail log is the memory. For every run:
1. a key still `pending` from an earlier run (that run died mid-send) is logged `unknown`
   and shown on Problems, never sent again by itself;
2. messages too late to send are logged `skipped`;
3. the messages about to go out are logged `pending` and SAVED before anything is sent;
4. they are sent (within the per-run and per-minute limits; the rest waits, oldest first);
5. each outcome (`sent`, `failed`, `unknown`) is saved over the message's pending row.

One row per message: a message tried again (a passing failure, within its grace days) has
its row written over. Every `failed` or `unknown` message is a Problems row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time
from email.message import EmailMessage
from pathlib import Path

from pipeline.adapters.mailer import Delivery, Mailer
from pipeline.core.cells import Cell, Row
from pipeline.core.changes import Append, Change, Plan, Update
from pipeline.core.digest import digest, digest_problems
from pipeline.core.evaluation import read_evaluations
from pipeline.core.journey import RECIPIENTS, Message, Outgoing, addressed, journey, message_key
from pipeline.core.layout import header
from pipeline.core.models import MailLogEntry, Problem, latest
from pipeline.core.programme import Programme
from pipeline.core.render import build, context, language_of, render
from pipeline.core.vocab import COLUMNS, MAIL_LOG_COLUMNS, MAIL_STATUSES, SKIPS, TABS, TOUCHPOINTS
from pipeline.errors import (
    MailError,
    MailRefused,
    MailUnavailable,
    MailUncertain,
    PreviewError,
    TemplateProblem,
)
from pipeline.run import RunContext, StageResult


class MailLog:
    """The Mail log's rows, one per message, in the workbook's language.

    A message seen for the first time is appended; one already in the log (sent again after a
    passing failure, or recovered after a crash) has its row written over in place. Rows are
    gathered until `flush`, which turns them into the changes of one save.
    """

    def __init__(self, programme: Programme, now: datetime) -> None:
        self.lang = programme.language
        self.now = now
        table = programme.tables.get("mail_log")
        self.table = table if table is not None and table.header_row is not None else None
        self.name = table.name if table is not None else TABS.word("mail_log", self.lang)
        # Appends land below the last filled row; a new tab gets its header on row 1.
        self.next_row = self.table.last_row + 1 if self.table is not None else 2
        self.state = latest(programme.mail_log)  # key -> its latest state, tonight's included
        self.rows = {key: entry.row for key, entry in self.state.items()}  # key -> its row
        self.earlier = frozenset(self.rows)  # keys logged by earlier runs
        self._new: list[Row] = []
        self._updates: list[Update] = []

    def log(
        self,
        key: str,
        match_id: str,
        touchpoint: str,
        to: str,
        subject: str,
        status: str,
        detail: str = "",
    ) -> None:
        values: dict[str, Cell] = {
            "key": key,
            "match_id": match_id,
            "touchpoint": TOUCHPOINTS.word(touchpoint, self.lang)
            if touchpoint in TOUCHPOINTS
            else touchpoint,
            "to": to,
            "subject": subject,
            "status": MAIL_STATUSES.word(status, self.lang),
            "time": self.now.replace(tzinfo=None, microsecond=0),
            "detail": detail,
        }
        if key in self.earlier:
            # A row of an earlier run keeps its Time: the introduction's is the match's
            # approval day, which a retry on a later night must not move.
            del values["time"]
            if status == "sent" and not detail:
                values["detail"] = f"sent when tried again, {self.now:%Y-%m-%d %H:%M}"
        if self.table is not None:
            row = self.table.record(values)
            key_column = self.table.columns.get("key")
        else:
            row = tuple(values.get(k) for k in COLUMNS["mail_log"].terms)
            key_column = list(COLUMNS["mail_log"].terms).index("key")
        if key in self.rows:
            expect = None if key_column is None else (key_column, key)
            self._updates.append(Update(self.name, self.rows[key], row, expect))
        else:
            self.rows[key] = self.next_row
            self.next_row += 1
            self._new.append(row)
        self.state[key] = MailLogEntry(
            self.rows[key], key, match_id, touchpoint, to, status, subject, "", detail
        )

    def flush(self) -> Plan:
        """The changes logged since the last flush: new rows first, then rows written over."""
        changes: list[Change] = []
        if self._new:
            head = () if self.table else header("mail_log", self.lang)
            changes.append(Append(self.name, tuple(self._new), head))
        changes += self._updates
        self._new, self._updates = [], []
        return Plan(tuple(changes))

    def problems(self, grace_days: int) -> list[Problem]:
        """A Problems row for every message whose latest state is failed or unknown."""
        column = (
            self.table.header("status", self.lang)
            if self.table is not None
            else MAIL_LOG_COLUMNS.word("status", self.lang)
        )
        found = []
        for entry in self.state.values():
            if entry.status == "unknown":
                code = "mail_unknown"
            elif entry.status == "failed":
                code = "mail_retry" if passing(entry) else "mail_failed"
                if entry.detail.startswith(TEMPLATE):
                    code = "mail_template"
            else:
                continue
            # the server's answer, without our "refused: " or "unavailable: " prefix
            if not entry.detail or entry.detail.startswith(STOPPED):
                answer = STOPPED
            else:
                answer = entry.detail.split(": ", 1)[-1]
            params = {
                "touchpoint": entry.touchpoint,
                "answer": answer,
                "grace": str(grace_days),
            }
            found.append(
                Problem.at(
                    self.name, self.rows[entry.key], column, code, "", value=entry.to, **params
                )
            )
        return found


#: How the Mail log's Detail of a failed message begins: a passing failure (no connection,
#: a 4xx answer) is tried again by the next runs within the grace days; a refusal is not.
PASSING = "unavailable"
REFUSED = "refused"
STOPPED = "the run stopped while sending"
TEMPLATE = "template"  # the message could not be written: tried again, like a passing failure
NOT_TRIED = f"{PASSING}: not tried, the mail server could not be reached"


def passing(entry: MailLogEntry) -> bool:
    # "not sent:" is how older versions logged a message they never tried
    return entry.status == "failed" and entry.detail.startswith((PASSING, TEMPLATE, "not sent:"))


def deliver(programme: Programme, run: RunContext, delivery: Delivery) -> StageResult:
    """Run the protocol above; the rows are saved as it goes, the summary is returned."""
    log = MailLog(programme, delivery.now())
    latest = dict(log.state)
    handed_over, accepted = delivery.journal.read() if delivery.journal else (frozenset(),) * 2
    left_pending = [e for e in latest.values() if e.status == "pending"]
    # A key still pending: the run that logged it died. The journal tells what happened.
    never_left = frozenset(
        e.key
        for e in left_pending
        if delivery.journal is not None and e.key not in handed_over | accepted
    )
    for entry in left_pending:
        if entry.key in accepted:
            status, detail = "sent", "accepted by the server; logged after the run stopped"
        elif entry.key not in never_left:
            status, detail = (
                "unknown",
                f"{STOPPED}: it may or may not have arrived",
            )
        else:
            continue  # never handed over: due again below
        log.log(
            entry.key, entry.match_id, entry.touchpoint, entry.to, entry.subject, status, detail
        )
    retry = frozenset(e.key for e in latest.values() if passing(e))
    found = read_evaluations(programme, run.today)
    due = [
        outgoing(programme, m, run.today)
        for m in journey(programme, run.today, found.respondents, never_left, retry)
    ]
    grace = programme.settings.grace_days
    # The digest counts the Mail log's problems too, as the Problems tab will show them
    weekly = digest(programme, replace(run, found=(*run.found, *log.problems(grace))), found)
    if (
        weekly is not None
        and (weekly.key not in latest or weekly.key in never_left | retry)
        and (run.today - weekly.due).days <= grace
    ):
        due = sorted([*due, weekly], key=lambda m: (m.due, m.key))
    problems = tuple(digest_problems(programme))
    skipped = [m for m in due if m.skip]
    sendable = [m for m in due if not m.skip]
    to_send = sendable[: delivery.per_run]
    for m in skipped:
        reason = SKIPS.word(m.skip, programme.language)
        log.log(m.key, m.match_id, m.touchpoint, m.to_email, "", "skipped", reason)
    settings = programme.settings
    reply_to = (settings.coordinator_name, settings.coordinator_email)
    prepared: list[tuple[Outgoing, EmailMessage]] = []
    unwritten = 0
    for m in to_send:
        try:
            prepared.append(
                (m, _prepare(m, delivery, None if m.touchpoint == "digest" else reply_to))
            )
        except TemplateProblem as exc:
            # An organisation's template with a mistake: this message cannot be written; the
            # others still go, and it is tried again once the template is corrected.
            log.log(m.key, m.match_id, m.touchpoint, m.to_email, "", "failed", f"{TEMPLATE}: {exc}")
            unwritten += 1
    if run.dry_run:
        for message, built in prepared:
            delivery.mailer.send(built, message.key)  # a recording mailer: nothing leaves
            _log(log, message, built, "pending")
        listed = tuple(
            f"would send {m.touchpoint} to {m.to_email}: {b['Subject']}" for m, b in prepared
        )
        return StageResult(
            plan=log.flush(),
            problems=(*problems, *log.problems(grace)),
            lines=(f"would send {len(prepared)}, skip {len(skipped)}", *listed),
        )

    saved = Plan()

    def commit(plan: Plan) -> None:
        nonlocal saved
        if plan:
            delivery.commit(plan)
            saved += plan

    counts = {"sent": 0, "failed": unwritten, "unknown": 0}
    gap = 60.0 / delivery.per_minute if delivery.per_minute else 0.0
    size = delivery.per_minute or CHUNK
    reachable = True

    def send_all(wave: list[tuple[Outgoing, EmailMessage]]) -> None:
        nonlocal reachable
        for start in range(0, len(wave), size):
            chunk = wave[start : start + size]
            if not reachable:
                break  # what is left is not logged: it waits for the next run
            # Logged as pending and saved BEFORE sending: a crash now leaves "pending", never
            # a second copy.
            for message, built in chunk:
                _log(log, message, built, "pending")
            commit(log.flush())
            for message, built in chunk:
                if not reachable:
                    status, detail = "failed", NOT_TRIED
                else:
                    if counts["sent"] and gap:
                        delivery.sleep(gap)
                    if delivery.journal is not None:
                        delivery.journal.attempt(message.key)
                    status, detail = _send(delivery.mailer, built, message.key)
                    if status == "sent" and delivery.journal is not None:
                        delivery.journal.done(message.key)
                    reachable = not detail.startswith(PASSING)
                counts[status] += 1
                _log(log, message, built, status, detail)
            commit(log.flush())

    # A welcome names the mentor, so it goes only once tonight's introduction has gone; if
    # that failed, the welcome is not logged and waits (SPEC §1, "Introductions").
    tonight = {m.key for m in to_send}
    send_all([p for p in prepared if p[0].after not in tonight])
    send_all([p for p in prepared if p[0].after in tonight and _status(log, p[0].after) == "sent"])
    commit(log.flush())  # recovered and skipped keys, when nothing was sent to carry them
    delivery.mailer.close()
    if delivery.journal is not None:
        delivery.journal.clear()  # every outcome is saved in the Mail log now
    waiting = len(sendable) - counts["sent"] - counts["failed"] - counts["unknown"]
    lines = (
        f"sent {counts['sent']}, failed {counts['failed']}, unknown {counts['unknown']}, "
        f"skipped {len(skipped)}" + (f"; {waiting} wait for the next run" if waiting else ""),
    )
    return StageResult(
        applied=saved,
        problems=(*problems, *log.problems(grace)),
        lines=lines,
        failed=bool(counts["failed"] or counts["unknown"]),
    )


CHUNK = 50  # messages logged pending per save when there is no per-minute limit


def _status(log: MailLog, key: str) -> str:
    """A key's state tonight; "" when it is not logged (it waits for the next run)."""
    entry = log.state.get(key)
    return entry.status if entry is not None else ""


def _log(
    log: MailLog, message: Outgoing, built: EmailMessage, status: str, detail: str = ""
) -> None:
    log.log(
        message.key,
        message.match_id,
        message.touchpoint,
        message.to_email,
        str(built["Subject"]),
        status,
        detail,
    )


def outgoing(programme: Programme, message: Message, today: date) -> Outgoing:
    """A journey message in the recipient's language, with its templates' variables."""
    lang = language_of(programme, message)
    after = ""
    if message.touchpoint == "welcome":
        after = message_key(message.match.match_id, "introduction", message.mentor.email)
    return Outgoing(
        message.key,
        message.match.match_id,
        message.touchpoint,
        message.to.email,
        message.to.name,
        message.due,
        message.skip,
        lang,
        context(programme, message, lang, today),
        after,
    )


def _prepare(
    message: Outgoing, delivery: Delivery, reply_to: tuple[str, str] | None
) -> EmailMessage:
    rendered = render(message.touchpoint, message.lang, message.variables, delivery.templates)
    return build(
        rendered, delivery.sender, message.to_name, message.to_email, delivery.now(), reply_to
    )


def _send(mailer: Mailer, built: EmailMessage, key: str) -> tuple[str, str]:
    try:
        mailer.send(built, key)
    except MailRefused as exc:
        return "failed", f"{REFUSED}: {exc}"
    except MailUncertain as exc:
        return "unknown", f"may have been sent: {exc}"
    except MailUnavailable as exc:
        return "failed", f"{PASSING}: {exc}"
    except MailError as exc:
        return "failed", str(exc)
    return "sent", ""


def mail(programme: Programme, run: RunContext) -> StageResult:
    """The stage: deliver when the run has a way to deliver (the command line always does).

    Without one, it reports the Mail log's failed and unknown messages and the digest's
    settings, as a night with mail would.
    """
    if run.delivery is None:
        log = MailLog(programme, datetime.combine(run.today, time()))
        grace = programme.settings.grace_days
        problems = (*digest_problems(programme), *log.problems(grace))
        return StageResult(problems=problems, lines=("no mail transport: nothing sent",))
    return deliver(programme, run, run.delivery)


def preview(
    programme: Programme,
    match_id: str,
    touchpoint: str,
    sender: str,
    now: datetime,
    folders: Sequence[Path] = (),
) -> list[tuple[str, EmailMessage, str]]:
    """(file stem, message, HTML) per recipient of one touchpoint of one match, due or not."""
    match = next((m for m in programme.matches if m.match_id == match_id), None)
    if match is None:
        raise PreviewError(f'there is no usable match "{match_id}" on the Matches tab.')
    if touchpoint not in RECIPIENTS:
        raise PreviewError(
            f'"{touchpoint}" is not a touchpoint; use one of: {", ".join(RECIPIENTS)}.'
        )
    mentee, mentor = programme.person(match.mentee_email), programme.person(match.mentor_email)
    if mentee is None or mentor is None:
        raise PreviewError(f'match "{match_id}" names someone who is not on Participants.')
    day = mentee.start_date or now.date()
    results = []
    for message in addressed(match, touchpoint, mentor, mentee, day):
        lang = language_of(programme, message)
        variables = context(programme, message, lang, now.date())
        rendered = render(touchpoint, lang, variables, folders)
        settings = programme.settings
        reply_to = (settings.coordinator_name, settings.coordinator_email)
        built = build(rendered, sender, message.to.name, message.to.email, now, reply_to)
        results.append((f"{match_id}-{touchpoint}-{message.role}", built, rendered.html))
    return results
