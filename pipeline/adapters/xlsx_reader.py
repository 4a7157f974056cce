"""Reading an .xlsx file's cells with the standard library, giving what openpyxl gives.

Every run reads the workbook, few write it, and importing openpyxl alone takes longer than a
`check` may (issue 12): the xlsx adapter reads with this module and imports openpyxl only to
write. python-calamine, the fast reader we tried first, cannot stand in for openpyxl: it
gives no formula text (a formula without a stored result must become a Problems row), ""
for an empty cell, 5.0 for 5, dates without their time of day, and decodes "_x000D_", which
openpyxl keeps. So this module follows openpyxl 3.1's reading rule by rule (the comments
name the openpyxl function each part mirrors), and tests/adapters/test_xlsx_reader.py reads
every kind of workbook the tests make with both and compares. Two of openpyxl's slips are
not copied: a stored result outside the range a sheet states as its <dimension> is read
(openpyxl keeps the formula), and a data table's formula is its text (openpyxl gives the
repr of a Python object).
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, fromstring, iterparse

from pipeline.core.cells import Cell, Formula, Row
from pipeline.core.changes import trim

SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")  # openpyxl refuses any other file name
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_MACRO = "application/vnd.ms-excel."
# In the order openpyxl looks for them (reader.excel._find_workbook_part).
_WORKBOOK_TYPES = (
    _MACRO + "template.macroEnabled.main+xml",
    _SPREADSHEET + "template.main+xml",
    _MACRO + "sheet.macroEnabled.main+xml",
    _SPREADSHEET + "sheet.main+xml",
)
_SHARED_STRINGS = _SPREADSHEET + "sharedStrings+xml"
_ROW, _VALUE, _FORMULA = (_MAIN + tag for tag in ("row", "v", "f"))
_INLINE, _MERGE = _MAIN + "is", _MAIN + "mergeCell"

# The built-in number formats (ids below 164) that openpyxl reads as dates, and as durations
# ([h]:mm:ss): `is_date_format` and `is_timedelta_format` of their codes in
# openpyxl.styles.numbers.BUILTIN_FORMATS, which a test checks.
BUILTIN_DATES = frozenset((14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47))
BUILTIN_DURATIONS = frozenset((46,))
WINDOWS_EPOCH = datetime(1899, 12, 30)
MAC_EPOCH = datetime(1904, 1, 1)


@dataclass(frozen=True)
class Sheets:
    """Each worksheet's rows (formulas as their stored result), and its filled row count."""

    rows: dict[str, tuple[Row, ...]]
    # A formula showing "" still fills its row: appends go below it, never over it.
    filled: dict[str, int]


def read_xlsx(path: Path) -> Sheets:
    """Every worksheet of the file, in workbook order; chart sheets are left out.

    Raises what zipfile, ElementTree or a malformed value raises: the adapter turns any of
    them into one message about a file that is not a valid workbook.
    """
    if os.path.splitext(path)[1].lower() not in SUFFIXES:
        raise ValueError(f'openpyxl does not read "{path.name}": not an Excel workbook\'s name')
    with zipfile.ZipFile(path) as package:
        types = fromstring(package.read("[Content_Types].xml"))
        strings = _shared_strings(package, types)
        workbook = _workbook_part(types)
        book = fromstring(package.read(workbook))
        properties = book.find(_MAIN + "workbookPr")
        mac = properties is not None and _true(properties.get("date1904"))
        epoch = MAC_EPOCH if mac else WINDOWS_EPOCH
        targets = _relationships(package, workbook)
        styles = _styles(package)
        found = set(package.namelist())
        rows: dict[str, tuple[Row, ...]] = {}
        filled: dict[str, int] = {}
        sheets = book.find(_MAIN + "sheets")
        for sheet in () if sheets is None else sheets.iterfind(_MAIN + "sheet"):
            relation = sheet.get(_REL_ID)
            if not relation:
                continue  # openpyxl drops such a sheet with a warning
            kind, target = targets[relation]
            if target not in found or "chartsheet" in kind:
                continue
            title = _title(sheet.get("name"))
            with package.open(target) as source:
                reader = _SheetReader(strings, styles, epoch)
                rows[title], filled[title] = reader.read(source)
    return Sheets(rows, filled)


def _true(value: str | None) -> bool:
    """An XML boolean as openpyxl's Bool descriptor reads it."""
    return value not in ("false", "f", "0") and bool(value)


def _title(name: str | None) -> str:
    """A sheet's name as openpyxl's title setter takes it (workbook.child._WorkbookChild);
    two names differing in case only, which Excel and LibreOffice refuse, are kept as they are."""
    title = name or "Sheet"
    if bad := re.search(r"[\\*?:/\[\]]", title):
        raise ValueError(f"Invalid character {bad.group(0)} found in sheet title")
    return title


def _workbook_part(types: Element) -> str:
    overrides = [
        (o.get("ContentType"), o.get("PartName", "")) for o in types.iter(_TYPES + "Override")
    ]
    for wanted in _WORKBOOK_TYPES:
        for content_type, part in overrides:
            if content_type == wanted:
                return part[1:]
    defaults = {d.get("ContentType") for d in types.iter(_TYPES + "Default")}
    if defaults & set(_WORKBOOK_TYPES):
        return "xl/workbook.xml"
    raise OSError("File contains no valid workbook part")


def _relationships(package: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, path in the package), as packaging.relationship resolves."""
    folder, name = part.rpartition("/")[::2]
    rels = fromstring(package.read(posixpath.join(folder, "_rels", f"{name}.rels")))
    found = {}
    for rel in rels.iter(_RELATIONSHIP):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id", "")] = (rel.get("Type", ""), target)
    return found


def _shared_strings(package: zipfile.ZipFile, types: Element) -> list[str]:
    for override in types.iter(_TYPES + "Override"):
        if override.get("ContentType") == _SHARED_STRINGS:
            with package.open(override.get("PartName", "")[1:]) as source:
                strings = []
                for _, element in iterparse(source):
                    if element.tag == _MAIN + "si":
                        strings.append(_text(element))
                        element.clear()
                return strings
    return []


def _text(element: Element) -> str:
    """A shared or inline string without its formatting (cell.rich_text.CellRichText)."""
    plain = None
    runs: list[str] = []
    for child in element:
        tag = child.tag.rpartition("}")[2]
        if tag == "t":
            plain = child.text
        elif tag == "r":
            text = None
            for part in child:
                if part.tag.rpartition("}")[2] == "t":
                    text = part.text
            runs.append(text or "")
    if plain:
        return plain.replace("x005F_", "")
    return "".join(run.replace("x005F_", "") for run in runs)


@dataclass(frozen=True)
class _Styles:
    """What openpyxl reads from the cell styles for a value (styles.stylesheet)."""

    dates: frozenset[int]  # the styles whose number format shows a date
    durations: frozenset[int]  # ... and a duration, such as [h]:mm
    count: int  # a cell with a style beyond these makes openpyxl fail


def _styles(package: zipfile.ZipFile) -> _Styles:
    try:
        source = package.read("xl/styles.xml")
    except KeyError:
        return _Styles(frozenset(), frozenset(), 1)  # openpyxl's one default style
    styles = fromstring(source)
    custom: dict[int, str] = {}
    formats = styles.find(_MAIN + "numFmts")
    for number_format in () if formats is None else formats.iterfind(_MAIN + "numFmt"):
        custom[int(number_format.get("numFmtId", ""))] = number_format.get("formatCode", "")
    dates, durations = set(), set()
    cell_styles = styles.find(_MAIN + "cellXfs")
    listed = [] if cell_styles is None else cell_styles.findall(_MAIN + "xf")
    for index, style in enumerate(listed):
        number = int(style.get("numFmtId", 0))
        if number in custom:
            code = custom[number]
            if _is_date(code):
                dates.add(index)
            if _is_duration(code):
                durations.add(index)
        else:
            if number in BUILTIN_DATES:
                dates.add(index)
            if number in BUILTIN_DURATIONS:
                durations.add(index)
    return _Styles(frozenset(dates), frozenset(durations), len(listed) or 1)


# openpyxl.styles.numbers: text in quotes and [brackets] (but [h], [mm], [ss]) is no date part
_NOT_DATE_PARTS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def _is_date(code: str) -> bool:
    return _DATE_PART.search(_NOT_DATE_PARTS.sub("", code.split(";")[0])) is not None


def _is_duration(code: str) -> bool:
    return _DURATION.search(code.split(";")[0]) is not None


class _SheetReader:
    """One worksheet, as worksheet._reader.WorkSheetParser and WorksheetReader read it."""

    def __init__(self, strings: list[str], styles: _Styles, epoch: datetime) -> None:
        self.strings = strings
        self.dates = styles.dates
        self.durations = styles.durations
        self.styles = styles.count
        self.epoch = epoch
        self.row = self.column = 0
        self.shared: dict[str | None, tuple[str, str | None]] = {}  # si -> (formula, its cell)

    def read(self, source: IO[bytes]) -> tuple[tuple[Row, ...], int]:
        """The sheet's trimmed rows, and how many rows its cells fill (formulas included)."""
        cells: dict[tuple[int, int], Cell] = {}
        formulas: set[tuple[int, int]] = set()
        merged: list[str] = []
        for _, element in iterparse(source):
            if element.tag == _ROW:
                for position, value, formula in self._row(element):
                    cells[position] = value
                    if formula:
                        formulas.add(position)
                    else:
                        formulas.discard(position)
                element.clear()
            elif element.tag == _MERGE:
                merged.append(element.get("ref", ""))
        for reference in merged:  # a merged range keeps its top left cell only
            for position in _covered(reference, cells):
                cells.pop(position, None)
                formulas.discard(position)
        return _grid(cells), _filled(cells, formulas)

    def _row(self, element: Element) -> Iterator[tuple[tuple[int, int], Cell, bool]]:
        number = element.get("r")
        if number is None:
            self.row += 1
        else:
            try:
                self.row = int(number)
            except ValueError:
                if not float(number).is_integer():
                    raise
                self.row = int(float(number))
        self.column = 0
        for cell in element:  # every child, as openpyxl does
            yield self._cell(cell)

    def _cell(self, element: Element) -> tuple[tuple[int, int], Cell, bool]:
        kind = element.get("t", "n")
        coordinate = element.get("r")
        style = int(element.get("s", 0))
        if style >= self.styles:
            raise IndexError(f"cell {coordinate} has style {style}, which the workbook lacks")
        if coordinate:
            row, self.column = _position(coordinate)
        else:
            self.column += 1
            row = self.row
        value = self._value(element, kind, style)
        formula = element.find(_FORMULA)
        if formula is None:
            return (row, self.column), plain(value), False
        # A formula's last calculated result where the file holds one (what openpyxl reads
        # with data_only=True), else the formula itself.
        text = self._formula(formula, coordinate, needed=value is None)
        return (row, self.column), Formula(text) if value is None else plain(value), True

    def _value(self, element: Element, kind: str, style: int) -> Any:
        if kind == "inlineStr":
            inline = element.find(_INLINE)
            return None if inline is None else _text(inline)
        raw = element.findtext(_VALUE) or None
        if raw is None:
            return None
        if kind == "n":
            number = _number(raw)
            if style not in self.dates:
                return number
            try:
                return _from_excel(number, self.epoch, style in self.durations)
            except (OverflowError, ValueError):
                return "#VALUE!"  # openpyxl reads a date too far out as this error
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return _from_iso8601(raw)
        return raw  # "str" (a formula's text result), "e" (an error such as #N/A)

    def _formula(self, formula: Element, coordinate: str | None, needed: bool) -> str:
        """The formula's text; a shared one is moved to this cell only when `needed`."""
        text = "=" + (formula.text or "")
        if formula.get("t") == "shared":
            group = formula.get("si")
            if group in self.shared:
                return _translated(*self.shared[group], coordinate) if needed else text
            if text != "=":
                self.shared[group] = (text, coordinate)
        return text


def _translated(formula: str, origin: str | None, coordinate: str | None) -> str:
    """A shared formula moved to another cell, as openpyxl moves it.

    Only a file whose shared formulas hold no results needs this (Excel and LibreOffice store
    them, openpyxl writes no shared formulas), so only that rare file imports openpyxl.
    """
    from openpyxl.formula.translate import Translator

    return str(Translator(formula, origin).translate_formula(coordinate))


def _number(raw: str) -> int | float:
    """worksheet._reader._cast_number."""
    if "." in raw or "E" in raw or "e" in raw:
        return float(raw)
    return int(raw)


def _from_excel(value: float, epoch: datetime, duration: bool) -> datetime | time | timedelta:
    """A serial number as a date and time (utils.datetime.from_excel)."""
    if duration:
        span = timedelta(days=value)
        if span.microseconds:  # to the millisecond
            span = timedelta(
                seconds=span.total_seconds() // 1, microseconds=round(span.microseconds, -3)
            )
        return span
    day, fraction = divmod(value, 1)
    since_midnight = timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and since_midnight.days == 0:
        minutes, seconds = divmod(since_midnight.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return time(hours, minutes, seconds, since_midnight.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1  # Excel's 29 February 1900, which never was
    return epoch + timedelta(days=day) + since_midnight


@cache
def _iso_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    moment = re.compile(
        r"(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?"
        r"(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})"
        r"(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?"
    )
    span = re.compile(r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")
    return moment, span


def _from_iso8601(raw: str) -> date | time | timedelta | None:
    """A cell of type "d" (utils.datetime.from_ISO8601)."""
    moment, span = _iso_patterns()
    match = moment.match(raw)
    if match and any(match.groups()):
        parts: dict[str, Any] = match.groupdict(0)
        for key in ("year", "month", "day", "hour", "minute", "second"):
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return time(parts["hour"], parts["minute"], parts["second"], parts["microsecond"])
        if not parts["time"]:
            return date(parts["year"], parts["month"], parts["day"])
        del parts["time"], parts["date"]
        return datetime(**parts)
    match = span.match(raw)
    if match and any(match.groups()):
        lengths = {key: float(value) for key, value in match.groupdict(0).items() if value}
        return timedelta(**lengths)
    raise ValueError(f"Invalid datetime value {raw}")


def plain(value: Any) -> Cell:
    """A value as the pipeline's Cell type: a time as ISO text, a duration as h:mm:ss, rich
    text (an openpyxl CellRichText, when the xlsx adapter reads a cell back) as its text."""
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    return value.isoformat() if isinstance(value, time) else str(value)


_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


@cache
def _column(letters: str) -> int:
    """utils.cell.column_index_from_string: A -> 1, ZZZ -> 18278."""
    number = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z":
            raise ValueError(f"'{letters}' is not a valid column name")
        number = number * 26 + ord(letter) - ord("A") + 1
    if not 0 < number < 18279:
        raise ValueError(f"'{letters}' is not a valid column name")
    return number


def _position(coordinate: str) -> tuple[int, int]:
    """(row, column) of 'B12' (utils.cell.coordinate_to_tuple)."""
    # as openpyxl: a coordinate without digits is split before its last character
    index = next((i for i, c in enumerate(coordinate) if c in "0123456789"), len(coordinate) - 1)
    return int(coordinate[index:]), _column(coordinate[:index])


def _covered(reference: str, cells: Mapping[tuple[int, int], Cell]) -> list[tuple[int, int]]:
    """The cells of a merged range but its top left one (worksheet._clean_merge_range)."""
    first, _, last = reference.partition(":")
    start, end = _COORDINATE.fullmatch(first), _COORDINATE.fullmatch(last or first)
    if not (start and end):
        raise ValueError(f"{reference} is not a valid coordinate or range")
    top, left = int(start[2]), _column(start[1])
    bottom, right = int(end[2]), _column(end[1])
    if (bottom - top + 1) * (right - left + 1) <= len(cells):
        covered = [(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)]
    else:  # a big range: look at the cells there are
        covered = [(r, c) for r, c in cells if top <= r <= bottom and left <= c <= right]
    return [p for p in covered if p != (top, left)]


def _grid(cells: Mapping[tuple[int, int], Cell]) -> tuple[Row, ...]:
    # Rows are built from the cells with a value, so a stray far-away cell costs one row.
    by_row: dict[int, dict[int, Cell]] = {}
    for (r, c), value in cells.items():
        if value is not None:
            by_row.setdefault(r, {})[c] = value
    if not by_row:
        return ()
    rows: list[Row] = []
    for r in range(1, max(by_row) + 1):
        row = by_row.get(r, {})
        rows.append(tuple(row.get(c) for c in range(1, max(row, default=0) + 1)))
    return trim(rows)


def _filled(cells: Mapping[tuple[int, int], Cell], formulas: set[tuple[int, int]]) -> int:
    """The last row with a value or a formula in it (a formula showing "" included)."""
    return max(
        (
            r
            for (r, c), value in cells.items()
            if r >= 1 and c >= 1 and ((r, c) in formulas or value not in (None, ""))
        ),
        default=0,
    )
