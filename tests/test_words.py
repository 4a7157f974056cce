"""The words mentorflow writes read as a native speaker would write them (issue 14, "Words").

One form of address per language (informal: "je" in Dutch, "du" in Norwegian), the default
programme name in the reader's language, singular and plural by count, and the Mail log's
own Details in the workbook's language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from pipeline.adapters.mailer import RecordingMailer
from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core import digest, explain, layout, problem_text, render, summary, vocab
from pipeline.core.models import Problem
from pipeline.core.programme import read_programme
from pipeline.core.settings import SPECS
from pipeline.core.vocab import COLUMNS, MAIL_STATUSES, TABS, Phrases, Term, Vocabulary
from pipeline.errors import MailRefused, MailUnavailable
from tests.conftest import MATCH_HEADER, PEOPLE_HEADER, records
from tests.test_mail import DAY0, nightly_run

#: The formal "u" and "uw" as Dutch writes them (a word of its own, any case).
FORMAL = re.compile(r"\b(u|uw)\b", re.IGNORECASE)


def dutch_in(module: object) -> Iterator[tuple[str, str]]:
    """(where, text) for every Dutch word or sentence a module keeps in Terms or Phrases."""
    for name, value in vars(module).items():
        if isinstance(value, (Phrases, Vocabulary)):
            for term in value.terms.values():
                yield f"{name}.{term.key}", term.nl
        elif isinstance(value, Term):
            yield name, value.nl


def dutch_texts() -> Iterator[tuple[str, str]]:
    """Every Dutch text mentorflow writes: the how-to tab, the Settings tab, Problems, the
    Why column, the digest and Summary words, the Mail log's words and the email templates."""
    for line in layout._HOWTO["nl"]:
        yield "how-to", line
    for key, spec in SPECS.items():
        yield f"setting {key}", f"{spec.label.nl} {spec.help.nl}"
    for code, texts in problem_text._CATALOGUE.items():
        yield f"problem {code}", f"{texts[2]} {texts[3]}"
    for module in (problem_text, explain, digest, summary, render, vocab):
        yield from dutch_in(module)
    for path in sorted((render.templates() / "nl").iterdir()):
        yield path.name, path.read_text(encoding="utf-8")


def test_the_scan_for_the_formal_form_finds_it() -> None:
    """The pattern below catches the u-form, and not a word that merely holds a u."""
    assert FORMAL.search("Lijsten scheidt u met ;") and FORMAL.search("Uw aandacht")
    assert not FORMAL.search("Je kunt je mentor bereiken; uitsluitingen, duur")


def test_no_dutch_text_uses_the_formal_form() -> None:
    """Dutch texts say "je", as the mails always did: never "u" or "uw"."""
    found = [(where, text) for where, text in dutch_texts() if FORMAL.search(text)]
    assert found == []


def test_the_dutch_texts_are_found() -> None:
    """The scan above reads the texts it means to read."""
    places = {where.split()[0] for where, _ in dutch_texts()}
    assert {"how-to", "setting", "problem", "welcome.txt", "digest.html"} <= places
    assert len(list(dutch_texts())) > 300


# -- The default programme name, in the reader's language ---------------------------------

START = DAY0 + timedelta(days=20)


def person(name: str, role: str, lang: str, start: date | None = None) -> list[Any]:
    cells = {
        "Email": f"{name}@zorg.example.org",
        "Name": name.title(),
        "Role": role,
        "Start date": start,
        "Email language": lang,
    }
    return [cells.get(h) for h in PEOPLE_HEADER]


def english_book(lang: str, *settings: list[Any]) -> InMemoryWorkbook:
    """An English workbook with one approved pair who read their mail in `lang`."""
    match: dict[str, Any] = {
        "Match ID": "M-0001",
        "Mentee email": "mentee@zorg.example.org",
        "Mentor email": "mentor@zorg.example.org",
        "Status": "approved",
        "Proposed on": DAY0,
    }
    return InMemoryWorkbook(
        {
            "Participants": [
                list(PEOPLE_HEADER),
                person("mentee", "mentee", lang, START),
                person("mentor", "mentor", lang),
            ],
            "Matches": [list(MATCH_HEADER), [match.get(h, "") for h in MATCH_HEADER]],
            "Settings": [["Setting", "Value"], ["Send: coordinator digest", "no"], *settings],
        }
    )


def text_of(message: EmailMessage, kind: str = "plain") -> str:
    """The message's plain text, or its HTML's words, on one line."""
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    content = str(part.get_content())
    if kind == "html":
        content = html.unescape(re.sub(r"<[^>]+>", " ", content))
    return " ".join(content.split())


THANKS = {
    "en": "Thank you for being a mentor in the mentor programme.",
    "nl": "Fijn dat je mentor bent in het mentorprogramma.",
    "nb": "Takk for at du er mentor i mentorprogrammet.",
}
WELCOME = {
    "en": "Welcome to the mentor programme!",
    "nl": "Welkom bij het mentorprogramma!",
    "nb": "Velkommen til mentorprogrammet!",
}
FOOTER = {
    "en": "This message was sent by the mentor programme.",
    "nl": "Dit bericht is verstuurd door het mentorprogramma.",
    "nb": "Denne meldingen er sendt fra mentorprogrammet.",
}


@pytest.mark.parametrize(
    "named", [[], ["Programme name", "Mentor programme"]], ids=["empty", "init's default"]
)
@pytest.mark.parametrize("lang", ["en", "nl", "nb"])
def test_the_default_programme_name_is_in_the_readers_language(lang: str, named: list[Any]) -> None:
    """An English workbook without a name of its own (or with the default `init` typed in)
    writes to Dutch and Norwegian readers in their words, not "Mentor programme"."""
    mailer = RecordingMailer()
    book = english_book(lang, *([named] if named else []))
    nightly_run(book, DAY0, mailer)  # the introduction, to the mentor
    nightly_run(book, START - timedelta(days=7), mailer)  # the welcome, to the mentee
    introduction, welcome = (message for _, message in mailer.sent)
    assert THANKS[lang] in text_of(introduction)
    assert WELCOME[lang] in text_of(welcome)
    assert FOOTER[lang] in text_of(welcome, "html")
    if lang != "en":
        for message in (introduction, welcome):
            for kind in ("plain", "html"):
                assert "Mentor programme" not in text_of(message, kind)


def test_a_programme_name_of_its_own_stays_as_typed() -> None:
    mailer = RecordingMailer()
    nightly_run(english_book("nl", ["Programme name", "Samen Sterk"]), DAY0, mailer)
    introduction = mailer.sent[0][1]
    assert "Fijn dat je mentor bent in Samen Sterk." in text_of(introduction)


# -- Singular and plural --------------------------------------------------------------------

UNMATCHED = {
    ("unmatched_full", 1): {
        "en": "No mentor proposed for Naima Vos: the one suitable mentor has no free place.",
        "nl": "Geen mentor voorgesteld voor Naima Vos: de enige geschikte mentor heeft geen "
        "plek meer.",
        "nb": "Ingen mentor foreslått for Naima Vos: den eneste passende mentoren har ingen "
        "ledig plass.",
    },
    ("unmatched_full", 2): {
        "en": "No mentor proposed for Naima Vos: the 2 suitable mentors have no free place.",
        "nl": "Geen mentor voorgesteld voor Naima Vos: de 2 geschikte mentoren hebben geen "
        "plek meer.",
        "nb": "Ingen mentor foreslått for Naima Vos: de 2 passende mentorene har ingen ledig "
        "plass.",
    },
    ("unmatched_not_allowed", 1): {
        "en": "No mentor proposed for Naima Vos: the only mentor is ruled out (1 excluded).",
        "nl": "Geen mentor voorgesteld voor Naima Vos: de enige mentor valt af (1 uitgesloten).",
        "nb": "Ingen mentor foreslått for Naima Vos: den eneste mentoren er utelukket (1 unntatt).",
    },
}


@pytest.mark.parametrize("lang", ["en", "nl", "nb"])
@pytest.mark.parametrize(("code", "count"), list(UNMATCHED))
def test_an_unmatched_mentee_reads_singular_for_one_mentor(
    code: str, count: int, lang: str
) -> None:
    problem = Problem.at(
        "Participants", 3, "Name", code, "", value="Naima Vos", count=count, breakdown="excluded:1"
    )
    assert problem_text.render(problem, lang)[1] == UNMATCHED[code, count][lang]


@pytest.mark.parametrize("lang", ["en", "nl", "nb"])
def test_a_mentor_over_capacity_with_one_match_reads_singular(lang: str) -> None:
    problem = Problem.at(
        "Participants",
        3,
        "Capacity",
        "over_capacity",
        "",
        value="Bo",
        count=1,
        capacity=0,
        ids="M-0001",
    )
    expected = {
        "en": "Bo mentors 1 match (M-0001) with a Capacity of 0.",
        "nl": "Bo begeleidt 1 koppeling (M-0001) bij een Capaciteit van 0.",
        "nb": "Bo er mentor i 1 kobling (M-0001) med Kapasitet 0.",
    }
    assert problem_text.render(problem, lang)[1] == expected[lang]


# -- The Mail log's Details in the workbook's language --------------------------------------


def dutch_book(pairs: int, mail_log: Sequence[Sequence[Any]] = ()) -> InMemoryWorkbook:
    """A Dutch workbook: Dutch tabs and headers, `pairs` approved pairs, and the Mail log's
    rows `mail_log` (with its header), if any."""

    def nl(tab: str, header: tuple[str, ...]) -> list[str]:
        return [COLUMNS[tab].word(str(COLUMNS[tab].key_of(h)), "nl") for h in header]

    people: list[list[Any]] = [nl("participants", PEOPLE_HEADER)]
    matches: list[list[Any]] = [nl("matches", MATCH_HEADER)]
    for n in range(pairs):
        people += [person(f"mentee{n}", "mentee", "", START), person(f"mentor{n}", "mentor", "")]
        match: dict[str, Any] = {
            "Match ID": f"M-{n + 1:04d}",
            "Mentee email": f"mentee{n}@zorg.example.org",
            "Mentor email": f"mentor{n}@zorg.example.org",
            "Status": "goedgekeurd",
            "Proposed on": DAY0,
        }
        matches.append([match.get(h, "") for h in MATCH_HEADER])
    tabs: dict[str, list[list[Any]]] = {
        "Deelnemers": people,
        "Koppelingen": matches,
        "Instellingen": [["Instelling", "Waarde"], ["Versturen: overzicht coördinator", "nee"]],
    }
    if mail_log:
        tabs["Maillog"] = [list(row) for row in mail_log]
    return InMemoryWorkbook(tabs)


def mail_log(book: InMemoryWorkbook) -> list[dict[str | None, Any]]:
    return records(book.tabs[TABS.word("mail_log", "nl")], "mail_log")


class Unreachable(RecordingMailer):
    def send(self, message: EmailMessage, key: str) -> None:
        raise MailUnavailable("451 try again later")


class Refusing(RecordingMailer):
    def send(self, message: EmailMessage, key: str) -> None:
        raise MailRefused("550 5.1.1 user unknown")


def test_a_message_that_could_not_go_is_logged_in_dutch_and_tried_again() -> None:
    """The server's answer stays as it said it, after a Dutch prefix; the next run still
    knows a passing failure by its Dutch words and sends it."""
    book = dutch_book(pairs=2)
    report = nightly_run(book, DAY0, Unreachable())
    assert [(r["status"], r["detail"]) for r in mail_log(book)] == [
        ("mislukt", "tijdelijk niet verstuurd: 451 try again later"),
        (
            "mislukt",
            "tijdelijk niet verstuurd: niet geprobeerd, de mailserver was niet bereikbaar",
        ),
    ]
    assert {p.code for p in report.problems if p.code.startswith("mail_")} == {"mail_retry"}
    later = RecordingMailer()
    nightly_run(book, DAY0 + timedelta(days=1), later)
    assert len(later.sent) == 2
    details = [str(r["detail"]) for r in mail_log(book)]
    assert details[0].startswith("verstuurd bij een nieuwe poging, 25-11-2026 ")


def test_a_refused_message_is_logged_in_dutch_and_not_tried_again() -> None:
    book = dutch_book(pairs=1)
    report = nightly_run(book, DAY0, Refusing())
    [row] = mail_log(book)
    assert (row["status"], row["detail"]) == ("mislukt", "geweigerd: 550 5.1.1 user unknown")
    [problem] = [p for p in report.problems if p.code.startswith("mail_")]
    assert (problem.code, dict(problem.params)["answer"]) == (
        "mail_failed",
        "550 5.1.1 user unknown",
    )
    later = RecordingMailer()
    nightly_run(book, DAY0 + timedelta(days=1), later)
    assert later.sent == []


def test_a_run_that_stopped_while_sending_is_logged_in_dutch() -> None:
    """A key left pending (no journal to say more) becomes unknown, in Dutch words, and its
    Problems row gives the reason in Dutch too."""
    key = "M-0001/introduction/mentor0@zorg.example.org"
    cells = {
        "key": key,
        "match_id": "M-0001",
        "touchpoint": "kennismaking",
        "to": "mentor0@zorg.example.org",
        "status": MAIL_STATUSES.word("pending", "nl"),
    }
    pending = [cells.get(k, "") for k in COLUMNS["mail_log"].terms]
    book = dutch_book(1, [layout.header("mail_log", "nl"), pending])
    report = nightly_run(book, DAY0, RecordingMailer())
    [row] = [r for r in mail_log(book) if r["key"] == key]
    assert (row["status"], row["detail"]) == (
        "onbekend",
        "de run stopte tijdens het versturen: het bericht is misschien wel, misschien niet "
        "aangekomen",
    )
    [problem] = [p for p in report.problems if p.code == "mail_unknown"]
    assert dict(problem.params)["answer"] == "de run stopte tijdens het versturen"
    programme = read_programme(book.read())
    assert programme.language == "nl"
