"""The mail stage (SPEC §4): the journey's messages, each sent at most once.

This module decides; `pipeline.run` carries the decision out. The Mail log is the memory.
For every run:
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
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.cells import Cell, Row
from pipeline.core.changes import Append, Change, Plan, Update
from pipeline.core.digest import Week, digest, digest_problems, this_week
from pipeline.core.evaluation import Evaluations, read_evaluations
from pipeline.core.journey import RECIPIENTS, Message, Outgoing, addressed, journey, message_key
from pipeline.core.layout import header
from pipeline.core.models import MailLogEntry, Problem, latest
from pipeline.core.programme import Programme
from pipeline.core.render import Rendered, build, context, language_of, render
from pipeline.core.settings import SETTING_NAMES
from pipeline.core.stage import Context, StageResult
from pipeline.core.vocab import (
    COLUMNS,
    MAIL_DETAIL_TEXTS,
    MAIL_DETAILS,
    MAIL_LOG_COLUMNS,
    MAIL_STATUSES,
    SKIPS,
    TABS,
    TOUCHPOINTS,
)
from pipeline.errors import PreviewError, TemplateProblem

if TYPE_CHECKING:
    from email.message import EmailMessage


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
        self.logged: list[str] = []  # keys logged tonight, in order

    def add(self, entry: Entry) -> None:
        """Log one message's state: a new row, or its row written over."""
        key, match_id, touchpoint, to = entry.key, entry.match_id, entry.touchpoint, entry.to
        subject, status, detail = entry.subject, entry.status, entry.detail
        moment = self.now.replace(tzinfo=None, microsecond=0)
        values: dict[str, Cell] = {
            "key": key,
            "match_id": match_id,
            "touchpoint": TOUCHPOINTS.word(touchpoint, self.lang)
            if touchpoint in TOUCHPOINTS
            else touchpoint,
            "to": to,
            "subject": subject,
            "status": MAIL_STATUSES.word(status, self.lang),
            "time": moment,
            "detail": detail,
        }
        if key in self.earlier:
            # A row of an earlier run keeps its Time: the introduction's is the match's
            # approval day, which a retry on a later night must not move.
            del values["time"]
            if status == "sent" and not detail:
                values["detail"] = MAIL_DETAIL_TEXTS.word("sent_again", self.lang).format(
                    time=self.now
                )
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
        earlier = self.state.get(key)
        stamp = earlier.time if earlier is not None and key in self.earlier else f"{moment}"
        self.state[key] = MailLogEntry(
            self.rows[key],
            key,
            match_id,
            touchpoint,
            to,
            status,
            subject,
            stamp,
            str(values["detail"]),
        )
        if key not in self.logged:
            self.logged.append(key)

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
                if detail_kind(entry.detail) == "template":
                    code = "mail_template"
            else:
                continue
            # the server's answer, without our "refused: " or "unavailable: " prefix
            if not entry.detail or detail_kind(entry.detail) == "stopped":
                answer = MAIL_DETAILS.word("stopped", self.lang)
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


def mail_detail(kind: str, lang: str, answer: object = "") -> str:
    """A Mail log Detail in `lang`: what happened (MAIL_DETAILS: "passing", "refused",
    "uncertain", "stopped", "template"), then the server's answer as it gave it.

    A passing failure (no connection, a 4xx answer) is tried again by the next runs within
    the grace days, and so is a message that could not be written; a refusal is not.
    """
    said = str(answer)
    return f"{MAIL_DETAILS.word(kind, lang)}: {said}" if said else MAIL_DETAILS.word(kind, lang)


def not_tried(lang: str) -> str:
    """The Detail of a message not tried because the mail server could not be reached."""
    return mail_detail("passing", lang, MAIL_DETAIL_TEXTS.word("not_tried", lang))


def detail_kind(detail: str) -> str | None:
    """What a Detail mentorflow wrote says, in whichever language it was written."""
    return MAIL_DETAILS.key_of(detail.partition(": ")[0])


def passing(entry: MailLogEntry) -> bool:
    return entry.status == "failed" and detail_kind(entry.detail) in ("passing", "template")


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


@dataclass(frozen=True)
class Entry:
    """One Mail log row to write: what `MailLog.add` takes."""

    key: str
    match_id: str
    touchpoint: str
    to: str
    subject: str
    status: str
    detail: str = ""


@dataclass(frozen=True)
class Letter:
    """A message to send tonight, written: its journey facts and its text. The executor
    builds the email (Date, Message-ID) when it sends it."""

    message: Outgoing
    rendered: Rendered
    reply_to: tuple[str, str] | None  # (name, address): the coordinator, for journey mail

    @property
    def subject(self) -> str:
        return " ".join(self.rendered.subject.split())

    def entry(self, status: str, detail: str = "") -> Entry:
        m = self.message
        return Entry(m.key, m.match_id, m.touchpoint, m.to_email, self.subject, status, detail)

    def email(self, sender: str, now: datetime) -> EmailMessage:
        m = self.message
        return build(self.rendered, sender, m.to_name, m.to_email, now, self.reply_to)


@dataclass(frozen=True)
class Mailing:
    """The mail stage's plan (SPEC §4): what is logged before anything is sent, and what is
    sent, in order. The executor (pipeline.run) logs each letter `pending` and saves it
    before sending it; a letter whose `after` key is sent tonight waits for its outcome."""

    programme: Programme  # as the mail stage saw it: the Mail log's rows and language
    now: datetime
    log: tuple[Entry, ...]  # recovered after a crash, skipped, unwritten (template errors)
    letters: tuple[Letter, ...]  # to send tonight, within the per-run limit, oldest first
    skipped: int
    waiting: int  # due and sendable, beyond the per-run limit: the next run sends them

    @property
    def first(self) -> tuple[Letter, ...]:
        """The letters that wait for nothing sent tonight."""
        tonight = {x.message.key for x in self.letters} | {e.key for e in self.unwritten_entries}
        return tuple(x for x in self.letters if x.message.after not in tonight)

    @property
    def second(self) -> tuple[Letter, ...]:
        """The welcomes that go once tonight's introduction has gone (SPEC §1)."""
        first = {x.message.key for x in self.first}
        return tuple(x for x in self.letters if x.message.key not in first)

    @property
    def unwritten_entries(self) -> tuple[Entry, ...]:
        """Messages due tonight that could not be written (a template error)."""
        return tuple(e for e in self.log if e.status == "failed")

    @property
    def unwritten(self) -> int:
        return len(self.unwritten_entries)

    def book(self) -> MailLog:
        """A Mail log with this plan's first rows logged, for the executor to go on with."""
        log = MailLog(self.programme, self.now)
        for entry in self.log:
            log.add(entry)
        return log

    def logged(self) -> MailLog:
        """The Mail log as it will be once tonight's letters are logged `pending`, on the
        rows the executor gives them (the first wave, then the welcomes): what a dry run
        shows and what the stages after mail see."""
        log = self.book()
        for letter in (*self.first, *self.second):
            log.add(letter.entry("pending"))
        return log


def weekly_digest(
    programme: Programme,
    run: Context,
    log: MailLog,
    found: Evaluations,
    week: Week | None = None,
) -> Outgoing | None:
    """The digest as the mail stage writes it (this `week`'s, due or not, for a preview)."""
    # The digest counts the Mail log's problems too, as the Problems tab will show them
    grace = programme.settings.grace_days
    return digest(programme, replace(run, found=(*run.found, *log.problems(grace))), found, week)


def mail(programme: Programme, run: Context) -> StageResult:
    """Decide tonight's mail: recover what a crashed run left pending (with the journal's
    facts), skip what is too late, and build every message that is due.

    Without a way to deliver, it reports the Mail log's failed and unknown messages and the
    digest's settings, as a night with mail would.
    """
    grace = programme.settings.grace_days
    post = run.post
    if post is None:
        log = MailLog(programme, datetime.combine(run.today, time()))
        problems = (*digest_problems(programme), *log.problems(grace))
        return StageResult(problems=problems, lines=("no mail transport: nothing sent",))
    log = MailLog(programme, post.now)
    latest = dict(log.state)
    left_pending = [e for e in latest.values() if e.status == "pending"]
    # A key still pending: the run that logged it died. The journal tells what happened.
    never_left = frozenset(
        e.key
        for e in left_pending
        if post.journal and e.key not in post.handed_over | post.accepted
    )
    first: list[Entry] = []
    lang = programme.language  # the Mail log's
    for pending in left_pending:
        if pending.key in post.accepted:
            status, detail = "sent", MAIL_DETAIL_TEXTS.word("accepted", lang)
        elif pending.key not in never_left:
            arrived = MAIL_DETAIL_TEXTS.word("may_have_arrived", lang)
            status, detail = "unknown", mail_detail("stopped", lang, arrived)
        else:
            continue  # never handed over: due again below
        p = pending
        first.append(Entry(p.key, p.match_id, p.touchpoint, p.to, p.subject, status, detail))
    for recovered in first:
        log.add(recovered)
    retry = frozenset(e.key for e in latest.values() if passing(e))
    found = read_evaluations(programme, run.today)
    due = [
        outgoing(programme, m, run.today)
        for m in journey(programme, run.today, found.respondents, never_left, retry)
    ]
    weekly = weekly_digest(programme, run, log, found)
    if (
        weekly is not None
        and (weekly.key not in latest or weekly.key in never_left | retry)
        and (run.today - weekly.due).days <= grace
    ):
        due = sorted([*due, weekly], key=lambda m: (m.due, m.key))
    skipped = [m for m in due if m.skip]
    sendable = [m for m in due if not m.skip]
    chosen = sendable[: post.per_run]
    first += [
        Entry(
            m.key,
            m.match_id,
            m.touchpoint,
            m.to_email,
            "",
            "skipped",
            SKIPS.word(m.skip, programme.language),
        )
        for m in skipped
    ]
    settings = programme.settings
    reply_to = (settings.coordinator_name, settings.coordinator_email)
    letters: list[Letter] = []
    for m in chosen:
        try:
            rendered = render(m.touchpoint, m.lang, m.variables, post.templates)
        except TemplateProblem as exc:
            # An organisation's template with a mistake: this message cannot be written; the
            # others still go, and it is tried again once the template is corrected.
            detail = mail_detail("template", programme.language, exc)
            first.append(Entry(m.key, m.match_id, m.touchpoint, m.to_email, "", "failed", detail))
            continue
        letters.append(Letter(m, rendered, None if m.touchpoint == "digest" else reply_to))
    mailing = Mailing(
        programme,
        post.now,
        tuple(first),
        tuple(letters),
        len(skipped),
        len(sendable) - len(chosen),
    )
    shown = mailing.logged()
    return StageResult(
        problems=(*digest_problems(programme), *shown.problems(grace)),
        lines=(
            f"would send {len(letters)}, skip {len(skipped)}",
            *(
                f"would send {letter.message.touchpoint} to {letter.message.to_email}: "
                f"{letter.subject}"
                for letter in letters
            ),
        ),
        mail_log=tuple(shown.state[k] for k in shown.logged),
        mailing=mailing,
    )


def touchpoint_named(name: str, lang: str) -> str:
    """The touchpoint a name means: as the Mail log shows it in English, Dutch or Norwegian,
    or its internal name (first_day); case, spaces and underscores do not count."""
    key = TOUCHPOINTS.key_of(name)
    if key == "digest":
        raise PreviewError(f'"{name}" is the coordinator\'s digest: preview it with --digest.')
    if key not in RECIPIENTS:
        names = ", ".join(TOUCHPOINTS.word(t, lang) for t in RECIPIENTS)
        raise PreviewError(f'"{name}" is not a touchpoint; use one of: {names}.')
    return key


def preview(
    programme: Programme,
    match_id: str,
    touchpoint: str,
    sender: str,
    now: datetime,
    folders: Sequence[Path] = (),
) -> list[tuple[str, EmailMessage, str]]:
    """(file stem, message, HTML) per recipient of one touchpoint of one match, due or not.

    `touchpoint`: any name `touchpoint_named` takes; the file stem has its internal name.
    """
    touchpoint = touchpoint_named(touchpoint, programme.language)
    match = next((m for m in programme.matches if m.match_id == match_id), None)
    if match is None:
        raise PreviewError(f'there is no usable match "{match_id}" on the Matches tab.')
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


def preview_digest(
    programme: Programme,
    run: Context,
    sender: str,
    now: datetime,
    folders: Sequence[Path] = (),
) -> tuple[str, EmailMessage, str]:
    """(file stem, message, HTML) of this week's digest to the coordinator, as the mail stage
    writes it on `run.today`, due or not.

    `programme` and `run` as the mail stage gets them: after check, intake and match, with
    the problems found so far (pipeline.core.night.decide).
    """
    settings = programme.settings
    if not settings.coordinator_email:
        table = programme.tables.get("settings")
        tab = table.name if table is not None else TABS.word("settings", programme.language)
        setting = SETTING_NAMES.word("coordinator_email", programme.language)
        raise PreviewError(
            f'there is no coordinator to send the digest to: fill in "{setting}" on the '
            f'"{tab}" tab.'
        )
    week = this_week(programme, run.today)
    weekly = weekly_digest(
        programme, run, MailLog(programme, now), read_evaluations(programme, run.today), week
    )
    assert weekly is not None  # a digest of a given week is always written
    rendered = render("digest", weekly.lang, weekly.variables, folders)
    letter = Letter(weekly, rendered, None)  # as the mail stage: no Reply-To on the digest
    return f"digest-{week.day.isoformat()}", letter.email(sender, now), rendered.html
