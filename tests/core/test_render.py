"""Emails: every template in every language renders, text stays text, names cannot inject."""

from __future__ import annotations

import email
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from email import policy

import pytest

from pipeline.core.cells import Cell
from pipeline.core.journey import RECIPIENTS, Message, journey
from pipeline.core.programme import Programme, read_programme
from pipeline.core.render import TEMPLATES, build, context, language_of, long_date, render
from pipeline.core.vocab import LANGUAGES
from pipeline.errors import TemplateProblem
from tests.conftest import MATCH_HEADER, PEOPLE_HEADER

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def programme(
    mentee_name: str = "Sanne de Vries",
    language: str | None = None,
    settings: tuple[tuple[str, str], ...] = (),
) -> Programme:
    def row(cells: dict[str, Cell]) -> list[Cell]:
        return [cells.get(h) for h in PEOPLE_HEADER]

    tabs: dict[str, list[Sequence[Cell]]] = {
        "Participants": [
            list(PEOPLE_HEADER),
            row(
                {
                    "Email": "sanne@zorg.example.org",
                    "Name": mentee_name,
                    "Role": "mentee",
                    "Start date": date(2026, 12, 14),
                    "Team": "PG De Linde",
                    "Email language": language,
                }
            ),
            row({"Email": "bram@zorg.example.org", "Name": "Bram Bakker", "Role": "mentor"}),
        ],
        "Matches": [
            list(MATCH_HEADER),
            [
                "M-0001",
                "sanne@zorg.example.org",
                "",
                "bram@zorg.example.org",
                "",
                50,
                "",
                "approved",
                date(2026, 11, 24),
                "",
            ],
        ],
        "Settings": [
            ["Setting", "Value"],
            ["Coordinator name", "Anouk Jansen"],
            ["Coordinator email", "anouk@zorg.example.org"],
            *settings,
        ],
    }
    return read_programme({k: tuple(tuple(r) for r in v) for k, v in tabs.items()})


def messages(prog: Programme) -> dict[tuple[str, str], Message]:
    """One message per (touchpoint, role), taken from the journey at its end."""
    found = journey(prog, date(2027, 6, 1))
    return {(m.touchpoint, m.role): m for m in found}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_renders_in_every_language_for_every_recipient(lang: str) -> None:
    prog = programme()
    found = messages(prog)
    expected = {(t, r) for t, roles in RECIPIENTS.items() for r in roles}
    assert set(found) == expected
    for (touchpoint, _role), message in sorted(found.items()):
        rendered = render(touchpoint, lang, context(prog, message, lang, message.due))
        assert rendered.subject and "\n" not in rendered.subject
        assert re.search(r"<[a-zA-Z/!]", rendered.text) is None, touchpoint  # no HTML in text
        assert "Anouk Jansen" in rendered.text and "Anouk Jansen" in rendered.html
        assert f'<html lang="{lang}">' in rendered.html


def test_every_touchpoint_has_all_three_files_in_every_language() -> None:
    for lang in LANGUAGES:
        for touchpoint in RECIPIENTS:
            for part in ("subject", "txt", "html"):
                assert (TEMPLATES / lang / f"{touchpoint}.{part}").is_file()


def test_a_missing_variable_fails_instead_of_reaching_an_inbox() -> None:
    prog = programme()
    message = messages(prog)[("welcome", "mentee")]
    variables = context(prog, message, "en", message.due)
    del variables["mentor_name"]
    with pytest.raises(TemplateProblem, match="'mentor_name' is undefined"):
        render("welcome", "en", variables)


def test_a_name_is_escaped_in_html_and_cannot_add_headers() -> None:
    prog = programme(mentee_name="Eve <script>x</script>\r\nBcc: all@evil.example.org")
    introduction = messages(prog)[("introduction", "mentor")]  # names the mentee in full
    shown = render("introduction", "en", context(prog, introduction, "en", introduction.due))
    assert "<script>" not in shown.html and "&lt;script&gt;x&lt;/script&gt;" in shown.html
    message = messages(prog)[("welcome", "mentee")]
    rendered = render("welcome", "en", context(prog, message, "en", message.due))
    sent = build(
        rendered,
        "Mentorprogramma <mentor@zorg.example.org>",
        message.to.name,
        message.to.email,
        NOW,
    )
    parsed = email.message_from_bytes(sent.as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None
    assert parsed["To"].addresses[0].addr_spec == "sanne@zorg.example.org"
    assert "\n" not in str(parsed["To"])


def test_a_message_is_multipart_alternative_with_a_unique_id() -> None:
    prog = programme()
    message = messages(prog)[("first_day", "mentor")]
    rendered = render("first_day", "nl", context(prog, message, "nl", message.due))
    built = [
        build(
            rendered,
            "Mentorprogramma <mentor@zorg.example.org>",
            "Bram Bakker",
            "bram@zorg.example.org",
            NOW,
        )
        for _ in range(50)
    ]
    parsed = email.message_from_bytes(built[0].as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Subject"] == "Vandaag is de eerste werkdag van Sanne de Vries"
    assert parsed["From"].addresses[0].display_name == "Mentorprogramma"
    assert len({m["Message-ID"] for m in built}) == 50


def test_each_recipient_gets_their_own_language() -> None:
    prog = programme(language="nb", settings=(("Language", "nl"),))
    found = messages(prog)
    assert language_of(prog, found[("welcome", "mentee")]) == "nb"
    assert language_of(prog, found[("first_day", "mentor")]) == "nl"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Monday 14 December 2026"),
        ("nl", "maandag 14 december 2026"),
        ("nb", "mandag 14. desember 2026"),
    ],
)
def test_dates_read_as_people_write_them(lang: str, text: str) -> None:
    assert long_date(date(2026, 12, 14), lang) == text
