"""Decide, then do: `decide` is one pure function from a snapshot to the whole plan of the
night; `pipeline.run` only carries it out, and a dry run is that same plan, not carried out."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, time
from typing import Any

import pytest

from pipeline import demo
from pipeline.adapters.mailer import RecordingMailer
from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core.changes import Append, Replace
from pipeline.core.night import Night, command, decide, nightly
from pipeline.core.parse import parse_participants
from pipeline.core.stage import Context, Post
from pipeline.run import Delivery, RunContext, run
from tests.conftest import TODAY

SENDER = "Mentorprogramma <mentor@zorg.example.org>"
NOW = datetime.combine(TODAY, time(2, 17), tzinfo=UTC)
TABS = {"evaluations": demo.EVALUATION_TAB}


def demo_book() -> InMemoryWorkbook:
    return InMemoryWorkbook.from_templates(demo.templates(TODAY, "nl"), name="demo.xlsx")


def night_of(book: InMemoryWorkbook, stages: Any = None) -> Night:
    context = Context(TODAY, TABS, dict(demo.INTAKE_COLUMNS), Post(NOW), workbook=book.name)
    return decide(book.read(), stages or nightly(), context)


def real_run(book: InMemoryWorkbook, dry_run: bool, mailer: RecordingMailer) -> Any:
    delivery = Delivery(mailer, SENDER, lambda: NOW)
    context = RunContext(TODAY, dry_run, TABS, delivery, dict(demo.INTAKE_COLUMNS))
    return run(book, nightly(), context)


def test_deciding_touches_nothing_and_gives_the_same_plan_twice() -> None:
    book = demo_book()
    before = copy.deepcopy(book.tabs)
    first, second = night_of(book), night_of(book)
    assert book.tabs == before and book.applied == []
    assert first.shown() == second.shown() and first.problems == second.problems
    mailing = first.mailing
    assert mailing is not None
    assert [x.message.key for x in mailing.letters] == [
        x.message.key
        for x in second.mailing.letters  # type: ignore[union-attr]
    ]
    # the whole night is in the plan: new people, proposals, the Mail log, Summary, Pairs,
    # Problems
    tabs = {change.tab for change in first.shown().changes}
    assert tabs == {"Deelnemers", "Koppelingen", "Maillog", "Overzicht", "Duo's", "Problemen"}
    assert len(mailing.letters) == 4 and mailing.skipped == 3


def test_a_dry_run_shows_exactly_the_plan_and_sends_nothing() -> None:
    book, mailer = demo_book(), RecordingMailer()
    before = copy.deepcopy(book.tabs)
    report = real_run(book, dry_run=True, mailer=mailer)
    assert mailer.sent == []
    assert report.plan == night_of(InMemoryWorkbook(before, name="demo.xlsx")).shown()
    assert report.exit_code == 0


def test_the_run_carries_out_what_the_dry_run_showed() -> None:
    shown = real_run(demo_book(), dry_run=True, mailer=RecordingMailer())
    book, mailer = demo_book(), RecordingMailer()
    done = real_run(book, dry_run=False, mailer=mailer)
    # the mail the plan named went, in the plan's order
    planned = night_of(demo_book()).mailing
    assert planned is not None
    assert [key for key, _ in mailer.sent] == [
        x.message.key for x in (*planned.first, *planned.second)
    ]
    # on the rows the dry run showed them
    dry = demo_book()
    real_run(dry, dry_run=True, mailer=RecordingMailer())
    assert [row[0] for row in book.tabs["Maillog"]] == [row[0] for row in dry.tabs["Maillog"]]
    # the same rows, the Mail log saying "sent" where the dry run said "pending", Summary
    # counting the mails that went and Pairs showing them as the last message
    assert [c for c in done.plan.changes if c.tab not in ("Overzicht", "Duo's")] == [
        c for c in shown.plan.changes if c.tab not in ("Maillog", "Overzicht", "Duo's")
    ]
    (board,) = [c for c in done.plan.changes if c.tab == "Duo's"]
    assert ("M-0011", "kennismaking, welkom", TODAY) in [(r[0], r[5], r[6]) for r in board.rows]
    summaries = [
        dict(r for r in c.rows if len(r) == 2)
        for plan in (shown.plan, done.plan)
        for c in plan.changes
        if c.tab == "Overzicht"
    ]
    assert summaries[0]["Mails verstuurd in november 2026"] == 0
    assert summaries[1] == {**summaries[0], "Mails verstuurd in november 2026": 4}
    log = book.tabs["Maillog"]
    assert sum(row[5] == "verzonden" for row in log) == 4
    assert sum(row[5] == "in behandeling" for row in log) == 0


def test_each_participant_row_is_parsed_once_a_night(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counted(table: Any, lang: str) -> Any:
        calls.append(len(table.rows))
        return parse_participants(table, lang)

    monkeypatch.setattr("pipeline.core.programme.parse_participants", counted)
    book = demo_book()
    real_run(book, dry_run=False, mailer=RecordingMailer())
    # one parse of the Participants tab; the stages after intake get its newcomers as models
    assert len(calls) == 1


@pytest.mark.parametrize("name", ["check", "intake", "match", "mail", "evaluate"])
def test_every_command_decides_the_same_problems_as_nightly(name: str) -> None:
    book = demo_book()
    assert night_of(book, command(name)).problems == night_of(book).problems


@pytest.mark.parametrize(
    ("name", "tabs"),
    [
        ("check", {"Problemen"}),
        ("intake", {"Deelnemers", "Problemen"}),
        ("match", {"Koppelingen", "Problemen"}),
        ("evaluate", {"Overzicht", "Duo's", "Problemen"}),
    ],
)
def test_a_command_carries_out_its_own_stage_only(name: str, tabs: set[str]) -> None:
    night = night_of(demo_book(), command(name))
    assert {c.tab for c in night.finish().changes} == tabs
    assert night.mailing is None
    assert all(isinstance(c, Append | Replace) for c in night.finish().changes)


def test_a_command_reports_on_what_it_writes_not_on_the_rows_it_leaves_unwritten() -> None:
    """`match` alone: the newcomer of the form (not written by this command) would take the
    only mentor; the proposal this run writes goes to Mila, and Problems must not say she is
    left without one."""
    from tests.conftest import basic_tabs, email, person

    tabs = basic_tabs(
        [person("zara", "mentor", capacity=1, years_of_experience=10), person("mila", "mentee")]
    )
    tabs["Form responses 1"] = [
        ["Email", "Name", "Preferred mentor"],
        [email("nico"), "Nico", email("zara")],
    ]
    book = InMemoryWorkbook(tabs)
    report = run(book, command("match"), RunContext(TODAY))
    proposed = [row[1] for row in book.tabs["Matches"][1:]]
    assert proposed == [email("mila")]
    assert [p.code for p in report.problems if p.code.startswith("unmatched")] == []
    # nightly, with Nico written too, proposes Zara to the one who asked for her
    whole = InMemoryWorkbook(tabs)
    run(whole, nightly(), RunContext(TODAY))
    assert [row[1] for row in whole.tabs["Matches"][1:]] == [email("nico")]
