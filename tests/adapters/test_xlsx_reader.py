"""The xlsx reader gives what openpyxl gives, value for value and type for type, on every kind
of workbook the tests and the demo make, and on files from LibreOffice and hand-made XML."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.formula import ArrayFormula

from jobs.cli import main
from pipeline.adapters import xlsx_reader
from pipeline.adapters.xlsx_reader import Sheets, read_xlsx
from pipeline.core.cells import Formula, Row
from tests.adapters.openpyxl_reading import read_with_openpyxl
from tests.adapters.test_xlsx import coordinator_people
from tests.conftest import basic_tabs, email, person, write_xlsx
from tests.test_corpus import CASES

DATA = Path(__file__).parent.parent / "data"
TEMPLATES = Path(__file__).parent.parent.parent / "templates" / "workbook"

Made = Callable[[Path], Path]
WORKBOOKS: dict[str, Made] = {}


def workbook(name: str) -> Callable[[Made], Made]:
    def register(make: Made) -> Made:
        WORKBOOKS[name] = make
        return make

    return register


def typed(sheets: Sheets) -> tuple[list[str], dict[str, Any], dict[str, int]]:
    """Tab order, every cell as (type, value), and the filled row counts: 5 is not 5.0."""
    cells = {
        tab: [[(type(c).__name__, c) for c in row] for row in rows]
        for tab, rows in sheets.rows.items()
    }
    return list(sheets.rows), cells, sheets.filled


# --- workbooks as the tests, the demo, Excel and LibreOffice make them ---------------------


@workbook("saved by LibreOffice")
def _libreoffice(folder: Path) -> Path:
    return DATA / "libreoffice.xlsx"


def _shipped(language: str) -> Made:
    return lambda folder: TEMPLATES / f"programme-{language}.xlsx"


for _language in ("en", "nl", "nb"):
    WORKBOOKS[f"shipped empty workbook ({_language})"] = _shipped(_language)


@workbook("the demo, after its nightly run")
def _demo(folder: Path) -> Path:
    assert main(["demo", str(folder / "demo"), "--today", "2026-11-24"]) == 0
    return folder / "demo" / "programme.xlsx"


@workbook("the demo, checked again a day later")
def _demo_checked(folder: Path) -> Path:
    path = _demo(folder)
    config = str(folder / "demo" / "mentorflow.toml")
    assert main(["--config", config, "--today", "2026-11-25", "check"]) == 0
    return path


@workbook("every kind of coordinator cell, after a check")
def _coordinator_cells(folder: Path) -> Path:
    people = coordinator_people()
    path = write_xlsx(
        folder / "programme.xlsx",
        basic_tabs(people),
        [("Participants", "B5"), ("Participants", "F3")],
    )
    assert main(["--workbook", str(path), "--today", "2026-11-24", "check"]) == 0
    return path


for _case, _details in CASES.items():

    def _broken(folder: Path, case: Any = _details) -> Path:
        path = write_xlsx(folder / "broken.xlsx", case.tabs, case.text_cells)
        if case.merges:
            book = openpyxl.load_workbook(path)
            for tab, cells in case.merges:
                book[tab].merge_cells(cells)
            book.save(path)
        return path

    WORKBOOKS[f"corpus: {_case}"] = _broken


@workbook("merged cells")
def _merged(folder: Path) -> Path:
    path = write_xlsx(
        folder / "m.xlsx",
        {
            "Participants": [
                ["Mentor programme", None, None],
                ["Email", "Name", "Role"],
                [email("anna"), "Anna", "mentor"],
                [email("bo"), "Bo", "=C3"],
            ]
        },
    )
    book = openpyxl.load_workbook(path)
    book["Participants"].merge_cells("A1:C1")
    book["Participants"].merge_cells("C3:C4")  # a formula under the merge
    book["Participants"].merge_cells("E10:F11")  # over empty cells only
    book.save(path)
    return path


@workbook("partly formatted text, shared and inline")
def _rich(folder: Path) -> Path:
    path = write_xlsx(folder / "r.xlsx", basic_tabs())
    book = openpyxl.load_workbook(path)
    sheet = book["Participants"]
    sheet["B2"] = CellRichText(["Anna ", TextBlock(InlineFont(b=True), "Jansen")])
    sheet["B3"] = CellRichText([TextBlock(InlineFont(i=True), "Bo")])
    sheet["M2"] = CellRichText([])
    book.save(path)
    return path


@workbook("a stray far-away cell and formatting only")
def _stray(folder: Path) -> Path:
    path = write_xlsx(folder / "stray.xlsx", basic_tabs())
    book = openpyxl.load_workbook(path)
    book["Participants"]["XFD50"] = "oops"
    book["Participants"]["A5000"].font = openpyxl.styles.Font(bold=True)
    book.save(path)
    return path


@workbook("three thousand participants")
def _big(folder: Path) -> Path:
    people = [person(f"p{i}", "mentor" if i % 3 else "mentee") for i in range(3000)]
    return write_xlsx(folder / "big.xlsx", basic_tabs(people))


@workbook("an .xlsm workbook with macros")
def _macros(folder: Path) -> Path:
    path = write_xlsx(folder / "programme.xlsm", basic_tabs())
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/vbaProject.bin", b"macro bytes")
    return path


@workbook("an image, a chart and a chart sheet")
def _drawings(folder: Path) -> Path:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.drawing.image import Image
    from PIL import Image as Picture

    path = write_xlsx(folder / "d.xlsx", basic_tabs())
    Picture.new("RGB", (4, 4), "green").save(folder / "logo.png")
    book = openpyxl.load_workbook(path)
    people = book["Participants"]
    people.add_image(Image(str(folder / "logo.png")), "R1")
    chart = BarChart()
    chart.add_data(Reference(people, min_col=11, min_row=1, max_row=3), titles_from_data=True)
    people.add_chart(chart, "R5")
    book.create_chartsheet("Chart").add_chart(BarChart())
    book.save(path)
    return path


def _kinds(folder: Path, *, mac: bool = False) -> Path:
    book = openpyxl.Workbook()
    if mac:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "Kinds"
    values: list[Any] = [
        True,
        False,
        0,
        -7,
        2**60,
        5.0,
        0.1,
        1e20,
        -0.0,
        "",
        "  ",
        "a_x000D_b",
        "_x005F_x000D_",
        "two\nlines",
        date(2026, 11, 24),
        datetime(2026, 11, 24, 14, 30, 15, 250000),
        datetime(1900, 2, 1),
        time(3, 4, 5),
        timedelta(hours=30, minutes=1),
        timedelta(seconds=0.1234),
    ]
    for row, value in enumerate(values, 1):
        sheet.cell(row, 1, value)
    sheet["B1"] = "#N/A"
    sheet["B1"].data_type = "e"
    formats = [
        '"Day" 0',
        "[$-409]d-mmm-yy",
        "[h]:mm",
        "[mm]:ss",
        "[Red]0.00",
        "mm:ss",
        "0.00E+00",
        "@",
        "yyyy-mm-dd;@",
        "0;[Red]-0",
        "d",
        r"\d0",
        "_m0",
        "General",
    ]
    for row, number_format in enumerate(formats, 1):
        for column, number in ((3, 46350.75), (4, 0.25), (5, 1e9), (6, -1)):
            cell = sheet.cell(row, column, number)
            cell.number_format = number_format
    sheet["G1"] = "=A3+1"
    sheet["G2"] = ArrayFormula("G2:G3", "=SUM(A3:A4*2)")
    sheet["G5"] = "=TODAY()"
    book.create_sheet("Hidden")["A1"] = "hidden"
    book["Hidden"].sheet_state = "hidden"
    book.create_sheet("Very hidden")["B2"] = 1
    book["Very hidden"].sheet_state = "veryHidden"
    book.create_sheet("Empty")
    path = folder / "kinds.xlsx"
    book.save(path)
    return path


WORKBOOKS["every kind of value, as openpyxl writes them"] = _kinds
WORKBOOKS["every kind of value, 1904 dates"] = lambda folder: _kinds(folder, mac=True)

TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/book/wb.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/book/strings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PACKAGE_RELS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
HAND_MADE = {
    "[Content_Types].xml": TYPES,
    "_rels/.rels": f"<Relationships {PACKAGE_RELS}>"
    '<Relationship Id="rId1" Target="book/wb.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>',
    "book/wb.xml": f'<workbook {MAIN} {RELS}><workbookPr date1904="1"/><sheets>'
    '<sheet name="Made" sheetId="1" r:id="rId7"/><sheet name="Gone" sheetId="2" r:id="rId8"/>'
    '<sheet name="No id" sheetId="3"/><sheet name="Up" sheetId="4" r:id="rId9"/>'
    "</sheets></workbook>",
    "book/_rels/wb.xml.rels": f"<Relationships {PACKAGE_RELS}>"
    f'<Relationship Id="rId7" Type="{SHEET_TYPE}" Target="/sheets/made.xml"/>'
    f'<Relationship Id="rId8" Type="{SHEET_TYPE}" Target="sheets/missing.xml"/>'
    f'<Relationship Id="rId9" Type="{SHEET_TYPE}" Target="../up.xml"/></Relationships>',
    "book/strings.xml": f"<sst {MAIN}>"
    "<si><t>plain x005F_ text</t></si>"
    "<si><r><t>two </t></r><r><rPr><b/></rPr><t>runs</t></r><rPh sb='0' eb='1'><t>ふ</t></rPh></si>"
    "<si><t/></si><si><r><t xml:space='preserve'> spaced </t></r></si></sst>",
    "sheets/made.xml": f"<worksheet {MAIN}><sheetData>"
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c>'
    '<c r="E1" t="s"><v>3</v></c></row>'
    "<row><c><v>1.5</v></c><c t='b'><v>1</v></c><c t='e'><v>#DIV/0!</v></c>"
    "<c t='d'><v>2026-11-24T10:30:00</v></c><c t='d'><v>2026-11-24</v></c>"
    "<c t='str'><v>text result</v></c><c><v></v></c>"
    "<c t='inlineStr'><is><t>inline</t></is></c><c t='inlineStr'/></row>"
    '<row r="4.0"><c r="A4"><f t="shared" ref="A4:A7" si="0">B4*2</f><v>8</v></c>'
    '<c r="B4"><f>1+1</f></c><c r="C4" t="str"><f>""</f><v></v></c>'
    '<c r="D4"><f t="shared" ref="D4:D6" si="1">$A4+B$4</f></c></row>'
    '<row r="5"><c r="A5"><f t="shared" si="0"/><v>10</v></c>'
    '<c r="D5"><f t="shared" si="1"/></c></row>'
    '<row r="6"><c r="A6"><f t="shared" si="0"/></c><c r="D6"><f t="shared" si="1"/></c>'
    '<c r="E6"><f t="shared" si="9"/></c></row>'
    '<row r="8"><c r="C8" t="str"><f>A1</f><v>plain</v></c></row>'
    "</sheetData><mergeCells><mergeCell ref=\"E6:F7\"/><mergeCell ref='A1'/></mergeCells>"
    "</worksheet>",
    "up.xml": f'<worksheet {MAIN}><sheetData><row r="2"><c r="B2"><v>3</v></c></row>'
    "</sheetData></worksheet>",
}


@workbook("hand-made XML: shared formulas, cells without addresses, odd parts")
def _hand_made(folder: Path) -> Path:
    path = folder / "hand.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        for name, text in HAND_MADE.items():
            package.writestr(name, text)
    return path


# --- the comparison ----------------------------------------------------------------------


@pytest.mark.parametrize("name", WORKBOOKS)
def test_the_reader_reads_a_workbook_exactly_as_openpyxl_does(
    name: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = WORKBOOKS[name](in_tmp)
    capsys.readouterr()
    assert typed(read_xlsx(path)) == typed(read_with_openpyxl(path))


def test_hand_made_xml_reads_as_expected(tmp_path: Path) -> None:
    """The rules themselves, on the hand-made file (openpyxl agrees, above)."""
    sheets = read_xlsx(_hand_made(tmp_path))
    assert list(sheets.rows) == ["Made", "Up"]
    made = sheets.rows["Made"]
    assert made[0] == ("plain  text", "two runs", "", None, " spaced ")
    assert made[1] == (
        1.5,
        True,
        "#DIV/0!",
        datetime(2026, 11, 24, 10, 30),
        date(2026, 11, 24),
        "text result",
        None,
        "inline",
    )
    assert [row[:4] for row in made[3:6]] == [
        (8, Formula("=1+1"), Formula('=""'), Formula("=$A4+B$4")),
        (10, None, None, Formula("=$A5+B$4")),
        (Formula("=B6*2"), None, None, Formula("=$A6+B$4")),
    ]
    assert made[7] == (None, None, "plain")
    assert sheets.filled == {"Made": 8, "Up": 2}


def test_a_stored_result_beyond_the_sheets_stated_dimension_is_read(tmp_path: Path) -> None:
    """Where openpyxl slips (it reads C3 as the formula =A1*2), the reader does not."""
    path = tmp_path / "dimension.xlsx"
    sheet = (
        f'<worksheet {MAIN}><dimension ref="A1"/><sheetData><row r="1"><c r="A1"><v>1</v></c>'
        '</row><row r="3"><c r="C3"><f>A1*2</f><v>2</v></c></row></sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w") as package:
        for name, text in {**HAND_MADE, "sheets/made.xml": sheet}.items():
            package.writestr(name, text)
    assert read_xlsx(path).rows["Made"] == ((1,), (), (None, None, 2))
    assert read_with_openpyxl(path).rows["Made"][2] == (None, None, Formula("=A1*2"))


@pytest.mark.parametrize("index", sorted(BUILTIN_FORMATS))
def test_the_built_in_date_formats_are_openpyxls(index: int) -> None:
    code = BUILTIN_FORMATS[index]
    assert (index in xlsx_reader.BUILTIN_DATES, index in xlsx_reader.BUILTIN_DURATIONS) == (
        is_date_format(code),
        is_timedelta_format(code),
    )


CODES = [
    *BUILTIN_FORMATS.values(),
    '"Day" 0',
    "[$-409]d-mmm-yy",
    "[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy",
    "[h]:mm",
    "[H]:MM:SS",
    "[mm]:ss.00",
    "[ss].0",
    "[Red]0.00",
    "[Blue]General",
    '0 "days"',
    "0_)",
    "#,##0_m",
    "\\d0",
    "yyyy-mm-dd;@",
    "0;[Red]-0;d",
    "",
]


@pytest.mark.parametrize("code", CODES)
def test_a_custom_format_is_a_date_exactly_when_openpyxl_says_so(code: str) -> None:
    assert (xlsx_reader._is_date(code), xlsx_reader._is_duration(code)) == (
        is_date_format(code),
        is_timedelta_format(code),
    )


def test_reading_a_workbook_does_not_import_openpyxl(workbook_file: Path) -> None:
    """Importing openpyxl takes longer than a whole `check` may; only writing needs it."""
    script = (
        "import sys\n"
        "from pipeline.adapters.xlsx import XlsxWorkbook\n"
        f"assert XlsxWorkbook({str(workbook_file)!r}).read()['Participants']\n"
        "print(sorted(m for m in sys.modules if m.partition('.')[0] == 'openpyxl'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout == "[]\n"


def test_a_file_that_is_not_a_workbook_fails_in_the_reader_as_in_openpyxl(
    in_tmp: Path,
) -> None:
    for name, content in {
        "garbage.xlsx": b"not a workbook at all",
        "list.csv": b"Email,Name\n",
        "empty.xlsx": b"",
    }.items():
        (in_tmp / name).write_bytes(content)
        with pytest.raises(Exception):  # noqa: B017 - any kind: the adapter words it
            read_xlsx(in_tmp / name)
        with pytest.raises(Exception):  # noqa: B017
            read_with_openpyxl(in_tmp / name)


def test_the_comparison_notices_a_difference() -> None:
    """5 and 5.0 are equal in Python; the comparison tells them apart."""
    five: dict[str, tuple[Row, ...]] = {"T": ((5,),)}
    five_point_o: dict[str, tuple[Row, ...]] = {"T": ((5.0,),)}
    assert typed(Sheets(five, {"T": 1})) != typed(Sheets(five_point_o, {"T": 1}))
