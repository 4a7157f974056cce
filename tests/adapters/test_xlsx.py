"""The .xlsx adapter: coordinator cells untouched, text stays text, atomic saves, backups per
run, locks refused."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jobs.cli import main
from pipeline.adapters.mailer import OutboxMailer
from pipeline.adapters.xlsx import BACKUPS_KEPT, XlsxWorkbook, backups
from pipeline.core.changes import Append, Plan, Replace, Update
from pipeline.core.night import named
from pipeline.core.programme import read_programme
from pipeline.core.vocab import JOB_TABS, TABS
from pipeline.errors import WorkbookError, WorkbookLockedError
from pipeline.run import Delivery, RunContext, run
from tests.conftest import TODAY, basic_tabs, email, people_rows, person, write_xlsx

DATA = Path(__file__).parent.parent / "data"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def every_cell(path: Path) -> dict[tuple[str, str], tuple[object, str, str]]:
    """Value, type and number format of every cell of every tab but the job's own."""
    book = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): (c.value, c.data_type, c.number_format)
        for ws in book.worksheets
        if TABS.key_of(ws.title) not in JOB_TABS
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def coordinator_people() -> list[dict[str, Any]]:
    """People with every kind of cell a coordinator types: dates, numbers, formulas, scripts."""
    return [
        person(
            "anna",
            "mentor",
            start_date=datetime(2020, 1, 6),
            shifts="day;night",
            goals="wondzorg\nmedicatie",
            years_of_experience=12.5,
            capacity=2,
        ),
        person("bo", start_date=46350, languages="Nederlands, Türkçe", team="=Somatiek"),
        {**person("x", "mentee"), "Email": "x@", "Name": "Дмитрий Иванов"},
        {**person("cas"), "Name": '=HYPERLINK("http://x","y")'},
        {**person("dex"), "Goals": "g" * 10_000, "Name": "李小龙"},
        {**person("eve"), "Start date": "=DATE(2026,12,1)"},
    ]


def test_a_run_leaves_every_coordinator_cell_as_it_was(in_tmp: Path) -> None:
    people = coordinator_people()
    tabs = basic_tabs(people)
    path = write_xlsx(
        in_tmp / "programme.xlsx", tabs, [("Participants", "B5"), ("Participants", "F3")]
    )
    before = every_cell(path)
    report = run(XlsxWorkbook(path), named("check"), RunContext(TODAY))
    assert report.plan  # the Problems tab was written
    assert every_cell(path) == before
    names = {p.name for p in read_programme(XlsxWorkbook(path).read()).participants}
    assert {'=HYPERLINK("http://x","y")', "李小龙"} <= names


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+31 6 12345678", "-1", "@home", "=1+1"]
)
def test_text_written_by_the_job_stays_text(in_tmp: Path, text: str) -> None:
    path = write_xlsx(in_tmp / "b.xlsx", {"T": [["A"]]})
    book = XlsxWorkbook(path)
    book.read()
    book.apply(Plan((Append("T", ((text,),)),)))
    cell = openpyxl.load_workbook(path)["T"]["A2"]
    assert (cell.value, cell.data_type) == (text, "s")


def test_a_formula_with_a_stored_result_is_read_as_that_result() -> None:
    """LibreOffice saves formula results; openpyxl does not, so the LibreOffice file is used."""
    result = read_programme(XlsxWorkbook(DATA / "libreoffice.xlsx", writable=False).read())
    cem = result.person("cem.kaya@zorg.example.org")
    assert cem is not None and cem.start_date == date(2026, 12, 15)


def test_a_workbook_saved_by_libreoffice_is_read_fully() -> None:
    result = read_programme(XlsxWorkbook(DATA / "libreoffice.xlsx", writable=False).read())
    assert result.language == "nl"
    assert [p.name for p in result.participants] == [
        "Anna Jansen",
        "Bo Smit",
        "Cem Kaya",
        "Дина Алиева",
    ]
    assert [(p.row, p.column, p.code) for p in result.problems] == [(6, "E-mail", "email_invalid")]
    assert result.participants[3].start_date == date(2026, 12, 15)


def test_a_formula_without_a_stored_result_is_a_problem(in_tmp: Path) -> None:
    tabs = basic_tabs([person("bo", start_date="=TODAY()+7")])
    result = read_programme(XlsxWorkbook(write_xlsx(in_tmp / "f.xlsx", tabs)).read())
    assert [(p.row, p.column, p.code, dict(p.params)["value"]) for p in result.problems] == [
        (2, "Start date", "formula_no_value", "=TODAY()+7")
    ]


def test_merged_cells_read_as_one_value(in_tmp: Path) -> None:
    path = write_xlsx(
        in_tmp / "m.xlsx",
        {
            "Participants": [
                ["Mentor programme", None, None],
                ["Email", "Name", "Role"],
                [email("anna"), "Anna", "mentor"],
                [email("bo"), "Bo", "mentee"],
            ]
        },
    )
    book = openpyxl.load_workbook(path)
    book["Participants"].merge_cells("A1:C1")
    book["Participants"].merge_cells("C3:C4")
    book.save(path)
    result = read_programme(XlsxWorkbook(path).read())
    assert [(p.name, p.role) for p in result.participants] == [("Anna", "mentor")]
    assert [(p.row, p.code) for p in result.problems] == [(4, "role_missing")]


@pytest.mark.parametrize("lock", ["~$programme.xlsx", "~$ogramme.xlsx", ".~lock.programme.xlsx#"])
def test_a_workbook_open_in_excel_or_libreoffice_is_not_written(
    workbook_file: Path, lock: str
) -> None:
    (workbook_file.parent / lock).write_text("owner")
    before = digest(workbook_file)
    with pytest.raises(WorkbookLockedError) as caught:
        XlsxWorkbook(workbook_file)
    assert str(caught.value) == (
        f'"programme.xlsx" is open in Excel or LibreOffice (lock file '
        f'"{workbook_file.parent / lock}"). Close the workbook and run again; nothing was '
        "written. If it is not open on any computer, delete that lock file: a crash leaves "
        "one behind."
    )
    assert digest(workbook_file) == before
    assert XlsxWorkbook(workbook_file, writable=False).read()  # reading is still fine


def test_a_workbook_opened_during_the_run_is_not_written(workbook_file: Path) -> None:
    book = XlsxWorkbook(workbook_file)
    book.read()
    (workbook_file.parent / "~$programme.xlsx").write_text("owner")
    with pytest.raises(WorkbookLockedError):
        book.apply(Plan((Replace("Problems", (("x",),)),)))


def test_a_workbook_changed_during_the_run_is_not_overwritten(workbook_file: Path) -> None:
    book = XlsxWorkbook(workbook_file)
    book.read()
    write_xlsx(workbook_file, basic_tabs([person("someone.else", "mentor")]))
    after_edit = digest(workbook_file)
    with pytest.raises(WorkbookLockedError, match="changed by someone else"):
        book.apply(Plan((Replace("Problems", (("x",),)),)))
    assert digest(workbook_file) == after_edit


def test_a_run_that_saves_many_times_keeps_one_backup_of_the_workbook_before_it(
    workbook_file: Path,
) -> None:
    before = digest(workbook_file)
    book = XlsxWorkbook(workbook_file)
    book.read()
    for number in range(5):
        book.apply(Plan((Replace("Problems", (("run",), (number,))),)))
    kept = backups(workbook_file, workbook_file.parent / "backups")
    assert [digest(b) for b in kept] == [before]
    assert [p.name for p in workbook_file.parent.iterdir() if p.name.startswith(".~")] == []
    assert XlsxWorkbook(workbook_file).read()["Problems"] == (("run",), (4,))


def test_the_last_fourteen_runs_are_kept_and_the_oldest_dropped(workbook_file: Path) -> None:
    versions = []
    for number in range(BACKUPS_KEPT + 1):
        versions.append(digest(workbook_file))
        XlsxWorkbook(workbook_file).apply(Plan((Replace("Problems", (("run",), (number,))),)))
    kept = backups(workbook_file, workbook_file.parent / "backups")
    assert (BACKUPS_KEPT, [digest(b) for b in kept]) == (14, versions[1:])
    assert sorted(kept) == kept  # a file browser shows them in the same order


def test_backups_go_by_time_and_leave_other_workbooks_backups_alone(
    workbook_file: Path,
) -> None:
    folder = workbook_file.parent / "backups"
    folder.mkdir()
    older = folder / "programme-20261124-023000-000000001.xlsx"  # an older version's name
    others = [folder / "programme-2-20200101-000000-000000000.xlsx", folder / "programme-x.xlsx"]
    for path in (older, *others):
        path.write_bytes(b"x")
    for _ in range(BACKUPS_KEPT):
        XlsxWorkbook(workbook_file).apply(Plan((Replace("Problems", (("x",),)),)))
    kept = backups(workbook_file, folder)
    assert older not in kept and all(path.exists() for path in others)
    stamps = [
        datetime.strptime(p.name[len("programme-") : -len("123456789Z.xlsx")], "%Y%m%dT%H%M%S.")
        for p in kept
    ]
    assert len(kept) == BACKUPS_KEPT and stamps == sorted(stamps)
    assert abs(stamps[-1].replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() < 60


def test_a_run_sending_forty_messages_ten_a_minute_keeps_one_backup(in_tmp: Path) -> None:
    """The mail stage saves before and after each chunk: still one backup for the run."""
    from tests.test_mail import DAY0, tabs

    path = write_xlsx(in_tmp / "programme.xlsx", tabs(pairs=40))  # an introduction each
    before = digest(path)
    book = XlsxWorkbook(path)
    saves: list[Plan] = []

    def commit(plan: Plan) -> None:
        saves.append(plan)
        book.apply(plan)

    delivery = Delivery(
        OutboxMailer(in_tmp / "outbox"),
        "Mentorprogramma <mentor@zorg.example.org>",
        lambda: datetime.combine(DAY0, datetime.min.time(), tzinfo=UTC),
        commit,
        per_minute=10,
        sleep=lambda _: None,
    )
    report = run(book, named("mail"), RunContext(DAY0, delivery=delivery))
    assert report.exit_code == 0
    assert (len(os.listdir(in_tmp / "outbox")), len(saves)) == (40, 8)
    assert [digest(b) for b in backups(path, in_tmp / "backups")] == [before]


DAMAGED = "not a valid .xlsx file (damaged, or another kind of file renamed)"


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("garbage.xlsx", b"not a workbook at all", DAMAGED),
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "an old Excel 97-2003 file"),
        ("list.csv", b"Email,Name\n", "a CSV text file"),
        ("empty.xlsx", b"", DAMAGED),
    ],
)
def test_an_unreadable_file_is_one_clear_error(
    in_tmp: Path, name: str, content: bytes, kind: str
) -> None:
    (in_tmp / name).write_bytes(content)
    with pytest.raises(WorkbookError) as caught:
        XlsxWorkbook(in_tmp / name)
    assert str(caught.value) == (
        f'"{in_tmp / name}" cannot be read as an .xlsx workbook: it is {kind}. Open it in '
        'Excel or LibreOffice and save it as "Excel Workbook (.xlsx)".'
    )


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["check", "nightly", "--dry-run nightly"])
def test_a_missing_workbook_says_where_it_was_looked_for_and_how_to_make_one(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, err = run_cli(capsys, *command.split())
    assert (code, out) == (2, "")
    assert err == (
        f'mentorflow: The workbook "programme.xlsx" does not exist. mentorflow looked for '
        f'"programme.xlsx" in {in_tmp}. Create it with "mentorflow init programme.xlsx", or '
        'give the path of your workbook: "path" under [workbook] in the config, or --workbook '
        "FILE.xlsx.\n"
    )
    assert list(in_tmp.iterdir()) == []  # no backups or lock folder beside nothing


def test_a_workbook_in_a_missing_folder_says_that_folder_is_missing(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "--workbook", "data/programme.xlsx", "check")
    given = Path("data", "programme.xlsx")  # data\programme.xlsx on Windows
    assert (code, err) == (
        2,
        f'mentorflow: The workbook "{given}" does not exist. mentorflow looked for '
        f'"programme.xlsx" in {in_tmp / "data"} (a folder that does not exist). Create it with '
        f'"mentorflow init {given}", or give the path of your workbook: "path" '
        "under [workbook] in the config, or --workbook FILE.xlsx.\n",
    )
    assert not (in_tmp / "data").exists()


@pytest.mark.parametrize("lock", ["~$programme.xlsx", ".~lock.programme.xlsx#"])
def test_a_stale_lock_file_says_to_close_the_workbook_or_delete_it(
    workbook_file: Path, capsys: pytest.CaptureFixture[str], lock: str
) -> None:
    (workbook_file.parent / lock).write_text("owner")
    code, out, err = run_cli(capsys, "nightly")
    assert (code, out) == (2, "")
    assert err == (
        f'mentorflow: "programme.xlsx" is open in Excel or LibreOffice (lock file '
        f'"{workbook_file.parent / lock}"). Close the workbook and run again; nothing was '
        "written. If it is not open on any computer, delete that lock file: a crash leaves "
        "one behind.\n"
    )
    (workbook_file.parent / lock).unlink()  # as the message says
    assert run_cli(capsys, "nightly")[0] == 0


def test_an_update_writes_over_cells_in_place_as_text_and_dates(in_tmp: Path) -> None:
    header = ("Time", "To", "Status", "Detail", "Key")
    pending = (datetime(2026, 11, 24, 2, 30), "a@x.org", "pending", None, "k1")
    path = write_xlsx(in_tmp / "log.xlsx", {"Mail log": [header, pending]})
    book = XlsxWorkbook(path)
    book.read()
    sent = datetime(2026, 11, 24, 2, 31)
    book.apply(Plan((Update("Mail log", 2, (sent, None, "failed", "=1+1", None)),)))
    cells = openpyxl.load_workbook(path)["Mail log"]
    assert [(c.value, c.data_type, c.number_format) for c in cells[2]] == [
        (sent, "d", "yyyy-mm-dd hh:mm"),
        ("a@x.org", "s", "General"),
        ("failed", "s", "General"),
        ("=1+1", "s", "General"),
        ("k1", "s", "General"),
    ]


def test_an_update_does_not_move_where_later_appends_land(in_tmp: Path) -> None:
    header = ("Time", "To", "Status", "Detail", "Key")
    path = write_xlsx(in_tmp / "log.xlsx", {"Mail log": [header]})
    book = XlsxWorkbook(path)
    book.read()
    book.apply(Plan((Append("Mail log", ((None, "a", "pending"), (None, "b", "pending"))),)))
    book.apply(
        Plan(
            (
                Update("Mail log", 2, (None, None, "sent")),
                Append("Mail log", ((None, "c", "pending"),)),
                Update("Mail log", 4, (None, None, "failed")),
            )
        )
    )
    book.apply(Plan((Append("Mail log", ((None, "d", "pending"),)),)))
    rows = XlsxWorkbook(path).read()["Mail log"]
    assert [r[1:3] for r in rows[1:]] == [
        ("a", "sent"),
        ("b", "pending"),
        ("c", "failed"),
        ("d", "pending"),
    ]


def test_create_never_overwrites(workbook_file: Path) -> None:
    before = digest(workbook_file)
    with pytest.raises(WorkbookError, match="already exists"):
        XlsxWorkbook.create(workbook_file, [])
    assert digest(workbook_file) == before


def test_a_big_tab_is_read_without_filling_it_with_empty_cells(in_tmp: Path) -> None:
    people = [person(f"p{i}", "mentor" if i % 3 else "mentee") for i in range(3000)]
    path = write_xlsx(in_tmp / "big.xlsx", basic_tabs(people))
    result = read_programme(XlsxWorkbook(path).read())
    assert len(result.participants) == 3000


def test_the_participants_tab_can_be_anywhere_in_a_wide_sheet(in_tmp: Path) -> None:
    header = ["Notes", *people_rows([])[0]]
    path = write_xlsx(
        in_tmp / "w.xlsx", {"Participants": [header, ["keep", email("anna"), "Anna", "mentor"]]}
    )
    result = read_programme(XlsxWorkbook(path).read())
    assert [p.email for p in result.participants] == [email("anna")]


def test_images_and_charts_in_the_workbook_survive_a_save(workbook_file: Path) -> None:
    """openpyxl drops images unless Pillow is installed; a coordinator's logo must stay."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.drawing.image import Image
    from PIL import Image as Picture

    Picture.new("RGB", (4, 4), "green").save(workbook_file.parent / "logo.png")
    book = openpyxl.load_workbook(workbook_file)
    people = book["Participants"]
    logo = io.BytesIO((workbook_file.parent / "logo.png").read_bytes())
    people.add_image(Image(logo), "R1")
    chart = BarChart()
    chart.add_data(Reference(people, min_col=11, min_row=1, max_row=3), titles_from_data=True)
    people.add_chart(chart, "R5")
    book.save(workbook_file)

    run(XlsxWorkbook(workbook_file), named("check"), RunContext(TODAY))
    with zipfile.ZipFile(workbook_file) as saved:
        names = saved.namelist()
    assert [n for n in names if n.startswith("xl/media/")] == ["xl/media/image1.png"]
    assert [n for n in names if n.startswith("xl/charts/chart")] == ["xl/charts/chart1.xml"]


def test_a_stray_far_away_cell_costs_one_row_not_a_grid(in_tmp: Path) -> None:
    path = write_xlsx(in_tmp / "stray.xlsx", basic_tabs())
    book = openpyxl.load_workbook(path)
    book["Participants"]["XFD50"] = "oops"
    book["Participants"]["A5000"].font = openpyxl.styles.Font(bold=True)  # formatting only
    book.save(path)
    rows = XlsxWorkbook(path).read()["Participants"]
    assert (len(rows), len(rows[-1]), rows[-1][-1], sum(len(r) for r in rows[3:-1])) == (
        50,
        16384,
        "oops",
        0,
    )


def test_rows_of_formulas_showing_nothing_are_not_appended_over(in_tmp: Path) -> None:
    """Formulas dragged down a column (LibreOffice stored their result "") are cells too."""
    copy = in_tmp / "lo.xlsx"
    copy.write_bytes((DATA / "libreoffice.xlsx").read_bytes())
    workbook = XlsxWorkbook(copy)
    assert [p.row for p in read_programme(workbook.read()).problems] == [6]  # no rows 8-11
    workbook.apply(Plan((Append("Deelnemers", (("new@zorg.example.org",),)),)))
    saved = openpyxl.load_workbook(copy)["Deelnemers"]
    assert [saved[f"H{r}"].value for r in range(8, 12)] == [
        f'=IF(A{r}="","",A{r})' for r in range(8, 12)
    ]
    assert (saved["A11"].value, saved["A12"].value) == (None, "new@zorg.example.org")


def test_partly_formatted_text_keeps_its_formatting(workbook_file: Path) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = openpyxl.load_workbook(workbook_file)
    book["Participants"]["B2"] = CellRichText(["Anna ", TextBlock(InlineFont(b=True), "Jansen")])
    book.save(workbook_file)
    workbook = XlsxWorkbook(workbook_file)
    assert read_programme(workbook.read()).participants[0].name == "Anna Jansen"
    workbook.apply(Plan((Replace("Problems", (("x",),)),)))
    saved = openpyxl.load_workbook(workbook_file, rich_text=True)["Participants"]["B2"].value
    assert isinstance(saved, CellRichText)
    assert [(getattr(part, "font", None) and part.font.b, str(part)) for part in saved] == [
        (None, "Anna "),
        (True, "Jansen"),
    ]


def test_the_macros_of_an_xlsm_workbook_survive_a_save(in_tmp: Path) -> None:
    path = write_xlsx(in_tmp / "programme.xlsm", basic_tabs())
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/vbaProject.bin", b"macro bytes")
    run(XlsxWorkbook(path), named("check"), RunContext(TODAY))
    with zipfile.ZipFile(path) as saved:
        assert saved.read("xl/vbaProject.bin") == b"macro bytes"
