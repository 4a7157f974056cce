"""A new workbook's tabs (`mentorflow init`) and the headers of the tabs the job creates."""

from __future__ import annotations

from pipeline.core.cells import Row
from pipeline.core.changes import TabTemplate
from pipeline.core.settings import SPECS, default_text
from pipeline.core.vocab import (
    COLUMNS,
    EMAIL_LANGUAGES,
    LANGUAGES,
    MATCH_STATUSES,
    ROLES,
    STATUSES,
    TABS,
    Vocabulary,
)

_HOWTO: dict[str, tuple[str, ...]] = {
    "en": (
        "How this workbook works",
        "",
        "Participants: one row per person. Email, Name and Role (mentor, mentee or both) are "
        "required. Lists (shifts, languages, goals) are separated by ; or a new line.",
        "Exclusions: pairs of email addresses that must never be matched. The reason stays here.",
        "Matches: every night mentorflow adds proposals with status 'proposed' and the reasons. "
        "Set the status to 'approved' or 'rejected'. You can also type a match in yourself "
        "with status 'approved'.",
        "Later, set a match to 'ended' when it stops early (the mentee then waits for another "
        "mentor), or to 'completed' when the half year is over.",
        "A mentor who leaves: set their Status to 'paused' or 'stopped'; mentorflow proposes a "
        "replacement for their mentees.",
        "Leave the Start date empty for an existing colleague: check-ins then count from the "
        "approval.",
        "Settings: programme choices such as the coordinator, the evaluation form link and the "
        "days on which messages go out. An empty value means the default.",
        "Mail log, Pairs, Summary and Problems are written by mentorflow: do not edit them.",
        "Problems: what needs your attention, with the tab, row and column and how to fix it. "
        "The next nightly run picks up your corrections.",
        "mentorflow only adds rows to your tabs; it never changes what you typed.",
    ),
    "nl": (
        "Zo werkt deze werkmap",
        "",
        "Deelnemers: één rij per persoon. E-mail, Naam en Rol (mentor, mentee of beide) zijn "
        "verplicht. Lijsten (diensten, talen, doelen) scheid je met ; of een nieuwe regel.",
        "Uitsluitingen: paren e-mailadressen die nooit gekoppeld mogen worden. De reden blijft "
        "hier staan.",
        "Koppelingen: elke nacht zet mentorflow voorstellen met status 'voorgesteld' en de "
        "redenen erbij. Zet de status op 'goedgekeurd' of 'afgewezen'. Je kunt ook zelf een "
        "koppeling invoeren met status 'goedgekeurd'.",
        "Zet een koppeling later op 'beëindigd' als die voortijdig stopt (de mentee wacht dan "
        "op een andere mentor), of op 'afgerond' als het halve jaar voorbij is.",
        "Stopt een mentor? Zet de Status van de mentor op 'gepauzeerd' of 'gestopt'; "
        "mentorflow stelt voor de mentees een vervanger voor.",
        "Laat de Startdatum leeg voor een bestaande collega: de contactmomenten tellen dan "
        "vanaf de goedkeuring.",
        "Instellingen: keuzes voor het programma, zoals de coördinator, de link naar het "
        "evaluatieformulier en de dagen waarop berichten verstuurd worden. Een lege waarde "
        "betekent de standaardwaarde.",
        "Maillog, Duo's, Overzicht en Problemen schrijft mentorflow zelf: wijzig die niet.",
        "Problemen: wat je aandacht nodig heeft, met tabblad, rij, kolom en de oplossing. De "
        "volgende nachtelijke run neemt je verbeteringen mee.",
        "mentorflow voegt alleen rijen toe aan je tabbladen; wat je zelf invult, verandert het "
        "nooit.",
    ),
    "nb": (
        "Slik fungerer denne arbeidsboken",
        "",
        "Deltakere: én rad per person. E-post, Navn og Rolle (mentor, mentee eller begge) må "
        "fylles ut. Lister (vakter, språk, mål) skilles med ; eller ny linje.",
        "Unntak: par av e-postadresser som aldri skal kobles sammen. Grunnen vises bare her.",
        "Koblinger: hver natt legger mentorflow til forslag med status 'foreslått' og "
        "begrunnelsen. Sett statusen til 'godkjent' eller 'avvist'. Du kan også skrive inn en "
        "kobling selv med status 'godkjent'.",
        "Senere setter du en kobling til 'avsluttet' hvis den stopper før tiden (menteen venter "
        "da på en ny mentor), eller til 'fullført' når halvåret er over.",
        "Slutter en mentor? Sett mentorens Status til 'pause' eller 'stoppet'; mentorflow "
        "foreslår en erstatter for mentorens mentees.",
        "La Startdato stå tom for en eksisterende kollega: oppfølgingene regnes da fra "
        "godkjenningen.",
        "Innstillinger: valg for programmet, som koordinatoren, lenken til evalueringsskjemaet "
        "og hvilke dager meldingene sendes. En tom verdi gir standardverdien.",
        "E-postlogg, Par, Oppsummering og Problemer skrives av mentorflow: ikke endre dem.",
        "Problemer: det som trenger din oppmerksomhet, med fane, rad, kolonne og hvordan det "
        "rettes. Neste nattlige kjøring tar med rettelsene dine.",
        "mentorflow legger bare til rader i fanene dine; det du selv har skrevet, endres aldri.",
    ),
}


def header(tab: str, lang: str) -> Row:
    """A tab's full header row in `lang`, in our column order."""
    return tuple(COLUMNS[tab].choices(lang))


def _choices(
    tab: str, lang: str, column: str, values: Vocabulary | list[str]
) -> dict[int, tuple[str, ...]]:
    index = list(COLUMNS[tab].terms).index(column)
    words = values.choices(lang) if isinstance(values, Vocabulary) else values
    return {index: tuple(words)}


def settings_rows(lang: str) -> tuple[Row, ...]:
    return tuple(
        (spec.label.word(lang), default_text(key, lang), spec.help.word(lang))
        for key, spec in SPECS.items()
    )


def new_workbook(lang: str) -> list[TabTemplate]:
    """Every tab a coordinator starts with, headers and defaults in `lang`."""
    if lang not in LANGUAGES:
        raise ValueError(lang)
    tab = TABS.word
    return [
        TabTemplate(
            tab("participants", lang),
            (header("participants", lang),),
            choices={
                **_choices("participants", lang, "role", ROLES),
                **_choices("participants", lang, "status", STATUSES),
                **_choices("participants", lang, "email_language", list(EMAIL_LANGUAGES.terms)),
            },
        ),
        TabTemplate(tab("exclusions", lang), (header("exclusions", lang),)),
        TabTemplate(
            tab("matches", lang),
            (header("matches", lang),),
            choices=_choices("matches", lang, "status", MATCH_STATUSES),
        ),
        TabTemplate(
            tab("settings", lang),
            (header("settings", lang), *settings_rows(lang)),
        ),
        TabTemplate(tab("mail_log", lang), (header("mail_log", lang),)),
        TabTemplate(tab("pairs", lang), (header("pairs", lang),)),
        TabTemplate(tab("summary", lang), ()),
        TabTemplate(tab("problems", lang), (header("problems", lang),)),
        TabTemplate(tab("howto", lang), tuple((line,) for line in _HOWTO[lang])),
    ]
