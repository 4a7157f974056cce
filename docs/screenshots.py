"""The README's pictures: four tabs of the demo workbook and two of its mails, as PNG files.

`make screenshots` runs this with the venv's python. It builds the Dutch demo on a fixed day
in a temporary folder (as `make demo` does), prints each tab through LibreOffice
(`soffice --headless --convert-to pdf`, then `pdftoppm -png`), photographs the welcome mail
and the coordinator's digest with headless Chromium, crops every picture to its content and
writes them next to this file. The same day, the same seed and the same programs give a
fresh clone the same pictures.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import html
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image, ImageChops

from jobs.cli import main as mentorflow
from pipeline.core.vocab import MATCH_COLUMNS
from pipeline.core.vocab import TABS as TAB_NAMES

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
#: The demo's day: a Tuesday, so the night sends the digest (Monday's, within grace days).
DEMO_DAY = "2026-11-24"
#: The widest a picture gets: sharp at README width, not needlessly heavy.
MAX_WIDTH = 1400
#: Pixels of background kept around the content when cropping.
MARGIN = 16
#: The PDF's first (only) page as one PNG, at 200 dots an inch: sharp enough to scale down.
PDFTOPPM = ("-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile")
#: The browser window of the mails, in CSS pixels (twice as many in the picture): the
#: mail's 600 pixels and its padding wide, and taller than any mail; crop trims the rest.
MAIL_WINDOW = (700, 4000)
#: Where the pictures say the demo lies, instead of their temporary folder.
CLONE = "~/mentorflow"


@dataclass(frozen=True)
class Tab:
    """A tab of the demo workbook, printed on one page."""

    picture: str
    key: str  # the tab's key in pipeline.core.vocab.TABS; the demo names it in Dutch
    #: Columns left out of the picture (their headers), to keep its text readable.
    hidden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mail:
    """A message of the demo's outbox, chosen by the start of its file name."""

    picture: str
    prefix: str


TABS = (
    # The two addresses are the widest columns and say least about a match.
    Tab(
        "matches.png",
        "matches",
        tuple(MATCH_COLUMNS.word(key, "nl") for key in ("mentee_email", "mentor_email")),
    ),
    Tab("pairs.png", "pairs"),
    Tab("summary.png", "summary"),
    Tab("problems.png", "problems"),
)
MAILS = (
    Mail("welcome-mail.png", "M-0011_welcome_"),
    Mail("digest.png", "digest_"),
)
#: Every picture this script writes, the README's among them.
PICTURES = tuple(item.picture for item in (*TABS, *MAILS))

#: The programs needed, each with the names it goes by and its Debian package.
PROGRAMS = {
    "soffice": (("soffice", "libreoffice"), "libreoffice-calc"),
    "pdftoppm": (("pdftoppm",), "poppler-utils"),
    "chromium": (
        ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
        "chromium",
    ),
}
#: Installed with the programs when missing: the same font on every machine that installs.
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class Missing(Exception):
    """A program the pictures need is not installed and could not be."""


def find_programs() -> dict[str, str]:
    """The path of each program, installing the Debian packages of those missing when root."""
    found = {name: _which(names) for name, (names, _) in PROGRAMS.items()}
    packages = [PROGRAMS[name][1] for name, path in found.items() if path is None]
    if packages and not FONT.exists():
        packages.append("fonts-dejavu")
    if packages:
        _install(packages)
        found = {name: _which(names) for name, (names, _) in PROGRAMS.items()}
    still = [PROGRAMS[name][1] for name, path in found.items() if path is None]
    if still:
        raise Missing(f"Installed, but still not found: {', '.join(still)}.")
    return {name: path for name, path in found.items() if path is not None}


def _which(names: tuple[str, ...]) -> str | None:
    return next((path for name in names if (path := shutil.which(name))), None)


def _install(packages: list[str]) -> None:
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    geteuid = getattr(os, "geteuid", None)
    if shutil.which("apt-get") is None or geteuid is None or geteuid() != 0:
        raise Missing(
            f"The pictures need {', '.join(packages)} (Debian's package names). Install them, "
            f"for instance with `sudo {' '.join(command)}`, and run `make screenshots` again."
        )
    print(f"screenshots: installing {', '.join(packages)}", flush=True)
    subprocess.run(["apt-get", "update", "-q"], check=True)
    subprocess.run(command, check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def build_demo(work: Path) -> Path:
    """The demo's folder, built in WORK as `make demo` builds it in the repository.

    The repository's config, and the folder named `demo` as `make demo` names it: the
    digest names the workbook by its path, and a temporary one would change every picture.
    """
    config = ROOT / "config" / "mentorflow.toml"
    report = io.StringIO()
    with contextlib.chdir(work), contextlib.redirect_stdout(report):
        code = mentorflow(["--config", str(config), "--today", DEMO_DAY, "demo", "demo"])
    if code != 0:
        print(report.getvalue())
        raise SystemExit(f"screenshots: `mentorflow demo` ended with exit code {code}")
    return work / "demo"


def tab_pictures(workbook: Path, work: Path, programs: dict[str, str]) -> None:
    """One picture per tab: a copy of the workbook with only that tab, printed on one page."""
    copies = []
    for tab in TABS:
        book = load_workbook(workbook)
        name = TAB_NAMES.word(tab.key, "nl")
        for sheet in [sheet for sheet in book.worksheets if sheet.title != name]:
            book.remove(sheet)
        sheet = book[name]
        for row in sheet.iter_rows(max_row=10):
            for cell in row:
                if cell.value in tab.hidden:
                    sheet.column_dimensions[cell.column_letter].hidden = True
        # One page, with the grid and the row and column headings a coordinator sees.
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 1
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.gridLines = True
        sheet.print_options.headings = True
        copy = work / tab.picture.replace(".png", ".xlsx")
        book.save(copy)
        copies.append(copy)
    profile = (work / "libreoffice-profile").as_uri()
    _run(
        programs["soffice"],
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work),
        *map(str, copies),
    )
    for tab, copy in zip(TABS, copies, strict=True):
        stem = work / copy.stem
        _run(programs["pdftoppm"], *PDFTOPPM, str(copy.with_suffix(".pdf")), str(stem))
        save(crop(Image.open(stem.with_suffix(".png"))), DOCS / tab.picture)


def mail_pictures(outbox: Path, work: Path, programs: dict[str, str]) -> None:
    """The mail as a mail program shows it: sender, recipient, subject above the HTML part."""
    for mail in MAILS:
        (eml,) = sorted(outbox.glob(f"{mail.prefix}*.eml"))
        page = work / eml.with_suffix(".html").name
        text = as_page(eml)
        # The digest names the workbook by its full path: show the temporary folder as a
        # clone in the home folder, the same on every machine.
        for folder in {str(work.resolve()), str(work)}:
            text = text.replace(folder, CLONE)
        page.write_text(text, encoding="utf-8")
        shot = work / mail.picture
        _run(
            programs["chromium"],
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=2",
            f"--user-data-dir={tempfile.mkdtemp(dir=work)}",
            f"--screenshot={shot}",
            f"--window-size={MAIL_WINDOW[0]},{MAIL_WINDOW[1]}",
            page.as_uri(),
        )
        image = Image.open(shot)
        if not is_background(image.crop((0, image.height - 1, image.width, image.height))):
            raise SystemExit(
                f"screenshots: {eml.name} is taller than the window: raise MAIL_WINDOW's height"
            )
        save(crop(image, margin=2 * MARGIN), DOCS / mail.picture)


def as_page(eml: Path) -> str:
    """The .eml's HTML part, with its From, To, date and subject in a header above it."""
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("html",))
    assert body is not None, f"{eml.name} has no HTML part"
    text: str = body.get_content()
    day = message["Date"].datetime.strftime("%d %b %Y") if message["Date"] else ""
    rows = "".join(
        f'<tr><td style="color:#7b8794;padding:2px 12px 2px 0;">{label}</td>'
        f"<td>{html.escape(str(value))}</td></tr>"
        for label, value in (
            ("From", message["From"]),
            ("To", message["To"]),
            ("Date", day),
            ("Subject", message["Subject"]),
        )
    )
    header = (
        '<table style="max-width:600px;margin:0 auto 12px;font-size:13px;'
        'border-collapse:collapse;width:100%;">' + rows + "</table>"
    )
    found = re.search(r"<body[^>]*>", text)
    at = found.end() if found else 0
    return text[:at] + header + text[at:]


def is_background(strip: Image.Image) -> bool:
    """Whether the strip of pixels has one colour only."""
    return len(strip.convert("RGB").getcolors(maxcolors=2) or ()) == 1


def crop(image: Image.Image, margin: int = MARGIN) -> Image.Image:
    """The picture without the margin of its background colour (that of its top-left pixel)."""
    image = image.convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((0, 0)))
    box = ImageChops.difference(image, background).getbbox()
    if box is None:
        raise SystemExit("screenshots: a picture came out empty")
    left, top, right, bottom = box
    return image.crop(
        (
            max(left - margin, 0),
            max(top - margin, 0),
            min(right + margin, image.width),
            min(bottom + margin, image.height),
        )
    )


def save(image: Image.Image, path: Path) -> None:
    """Write the picture, no wider than MAX_WIDTH."""
    if image.width > MAX_WIDTH:
        height = round(image.height * MAX_WIDTH / image.width)
        image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    image.save(path, optimize=True)
    print(f"screenshots: {path.relative_to(ROOT)} ({image.width}x{image.height})")


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(
            f"screenshots: {Path(command[0]).name} ended with exit code {done.returncode}:\n"
            f"{done.stdout}{done.stderr}"
        )


def main() -> int:
    try:
        programs = find_programs()
    except Missing as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mentorflow-screenshots-") as name:
        work = Path(name)
        demo = build_demo(work)
        tab_pictures(demo / "programme.xlsx", work, programs)
        mail_pictures(demo / "outbox", work, programs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
