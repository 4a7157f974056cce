"""The mail stage (SPEC §4): the journey's messages, each sent at most once.

The Mail log is the memory. For every run:
1. a key still `pending` from an earlier run (that run died mid-send) is logged `unknown`
   and shown on Problems, never sent again by itself;
2. messages too late to send are logged `skipped`;
3. the messages about to go out are logged `pending` and SAVED before anything is sent;
4. they are sent (within the per-run and per-minute limits; the rest waits, oldest first);
5. each outcome (`sent`, `failed`, `unknown`) is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage

from pipeline.cells import Cell, Row
from pipeline.digest import digest, digest_problems
from pipeline.errors import MentorflowError
from pipeline.evaluation import read_evaluations
from pipeline.journey import RECIPIENTS, Message, Outgoing, addressed, journey
from pipeline.layout import header
from pipeline.mailer import (
    Delivery,
    Mailer,
    MailError,
    MailRefused,
    MailUnavailable,
    MailUncertain,
)
from pipeline.models import MailLogEntry, Problem
from pipeline.programme import Programme
from pipeline.render import build, context, language_of, render
from pipeline.run import RunContext, StageResult
from pipeline.vocab import COLUMNS, MAIL_STATUSES, TABS, TOUCHPOINTS
from pipeline.workbook import Append, Plan


class PreviewError(MentorflowError):
    """A preview that cannot be made (unknown match or touchpoint): one line, exit 2."""


class MailLog:
    """Rows for the Mail log tab, in the workbook's language."""

    def __init__(self, programme: Programme, now: datetime) -> None:
        self.lang = programme.language
        self.now = now
        table = programme.tables.get("mail_log")
        self.table = table if table is not None and table.header_row is not None else None
        self.name = table.name if table is not None else TABS.word("mail_log", self.lang)

    def row(
        self,
        key: str,
        match_id: str,
        touchpoint: str,
        to: str,
        subject: str,
        status: str,
        detail: str = "",
    ) -> Row:
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
        if self.table is not None:
            return self.table.record(values)
        return tuple(values.get(k) for k in COLUMNS["mail_log"].terms)

    def append(self, rows: Sequence[Row]) -> Plan:
        if not rows:
            return Plan()
        return Plan(
            (Append(self.name, tuple(rows), () if self.table else header("mail_log", self.lang)),)
        )


def _latest(entries: Sequence[MailLogEntry]) -> dict[str, MailLogEntry]:
    latest: dict[str, MailLogEntry] = {}
    for entry in entries:
        latest[entry.key] = entry  # the log only grows: the last row of a key is its state
    return latest


def deliver(programme: Programme, run: RunContext, delivery: Delivery) -> StageResult:
    """Run the protocol above; the rows are saved as it goes, the summary is returned."""
    log = MailLog(programme, delivery.now())
    latest = _latest(programme.mail_log)
    handed_over, accepted = delivery.journal.read() if delivery.journal else (frozenset(),) * 2
    left_pending = [e for e in latest.values() if e.status == "pending"]
    # A key still pending: the run that logged it died. The journal tells what happened.
    never_left = frozenset(
        e.key
        for e in left_pending
        if delivery.journal is not None and e.key not in handed_over | accepted
    )
    unknown = [e for e in left_pending if e.key not in accepted and e.key not in never_left]

    def recovered(entry: MailLogEntry, status: str, detail: str) -> Row:
        return log.row(
            entry.key, entry.match_id, entry.touchpoint, entry.to, entry.subject, status, detail
        )

    first: list[Row] = [
        *(
            recovered(e, "sent", "accepted by the server; logged after the run stopped")
            for e in left_pending
            if e.key in accepted
        ),
        *(
            recovered(e, "unknown", "the run stopped while sending: it may or may not have arrived")
            for e in unknown
        ),
    ]
    table = programme.tables.get("mail_log")
    problems: tuple[Problem, ...] = tuple(
        Problem.at(
            table.name,
            e.row,
            table.header("status", programme.language),
            "mail_unknown",
            "",
            value=e.to,
            key=e.key,
        )
        for e in (*unknown, *(e for e in latest.values() if e.status == "unknown"))
        if table is not None
    )
    found = read_evaluations(programme, run.today)
    due = [
        outgoing(programme, m) for m in journey(programme, run.today, found.respondents, never_left)
    ]
    weekly = digest(programme, run, found)
    if weekly is not None and (weekly.key not in latest or weekly.key in never_left):
        due = sorted([*due, weekly], key=lambda m: (m.due, m.key))
    problems += tuple(digest_problems(programme))
    skipped = [m for m in due if m.skip]
    sendable = [m for m in due if not m.skip]
    to_send = sendable[: delivery.per_run]
    first += [
        log.row(m.key, m.match_id, m.touchpoint, m.to_email, "", "skipped", "too late to send")
        for m in skipped
    ]
    prepared = [(m, _prepare(m, delivery)) for m in to_send]
    if run.dry_run:
        for message, built in prepared:
            delivery.mailer.send(built, message.key)  # a recording mailer: nothing leaves
        pending = [_row(log, m, b, "pending") for m, b in prepared]
        listed = tuple(
            f"would send {m.touchpoint} to {m.to_email}: {b['Subject']}" for m, b in prepared
        )
        return StageResult(
            plan=log.append(first + pending),
            problems=problems,
            lines=(f"would send {len(prepared)}, skip {len(skipped)}", *listed),
        )

    saved = Plan()

    def commit(plan: Plan) -> None:
        nonlocal saved
        delivery.commit(plan)
        saved += plan

    counts = {"sent": 0, "failed": 0, "unknown": 0}
    gap = 60.0 / delivery.per_minute if delivery.per_minute else 0.0
    size = delivery.per_minute or CHUNK
    reachable = True
    for start in range(0, max(len(prepared), 1), size):
        chunk = prepared[start : start + size]
        if not reachable or not (chunk or first):
            break  # what is left is not logged: it waits for the next run
        # Logged as pending and saved BEFORE sending: a crash now leaves "pending", never a
        # second copy.
        commit(log.append(first + [_row(log, m, b, "pending") for m, b in chunk]))
        first = []
        outcomes: list[Row] = []
        for message, built in chunk:
            if not reachable and delivery.journal is not None:
                continue  # provably never handed over: it stays pending, the next run sends it
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
                reachable = not detail.startswith("unavailable")
            counts[status] += 1
            outcomes.append(_row(log, message, built, status, detail))
        commit(log.append(outcomes))
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
        problems=problems,
        lines=lines,
        failed=bool(counts["failed"] or counts["unknown"]),
    )


CHUNK = 50  # messages logged pending per save when there is no per-minute limit
NOT_TRIED = "not sent: the mail server could not be reached; delete this key's rows to have it sent"


def _row(
    log: MailLog, message: Outgoing, built: EmailMessage, status: str, detail: str = ""
) -> Row:
    return log.row(
        message.key,
        message.match_id,
        message.touchpoint,
        message.to_email,
        str(built["Subject"]),
        status,
        detail,
    )


def outgoing(programme: Programme, message: Message) -> Outgoing:
    """A journey message in the recipient's language, with its templates' variables."""
    lang = language_of(programme, message)
    return Outgoing(
        message.key,
        message.match.match_id,
        message.touchpoint,
        message.to.email,
        message.to.name,
        message.due,
        message.skip,
        lang,
        context(programme, message, lang),
    )


def _prepare(message: Outgoing, delivery: Delivery) -> EmailMessage:
    rendered = render(message.touchpoint, message.lang, message.variables, delivery.templates)
    return build(rendered, delivery.sender, message.to_name, message.to_email, delivery.now())


def _send(mailer: Mailer, built: EmailMessage, key: str) -> tuple[str, str]:
    try:
        mailer.send(built, key)
    except MailRefused as exc:
        return "failed", f"refused: {exc}"
    except MailUncertain as exc:
        return "unknown", f"may have been sent: {exc}"
    except MailUnavailable as exc:
        return "failed", f"unavailable: {exc}"
    except MailError as exc:
        return "failed", str(exc)
    return "sent", ""


def mail(programme: Programme, run: RunContext) -> StageResult:
    """The stage: deliver when the run has a way to deliver (the command line always does)."""
    if run.delivery is None:
        return StageResult(lines=("no mail transport: nothing sent",))
    return deliver(programme, run, run.delivery)


def preview(
    programme: Programme, match_id: str, touchpoint: str, sender: str, now: datetime
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
        rendered = render(touchpoint, lang, context(programme, message, lang))
        built = build(rendered, sender, message.to.name, message.to.email, now)
        results.append((f"{match_id}-{touchpoint}-{message.role}", built, rendered.html))
    return results
