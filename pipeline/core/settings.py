"""The Settings tab: every programme setting, its words in three languages, type and default."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pipeline.core.cells import (
    Cell,
    is_blank,
    parse_amount,
    parse_bool,
    parse_count,
    parse_email,
    parse_term,
    parse_whole_number,
    quote,
    text,
)
from pipeline.core.models import Problem
from pipeline.core.schema import Table
from pipeline.core.vocab import BOOLEANS, EMAIL_LANGUAGES, TOUCHPOINTS, WEEKDAYS, Term, Vocabulary
from pipeline.errors import CellError

CRITERIA = Vocabulary(
    [
        Term("goals", "goals", "doelen", "mål"),
        Term("discipline", "discipline", "discipline", "yrkesgruppe"),
        Term("team", "team", "team", "team"),
        Term("shifts", "shifts", "diensten", "vakter"),
        Term("location", "location", "locatie", "arbeidssted"),
        Term("language", "language", "taal", "språk"),
        Term("preference", "preference", "voorkeur", "ønske"),
    ]
)
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "goals": 40,
        "discipline": 20,
        "team": 10,
        "shifts": 10,
        "location": 10,
        "language": 10,
        "preference": 50,
    }
)
#: Days from the mentee's start date (SPEC §1); `introduction` goes out on approval.
DEFAULT_OFFSETS: Mapping[str, int] = MappingProxyType(
    {
        "welcome": -7,
        "first_day": 0,
        "first_week": 7,
        "first_month": 30,
        "quarter": 91,
        "wrap_up": 150,
        "evaluation_reminder": 164,
    }
)
ALL_TOUCHPOINTS = tuple(TOUCHPOINTS.terms)
PROGRAMME_NAME = Term("programme_name", "Mentor programme", "Mentorprogramma", "Mentorprogram")
#: The default name inside a sentence ("Thank you for being a mentor in the mentor programme")
PROGRAMME_IN_TEXT = Term(
    "programme_in_text", "the mentor programme", "het mentorprogramma", "mentorprogrammet"
)
_DEFAULT_NAMES = Vocabulary([PROGRAMME_NAME, PROGRAMME_IN_TEXT])


def programme_name(settings: Settings, lang: str, in_text: bool = False) -> str:
    """The programme's name in `lang`: the Settings' own, or the default in `lang` (as a
    title, or `in_text`, as it reads inside a sentence).

    A new workbook has its language's default typed in (`mentorflow init`); a default in any
    language counts as the default, so a Dutch mail from an English workbook says
    "Mentorprogramma", not "Mentor programme".
    """
    name = settings.programme_name
    if name.strip() and _DEFAULT_NAMES.key_of(name) is None:
        return name
    return (PROGRAMME_IN_TEXT if in_text else PROGRAMME_NAME).word(lang)


@dataclass(frozen=True)
class Settings:
    programme_name: str = ""
    organisation: str = ""
    coordinator_name: str = ""
    coordinator_email: str = ""
    language: str | None = None
    evaluation_form_link: str = ""
    auto_approve: bool = False
    match_horizon_days: int = 60
    minimum_group_size: int = 3
    min_experience_gap: float = 1.0
    grace_days: int = 7
    programme_length_days: int = 180
    digest_day: str = "monday"
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    offsets: Mapping[str, int] = field(default_factory=lambda: DEFAULT_OFFSETS)
    touchpoints_on: frozenset[str] = frozenset(ALL_TOUCHPOINTS)


Parser = Callable[[Cell], object]


MAX_WEIGHT = 1000.0  # points; far beyond any sensible weight, well within float32 scores


def _weight(value: Cell) -> object:
    weight = parse_amount(value)
    if weight > MAX_WEIGHT:
        raise CellError("weight_too_large", value)
    return weight


def _text(value: Cell) -> object:
    return text(value)


def _email(value: Cell) -> object:
    return parse_email(value)


def _language(value: Cell) -> object:
    return parse_term(value, EMAIL_LANGUAGES, "language_unknown")


def _bool(value: Cell) -> object:
    return parse_bool(value, BOOLEANS)


def _weekday(value: Cell) -> object:
    return parse_term(value, WEEKDAYS, "weekday_unknown")


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: Term
    help: Term
    parse: Parser
    default: object


def _spec(
    key: str,
    labels: tuple[str, str, str],
    helps: tuple[str, str, str],
    parse: Parser,
    default: object,
) -> SettingSpec:
    return SettingSpec(key, Term(key, *labels), Term(key, *helps), parse, default)


def _specs() -> list[SettingSpec]:
    specs = [
        _spec(
            "programme_name",
            ("Programme name", "Naam programma", "Programnavn"),
            ("Shown in every email.", "Staat in elke e-mail.", "Vises i hver e-post."),
            _text,
            "",
        ),
        _spec(
            "organisation",
            ("Organisation", "Organisatie", "Organisasjon"),
            (
                "Your organisation's name, used in emails.",
                "De naam van je organisatie, gebruikt in e-mails.",
                "Navnet på organisasjonen din, brukt i e-poster.",
            ),
            _text,
            "",
        ),
        _spec(
            "coordinator_name",
            ("Coordinator name", "Naam coördinator", "Koordinatorens navn"),
            (
                "Who mentors and new colleagues can contact.",
                "Bij wie mentoren en nieuwe collega's terechtkunnen.",
                "Hvem mentorer og nye kolleger kan kontakte.",
            ),
            _text,
            "",
        ),
        _spec(
            "coordinator_email",
            ("Coordinator email", "E-mail coördinator", "Koordinatorens e-post"),
            (
                "Receives the weekly digest.",
                "Ontvangt het wekelijkse overzicht.",
                "Får den ukentlige oversikten.",
            ),
            _email,
            "",
        ),
        _spec(
            "language",
            ("Language", "Taal", "Språk"),
            (
                "Default email language: nl, en or nb.",
                "Standaardtaal van e-mails: nl, en of nb.",
                "Standardspråk for e-post: nl, en eller nb.",
            ),
            _language,
            None,
        ),
        _spec(
            "evaluation_form_link",
            ("Evaluation form link", "Link evaluatieformulier", "Lenke til evalueringsskjema"),
            (
                "Sent with the wrap-up message.",
                "Gaat mee met de afsluitende e-mail.",
                "Sendes med avslutningsmeldingen.",
            ),
            _text,
            "",
        ),
        _spec(
            "auto_approve",
            ("Auto-approve", "Automatisch goedkeuren", "Godkjenn automatisk"),
            (
                "yes: proposals are approved at once.",
                "ja: voorstellen worden direct goedgekeurd.",
                "ja: forslag godkjennes med en gang.",
            ),
            _bool,
            False,
        ),
        _spec(
            "match_horizon_days",
            ("Match horizon (days)", "Koppelhorizon (dagen)", "Koblingshorisont (dager)"),
            (
                "Match new colleagues who start within this many days.",
                "Koppel nieuwe collega's die binnen zoveel dagen beginnen.",
                "Koble nye kolleger som begynner innen så mange dager.",
            ),
            parse_count,
            60,
        ),
        _spec(
            "minimum_group_size",
            ("Minimum group size", "Minimale groepsgrootte", "Minste gruppestørrelse"),
            (
                "Smaller groups show no figures on Summary.",
                "Kleinere groepen krijgen geen cijfers in het Overzicht.",
                "Mindre grupper vises uten tall i Oppsummering.",
            ),
            parse_count,
            3,
        ),
        _spec(
            "min_experience_gap",
            (
                "Minimum experience gap (years)",
                "Minimaal verschil in ervaring (jaren)",
                "Minste forskjell i erfaring (år)",
            ),
            (
                "A mentor has at least this many more years of experience.",
                "Een mentor heeft minstens zoveel jaar meer ervaring.",
                "En mentor har minst så mange flere års erfaring.",
            ),
            parse_amount,
            1.0,
        ),
        _spec(
            "grace_days",
            ("Grace days", "Uitloopdagen", "Respittdager"),
            (
                "A message may go out at most this many days late.",
                "Een bericht mag hooguit zoveel dagen te laat verstuurd worden.",
                "En melding kan sendes høyst så mange dager for sent.",
            ),
            parse_count,
            7,
        ),
        _spec(
            "programme_length_days",
            (
                "Programme length (days)",
                "Duur van het programma (dagen)",
                "Programmets lengde (dager)",
            ),
            (
                "A match is finished this many days after the start date (or the approval).",
                "Een koppeling is klaar zoveel dagen na de startdatum (of de goedkeuring).",
                "En kobling er ferdig så mange dager etter startdatoen (eller godkjenningen).",
            ),
            parse_count,
            180,
        ),
        _spec(
            "digest_day",
            ("Digest day", "Dag van het overzicht", "Dag for oversikten"),
            (
                "Weekday of the coordinator's digest.",
                "Weekdag van het overzicht voor de coördinator.",
                "Ukedag for koordinatorens oversikt.",
            ),
            _weekday,
            "monday",
        ),
    ]
    for criterion, default in DEFAULT_WEIGHTS.items():
        term = CRITERIA.terms[criterion]
        specs.append(
            _spec(
                f"weight_{criterion}",
                (f"Weight: {term.en}", f"Gewicht: {term.nl}", f"Vekt: {term.nb}"),
                (
                    "Points for this in a match score.",
                    "Punten hiervoor in de koppelscore.",
                    "Poeng for dette i koblingspoengene.",
                ),
                _weight,
                float(default),
            )
        )
    for touchpoint, offset in DEFAULT_OFFSETS.items():
        term = TOUCHPOINTS.terms[touchpoint]
        specs.append(
            _spec(
                f"offset_{touchpoint}",
                (
                    f"Days from start: {term.en}",
                    f"Dagen na start: {term.nl}",
                    f"Dager fra start: {term.nb}",
                ),
                (
                    "A negative number means before the first working day.",
                    "Een negatief getal betekent vóór de eerste werkdag.",
                    "Et negativt tall betyr før første arbeidsdag.",
                ),
                parse_whole_number,
                offset,
            )
        )
    for touchpoint in ALL_TOUCHPOINTS:
        term = TOUCHPOINTS.terms[touchpoint]
        specs.append(
            _spec(
                f"send_{touchpoint}",
                (f"Send: {term.en}", f"Versturen: {term.nl}", f"Send: {term.nb}"),
                ("yes or no.", "ja of nee.", "ja eller nei."),
                _bool,
                True,
            )
        )
    return specs


SPECS: Mapping[str, SettingSpec] = MappingProxyType({spec.key: spec for spec in _specs()})
SETTING_NAMES = Vocabulary(spec.label for spec in SPECS.values())


def settings_from_values(values: Mapping[str, object]) -> Settings:
    """Settings from parsed values by key; what is missing takes its default."""

    def get(key: str) -> object:
        return values.get(key, SPECS[key].default)

    plain = {
        name: get(name)
        for name in (
            "programme_name",
            "organisation",
            "coordinator_name",
            "coordinator_email",
            "language",
            "evaluation_form_link",
            "auto_approve",
            "match_horizon_days",
            "minimum_group_size",
            "min_experience_gap",
            "grace_days",
            "programme_length_days",
            "digest_day",
        )
    }
    return Settings(
        **plain,  # type: ignore[arg-type]
        weights=MappingProxyType({c: float(get(f"weight_{c}")) for c in DEFAULT_WEIGHTS}),  # type: ignore[arg-type]
        offsets=MappingProxyType({t: int(get(f"offset_{t}")) for t in DEFAULT_OFFSETS}),  # type: ignore[call-overload]
        touchpoints_on=frozenset(t for t in ALL_TOUCHPOINTS if get(f"send_{t}")),
    )


def setting_row(table: Table, key: str) -> int | None:
    """The row of the Settings tab that holds setting `key`, if someone typed it in."""
    for number, row in table.rows:
        if SETTING_NAMES.key_of(text(table.cell(row, "setting"))) == key:
            return number
    return None


def parse_settings(table: Table | None, lang: str) -> tuple[Settings, list[Problem]]:
    """Read the Settings tab: unknown names and unreadable values are reported, defaults kept."""
    if table is None:
        return Settings(), []
    problems: list[Problem] = []
    values: dict[str, object] = {}
    seen: set[str] = set()
    name_column = table.header("setting", lang)
    value_column = table.header("value", lang)
    for number, row in table.rows:
        label, value = table.cell(row, "setting"), table.cell(row, "value")
        if is_blank(label):
            if not is_blank(value):
                problems.append(
                    Problem.at(
                        table.name,
                        number,
                        name_column,
                        "setting_unnamed",
                        "ignored",
                        value=quote(value),
                    )
                )
            continue
        key = SETTING_NAMES.key_of(text(label))
        if key is None:
            problems.append(
                Problem.at(
                    table.name,
                    number,
                    name_column,
                    "setting_unknown",
                    "ignored",
                    value=quote(label),
                )
            )
            continue
        if key in seen:
            problems.append(
                Problem.at(
                    table.name,
                    number,
                    name_column,
                    "setting_duplicate",
                    "ignored",
                    value=quote(label),
                )
            )
            continue
        seen.add(key)
        if is_blank(value):
            continue
        try:
            values[key] = SPECS[key].parse(value)
        except CellError as exc:
            problems.append(
                Problem.at(
                    table.name,
                    number,
                    value_column,
                    "setting_invalid",
                    "default",
                    value=quote(value),
                    setting=text(label),
                    needed=exc.code,
                    default=default_text(key, lang),
                )
            )
    return settings_from_values(values), problems


def default_text(key: str, lang: str) -> str:
    """A setting's default as it is typed into the Settings tab."""
    default = SPECS[key].default
    if isinstance(default, bool):
        return BOOLEANS.word("yes" if default else "no", lang)
    if key == "digest_day":
        return WEEKDAYS.word(str(default), lang)
    if key == "programme_name":
        return PROGRAMME_NAME.word(lang)
    if key == "language":
        return lang
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return "" if default is None else str(default)
