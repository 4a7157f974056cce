"""Every tab the job or `init` creates reads and prints well (SPEC §2, "readable as created"):
the look `pipeline.core.looks` decides, carried out by the .xlsx file, Google Sheets and Excel
on SharePoint as far as each medium can."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pipeline.adapters.excel_online import ExcelOnlineWorkbook
from pipeline.adapters.graph import Graph
from pipeline.adapters.sheets import SheetsWorkbook, load_credentials
from pipeline.adapters.xlsx import XlsxWorkbook
from pipeline.core.cells import Row
from pipeline.core.changes import Append, Plan, Replace
from pipeline.core.layout import header, new_workbook
from pipeline.core.looks import DATES, look
from pipeline.core.vocab import TABS
from tests.graph_double import GraphDouble
from tests.sheets_double import SheetsDouble

KEY = "1mentorflowLooksTestSheet0000000000000000"
WHEN = date(2026, 12, 14)


def problems(lang: str) -> tuple[Row, ...]:
    head = header("problems", lang)
    severity = {"en": ("error", "note"), "nl": ("fout", "opmerking"), "nb": ("feil", "merknad")}
    first, last = severity[lang]
    return (
        head,
        (first, "Participants", 3, "Email", "Bo", "x" * 150, "Fix it", WHEN),
        (last, "Participants", 4, "Start date", "Cas", "y", "Fill it in", WHEN),
    )


@pytest.mark.parametrize("lang", ["en", "nl", "nb"])
def test_a_rewritten_problems_tab_reads_and_prints_well_in_xlsx(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "p.xlsx"
    XlsxWorkbook.create(path, new_workbook(lang))
    tab = TABS.word("problems", lang)
    XlsxWorkbook(path).apply(Plan((Replace(tab, problems(lang)),)))
    ws = openpyxl.load_workbook(path)[tab]
    columns = [c.value for c in ws[1]]
    problem = columns.index(header("problems", lang)[5]) + 1
    letter = openpyxl.utils.get_column_letter(problem)
    assert ws.column_dimensions[letter].width == 60
    assert ws.cell(2, problem).alignment.wrap_text
    assert ws.row_dimensions[2].height and ws.row_dimensions[2].height >= 45  # 3 lines
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    since = columns.index(header("problems", lang)[-1]) + 1
    assert ws.cell(2, since).number_format == DATES[lang]
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert len(rules) == 3  # error, warning, note
    assert any(problems(lang)[1][0] in (r.formula or [""])[0] for r in rules)


def test_a_new_workbook_has_columns_wide_enough_and_a_highlight_for_proposals(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.xlsx"
    XlsxWorkbook.create(path, new_workbook("nl"))
    book = openpyxl.load_workbook(path)
    people = book["Deelnemers"]
    assert people.column_dimensions["A"].width >= 30  # an address
    start = [c.value for c in people[1]].index("Startdatum") + 1
    letter = openpyxl.utils.get_column_letter(start)
    assert people.column_dimensions[letter].width >= 10  # a date, not ###
    matches = book["Koppelingen"]
    rules = [r for rng in matches.conditional_formatting for r in rng.rules]
    assert [r.formula for r in rules] == [['LOWER($B2)="voorgesteld"']]
    assert [c.value for c in matches[1]][:5] == [
        "Koppeling-ID",
        "Status",
        "Mentee",
        "Mentor",
        "Start mentee",
    ]
    for ws in book:
        assert ws.page_setup.orientation == "landscape", ws.title


def test_appended_dates_follow_the_tabs_language(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    XlsxWorkbook.create(path, new_workbook("nb"))
    log = TABS.word("mail_log", "nb")
    row = (datetime(2026, 12, 14, 2, 30), "bo@x.no", "velkomst", "M-0001", "Hei", "sendt")
    XlsxWorkbook(path).apply(Plan((Append(log, (row,), header("mail_log", "nb")),)))
    ws = openpyxl.load_workbook(path)[log]
    assert ws.cell(2, 1).number_format == "dd.mm.yyyy hh:mm"


def test_the_summary_headings_are_bold() -> None:
    rows = (("Programme: summary",), (), ("Programme",), ("Active", 3), (), ("Evaluations",))
    assert look("Summary", rows).bold == (1, 3, 6)


@pytest.fixture
def api(sheets_api: SheetsDouble) -> Iterator[SheetsDouble]:
    yield sheets_api
    assert [message for _, message in sheets_api.refused] == []


def test_google_sheets_gets_widths_wrapping_dates_and_fills_once(api: SheetsDouble) -> None:
    api.book(KEY, {"Participants": [["Email", "Name", "Role"]]})
    book = SheetsWorkbook(KEY, load_credentials(None), sleep=lambda _: None)
    book.read()
    book.apply(Plan((Replace("Problemen", problems("nl")),)))
    sheet = next(s for s in api.books[KEY].sheets if s.title == "Problemen")
    assert sheet.widths[5] == 7 * 60 + 10  # the problem's column
    assert sheet.formats[(1, 5)]["wrapStrategy"] == "WRAP"
    assert [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in sheet.rules][
        -1
    ] == '=LOWER($A2)="fout"'
    since = next(
        f for (r, c), f in sheet.formats.items() if (r, c) == (1, 7) and "numberFormat" in f
    )
    assert since["numberFormat"]["pattern"] == "dd-mm-yyyy"
    book.apply(Plan((Replace("Problemen", problems("nl")),)))  # rewritten: no second set
    assert len(sheet.rules) == 3


def test_excel_on_sharepoint_gets_widths_wrapping_and_dates() -> None:
    with GraphDouble({"t"}) as double:
        site = double.add_site("org.sharepoint.com", "/sites/M")
        double.grant(site, "write")
        double.add_workbook(site, "p.xlsx", {"Deelnemers": [["E-mail", "Naam", "Rol"]]})
        graph = Graph(lambda: "t", double.url, sleep=lambda _: None)
        book = ExcelOnlineWorkbook(
            graph, "https://org.sharepoint.com/sites/M/Shared Documents/p.xlsx"
        )
        book.read()
        book.apply(Plan((Replace("Problemen", problems("nl")),)))
        looks = double.looks(site, "p.xlsx", "Problemen")
        assert {"range": "F1", "format": {"columnWidth": 330.0}} in looks
        assert any(
            look_.get("range") == "F2:F3" and look_.get("format", {}).get("wrapText")
            for look_ in looks
        )
        assert double.number_format(site, "p.xlsx", "Problemen", "H2") == "dd-mm-yyyy"
        assert double.refused == []
