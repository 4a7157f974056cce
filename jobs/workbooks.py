"""Which workbook a command works on, opened: an .xlsx file, a Google Sheet or an Excel
workbook on SharePoint, with the Microsoft Forms workbooks of [sources] beside it, and one
Microsoft Graph (one login) for the whole run."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pipeline.adapters.graph import Graph
    from pipeline.adapters.workbook import Workbook


def workbook_identity(config: Config, args: argparse.Namespace) -> tuple[str, Path | None]:
    """What the run works on (the sheet's key or the file's full path), and its run lock.

    An .xlsx workbook's run lock lies beside it; a Google Sheet's in this user's state folder
    (None: `runlock.exclusive` knows where).
    """
    from pipeline.adapters.xlsx import ensure_exists, run_lock

    kind, where = _where(config, args)
    if kind == "sheet":
        from pipeline.adapters.sheets import sheet_key

        return f"Google Sheet {sheet_key(where)}", None
    if kind == "sharepoint":
        return f"SharePoint workbook {where}", None
    path = Path(where)
    ensure_exists(path)  # before a lock folder is made beside a workbook that is not there
    return str(path.resolve()), run_lock(path.resolve())


def open_workbook(config: Config, args: argparse.Namespace) -> Workbook:
    """The workbook named on the command line or in the config; a dry run gets a copy in memory."""
    from pipeline.adapters.workbook import InMemoryWorkbook
    from pipeline.adapters.xlsx import XlsxWorkbook

    real: Workbook
    kind, where = _where(config, args)
    if kind == "sheet":
        from pipeline.adapters.sheets import (  # gspread: only here
            SheetsWorkbook,
            load_credentials,
            sheet_key,
        )

        real = SheetsWorkbook(sheet_key(where), load_credentials(config.credentials_file))
    elif kind == "sharepoint":
        from pipeline.adapters.excel_online import ExcelOnlineWorkbook

        real = ExcelOnlineWorkbook(microsoft(config), where, writable=not args.dry_run)
    else:
        real = XlsxWorkbook(Path(where), writable=not args.dry_run)
    if config.sources:
        real = _sourced(config, real)
    if args.dry_run:
        copy = InMemoryWorkbook(real.read(), real.name, getattr(real, "address", ""))
        close(real)
        return copy
    return real


def _where(config: Config, args: argparse.Namespace) -> tuple[str, str]:
    """("sheet", key or URL), ("sharepoint", URL) or ("xlsx", path): the command line first."""
    if getattr(args, "sharepoint", None):
        return "sharepoint", args.sharepoint
    if args.sheet:
        return "sheet", args.sheet
    if args.workbook:
        return "xlsx", str(args.workbook)
    if config.sharepoint:
        return "sharepoint", config.sharepoint
    if config.google_sheet:
        return "sheet", config.google_sheet
    return "xlsx", config.workbook_path or "programme.xlsx"


#: Microsoft Graph per (tenant, app) for this process, which is one run: one login.
_GRAPHS: dict[tuple[str, str], Graph] = {}


def microsoft(config: Config) -> Graph:
    """Microsoft Graph for this run: one login (one token) for the workbook, the forms and
    the mail alike."""
    from pipeline.adapters.graph import Graph
    from pipeline.adapters.microsoft_auth import MicrosoftLogin

    tenant, client = config.microsoft.get("tenant", ""), config.microsoft.get("client_id", "")
    if not tenant or not client:
        raise ConfigError(
            f"{config.source}: Microsoft 365 needs [microsoft] tenant and client_id, from the "
            "Microsoft 365 admin."
        )
    if (tenant, client) not in _GRAPHS:
        login = MicrosoftLogin(tenant, client, now=datetime.now(UTC))  # the real moment
        _GRAPHS[(tenant, client)] = Graph(login.token)
    return _GRAPHS[(tenant, client)]


def _sourced(config: Config, book: Workbook) -> Workbook:
    """The intake and evaluation answers read from their own workbooks ([sources])."""
    from pipeline.adapters.workbook import Sourced
    from pipeline.adapters.xlsx import XlsxWorkbook
    from pipeline.core.vocab import TABS

    sources: dict[str, Workbook] = {}
    for kind, where in config.sources.items():
        name = config.tabs.get(kind) or TABS.word(kind, "en")
        if where.startswith(("https://", "http://")):
            from pipeline.adapters.excel_online import ExcelOnlineWorkbook

            sources[name] = ExcelOnlineWorkbook(microsoft(config), where, writable=False)
        else:
            sources[name] = XlsxWorkbook(Path(where), writable=False)
    return Sourced(book, sources)


def close(book: object) -> None:
    """End what an adapter keeps open (a workbook session on SharePoint)."""
    for part in (book, getattr(book, "book", None), *getattr(book, "sources", {}).values()):
        ending = getattr(part, "close", None)
        if callable(ending):
            ending()
