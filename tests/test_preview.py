"""`mentorflow preview`: a match's message by any name the Mail log uses, and the digest."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from jobs.cli import main
from tests.conftest import TODAY, approved_pair, email, people_rows, person, write_xlsx

DAY = TODAY.isoformat()  # a Tuesday: the day after the default digest day, Monday


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--today", DAY, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def read_eml(path: Path) -> EmailMessage:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str, str]:
    """Subject, plain text and HTML: what the coordinator reads (not Date or Message-ID)."""
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return str(message["Subject"]), text.get_content(), html.get_content()


def digest_tabs(coordinator: str = email("coordinator")) -> dict[str, list[list[Any]]]:
    """M-0007 approved, Cas waiting for a mentor (proposed tonight), a row with a bad email."""
    tabs = approved_pair()
    people = [
        person("anna", "mentor", years_of_experience=10, capacity=2),
        person("bo", "mentee", years_of_experience=1),
        person("cas", "mentee", years_of_experience=1),
        {**person("dirk"), "Email": "dirk@"},
    ]
    tabs["Participants"] = people_rows(people)
    tabs["Settings"] += [["Coordinator name", "Carla Coordinator"]]
    tabs["Settings"] += [["Coordinator email", coordinator]]
    return tabs


@pytest.mark.parametrize(
    "name", ["first day", "eerste dag", "første dag", "FIRST_DAY", "First  Day", "first_day"]
)
def test_a_touchpoint_goes_by_any_name_the_mail_log_uses(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """English, Dutch and Norwegian as the Mail log writes them, and the internal name."""
    write_xlsx(in_tmp / "programme.xlsx", approved_pair())
    code, out, err = run_cli(capsys, "preview", "--match", "M-0007", "--touchpoint", name)
    assert (code, err) == (0, "")
    stem = Path("preview", "M-0007-first_day-mentor")
    subject = read_eml(in_tmp / stem.with_suffix(".eml"))["Subject"]
    assert out == f"wrote {stem}.eml and .html: {subject}\n"
    assert "Bo" in subject  # the mentor's first-day message is about the mentee


def test_every_name_of_a_touchpoint_gives_the_same_message(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(in_tmp / "programme.xlsx", approved_pair())
    seen = []
    for name in ("first day", "eerste dag", "første dag", "FIRST_DAY"):
        out = in_tmp / name
        assert (
            run_cli(
                capsys, "preview", "--match", "M-0007", "--touchpoint", name, "--out", str(out)
            )[0]
            == 0
        )
        (eml,) = out.glob("*.eml")
        seen.append((eml.name, parts(read_eml(eml))))
    assert seen == [seen[0]] * 4


@pytest.mark.parametrize(
    ("lang", "choices"),
    [
        (
            "en",
            "introduction, welcome, first day, first week, first month, quarter, wrap-up, "
            "evaluation reminder",
        ),
        (
            "nl",
            "kennismaking, welkom, eerste dag, eerste week, eerste maand, kwartaal, afsluiting, "
            "herinnering evaluatie",
        ),
        (
            "nb",
            "introduksjon, velkommen, første dag, første uke, første måned, kvartal, avslutning, "
            "påminnelse evaluering",
        ),
    ],
)
def test_an_unknown_touchpoint_is_one_line_listing_the_names_in_the_workbooks_language(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], lang: str, choices: str
) -> None:
    assert main(["init", "programme.xlsx", "--lang", lang]) == 0
    capsys.readouterr()
    code, out, err = run_cli(capsys, "preview", "--match", "M-0007", "--touchpoint", "first dag")
    assert (code, out) == (2, "")
    assert err == f'mentorflow: "first dag" is not a touchpoint; use one of: {choices}.\n'
    assert not (in_tmp / "preview").exists()


def test_the_digest_is_not_a_touchpoint_of_a_match(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(in_tmp / "programme.xlsx", approved_pair())
    code, _, err = run_cli(
        capsys, "preview", "--match", "M-0007", "--touchpoint", "coordinator digest"
    )
    assert (code, err) == (
        2,
        'mentorflow: "coordinator digest" is the coordinator\'s digest: preview it with '
        "--digest.\n",
    )


def test_the_digest_preview_is_what_the_nightly_run_sends_that_day(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tonight's proposal (Cas) and problems (dirk@) included; compared with the outbox."""
    write_xlsx(in_tmp / "programme.xlsx", digest_tabs())
    code, out, err = run_cli(capsys, "preview", "--digest")
    assert (code, err) == (0, "")
    stem = Path("preview", "digest-2026-11-23")
    previewed = read_eml(in_tmp / stem.with_suffix(".eml"))
    assert out == f"wrote {stem}.eml and .html: {previewed['Subject']}\n"
    assert "(1 to approve" in previewed["Subject"]
    html = (in_tmp / stem.with_suffix(".html")).read_text(encoding="utf-8")
    assert html.splitlines() == parts(previewed)[2].splitlines()
    assert previewed["To"] == f"Carla Coordinator <{email('coordinator')}>"

    assert run_cli(capsys, "nightly")[0] == 0  # the default transport: .eml files in outbox/
    (sent,) = (in_tmp / "outbox").glob("digest*.eml")
    assert parts(read_eml(sent)) == parts(previewed)
    assert "dirk@" in parts(previewed)[1]


def test_a_digest_without_a_coordinator_says_which_setting_to_fill(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(in_tmp / "programme.xlsx", digest_tabs(coordinator=""))
    code, out, err = run_cli(capsys, "preview", "--digest")
    assert (code, out) == (2, "")
    assert err == (
        'mentorflow: there is no coordinator to send the digest to: fill in "Coordinator email" '
        'on the "Settings" tab.\n'
    )


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        ((), "one of the arguments --match --digest is required"),
        (("--digest", "--match", "M-0007"), "argument --match: not allowed with argument --digest"),
        (
            ("--digest", "--touchpoint", "welcome"),
            "--touchpoint goes with --match, not with --digest",
        ),
        (("--match", "M-0007"), "--match needs --touchpoint NAME"),
    ],
)
def test_a_preview_is_of_a_match_or_of_the_digest(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], error: str
) -> None:
    write_xlsx(in_tmp / "programme.xlsx", approved_pair())
    with pytest.raises(SystemExit) as done:
        run_cli(capsys, "preview", *argv)
    assert done.value.code == 2
    assert capsys.readouterr().err.endswith(f"mentorflow preview: error: {error}\n")


def test_the_help_lists_the_touchpoints_as_the_mail_log_shows_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["preview", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert (
        "introduction, welcome, first day, first week, first month, quarter, wrap-up or "
        "evaluation reminder (as the Mail log shows it, in English, Dutch or Norwegian)"
    ) in shown
