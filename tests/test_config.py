"""Config: where an organisation's own email templates are found, and that they come first."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import openpyxl
import pytest

from jobs.cli import delivery_for, main
from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.config import load_config
from pipeline.errors import ConfigError
from tests.conftest import TODAY, approved_pair, records, write_xlsx


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_templates_folder_named_in_config_is_relative_to_the_config_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "org" / "mails").mkdir(parents=True)
    config = load_config(
        write(tmp_path / "org" / "settings" / "mf.toml", '[mail]\ntemplates = "../mails"\n')
    )
    assert config.email_templates == ((tmp_path / "org" / "mails").resolve(),)
    delivery = delivery_for(config, InMemoryWorkbook({}), TODAY, dry_run=True)
    assert delivery.templates == config.email_templates


def test_without_a_setting_templates_email_beside_the_config_counts(tmp_path: Path) -> None:
    """Beside the file, and beside its folder when that is config/ (the repository layout)."""
    (tmp_path / "templates" / "email").mkdir(parents=True)
    (tmp_path / "config" / "templates" / "email").mkdir(parents=True)
    assert load_config(write(tmp_path / "config" / "mentorflow.toml")).email_templates == (
        (tmp_path / "config" / "templates" / "email").resolve(),
        (tmp_path / "templates" / "email").resolve(),
    )
    # any other folder: only its own templates/email, not the one beside it
    assert load_config(write(tmp_path / "demo" / "mentorflow.toml")).email_templates == ()
    (tmp_path / "demo" / "templates" / "email").mkdir(parents=True)
    assert load_config(tmp_path / "demo" / "mentorflow.toml").email_templates == (
        (tmp_path / "demo" / "templates" / "email").resolve(),
    )


def test_a_templates_folder_that_is_not_there_is_one_line_and_exit_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp / "config" / "mentorflow.toml", '[mail]\ntemplates = "huisstijl"\n')
    code = main(["check"])
    out, err = capsys.readouterr()
    missing = (in_tmp / "config" / "huisstijl").resolve()
    assert (code, out) == (2, "")
    assert err == (
        f"mentorflow: {Path('config', 'mentorflow.toml')}: mail.templates names the folder "
        f"{missing}, which does not exist. Create it with your copies of the email templates, "
        "or remove the line to use the shipped ones.\n"
    )


def test_a_templates_setting_must_be_text(tmp_path: Path) -> None:
    path = write(tmp_path / "mentorflow.toml", "[mail]\ntemplates = 3\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}: 'mail.templates' must be text in quotes, not 3."


def test_the_organisations_templates_come_first_template_by_template(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its own introduction subject and page frame; every other template is the shipped one."""
    ours = in_tmp / "huisstijl"
    write(ours / "nl" / "introduction.subject", "Kennismaking bij De Linde: {{ mentee_first }}")
    write(
        ours / "_layout.html",
        "<html><body>HUISSTIJL {% block content %}{% endblock %}</body></html>",
    )
    config = write(in_tmp / "config" / "mentorflow.toml", '[mail]\ntemplates = "../huisstijl"\n')
    assert main(["--config", str(config), "demo", "--today", TODAY.isoformat()]) == 0
    capsys.readouterr()
    sent = {
        "_".join(path.name.split("_")[:2]): message_from_bytes(path.read_bytes(), policy=default)
        for path in (in_tmp / "demo" / "outbox").glob("*.eml")
    }
    assert sorted(sent) == [
        "M-0009_introduction",
        "M-0011_introduction",
        "M-0011_welcome",
        "digest_2026-11-23",
    ]
    introduction, digest = sent["M-0009_introduction"], sent["digest_2026-11-23"]
    assert str(introduction["Subject"]).startswith("Kennismaking bij De Linde: ")
    introduction_html = introduction.get_body(("html",))
    assert introduction_html is not None
    html = introduction_html.get_content()
    assert "HUISSTIJL" in html and "<p>" in html  # our frame around the shipped text
    assert "Kennismaking bij De Linde" not in str(digest["Subject"])
    digest_html = digest.get_body(("html",))
    assert digest_html is not None
    assert "HUISSTIJL" in digest_html.get_content()


def test_a_preview_shows_the_organisations_templates(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(in_tmp / "programme.xlsx", approved_pair())
    write(
        in_tmp / "templates" / "email" / "en" / "first_week.subject", "Week one, {{ mentee_first }}"
    )
    write(in_tmp / "config" / "mentorflow.toml")
    assert main(["preview", "--match", "M-0007", "--touchpoint", "first_week"]) == 0
    out = capsys.readouterr().out
    assert "Week one, Bo" in out and "Your first week" not in out


def test_a_mistake_in_the_organisations_template_fails_that_message_only_until_corrected(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = in_tmp / "huisstijl"
    subject = write(ours / "nl" / "introduction.subject", "Kennismaking: {{ mentee_first ")
    config = write(in_tmp / "config" / "mentorflow.toml", '[mail]\ntemplates = "../huisstijl"\n')
    assert main(["--config", str(config), "demo", "--today", TODAY.isoformat()]) == 1
    capsys.readouterr()
    outbox = in_tmp / "demo" / "outbox"
    assert sorted(p.name.split("_")[0] for p in outbox.glob("*.eml")) == ["digest"]
    book = openpyxl.load_workbook(in_tmp / "demo" / "programme.xlsx")
    rows = list(book["Problemen"].iter_rows(values_only=True))
    problems = [r["problem"] for r in records(rows, "problems")]
    unwritten = [p for p in problems if "kon niet worden opgesteld" in p]
    assert len(unwritten) == 2  # both introductions; the welcome waits for its introduction
    assert "nl/introduction.subject, line 1: unexpected end of template" in unwritten[0]

    subject.write_text("Kennismaking: {{ mentee_first }}", encoding="utf-8")  # corrected
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    demo_config = str(in_tmp / "demo" / "mentorflow.toml")
    write(
        Path(demo_config),
        Path(demo_config)
        .read_text(encoding="utf-8")
        .replace("[mail]\n", f'[mail]\ntemplates = "{ours.as_posix()}"\n'),
    )
    assert main(["--config", demo_config, "--today", tomorrow, "nightly"]) == 0
    sent = sorted("_".join(p.name.split("_")[:2]) for p in outbox.glob("*.eml"))
    assert sent == [
        "M-0009_introduction",
        "M-0011_introduction",
        "M-0011_welcome",
        "digest_2026-11-23",
    ]


MICROSOFT = (
    '[microsoft]\ntenant = "org.onmicrosoft.com"\n'
    'client_id = "11111111-2222-3333-4444-555555555555"\n'
)
SITE = "https://org.sharepoint.com/sites/Mentoring/Shared Documents/programme.xlsx"


def test_the_microsoft_365_config_is_read_whole(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path / "mf.toml",
            f'[workbook]\nsharepoint = "{SITE}"\n{MICROSOFT}'
            f'[sources]\nintake = "{SITE}x"\n'
            '[mail]\ntransport = "microsoft"\nmailbox = "mentor@org.example.nl"\n',
        )
    )
    assert config.sharepoint == SITE and config.workbook_path is None
    assert config.microsoft == {
        "tenant": "org.onmicrosoft.com",
        "client_id": "11111111-2222-3333-4444-555555555555",
    }
    assert config.sources == {"intake": SITE + "x"}
    assert (config.mail.transport, config.mail.mailbox) == ("microsoft", "mentor@org.example.nl")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'[workbook]\nsharepoint = "{SITE}"\n', "needs \\[microsoft\\] tenant and client_id"),
        (
            f'[workbook]\nsharepoint = "{SITE}"\n[microsoft]\ntenant = "org.onmicrosoft.com"\n',
            "needs \\[microsoft\\] client_id",
        ),
        (f'{MICROSOFT}[mail]\ntransport = "microsoft"\n', "mail.mailbox .* is not set"),
        ('[mail]\ntransport = "microsoft"\nmailbox = "m@org.nl"\n', "mail.transport 'microsoft'"),
        (f'[workbook]\nsharepoint = "{SITE}"\npath = "x.xlsx"\n', "both 'path' and 'sharepoint'"),
        (f'[sources]\nintake = "{SITE}"\n', "\\[sources\\] needs \\[microsoft\\]"),
        (f'{MICROSOFT}[sources]\nanswers = "x.xlsx"\n', "unknown key 'sources.answers'"),
    ],
)
def test_an_incomplete_microsoft_365_config_is_one_line(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path / "mf.toml", text))
