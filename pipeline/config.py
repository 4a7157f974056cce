"""config/mentorflow.toml: what the installer sets once. Any mistake is one ConfigError line."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.core.vocab import PARTICIPANT_COLUMNS, TABS
from pipeline.errors import ConfigError

DEFAULT_PATH = Path("config/mentorflow.toml")

# section -> key -> accepted type; None marks a table of free keys checked on its own.
_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {"timezone": str},
    "workbook": {"path": str, "google_sheet": str, "credentials_file": str, "sharepoint": str},
    "microsoft": {"tenant": str, "client_id": str},
    "sources": {"intake": str, "evaluations": str},
    "mail": {
        "transport": str,
        "outbox_dir": str,
        "sender": str,
        "smtp_host": str,
        "smtp_port": int,
        "smtp_security": str,
        "smtp_user": str,
        "per_minute": int,
        "per_run": int,
        "templates": str,
        "mailbox": str,
    },
    "tabs": {key: str for key in TABS.terms},
}
TRANSPORTS = ("outbox", "smtp", "gmail", "microsoft")
SECURITIES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class MailConfig:
    transport: str = "outbox"
    outbox_dir: str = "outbox"
    sender: str = "Mentorprogramma <mentor@example.org>"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    per_minute: int | None = None
    per_run: int | None = None
    templates: str | None = None  # the organisation's email templates, as the file says
    mailbox: str = ""  # transport "microsoft": the shared mailbox the app sends from


@dataclass(frozen=True)
class Config:
    source: str = "built-in defaults"
    timezone: str = "Europe/Amsterdam"
    workbook_path: str | None = "programme.xlsx"
    google_sheet: str | None = None
    credentials_file: str | None = None
    sharepoint: str | None = None  # the workbook's address in SharePoint (SPEC §7a)
    microsoft: Mapping[str, str] = field(default_factory=dict)  # tenant, client_id
    # Microsoft Forms response workbooks read instead of a tab: "intake"/"evaluations" -> URL
    sources: Mapping[str, str] = field(default_factory=dict)
    mail: MailConfig = field(default_factory=MailConfig)
    tabs: Mapping[str, str] = field(default_factory=dict)
    intake_columns: Mapping[str, str] = field(default_factory=dict)  # question -> column key
    # the organisation's email template folders, searched before the shipped ones
    email_templates: tuple[Path, ...] = ()


def _type_name(expected: type | tuple[type, ...]) -> str:
    return "a whole number" if expected is int else "text in quotes"


def parse_config(data: Mapping[str, Any], source: str) -> Config:
    """Check every key and build a Config; the first mistake raises ConfigError."""

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    sections: dict[str, dict[str, Any]] = {"": {}}
    intake_columns: dict[str, str] = {}
    for key, value in data.items():
        if key == "intake":
            if not isinstance(value, dict) or set(value) - {"columns"}:
                extra = (
                    ", ".join(sorted(set(value) - {"columns"})) if isinstance(value, dict) else ""
                )
                raise fail(
                    f"unknown key in [intake]: {extra or key}. Only [intake.columns] exists."
                )
            intake_columns = _intake_columns(value.get("columns", {}), fail)
        elif isinstance(value, dict):
            if key not in _KEYS or key == "":
                raise fail(
                    f"unknown section [{key}]. Known sections: "
                    "[workbook], [microsoft], [sources], [mail], [tabs], [intake.columns]."
                )
            sections[key] = value
        else:
            sections[""][key] = value
    for section, values in sections.items():
        for key, value in values.items():
            where = f"{section}.{key}" if section else key
            if key not in _KEYS[section]:
                known = ", ".join(_KEYS[section])
                raise fail(f"unknown key '{where}'. Known keys here: {known}.")
            expected = _KEYS[section][key]
            if not isinstance(value, expected) or isinstance(value, bool):
                raise fail(f"'{where}' must be {_type_name(expected)}, not {value!r}.")
    top, book, mail = sections[""], sections.get("workbook", {}), sections.get("mail", {})

    timezone = top.get("timezone", "Europe/Amsterdam")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail(f"unknown timezone '{timezone}'. Use a name like Europe/Amsterdam.") from exc
    chosen = [key for key in ("path", "google_sheet", "sharepoint") if key in book]
    if len(chosen) > 1:
        raise fail(f"[workbook] has both '{chosen[0]}' and '{chosen[1]}'. Keep the one you use.")
    microsoft = sections.get("microsoft", {})
    sources = sections.get("sources", {})
    needs_microsoft = [
        what
        for what, used in (
            ("[workbook] sharepoint", "sharepoint" in book),
            ("mail.transport 'microsoft'", mail.get("transport") == "microsoft"),
            ("[sources]", any(v.startswith(("https://", "http://")) for v in sources.values())),
        )
        if used
    ]
    missing = [key for key in ("tenant", "client_id") if not microsoft.get(key, "").strip()]
    if needs_microsoft and missing:
        raise fail(
            f"{needs_microsoft[0]} needs [microsoft] {' and '.join(missing)}: the tenant "
            "(org.onmicrosoft.com or its id) and the app registration's client id, from the "
            "Microsoft 365 admin."
        )
    mail_config = MailConfig(**mail)
    if mail_config.transport not in TRANSPORTS:
        raise fail(
            f"mail.transport '{mail_config.transport}' is unknown. "
            f"Use one of: {', '.join(TRANSPORTS)}."
        )
    if mail_config.smtp_security not in SECURITIES:
        raise fail(
            f"mail.smtp_security '{mail_config.smtp_security}' is unknown. "
            f"Use one of: {', '.join(SECURITIES)}."
        )
    if mail_config.transport == "smtp" and not mail_config.smtp_host:
        raise fail("mail.transport is 'smtp' but mail.smtp_host is not set. Add the server name.")
    if mail_config.transport == "microsoft" and "@" not in mail_config.mailbox:
        raise fail(
            "mail.transport is 'microsoft' but mail.mailbox (the shared mailbox to send from, "
            "like mentorprogramma@org.nl) is not set."
        )
    if mail_config.transport == "gmail" and not mail_config.smtp_user:
        raise fail("mail.transport is 'gmail' but mail.smtp_user (the Gmail address) is not set.")
    for key in ("per_minute", "per_run", "smtp_port"):
        number = getattr(mail_config, key)
        if number is not None and number <= 0:
            raise fail(f"mail.{key} must be more than 0, not {number}.")
    return Config(
        source=source,
        timezone=timezone,
        workbook_path=book.get("path", None if chosen else "programme.xlsx"),
        google_sheet=book.get("google_sheet"),
        credentials_file=book.get("credentials_file"),
        sharepoint=book.get("sharepoint"),
        microsoft={k: v.strip() for k, v in microsoft.items()},
        sources=dict(sources),
        mail=mail_config,
        tabs=dict(sections.get("tabs", {})),
        intake_columns=intake_columns,
    )


def _intake_columns(columns: Any, fail: Any) -> dict[str, str]:
    if not isinstance(columns, dict):
        raise fail("[intake.columns] must map form questions to Participants headers.")
    mapped: dict[str, str] = {}
    for question, header in columns.items():
        key = PARTICIPANT_COLUMNS.key_of(header) if isinstance(header, str) else None
        if key is None:
            raise fail(
                f'[intake.columns] maps "{question}" to {header!r}, which is not a '
                'Participants header (like "Email", "Goals" or "Start date").'
            )
        mapped[question] = key
    return mapped


def load_config(path: Path | None, must_exist: bool = False) -> Config:
    """Read the config file; without one, the built-in defaults (local workbook, outbox)."""
    target = path or DEFAULT_PATH
    if not target.exists():
        if must_exist or path is not None:
            raise ConfigError(
                f"the config file '{target}' does not exist. Check the path given with --config."
            )
        return Config()
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{target}: not valid TOML ({exc}). Fix that line and run again."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{target}: cannot be read ({exc}).") from exc
    config = parse_config(data, str(target))
    return replace(config, email_templates=email_templates(target, config.mail.templates))


def email_templates(config_file: Path, configured: str | None) -> tuple[Path, ...]:
    """The organisation's copies of the email templates, searched before the shipped ones.

    `[mail] templates` names the folder, relative to the config file. Without it, a
    `templates/email` folder beside the config file counts, and for the repository's layout
    (config/mentorflow.toml) also the one beside the config folder, when they exist.
    """
    here = config_file.resolve().parent
    if configured is not None:
        folder = (here / configured).resolve()
        if not folder.is_dir():
            raise ConfigError(
                f"{config_file}: mail.templates names the folder {folder}, which does not "
                "exist. Create it with your copies of the email templates, or remove the line "
                "to use the shipped ones."
            )
        return (folder,)
    beside = [here / "templates" / "email"]
    if here.name == "config":
        beside.append(here.parent / "templates" / "email")
    return tuple(folder for folder in beside if folder.is_dir())
