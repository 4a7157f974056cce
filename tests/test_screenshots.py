"""The README's pictures: each one it shows is in docs/, a PNG that `make screenshots` writes.

The pictures themselves need LibreOffice and Chromium; these tests need neither.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from PIL import Image

from docs.screenshots import MAX_WIDTH, PICTURES, as_page, crop

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PICTURE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)|<img\s[^>]*src=\"([^\"]+)\"")


def readme_pictures() -> list[str]:
    """Every picture the README shows, as Markdown `![...](path)` or HTML `<img src>`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [markdown or html for markdown, html in PICTURE.findall(text)]


def test_the_readme_shows_exactly_the_pictures_make_screenshots_writes() -> None:
    assert sorted(f"docs/{name}" for name in PICTURES) == sorted(set(readme_pictures()))


def test_every_picture_of_the_readme_is_a_png_in_docs_at_readme_width() -> None:
    for link in readme_pictures():
        path = ROOT / link
        assert path.read_bytes()[:8] == PNG_SIGNATURE, link
        with Image.open(path) as image:
            assert image.format == "PNG", link
            assert 600 <= image.width <= MAX_WIDTH, (link, image.size)


def test_docs_holds_no_picture_the_target_does_not_write() -> None:
    assert sorted(path.name for path in DOCS.glob("*.png")) == sorted(PICTURES)


def test_the_makefile_target_runs_the_script() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^screenshots: .*\n\t.*docs/screenshots\.py$", makefile, re.MULTILINE)
    assert re.search(r"^\.PHONY:.*\bscreenshots\b", makefile, re.MULTILINE)


def test_a_mail_is_shown_with_its_sender_recipient_and_subject_above_its_body(
    tmp_path: Path,
) -> None:
    message = EmailMessage()
    message["From"] = "Mentorprogramma <mentor@example.org>"
    message["To"] = "Ayoub Brouwer <ayoub@example.org>"
    message["Subject"] = "Maak kennis met je mentor"
    message["Date"] = "Tue, 24 Nov 2026 02:17:00 +0100"
    message.set_content("Beste Ayoub,")
    message.add_alternative(
        '<html><body style="margin:0"><p>Beste Ayoub,</p></body></html>', "html"
    )
    eml = tmp_path / "welcome.eml"
    eml.write_bytes(bytes(message))

    page = as_page(eml)

    assert page.startswith('<html><body style="margin:0"><table')
    assert page.endswith("</table><p>Beste Ayoub,</p></body></html>\n")
    for shown in (
        "Mentorprogramma &lt;mentor@example.org&gt;",
        "Ayoub Brouwer &lt;ayoub@example.org&gt;",
        "24 Nov 2026",
        "Maak kennis met je mentor",
    ):
        assert shown in page


def test_crop_keeps_the_content_and_a_margin_of_background() -> None:
    image = Image.new("RGB", (400, 300), "white")
    image.paste((0, 0, 0), (100, 50, 200, 120))

    assert crop(image, margin=20).size == (140, 110)
