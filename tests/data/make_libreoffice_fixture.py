"""Regenerate tests/data/libreoffice.xlsx: a workbook written by LibreOffice Calc, not openpyxl.

Needs LibreOffice (`apt-get install libreoffice-calc-nogui`); the tests only read the result.
Run: python tests/data/make_libreoffice_fixture.py
"""

import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent


def main() -> None:
    book = openpyxl.Workbook()
    people = book.active
    people.title = "Deelnemers"
    people.append(
        ["E-mail", "Naam", "Rol", "Startdatum", "Jaren ervaring", "Diensten", "Opmerking"]
    )
    people.append(
        ["anna.jansen@zorg.example.org", "Anna Jansen", "mentor", None, 12, "dag; nacht", "x"]
    )
    people.append(
        ["bo.smit@zorg.example.org", "Bo Smit", "mentee", date(2026, 12, 1), 1, "dag", None]
    )
    people.append(["cem.kaya@zorg.example.org", "Cem Kaya", "mentee", "=D3+14", 0, "avond", None])
    people.append(
        ["dina.ali@zorg.example.org", "Дина Алиева", "mentee", "15-12-2026", None, "nacht", None]
    )
    people.append(["eve@zorg", "Eve", "mentee", None, None, None, None])
    people["G2"].value = '=HYPERLINK("http://x","y")'
    for row in range(8, 12):  # dragged-down formulas that show nothing ("")
        people[f"H{row}"] = f'=IF(A{row}="","",A{row})'
    people["G2"].data_type = "s"
    instellingen = book.create_sheet("Instellingen")
    instellingen.append(["Instelling", "Waarde"])
    instellingen.append(["Taal", "nl"])
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.xlsx"
        book.save(source)
        out = Path(tmp) / "out"
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--calc",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        shutil.copy(out / "source.xlsx", HERE / "libreoffice.xlsx")


if __name__ == "__main__":
    main()
