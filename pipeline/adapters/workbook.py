"""The one seam to a workbook: read every tab at once, apply a plan of appends and rewrites.

Adapters: `pipeline.adapters.xlsx.XlsxWorkbook` (a local .xlsx file),
`pipeline.adapters.sheets.SheetsWorkbook` (a Google Sheet),
`pipeline.adapters.excel_online.ExcelOnlineWorkbook` (an .xlsx on SharePoint) and
`InMemoryWorkbook` below, which serves the tests and `--dry-run`. `Sourced` adds tabs read
from other workbooks (Microsoft Forms keeps its responses in a workbook of its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from pipeline.core.cells import Cell, Row
from pipeline.core.changes import Chart, Plan, Replace, TabTemplate, Update, trim, updated
from pipeline.core.schema import Snapshot
from pipeline.errors import WorkbookError


class Workbook(Protocol):
    """What the pipeline needs of a workbook, whatever it is stored in."""

    @property
    def name(self) -> str: ...

    def read(self) -> Snapshot:
        """Every tab, in workbook order, as trimmed rows of raw cell values."""
        ...

    def apply(self, plan: Plan) -> None:
        """Carry out every change of the plan at once (one save, one batch)."""
        ...


class InMemoryWorkbook:
    """A workbook held in memory, with exactly the adapters' append and rewrite rules."""

    def __init__(
        self,
        tabs: Mapping[str, Iterable[Sequence[Cell]]] | None = None,
        name: str = "in-memory workbook",
        address: str = "",
    ) -> None:
        self._name = name
        self.address = address or name  # where people find the workbook it stands for
        self.tabs: dict[str, tuple[Row, ...]] = {k: trim(v) for k, v in (tabs or {}).items()}
        self.applied: list[Plan] = []
        self.charts: dict[str, tuple[Chart, ...]] = {}  # what a drawing adapter would show

    @property
    def name(self) -> str:
        return self._name

    @classmethod
    def from_templates(
        cls, templates: Sequence[TabTemplate], name: str = "in-memory workbook"
    ) -> InMemoryWorkbook:
        return cls({t.name: t.rows for t in templates}, name)

    def read(self) -> Snapshot:
        return dict(self.tabs)

    def apply(self, plan: Plan) -> None:
        for change in plan.changes:
            current = self.tabs.get(change.tab, ())
            if isinstance(change, Replace):
                self.tabs[change.tab] = trim(change.rows)
                self.charts.pop(change.tab, None)
                if change.charts:
                    self.charts[change.tab] = change.charts
            elif isinstance(change, Update):
                if change.expect is not None:
                    row = current[change.row - 1] if change.row <= len(current) else ()
                    column = change.expect[0]
                    change.check(row[column] if column < len(row) else None)
                self.tabs[change.tab] = updated(current, change)
            else:
                head = (change.header,) if not current and change.header else ()
                self.tabs[change.tab] = trim(current + head + change.rows)
        self.applied.append(plan)


class Sourced:
    """A workbook with tabs read from elsewhere: each source's first tab, under a name the
    run knows it by (the intake or evaluations tab). Those tabs are read, never written."""

    def __init__(self, book: Workbook, sources: Mapping[str, Workbook]) -> None:
        self.book, self.sources = book, dict(sources)

    @property
    def name(self) -> str:
        return self.book.name

    @property
    def address(self) -> str:
        return str(getattr(self.book, "address", self.book.name))

    def read(self) -> Snapshot:
        snapshot = dict(self.book.read())
        for tab, source in self.sources.items():
            tabs = source.read()
            snapshot[tab] = next(iter(tabs.values()), ())
        return snapshot

    def apply(self, plan: Plan) -> None:
        for change in plan.changes:
            if change.tab in self.sources:
                raise WorkbookError(
                    f'Tab "{change.tab}" is read from {self.sources[change.tab].name} and is '
                    "never written; nothing was written."
                )
        self.book.apply(plan)
