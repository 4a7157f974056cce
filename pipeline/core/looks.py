"""How a tab reads and prints (SPEC §2, "readable as created"), whatever stores it.

`look(tab, header)` recognises a tab by its name and its columns by their header words, in
any of the three languages, and says how it should look: column widths wide enough for an
address, a date and a reason; which columns wrap; dates as people there write them; the
header row bold, frozen and repeated on every printed page; printed landscape, fitted to
the page width; rows that want the coordinator's eye filled (a proposal waiting for a
decision, a problem by its severity). Each workbook adapter carries out as much of it as
its medium can: the .xlsx file all of it, Google Sheets and Excel on SharePoint what their
APIs offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from pipeline.core.cells import Cell, text
from pipeline.core.vocab import COLUMNS, LANGUAGES, MATCH_STATUSES, SEVERITIES, TABS

#: Dates and moments as people in each language write them.
DATES = {"en": "yyyy-mm-dd", "nl": "dd-mm-yyyy", "nb": "dd.mm.yyyy"}
MOMENTS = {lang: f"{pattern} hh:mm" for lang, pattern in DATES.items()}
FIT = (10, 40)  # an unknown column: as wide as its longest cell, within these bounds
HEADER_FILL = "DDEBF7"

# Characters per column, by tab and column key; a width over WRAP_FROM wraps its text.
WRAP_FROM = 40
_WIDTHS: dict[str, dict[str, int]] = {
    "participants": {
        "email": 36,
        "name": 22,
        "role": 10,
        "status": 11,
        "start_date": 12,
        "team": 16,
        "discipline": 18,
        "location": 16,
        "shifts": 18,
        "manager_email": 36,
        "years_experience": 10,
        "languages": 18,
        "goals": 40,
        "capacity": 10,
        "preferred_mentor": 30,
        "email_language": 10,
    },
    "exclusions": {"person_a": 32, "person_b": 32, "reason": 40},
    "matches": {
        "match_id": 12,
        "status": 13,
        "mentee": 22,
        "mentor": 22,
        "mentee_start": 13,
        "score": 8,
        "why": 60,
        "mentee_email": 36,
        "mentor_email": 36,
        "proposed_on": 13,
        "notes": 40,
    },
    "mail_log": {
        "time": 17,
        "to": 36,
        "touchpoint": 18,
        "match_id": 12,
        "subject": 44,
        "status": 12,
        "detail": 44,
        "key": 30,
    },
    "settings": {"setting": 34, "value": 30, "explanation": 70},
    "problems": {
        "severity": 12,
        "tab": 16,
        "row": 6,
        "column": 24,
        "who": 26,
        "problem": 60,
        "fix": 60,
        "since": 12,
    },
    "pairs": {
        "match_id": 12,
        "mentee": 22,
        "mentor": 22,
        "start": 12,
        "phase": 16,
        "last_message": 24,
        "last_sent": 12,
        "next_message": 24,
        "next_due": 12,
        "evaluation": 16,
        "attention": 48,
    },
}
#: Narrower columns whose text may still run long: they wrap too.
_WRAPPED = {("problems", "column"), ("pairs", "last_message"), ("pairs", "next_message")}
#: Tabs without a header row of known columns: widths from column A.
_FIXED: dict[str, tuple[int, ...]] = {"summary": (56, 14, 12, 12, 10), "howto": (100,)}

#: Fills, as background colours (RGB hex), of the rows that want attention.
PROPOSED_FILL = "FFF2CC"  # light amber: waiting for the coordinator's decision
SEVERITY_FILLS = {"error": "F8CBAD", "warning": "FFE699", "note": "DDEBF7"}


@dataclass(frozen=True)
class Fill:
    """Every row (below the header) whose cell in `column` (from 0) says `equals` gets this
    background: a conditional format, so that it follows the cell as people change it."""

    column: int
    equals: str
    colour: str


@dataclass(frozen=True)
class Look:
    widths: tuple[int, ...]  # characters, from column A
    wrap: frozenset[int] = frozenset()  # columns (from 0) whose text wraps
    dates: str = DATES["en"]  # number format of a date
    moments: str = MOMENTS["en"]  # of a date with a time
    header: bool = True  # first row bold, frozen, repeated on every printed page
    fills: tuple[Fill, ...] = ()
    bold: tuple[int, ...] = field(default=())  # further rows (from 1) in bold: headings

    def date_format(self, value: Cell) -> str | None:
        """The number format a date cell gets (None: not a date)."""
        if isinstance(value, datetime):
            return self.moments
        if isinstance(value, date):
            return self.dates
        return None


#: The look of a tab no one described: ISO dates, nothing else.
PLAIN = Look(())


def language(tab: str) -> str:
    """The language a tab's name is in: the one whose word it is, as written ("Maillog" is
    Dutch, "Mail log" English), else the one whose word it folds to; English when none."""
    key = TABS.key_of(tab)
    if key is not None:
        exact = [
            lang for lang in LANGUAGES if TABS.word(key, lang).casefold() == tab.strip().casefold()
        ]
        if len(exact) == 1:
            return exact[0]
    found = TABS.languages_of(tab)
    return next((lang for lang in LANGUAGES if lang in found and len(found) == 1), "en")


def look(tab: str, rows: Sequence[Sequence[Cell]]) -> Look:
    """How tab `tab` should look, its header (and, for unknown columns, its cells) given."""
    key = TABS.key_of(tab) or ""
    lang = language(tab)
    dates, moments = DATES[lang], MOMENTS[lang]
    if key in _FIXED:
        fixed = _FIXED[key]
        bold = _headings(rows) if key == "summary" else ()
        return Look(fixed, _wrapping(fixed), dates, moments, header=False, bold=bold)
    header = rows[0] if rows else ()
    vocabulary = COLUMNS.get(key)
    known = _WIDTHS.get(key, {})
    widths = []
    for index, cell in enumerate(header):
        column = vocabulary.key_of(cell) if vocabulary is not None else None
        width = known[column] if column in known else _fit(rows, index)
        widths.append(max(width, len(text(cell)) + 3))  # a bold header fits too
    keys = [vocabulary.key_of(c) if vocabulary else None for c in header]
    wrap = _wrapping(widths) | {i for i, k in enumerate(keys) if (key, k) in _WRAPPED}
    return Look(tuple(widths), frozenset(wrap), dates, moments, fills=_fills(key, keys, lang))


def _fit(rows: Sequence[Sequence[Cell]], index: int) -> int:
    longest = max((len(text(r[index])) for r in rows if index < len(r)), default=0)
    return min(max(longest + 2, FIT[0]), FIT[1])


def _wrapping(widths: Sequence[int]) -> frozenset[int]:
    return frozenset(i for i, width in enumerate(widths) if width >= WRAP_FROM)


def _fills(key: str, columns: Sequence[str | None], lang: str) -> tuple[Fill, ...]:
    def at(column: str) -> int | None:
        return columns.index(column) if column in columns else None

    if key == "matches" and (status := at("status")) is not None:
        return (Fill(status, MATCH_STATUSES.word("proposed", lang), PROPOSED_FILL),)
    if key == "problems" and (severity := at("severity")) is not None:
        return tuple(
            Fill(severity, SEVERITIES.word(name, lang), colour)
            for name, colour in SEVERITY_FILLS.items()
        )
    return ()


def _headings(rows: Sequence[Sequence[Cell]]) -> tuple[int, ...]:
    """The Summary's headings: a row with text in its first cell only, after an empty row
    (or the first row), and the row of column titles under it."""
    bold = []
    for number, row in enumerate(rows, 1):
        cells = [c for c in row if c not in (None, "")]
        previous = rows[number - 2] if number > 1 else ()
        if len(cells) == 1 and isinstance(row[0], str) and not any(previous):
            bold.append(number)
    return tuple(bold)
