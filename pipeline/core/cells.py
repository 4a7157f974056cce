"""Turning raw cell values (text, numbers, dates, formulas) into typed values, or saying why not."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from pipeline.core.vocab import Vocabulary, normalise
from pipeline.errors import CellError


@dataclass(frozen=True)
class Formula:
    """A formula whose result the file does not hold (openpyxl does not calculate)."""

    text: str


Cell = str | int | float | bool | date | datetime | Formula | None
Row = tuple[Cell, ...]

EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers outside 1950..2100 are far more likely a typo than a start date.
_SERIAL_MIN = (date(1950, 1, 1) - EXCEL_EPOCH).days
_SERIAL_MAX = (date(2100, 12, 31) - EXCEL_EPOCH).days
QUOTE_LIMIT = 60


def serial(value: date) -> float:
    """A date or moment as a spreadsheet's day number (days since 1899-12-30)."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    delta = moment.replace(tzinfo=None) - datetime.combine(EXCEL_EPOCH, time())
    return delta.days + delta.seconds / 86_400


def from_api(value: object) -> Cell:
    """A cell value as a spreadsheet API returns it (JSON): "" is an empty cell."""
    if value == "" or value is None:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Cell) -> str:
    """A cell as the text a person sees: numbers without a spurious '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def column_letter(index: int) -> str:
    """The sheet's letters for a column counted from 0: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def quote(value: Cell) -> str:
    """A cell's text, shortened and on one line, fit to quote in a Problems row."""
    shown = " ".join(text(value).split())
    if len(shown) > QUOTE_LIMIT:
        shown = shown[: QUOTE_LIMIT - 1] + "…"
    return shown


@cache
def _months() -> dict[str, int]:
    """Month names and abbreviations in English, Dutch and Norwegian (CLDR, via Babel),
    folded ('mrt.', 'okt', 'des.'), and 'sept', which people type and CLDR does not have."""
    from babel.dates import get_month_names

    names = {"sept": 9}
    for lang in ("en", "nl", "nb"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=lang).items():
                names[normalise(name)] = number
    return names


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_NUMERIC = re.compile(r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{2,4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_WORDED = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})")


def _year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if len(raw) == 2 else year


def parse_date(value: Cell) -> date:
    """A date from a real date cell, an Excel serial number, ISO text or day-month-year text.

    Accepts 2026-11-24, 24-11-2026, 24/11/2026, 24.11.2026, 24-11-26 and 24 november 2026
    (Dutch, English or Norwegian month names). A numeric text is read day first; it is
    read month first only when that is the sole way it makes a date (11/24/2026).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (bool, Formula)) or is_blank(value):
        raise CellError("date_unreadable", value)
    if isinstance(value, int | float):
        if math.isfinite(value) and _SERIAL_MIN <= value <= _SERIAL_MAX:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError("date_unreadable", value)
    raw = str(value).strip()
    try:
        if m := _ISO.fullmatch(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC.fullmatch(raw):
            first, second, year = int(m[1]), int(m[2]), _year(m[3])
            if len(m[1]) == 4:  # 2026/11/24
                return date(first, second, int(m[3]))
            if second > 12 >= first:  # only month-first makes sense: 11/24/2026
                return date(year, first, second)
            return date(year, second, first)
        if m := _WORDED.fullmatch(raw):
            month = _months().get(normalise(m[2]))
            if month:
                return date(int(m[3]), month, int(m[1]))
        if re.fullmatch(r"\d+(\.\d+)?", raw):  # a serial number, maybe with a time
            return parse_date(float(raw))
    except ValueError:
        pass
    raise CellError("date_unreadable", value)


_NUMBER = re.compile(r"([-+]?\d+(?:[.,]\d+)?)\s*[^\W\d_]*\.?")


def parse_number(value: Cell) -> float:
    """A number from a numeric cell or text such as '3', '3,5', '2.5' or '4 jaar'."""
    if isinstance(value, (bool, Formula, date)):
        raise CellError("number_unreadable", value)
    if isinstance(value, int | float):
        if math.isfinite(value):
            return float(value)
        raise CellError("number_unreadable", value)
    m = _NUMBER.fullmatch(str(value).strip())
    if not m:
        raise CellError("number_unreadable", value)
    return float(m[1].replace(",", "."))


def parse_whole_number(value: Cell) -> int:
    number = parse_number(value)
    if not number.is_integer():
        raise CellError("whole_number_needed", value)
    return int(number)


def add_days(day: date, days: int) -> date:
    """`day` plus `days`, held within the calendar (a typo of 9999 years must not crash)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def parse_amount(value: Cell) -> float:
    """A number of zero or more (years of experience, a weight)."""
    number = parse_number(value)
    if number < 0:
        raise CellError("number_negative", value)
    return number


def parse_count(value: Cell) -> int:
    """A whole number of zero or more (a capacity, a number of days)."""
    number = parse_whole_number(value)
    if number < 0:
        raise CellError("number_negative", value)
    return number


def parse_list(value: Cell) -> tuple[str, ...]:
    """Items separated by ';', ',' or new lines, stripped, empty ones dropped, order kept.

    An item listed twice (ignoring case) counts once; otherwise items stay as typed.
    """
    if is_blank(value):
        return ()
    seen: dict[str, str] = {}
    for item in re.split(r"[;,\n\r]+", text(value)):
        cleaned = item.strip()
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return tuple(seen.values())


def parse_email(value: Cell) -> str:
    """A syntactically valid address, stripped (case kept: it is the address people typed)."""
    if is_blank(value):
        raise CellError("email_missing", value)
    raw = text(value)
    if raw.lower().startswith("mailto:"):
        raw = raw[len("mailto:") :]
    plainly = _plainly_valid(raw)
    if plainly is None:
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(raw, check_deliverability=False)
        except EmailNotValidError as exc:
            raise CellError("email_invalid", value) from exc
    elif not plainly:
        raise CellError("email_invalid", value)
    return raw


# Importing email_validator compiles patterns for 40 ms of the 0.5 s a whole `check` may take
# (issue 12). Most cells hold an address of the plain kind below, which it certainly accepts,
# or one of two mistakes it certainly refuses; only the others need it. A property test asks
# email_validator about every kind of address this lets through.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"  # dot-atom letters of the part before the @
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]+"  # host names, a lettered TLD
)
#: email_validator.SPECIAL_USE_DOMAIN_NAMES (a test compares): never an address's domain
SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")


def _plainly_valid(address: str) -> bool | None:
    """True or False where email_validator's answer is certain, None where only it knows."""
    _, at, domain = address.rpartition("@")
    if not at or not domain:
        return False  # no @-sign, or nothing after it
    plain = (
        _PLAIN_ADDRESS.fullmatch(address) is not None
        and len(address) <= 254
        and "--" not in domain  # "xn--" (IDNA) and "ab--c" are its to judge
        and all(len(label) <= 63 for label in domain.split("."))
        and domain.rpartition(".")[2].lower() not in SPECIAL_USE_DOMAINS
    )
    return True if plain else None


def email_key(address: str) -> str:
    """Emails are people's keys, compared case-insensitively."""
    return address.strip().casefold()


def parse_term(value: Cell, vocabulary: Vocabulary, code: str) -> str:
    """The key of a vocabulary word in any language, or a CellError with `code`."""
    key = vocabulary.key_of(text(value))
    if key is None:
        raise CellError(code, value)
    return key


def parse_bool(value: Cell, booleans: Vocabulary) -> bool:
    if isinstance(value, bool):
        return value
    return parse_term(value, booleans, "yes_no_needed") == "yes"
