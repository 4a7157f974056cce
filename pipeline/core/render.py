"""Journey messages as emails: templates rendered in the recipient's language, then MIME.

Templates live in templates/email/<lang>/<touchpoint>.{subject,txt,html} (jinja2 with
StrictUndefined, so a missing variable fails a test instead of reaching an inbox; HTML
autoescaped, so a name can never become markup). They ship inside the package as
`mentorflow_templates` (pyproject.toml), so the installed command needs no checkout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.journey import Message
from pipeline.core.programme import Programme
from pipeline.core.settings import programme_name
from pipeline.core.vocab import Phrases
from pipeline.errors import TemplateProblem

# Imported where they are used, not by every command that imports this module (issue 12:
# quick to start): jinja2, the email package's headers, importlib.resources.
if TYPE_CHECKING:
    from email.headerregistry import Address
    from email.message import EmailMessage

    import jinja2


def _shipped(folder: str) -> Path:
    """A folder of templates/ in the repository, wherever the package is installed."""
    from importlib.resources import files

    found = files("mentorflow_templates") / folder
    # An installed wheel and `pip install -e .` both keep it as a real folder on disk.
    assert isinstance(found, Path), f"mentorflow_templates is not a folder: {found}"
    return found


@cache
def templates() -> Path:
    """The email templates shipped with mentorflow (TEMPLATES)."""
    return _shipped("email")


def __getattr__(name: str) -> Path:
    if name == "TEMPLATES":
        return templates()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: How a long date is written inside a sentence, per language (CLDR patterns, via Babel).
_LONG_DATE = {"en": "EEEE d MMMM y", "nl": "EEEE d MMMM y", "nb": "EEEE d. MMMM y"}
#: Sentences pointing to the coordinator
_CONTACT = Phrases(
    {
        "both": (
            "Contact {name} at {email}.",
            "Neem contact op met {name} via {email}.",
            "Ta kontakt med {name} på {email}.",
        ),
        "email": ("Write to {email}.", "Mail naar {email}.", "Skriv til {email}."),
        "none": (
            "Contact the coordinator of {programme}.",
            "Neem contact op met de coördinator van {programme}.",
            "Ta kontakt med koordinatoren for {programme}.",
        ),
        "coordinator": (
            "the coordinator of {programme}",
            "de coördinator van {programme}",
            "koordinatoren for {programme}",
        ),
    }
)


def month_name(month: int, lang: str) -> str:
    """'November', 'november', 'november': as it is written inside a sentence."""
    from babel.dates import get_month_names

    return str(get_month_names("wide", locale=lang if lang in _LONG_DATE else "en")[month])


def long_date(day: date, lang: str) -> str:
    """'maandag 14 december 2026', 'Monday 14 December 2026', 'mandag 14. desember 2026'."""
    from babel.dates import format_date

    lang = lang if lang in _LONG_DATE else "en"
    return format_date(day, _LONG_DATE[lang], locale=lang)


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def language_of(programme: Programme, message: Message) -> str:
    return message.to.email_language or programme.email_language


def programme_variables(programme: Programme, lang: str) -> dict[str, str]:
    """What every template may say about the programme and whom to contact."""
    settings = programme.settings
    name, in_text = programme_name(settings, lang), programme_name(settings, lang, in_text=True)
    coordinator, address = settings.coordinator_name, settings.coordinator_email
    if coordinator and address:
        contact = _CONTACT.word("both", lang).format(name=coordinator, email=address)
    elif address:
        contact = _CONTACT.word("email", lang).format(email=address)
    else:
        contact = _CONTACT.word("none", lang).format(programme=in_text)
    return {
        "programme": name,  # as a title: a subject, a signature
        "the_programme": in_text,  # inside a sentence
        "organisation_or_programme": settings.organisation or in_text,
        "coordinator_or_programme": coordinator
        or _CONTACT.word("coordinator", lang).format(programme=in_text),
        "contact": contact,
        "signature": coordinator or name,
    }


def timing(start: date | None, today: date) -> str:
    """Where the mentee stands on the night a message goes (SPEC §1, "Start date").

    "coming": the first working day is still ahead; "today": it is today; "started": it
    has passed; "colleague": no start date, an existing colleague mentored for development.
    """
    if start is None:
        return "colleague"
    return "coming" if start > today else "today" if start == today else "started"


def context(programme: Programme, message: Message, lang: str, today: date) -> dict[str, object]:
    """Every variable a match's templates may use; all present, so StrictUndefined never trips.

    The wording follows the facts on `today`, the night the message goes: `timing` says
    whether the first working day is to come, has come, or does not exist.
    """
    settings = programme.settings
    mentee, mentor = message.mentee, message.mentor
    previous = message.previous_mentor
    return {
        **programme_variables(programme, lang),
        "role": message.role,
        "recipient_name": message.to.name,
        "recipient_first": first_name(message.to.name),
        "mentee_name": mentee.name,
        "mentee_first": first_name(mentee.name),
        "mentee_email": mentee.email,
        "mentee_team": mentee.team,
        "mentee_discipline": mentee.discipline,
        "mentor_name": mentor.name,
        "mentor_first": first_name(mentor.name),
        "mentor_email": mentor.email,
        "start_date": long_date(mentee.start_date, lang) if mentee.start_date else "",
        "timing": timing(mentee.start_date, today),
        "previous_mentor_name": previous.name if previous else "",
        "previous_mentor_first": first_name(previous.name) if previous else "",
        "evaluation_link": settings.evaluation_form_link,
    }


@cache
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    import jinja2

    # The organisation's own copies first; a template it did not copy comes from ours.
    search = dict.fromkeys(folder.resolve() for folder in (*folders, templates()))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(search)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        keep_trailing_newline=False,
    )


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(
    touchpoint: str,
    lang: str,
    variables: Mapping[str, object],
    folders: Sequence[Path] = (),
) -> Rendered:
    """Subject (one line), plain text and HTML of one touchpoint in one language.

    `folders` are searched before the templates shipped with mentorflow.
    """
    import jinja2

    env = _environment(tuple(folders))
    name = f"{lang}/{touchpoint}.subject"
    try:
        subject = " ".join(env.get_template(name).render(variables).split())
        name = f"{lang}/{touchpoint}.txt"
        text = env.get_template(name).render(variables).strip() + "\n"
        name = f"{lang}/{touchpoint}.html"
        html = env.get_template(name).render(subject=subject, **variables)
    except jinja2.TemplateError as exc:
        raise TemplateProblem(_where(exc, name)) from exc
    return Rendered(subject, text, html)


def _where(exc: jinja2.TemplateError, name: str) -> str:
    """'the template nl/introduction.subject, line 1: unexpected end of template'."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        place = f"the template {exc.filename or exc.name or name}, line {exc.lineno}"
    else:
        place = f"the template {name}"  # (or one it includes)
    return f"{place}: {(exc.message or type(exc).__name__).rstrip('.')}"


def _address(name: str, email: str) -> Address:
    from email.headerregistry import Address

    # A name from a cell may hold line breaks; one line of it, so no header can be injected.
    local, _, domain = email.strip().rpartition("@")
    return Address(display_name=" ".join(name.split()), username=local, domain=domain)


def build(
    rendered: Rendered,
    sender: str,
    to_name: str,
    to_email: str,
    now: datetime,
    reply_to: tuple[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message (a real plain-text part and an HTML part).

    `reply_to` (name, address): where a reply goes, the coordinator for journey mail, so
    that a mentee answering a welcome reaches a person and not the sending mailbox.
    """
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime, make_msgid

    sender_name, _, sender_address = sender.rpartition("<")
    sender_address = sender_address.rstrip(">").strip() or sender.strip()
    message = EmailMessage(policy=SMTP)
    message["From"] = _address(sender_name.strip().strip('"'), sender_address)
    message["To"] = _address(to_name, to_email)
    if reply_to is not None and "@" in reply_to[1]:
        message["Reply-To"] = _address(*reply_to)
    message["Subject"] = " ".join(rendered.subject.split())
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
