"""The local .xlsx workbook: read once, append, update and rewrite safely, save atomically.

The only module that imports openpyxl, and only to write: reading, which every run does and
which must be quick (issue 12), is `xlsx_reader`'s, with the standard library.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import warnings
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from time import time_ns
from typing import TYPE_CHECKING, Any, TypeVar

from pipeline.adapters.xlsx_reader import Sheets, plain, read_xlsx
from pipeline.core.cells import Cell, Formula, Row
from pipeline.core.changes import Append, Chart, Plan, Replace, TabTemplate, Update, trim
from pipeline.core.looks import PLAIN, Look, look
from pipeline.core.schema import Snapshot
from pipeline.errors import WorkbookError, WorkbookLockedError

if TYPE_CHECKING:  # openpyxl itself is imported where a workbook is written
    from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook
    from openpyxl.worksheet.worksheet import Worksheet

T = TypeVar("T")
BACKUPS_KEPT = 14  # runs: the workbook as it was before each of the last 14 runs
EXCEL_TEXT_LIMIT = 32_767
_HEADER_COLOUR = "DDEBF7"
_DROPDOWN_ROWS = 2000
_FOREIGN = {
    ".xls": "an old Excel 97-2003 file",
    ".ods": "an OpenDocument spreadsheet",
    ".csv": "a CSV text file",
    ".numbers": "an Apple Numbers file",
}


def lock_files(path: Path) -> list[Path]:
    """Where Excel and LibreOffice leave a lock file while the workbook is open."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Excel shortens longer names this way
    return [path.with_name(c) for c in candidates]


def own_folder(path: Path) -> Path:
    """mentorflow's folder beside a workbook: its backups, mail journal and locks."""
    return path.parent / "backups"


def run_lock(path: Path) -> Path:
    """The lock file that keeps a second run off the workbook while one is busy."""
    return own_folder(path) / f".{path.name}.run-lock"


def ensure_closed(path: Path) -> None:
    """Refuse to write a workbook that Excel or LibreOffice has open."""
    for lock in lock_files(path):
        if lock.exists():
            raise WorkbookLockedError(
                f'"{path.name}" is open in Excel or LibreOffice (lock file "{lock.absolute()}"). '
                "Close the workbook and run again; nothing was written. If it is not open on "
                "any computer, delete that lock file: a crash leaves one behind."
            )


def ensure_exists(path: Path) -> None:
    """A missing workbook is one message: where it was looked for, and how to make one."""
    if path.exists():
        return
    folder = path.absolute().parent
    where = f"in {folder}" if folder.is_dir() else f"in {folder} (a folder that does not exist)"
    raise WorkbookError(
        f'The workbook "{path}" does not exist. mentorflow looked for "{path.name}" {where}. '
        f'Create it with "mentorflow init {path}", or give the path of your workbook: '
        '"path" under [workbook] in the config, or --workbook FILE.xlsx.'
    )


@contextlib.contextmanager
def _quiet_openpyxl() -> Iterator[None]:
    # openpyxl warns about every extension it does not read (slicers, some validations);
    # the coordinator can do nothing with those warnings.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _opened(path: Path, load: Callable[[Path], T]) -> T:
    """What `load` reads from the workbook file; the many ways a file can be wrong, as one
    message each."""
    ensure_exists(path)
    try:
        return load(path)
    except PermissionError as exc:
        raise WorkbookLockedError(
            f'"{path}" cannot be opened: permission denied. Close it in other programs, '
            "or check who may read the file."
        ) from exc
    except Exception as exc:  # zipfile, XML and openpyxl raise many kinds on a damaged file
        kind = _FOREIGN.get(
            path.suffix.lower(), "not a valid .xlsx file (damaged, or another kind of file renamed)"
        )
        raise WorkbookError(
            f'"{path}" cannot be read as an .xlsx workbook: it is {kind}. '
            'Open it in Excel or LibreOffice and save it as "Excel Workbook (.xlsx)".'
        ) from exc


def _load(path: Path, **options: Any) -> OpenpyxlWorkbook:
    import openpyxl  # only a run that writes needs it

    def load(path: Path) -> OpenpyxlWorkbook:
        with _quiet_openpyxl():
            return openpyxl.load_workbook(path, **options)

    return _opened(path, load)


def _write(ws: Worksheet, row: int, column: int, value: Cell, shown: Look | None = None) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Formula):
        value = value.text
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_TEXT_LIMIT]
        # Text stays text: "=HYPERLINK(...)" typed by a participant must never become a formula.
        cell.data_type = "s"
        _align(cell, column, shown)
        return
    cell.value = value
    number_format = (shown or PLAIN).date_format(value)
    if number_format:
        cell.number_format = number_format
    _align(cell, column, shown)


def _align(cell: Any, column: int, shown: Look | None) -> None:
    """Every cell of a tab with a look at the top of its row; long text wrapped."""
    if shown is not None:
        from openpyxl.styles import Alignment

        cell.alignment = Alignment(wrap_text=column - 1 in shown.wrap, vertical="top")


def _dress(ws: Worksheet, shown: Look, rows: Sequence[Row]) -> None:
    """A tab as `looks` says it should read and print: widths, a bold header row frozen and
    repeated on every page, headings in bold, conditional fills, landscape fitted to the
    page width, and each wrapped row as tall as its longest cell (not every viewer does)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(shown.widths):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    width = max(len(shown.widths), max((len(r) for r in rows[:1]), default=0))
    bold = Font(bold=True)
    if shown.header and rows:
        fill = PatternFill("solid", fgColor=_HEADER_COLOUR)
        for column in range(1, len(rows[0]) + 1):
            ws.cell(row=1, column=column).font = bold
            ws.cell(row=1, column=column).fill = fill
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
    for number in shown.bold:
        for column in range(1, len(rows[number - 1]) + 1 if number <= len(rows) else 1):
            ws.cell(row=number, column=column).font = bold
    last = get_column_letter(max(width, 1))
    for rule in shown.fills:
        letter = get_column_letter(rule.column + 1)
        colour = PatternFill(start_color=rule.colour, end_color=rule.colour, fill_type="solid")
        ws.conditional_formatting.add(
            f"A2:{last}{_DROPDOWN_ROWS}",
            FormulaRule(formula=[f'LOWER(${letter}2)="{rule.equals.lower()}"'], fill=colour),
        )
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _heights(ws, shown, rows)


def _heights(ws: Worksheet, shown: Look, rows: Sequence[Row], start: int = 1) -> None:
    for number, row in enumerate(rows, start):
        lines = 1
        for index, value in enumerate(row):
            if isinstance(value, str) and index in shown.wrap and index < len(shown.widths):
                chars = max(shown.widths[index] - 2, 1)
                lines = max(lines, sum(-(-len(p) // chars) or 1 for p in value.split("\n")))
        if lines > 1:
            ws.row_dimensions[number].height = 15 * lines


def _draw(ws: Worksheet, chart: Chart) -> None:
    """A horizontal bar chart: long question titles stay readable beside their bars."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    bars = BarChart()
    bars.type = "bar"
    bars.title = chart.title
    bars.legend = None
    bars.y_axis.scaling.min = 0
    bars.y_axis.scaling.max = chart.top
    bars.y_axis.majorUnit = 1
    bars.x_axis.scaling.orientation = "maxMin"  # first question on top, as in the table
    bars.x_axis.delete = False  # keep the axes that LibreOffice and newer Excel otherwise hide
    bars.y_axis.delete = False
    column, first, last = chart.values
    bars.add_data(
        Reference(ws, min_col=column, min_row=first, max_row=last), titles_from_data=False
    )
    column, first, last = chart.labels
    bars.set_categories(Reference(ws, min_col=column, min_row=first, max_row=last))
    bars.y_axis.number_format = "0"  # whole numbers: 4 of 5, not 4.00
    bars.height = 6.5  # beside the figures at the top of the tab, above the tables
    bars.width = 13
    ws.add_chart(bars, f"{get_column_letter(chart.anchor[0])}{chart.anchor[1]}")


def _fill(ws: Worksheet, rows: Sequence[Row], start: int = 1, shown: Look | None = None) -> None:
    for r, row in enumerate(rows, start):
        for c, value in enumerate(row, 1):
            _write(ws, r, c, value, shown)


class XlsxWorkbook:
    """One .xlsx file, for one run. Read once on opening; `apply` saves it atomically.

    The first save of the run keeps the workbook as it was before the run in `backup_dir`.
    """

    def __init__(
        self, path: Path | str, *, writable: bool = True, backup_dir: Path | None = None
    ) -> None:
        self.path = Path(path)
        self.writable = writable
        self.backup_dir = backup_dir or own_folder(self.path)
        if writable:
            ensure_closed(self.path)
        ensure_exists(self.path)
        # taken before reading: a change made while this run reads is seen when it saves
        self._mtime = self.path.stat().st_mtime_ns
        self._snapshot: Snapshot | None = None
        self._filled: dict[str, int] = {}
        self._backed_up = False
        self.read()  # a file that cannot be read fails here, before any stage runs

    @cached_property
    def _book(self) -> OpenpyxlWorkbook:
        """The workbook to change and save, loaded by the first change: a run that changes
        nothing never imports openpyxl. A file changed since reading is refused on saving."""
        # rich_text keeps partly bold or coloured cells as they are when the file is saved,
        # keep_vba the macros of an .xlsm workbook
        macros = self.path.suffix.lower() == ".xlsm"
        return _load(self.path, rich_text=True, keep_vba=macros)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def address(self) -> str:
        """Where people find it: the file's full path."""
        return str(self.path.resolve())

    def read(self) -> Snapshot:
        if self._snapshot is None:  # on opening, and after a save: what the file holds
            sheets: Sheets = _opened(self.path, read_xlsx)
            self._snapshot, self._filled = sheets.rows, sheets.filled
        return dict(self._snapshot)

    def apply(self, plan: Plan) -> None:
        if not plan:
            return
        if not self.writable:
            raise WorkbookError(f'"{self.name}" was opened read-only; nothing was written.')
        self.read()
        for change in plan.changes:
            if isinstance(change, Replace):
                self._replace(change)
            elif isinstance(change, Update):
                self._update(change)
            else:
                self._append(change)
        self._save()
        self._snapshot = None  # the next read sees the saved state

    def _sheet(self, title: str, index: int | None = None) -> Worksheet:
        if title in self._book.sheetnames:
            return self._book[title]
        self._filled[title] = 0
        return self._book.create_sheet(title, index)

    def _replace(self, change: Replace) -> None:
        index = None
        if change.tab in self._book.sheetnames:
            index = self._book.sheetnames.index(change.tab)
            self._book.remove(self._book[change.tab])
        ws = self._sheet(change.tab, index)
        shown = look(change.tab, change.rows)
        _fill(ws, change.rows, shown=shown)
        _dress(ws, shown, change.rows)
        for row, column, number_format in change.formats:
            ws.cell(row=row, column=column).number_format = number_format
        for chart in change.charts:
            _draw(ws, chart)
        self._filled[change.tab] = len(trim(change.rows))

    def _append(self, change: Append) -> None:
        ws = self._sheet(change.tab)
        rows = change.rows
        start = self._filled.get(change.tab, 0) + 1
        if start == 1 and change.header:
            rows = (change.header, *rows)
            shown = look(change.tab, rows)
            _fill(ws, rows, shown=shown)
            _dress(ws, shown, rows)
        else:  # below the header as it is: dates and wrapping as the tab's look says
            header = tuple(c.value for c in ws[1]) if start > 1 else ()
            shown = look(change.tab, (header, *rows))
            _fill(ws, rows, start, shown)
            _heights(ws, shown, rows, start)
        self._filled[change.tab] = start - 1 + len(rows)

    def _update(self, change: Update) -> None:
        ws = self._sheet(change.tab)
        if change.expect is not None:
            change.check(plain(ws.cell(change.row, change.expect[0] + 1).value))
        for column, value in enumerate(change.cells, 1):
            _write(ws, change.row, column, value)
        if any(value is not None for value in change.cells):
            # a row below the table (not the Mail log's way) becomes its last row, as in memory
            self._filled[change.tab] = max(self._filled.get(change.tab, 0), change.row)

    def _save(self) -> None:
        ensure_closed(self.path)
        # Two runs at once: the lock makes "unchanged since read?" and the rename one step,
        # so the second run finds the file changed and writes (and sends) nothing.
        self.backup_dir.mkdir(parents=True, exist_ok=True)  # mentorflow's own folder
        import portalocker  # only a run that writes needs it

        with open(self.backup_dir / f".{self.path.name}.lock", "w") as lock:
            portalocker.lock(lock, portalocker.LOCK_EX)
            if self.path.stat().st_mtime_ns != self._mtime:
                raise WorkbookLockedError(
                    f'"{self.name}" was changed by someone else while mentorflow ran; nothing '
                    "more was written. Run again to pick up their changes."
                )
            if not self._backed_up:  # one backup per run, however often the run saves
                _backup(self.path, self.backup_dir)
                self._backed_up = True
            _save_atomically(self._book, self.path)
            self._mtime = self.path.stat().st_mtime_ns

    @staticmethod
    def create(path: Path | str, templates: Sequence[TabTemplate]) -> None:
        """Write a new workbook from templates; an existing file is never overwritten."""
        target = Path(path)
        if target.exists():
            raise WorkbookError(
                f'"{target}" already exists and is left as it is. Choose another file name.'
            )
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for template in templates:
            ws = book.create_sheet(template.name)
            shown = look(template.name, template.rows)
            _fill(ws, template.rows, shown=shown)
            _dress(ws, shown, template.rows)
            for column, choices in template.choices.items():
                _dropdown(ws, column, choices)
        target.parent.mkdir(parents=True, exist_ok=True)
        _save_atomically(book, target)


def _dropdown(ws: Worksheet, column: int, choices: Sequence[str]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(column + 1)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # other spellings (e.g. in English) are still allowed
    )
    validation.add(f"{letter}2:{letter}{_DROPDOWN_ROWS}")
    ws.add_data_validation(validation)


def _save_atomically(book: OpenpyxlWorkbook, path: Path) -> None:
    """Save to a temporary file beside the workbook, then rename it over the workbook."""
    temporary = path.with_name(f".~mentorflow-{path.name}.tmp")
    try:
        book.save(temporary)
        # opened for writing: Windows flushes only a handle that may write (fsync of a
        # read-only handle fails there with "Bad file descriptor")
        with open(temporary, "r+b") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except PermissionError as exc:
        raise WorkbookLockedError(
            f'"{path.name}" cannot be written: permission denied. Close it in Excel and run again.'
        ) from exc
    except OSError as exc:
        raise WorkbookError(
            f'"{path.name}" cannot be written: {exc}. Nothing was changed.'
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)


def backups(path: Path, backup_dir: Path) -> list[Path]:
    """The backups of one workbook, oldest first (not those of "programme-2.xlsx" beside it)."""
    stem, suffix = re.escape(path.stem), re.escape(path.suffix)
    named = re.compile(rf"{stem}-(\d{{8}}T\d{{6}}\.\d{{9}}Z|(\d{{8}}-\d{{6}}-\d{{9}})){suffix}")
    found = []
    for candidate in backup_dir.glob(f"{path.stem}-*{path.suffix}"):
        match = named.fullmatch(candidate.name)
        if match:
            # names in UTC sort by time; the local-time names of older versions come first
            found.append((match.group(2) is None, match.group(1), candidate))
    return [candidate for *_, candidate in sorted(found)]


def _backup(path: Path, backup_dir: Path) -> None:
    """Copy the workbook to the backup folder, named by the time (UTC), and drop the oldest."""
    now = time_ns()
    stamp = f"{datetime.fromtimestamp(now // 10**9, UTC):%Y%m%dT%H%M%S}.{now % 10**9:09d}Z"
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, backup_dir / f"{path.stem}-{stamp}{path.suffix}")
        for old in backups(path, backup_dir)[:-BACKUPS_KEPT]:
            old.unlink()
    except OSError as exc:
        raise WorkbookError(
            f'"{path.name}" cannot be backed up to {backup_dir}: {exc}. Nothing was changed.'
        ) from exc
