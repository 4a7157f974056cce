"""The `mentorflow` command: parse arguments, load config, build adapters, run, report, exit."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jobs.workbooks import close, microsoft, open_workbook, workbook_identity
from pipeline.config import Config, load_config
from pipeline.core.vocab import LANGUAGES, TOUCHPOINTS
from pipeline.errors import ConfigError, MentorflowError, WorkbookError

# Everything else is imported where a command needs it: `mentorflow --help` and a mistake
# on the command line answer without loading the spreadsheet, mail and matching libraries.
if TYPE_CHECKING:
    from pipeline.adapters.workbook import Workbook
    from pipeline.core.changes import Plan
    from pipeline.core.night import Stages
    from pipeline.run import Delivery, RunReport

SHOWN_PROBLEMS = 20


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-24") from exc


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """The options of SPEC §6, accepted before or after the command."""
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        **default,
        help="config file (default: config/mentorflow.toml if it exists)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workbook",
        type=Path,
        metavar="FILE.xlsx",
        **default,
        help="the .xlsx workbook, instead of the one in the config",
    )
    where.add_argument(
        "--sheet",
        metavar="URL_OR_KEY",
        **default,
        help="a Google Sheet, instead of the workbook in the config",
    )
    where.add_argument(
        "--sharepoint",
        metavar="URL",
        **default,
        help="an Excel workbook on SharePoint (Microsoft 365), instead of the one in the config",
    )
    parser.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        **default,
        help="decide every date as if it were this day",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        **default,
        help="read everything, show what would change, change nothing",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        **default,
        help="more detail, and a traceback when something breaks",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorflow",
        description="Runs a mentoring programme from one spreadsheet.",
    )
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _global_options(sub, suppress=True)
        return sub

    init = command("init", "create a new, empty programme workbook")
    init.add_argument("file", type=Path, metavar="FILE", help="the .xlsx file to create")
    init.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="language of tabs, headers and settings (default: en)",
    )
    demo = command(
        "demo", "build a demo workbook with synthetic participants and run the nightly job on it"
    )
    demo.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("demo"),
        metavar="DIR",
        help="folder for the demo (default: demo)",
    )
    demo.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="nl",
        help="language of the demo workbook (default: nl)",
    )
    command("check", "read and validate the workbook; write what is wrong to the Problems tab")
    command("intake", "add new people from the intake form's responses to Participants")
    command("match", "propose the best mentor for everyone waiting; append them to Matches")
    command("mail", "send the journey's messages that are due, each at most once")
    command("evaluate", "link evaluation answers to matches and rewrite the Summary tab")
    preview_ = command(
        "preview",
        "write one message of a match, or this week's digest, as .eml and .html to look at",
    )
    which = preview_.add_mutually_exclusive_group(required=True)
    which.add_argument("--match", metavar="ID", help="the match ID, e.g. M-0004")
    which.add_argument(
        "--digest",
        action="store_true",
        help="this week's digest to the coordinator, as the nightly job writes it today",
    )
    touchpoints = [TOUCHPOINTS.word(key, "en") for key in TOUCHPOINTS.terms if key != "digest"]
    preview_.add_argument(
        "--touchpoint",
        metavar="NAME",
        help="with --match: " + ", ".join(touchpoints[:-1]) + f" or {touchpoints[-1]} "
        "(as the Mail log shows it, in English, Dutch or Norwegian)",
    )
    preview_.add_argument(
        "--out",
        type=Path,
        default=Path("preview"),
        metavar="DIR",
        help="folder for the files (default: preview)",
    )
    preview_.set_defaults(usage_error=preview_.error)
    command("nightly", "run every stage of the nightly job, in order")
    return parser


def today_in(config: Config, given: date | None) -> date:
    return given or datetime.now(ZoneInfo(config.timezone)).date()


def now_on(config: Config, today: date) -> datetime:
    """The day of --today (or today), at the clock's time in the configured time zone."""
    zone = ZoneInfo(config.timezone)
    return datetime.combine(today, datetime.now(zone).time(), tzinfo=zone)


def delivery_for(
    config: Config, book: Workbook, today: date, dry_run: bool, outbox: Path | None = None
) -> Delivery:
    """The mailer of the config (a recording one for a dry run), sender, limits, clock, and
    the organisation's email templates."""
    from pipeline.adapters.mailer import (
        Journal,
        Mailer,
        OutboxMailer,
        RecordingMailer,
        SmtpMailer,
        gmail_connect,
        smtp_connect,
    )
    from pipeline.adapters.xlsx import XlsxWorkbook
    from pipeline.run import Delivery

    mail = config.mail
    password = os.environ.get("SMTP_PASSWORD", "")
    mailer: Mailer
    sender = mail.sender
    if dry_run:
        mailer = RecordingMailer()
    elif outbox is not None or mail.transport == "outbox":
        mailer = OutboxMailer(outbox or Path(mail.outbox_dir))
    elif mail.transport == "microsoft":
        from email.headerregistry import Address
        from email.utils import parseaddr

        from pipeline.adapters.graph_mail import GraphMailer

        graph = microsoft(config)
        graph.token()  # a refused login stops the run before anything is logged pending
        mailer = GraphMailer(graph, mail.mailbox)
        display = parseaddr(mail.sender)[0]
        user, _, domain = mail.mailbox.partition("@")
        sender = str(Address(display, user, domain))  # Exchange sends from the mailbox only
    elif mail.smtp_user and not password:
        raise ConfigError(
            f"mail.transport is '{mail.transport}' with user '{mail.smtp_user}', "
            "but the SMTP_PASSWORD environment variable is not set."
        )
    elif mail.transport == "smtp":
        mailer = SmtpMailer(
            smtp_connect(
                mail.smtp_host, mail.smtp_port, mail.smtp_security, mail.smtp_user, password
            )
        )
    else:
        mailer = SmtpMailer(gmail_connect(mail.smtp_user, password, None))

    def now() -> datetime:
        return now_on(config, today)

    journal = None
    if isinstance(book, XlsxWorkbook) and not dry_run:  # beside the workbook's backups
        journal = Journal(book.backup_dir / f".{book.path.name}.mail-journal")
    return Delivery(
        mailer,
        sender,
        now,
        book.apply,
        mail.per_run,
        mail.per_minute,
        journal=journal,
        templates=config.email_templates,
    )


def describe(plan: Plan) -> list[str]:
    from pipeline.core.changes import Append, Update

    lines = []
    for change in plan.changes:
        if isinstance(change, Append):
            lines.append(f'append {len(change.rows)} row(s) to tab "{change.tab}"')
        elif isinstance(change, Update):
            lines.append(f'update row {change.row} of tab "{change.tab}"')
        else:
            lines.append(f'rewrite tab "{change.tab}" ({max(len(change.rows) - 1, 0)} row(s))')
    return lines


def print_report(title: str, report: RunReport, dry_run: bool) -> None:
    from pipeline.core.problems import as_line

    lang = report.programme.language
    print(title)
    for stage, line in report.lines:
        print(f"  {stage}: {line}")
    severities = Counter(p.severity for p in report.problems)
    print(
        f"  problems: {len(report.problems)} ({severities['error']} errors, "
        f"{severities['warning']} warnings, {severities['note']} notes) on the Problems tab"
    )
    for problem in report.problems[:SHOWN_PROBLEMS]:
        print(f"    {as_line(problem, lang)}")
    if len(report.problems) > SHOWN_PROBLEMS:
        print(f"    ... and {len(report.problems) - SHOWN_PROBLEMS} more on the Problems tab")
    changes = describe(report.plan)
    verb = "would " if dry_run else ""
    for line in changes:
        print(f"  {verb}{line}")
    if not changes:
        print("  nothing to write: the workbook is up to date")


def _run_stages(args: argparse.Namespace, stages: Stages) -> int:
    from pipeline.adapters.runlock import exclusive
    from pipeline.run import RunContext, run

    config = load_config(args.config)
    today = today_in(config, args.today)
    # A dry run writes nothing and may look while a real run is busy.
    holder = f"pid {os.getpid()}, started {datetime.now():%Y-%m-%d %H:%M}"
    identity, lock = workbook_identity(config, args)
    guard = nullcontext() if args.dry_run else exclusive(identity, holder, lock)
    with guard:
        book = open_workbook(config, args)
        delivery = delivery_for(config, book, today, args.dry_run)
        context = RunContext(
            today, args.dry_run, dict(config.tabs), delivery, dict(config.intake_columns)
        )
        try:
            report = run(book, stages, context)
        finally:
            close(book)
    suffix = " (dry run: nothing written)" if args.dry_run else ""
    print_report(
        f"mentorflow {args.command}: {book.name}, {today.isoformat()}{suffix}", report, args.dry_run
    )
    counted = getattr(book, "book", book)  # past the [sources] wrapper
    if args.verbose and hasattr(counted, "requests"):  # a Google Sheet, or one on SharePoint
        api = "Google Sheets API" if "Google" in counted.name else "Microsoft Graph"
        print(f"  {api} requests: {counted.requests}")
        for note in getattr(counted, "notes", []):
            print(f"  note: {note}")
    setup = getattr(delivery.mailer, "setup_problem", None)
    if setup:  # the mail's set-up, not a message: what to ask the admin for, exit 2
        print(f"mentorflow: {setup}", file=sys.stderr)
        return 2
    return report.exit_code


def cmd_check(args: argparse.Namespace) -> int:
    from pipeline.core.night import command

    return _run_stages(args, command("check"))


def cmd_intake(args: argparse.Namespace) -> int:
    from pipeline.core.night import command

    return _run_stages(args, command("intake"))


def cmd_match(args: argparse.Namespace) -> int:
    from pipeline.core.night import command

    return _run_stages(args, command("match"))


def cmd_mail(args: argparse.Namespace) -> int:
    from pipeline.core.night import command

    return _run_stages(args, command("mail"))


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pipeline.core.night import command

    return _run_stages(args, command("evaluate"))


def cmd_preview(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from pipeline.adapters.mailer import file_name
    from pipeline.core.mail import preview, preview_digest
    from pipeline.core.night import decide, named
    from pipeline.core.programme import read_programme
    from pipeline.core.stage import Context

    if args.digest and args.touchpoint:
        args.usage_error("--touchpoint goes with --match, not with --digest")
    if args.match and not args.touchpoint:
        args.usage_error("--match needs --touchpoint NAME")
    config = load_config(args.config)
    today = today_in(config, args.today)
    now = now_on(config, today)
    args.dry_run = True  # a preview reads the workbook only
    book = open_workbook(config, args)
    if args.digest:
        # the programme and the problems as the mail stage of tonight's run would see them
        context = Context(
            today,
            dict(config.tabs),
            dict(config.intake_columns),
            workbook=getattr(book, "address", book.name),
        )
        night = decide(book.read(), named("check", "intake", "match"), context)
        at_mail = replace(context, found=night.problems, seen=night.seen)
        previews = [
            preview_digest(night.tonight, at_mail, config.mail.sender, now, config.email_templates)
        ]
    else:
        programme = read_programme(book.read(), dict(config.tabs))
        previews = preview(
            programme, args.match, args.touchpoint, config.mail.sender, now, config.email_templates
        )
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, message, html in previews:
        stem = file_name(stem)  # the Match ID as typed: Windows refuses ':' or '?' in a name
        (args.out / f"{stem}.eml").write_bytes(message.as_bytes())
        (args.out / f"{stem}.html").write_text(html, encoding="utf-8")
        print(f"wrote {args.out / stem}.eml and .html: {message['Subject']}")
    return 0


def cmd_nightly(args: argparse.Namespace) -> int:
    from pipeline.core.night import nightly

    return _run_stages(args, nightly())


def cmd_init(args: argparse.Namespace) -> int:
    from pipeline.adapters.xlsx import XlsxWorkbook
    from pipeline.core.layout import new_workbook

    templates = new_workbook(args.lang)
    names = ", ".join(t.name for t in templates)
    if args.dry_run:
        print(f"would create {args.file} ({args.lang}) with tabs: {names}")
        return 0
    XlsxWorkbook.create(args.file, templates)
    print(f"created {args.file} ({args.lang}) with tabs: {names}")
    print(
        "Fill in the participants, check the settings, then run: "
        f"mentorflow --workbook {args.file} check"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline import demo as demo_data
    from pipeline.adapters.workbook import InMemoryWorkbook
    from pipeline.adapters.xlsx import XlsxWorkbook, ensure_closed
    from pipeline.core.night import nightly
    from pipeline.core.vocab import TABS
    from pipeline.run import RunContext, run

    config = load_config(args.config)
    today = today_in(config, args.today)
    templates = demo_data.templates(today, args.lang)
    folder: Path = args.dir
    path = folder / "programme.xlsx"
    book: Workbook
    if args.dry_run:
        book = InMemoryWorkbook.from_templates(templates, name=str(path))
    else:
        folder.mkdir(parents=True, exist_ok=True)
        if path.exists():
            ensure_closed(path)
            path.unlink()
        XlsxWorkbook.create(path, templates)
        (folder / "mentorflow.toml").write_text(
            "# Written by 'mentorflow demo': run the demo again with\n"
            f"#   mentorflow --config {folder / 'mentorflow.toml'} nightly\n"
            f'[workbook]\npath = "{path.as_posix()}"\n\n'
            f'[mail]\ntransport = "outbox"\noutbox_dir = "{(folder / "outbox").as_posix()}"\n'
            f'\n[tabs]\nevaluations = "{demo_data.EVALUATION_TAB}"\n'
            "\n[intake.columns]\n"
            + "".join(f'"{q}" = "{c}"\n' for q, c in demo_data.INTAKE_COLUMNS.items()),
            encoding="utf-8",
        )
        book = XlsxWorkbook(path)
    delivery = delivery_for(config, book, today, args.dry_run, outbox=folder / "outbox")
    tabs = {"evaluations": demo_data.EVALUATION_TAB, **config.tabs}
    context = RunContext(today, args.dry_run, tabs, delivery, dict(demo_data.INTAKE_COLUMNS))
    report = run(book, nightly(), context)
    print_report(f"mentorflow demo: {path}, {today.isoformat()}", report, args.dry_run)
    if not args.dry_run:
        problems_tab = TABS.word("problems", report.programme.language)
        print(
            f"\nOpen {path} to see the programme; the {problems_tab} tab explains the "
            f"deliberate mistakes.\nRun the nightly job on it again with:\n"
            f"  mentorflow --config {folder / 'mentorflow.toml'} nightly"
        )
    return report.exit_code


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": cmd_init,
    "demo": cmd_demo,
    "check": cmd_check,
    "intake": cmd_intake,
    "match": cmd_match,
    "mail": cmd_mail,
    "evaluate": cmd_evaluate,
    "preview": cmd_preview,
    "nightly": cmd_nightly,
}


def main(argv: Sequence[str] | None = None) -> int:
    # A name the output's code page cannot show (a log file on Windows is cp1252) prints as
    # "?" instead of ending the run halfway through its report.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and sys.stdout.errors == "strict":
        reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except MentorflowError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"mentorflow: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mentorflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (| head) went away: nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line unless asked for the traceback
        if args.verbose:
            traceback.print_exc()
        print(
            f"mentorflow: unexpected error ({type(exc).__name__}: {exc}). Run again with "
            "--verbose and report the output.",
            file=sys.stderr,
        )
        return WorkbookError.exit_code


if __name__ == "__main__":
    sys.exit(main())
