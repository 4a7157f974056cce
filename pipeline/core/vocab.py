"""Every word mentorflow writes or reads, in English, Dutch and Norwegian Bokmål.

One way to say a word in three languages: a `Term` (its key, en, nl, nb, other spellings).
Words read back from a sheet (tabs, headers, values) form a `Vocabulary`, which also finds
a term by any spelling; labels and sentences that are only written form `Phrases`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("en", "nl", "nb")
DEFAULT_LANGUAGE = "en"


def normalise(text: object) -> str:
    """Fold a label for comparison: case, accents, spaces and punctuation do not count.

    "E-mail", " email " and "EMAIL" are the same header; "beëindigd" equals "beeindigd".
    """
    text = str(text)
    if text.isascii():  # most labels and cells: the same result, several times quicker
        return "".join(filter(str.isalnum, text.lower()))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch)
    )


@dataclass(frozen=True)
class Term:
    """One concept with its word in each language, plus other spellings people use."""

    key: str
    en: str
    nl: str
    nb: str
    aliases: tuple[str, ...] = ()

    def word(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGUAGES else DEFAULT_LANGUAGE))

    def spellings(self) -> tuple[str, ...]:
        return (self.key, self.en, self.nl, self.nb, *self.aliases)


class Vocabulary:
    """A closed set of terms, looked up by any spelling in any language."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms: dict[str, Term] = {}
        self._lookup: dict[str, str] = {}
        self._language: dict[str, set[str]] = {}
        for term in terms:
            self.terms[term.key] = term
            for spelling in term.spellings():
                folded = normalise(spelling)
                owner = self._lookup.setdefault(folded, term.key)
                if owner != term.key:
                    raise ValueError(f"{spelling!r} would mean both {owner!r} and {term.key!r}")
            for lang in LANGUAGES:
                self._language.setdefault(normalise(term.word(lang)), set()).add(lang)

    def key_of(self, text: object) -> str | None:
        """The term a cell means, or None when it is not one of ours.

        A question mark shows doubt ("approved?"): such a cell means nothing for certain.
        """
        if "?" in str(text):
            return None
        return self._lookup.get(normalise(text))

    def word(self, key: str, lang: str) -> str:
        return self.terms[key].word(lang)

    def languages_of(self, text: object) -> set[str]:
        """Which languages use exactly this word (for guessing a workbook's language)."""
        return self._language.get(normalise(text), set())

    def choices(self, lang: str) -> list[str]:
        return [term.word(lang) for term in self.terms.values()]

    def __contains__(self, key: object) -> bool:
        return key in self.terms


class Phrases:
    """Labels and sentences that are written, never read back: Terms by key, each with its
    words in English, Dutch and Norwegian, looked up like every other word (`word`)."""

    def __init__(self, table: Mapping[str, tuple[str, str, str]]) -> None:
        self.terms = {key: Term(key, *texts) for key, texts in table.items()}

    def word(self, key: str, lang: str) -> str:
        return self.terms[key].word(lang)

    def __contains__(self, key: object) -> bool:
        return key in self.terms


def _vocab(*terms: Term) -> Vocabulary:
    return Vocabulary(terms)


T = Term

TABS = _vocab(
    T("participants", "Participants", "Deelnemers", "Deltakere", ("Medewerkers", "Ansatte")),
    T("exclusions", "Exclusions", "Uitsluitingen", "Unntak", ("Utelukkelser", "Niet samen")),
    T("matches", "Matches", "Koppelingen", "Koblinger", ("Koppels", "Matcher")),
    T(
        "intake",
        "Intake",
        "Aanmeldingen",
        "Registreringer",
        ("Form Responses 1", "Formulierreacties 1", "Skjemasvar 1", "Aanmelding"),
    ),
    T("evaluations", "Evaluations", "Evaluaties", "Evalueringer", ("Evaluatie", "Evaluering")),
    T("settings", "Settings", "Instellingen", "Innstillinger"),
    T("mail_log", "Mail log", "Maillog", "E-postlogg", ("Verzendlog", "Sendelogg")),
    T("summary", "Summary", "Overzicht", "Oppsummering", ("Samenvatting",)),
    T("problems", "Problems", "Problemen", "Problemer"),
    T("howto", "How to", "Uitleg", "Veiledning", ("Read me", "Lees mij", "Les meg")),
    T("pairs", "Pairs", "Duo's", "Par", ("Duos", "Mentorduo's", "Mentorpar")),
)

PARTICIPANT_COLUMNS = _vocab(
    T("email", "Email", "E-mail", "E-post", ("Email address", "E-mailadres", "E-postadresse")),
    T("name", "Name", "Naam", "Navn", ("Full name", "Volledige naam", "Fullt navn")),
    T("role", "Role", "Rol", "Rolle"),
    T("status", "Status", "Status", "Status"),
    T(
        "start_date",
        "Start date",
        "Startdatum",
        "Startdato",
        ("First working day", "Eerste werkdag", "Første arbeidsdag", "Datum in dienst"),
    ),
    T("team", "Team", "Team", "Team", ("Department", "Afdeling", "Avdeling")),
    T(
        "discipline",
        "Discipline",
        "Discipline",
        "Yrkesgruppe",
        ("Profession", "Functie", "Beroep", "Yrke", "Fagområde"),
    ),
    T("location", "Location", "Locatie", "Arbeidssted", ("Site", "Vestiging", "Sted", "Lokasjon")),
    T("shifts", "Shifts", "Diensten", "Vakter", ("Shift", "Dienst", "Vakt")),
    T(
        "manager_email",
        "Manager email",
        "E-mail leidinggevende",
        "Leders e-post",
        # not "Manager" or "Leidinggevende": such a column usually holds a name, not an address
        ("Line manager email", "E-mail manager", "Lederens e-post"),
    ),
    T(
        "years_experience",
        "Years of experience",
        "Jaren ervaring",
        "Års erfaring",
        ("Experience", "Ervaring", "Erfaring", "Years experience"),
    ),
    T("languages", "Languages", "Talen", "Språk", ("Language", "Spoken languages")),
    T("goals", "Goals", "Doelen", "Mål", ("Learning goals", "Leerdoelen", "Læringsmål", "Topics")),
    T(
        "capacity",
        "Capacity",
        "Capaciteit",
        "Kapasitet",
        ("Max mentees", "Maximaal aantal mentees"),
    ),
    T("preferred_mentor", "Preferred mentor", "Voorkeursmentor", "Ønsket mentor"),
    T(
        "email_language",
        "Email language",
        "Taal e-mail",
        "E-postspråk",
        ("Mail language", "E-mailtaal", "Språk e-post"),
    ),
)

#: Columns a form-responses tab adds besides the questions (Google Forms, Microsoft Forms).
FORM_COLUMNS = _vocab(
    T(
        "timestamp",
        "Timestamp",
        "Tijdstempel",
        "Tidsmerke",
        (
            "Completion time",
            "Tijd van voltooien",
            "Voltooiingstijd",
            "Fullføringstidspunkt",
            "Submitted",
            "Ingediend",
            "Sendt inn",
        ),
    ),
    T("started", "Start time", "Begintijd", "Starttidspunkt", ("Starttijd", "Starttid")),
    T(
        "modified",
        "Last modified time",
        "Tijdstip van laatste wijziging",
        "Tidspunkt for siste endring",
        ("Laatst gewijzigd", "Sist endret"),
    ),
    T("response_id", "ID", "ID", "ID", ("Response ID", "Antwoord-ID", "Svar-ID")),
    T("name", "Name", "Naam", "Navn", ("Full name", "Volledige naam", "Fullt navn")),
    T("respondent", "Username", "Gebruikersnaam", "Brukernavn", ("Respondent",)),
    T("points", "Total points", "Totaal aantal punten", "Totalt antall poeng", ("Score",)),
)

EXCLUSION_COLUMNS = _vocab(
    T("person_a", "Person A", "Persoon A", "Person A"),
    T("person_b", "Person B", "Persoon B", "Person B"),
    T("reason", "Reason", "Reden", "Grunn"),
)

# In the order of a new workbook (SPEC §2): the decision next to the names.
MATCH_COLUMNS = _vocab(
    T("match_id", "Match ID", "Koppeling-ID", "Koblings-ID", ("ID", "Match")),
    T("status", "Status", "Status", "Status"),
    T("mentee", "Mentee", "Mentee", "Mentee", ("Mentee name", "Naam mentee")),
    T("mentor", "Mentor", "Mentor", "Mentor", ("Mentor name", "Naam mentor")),
    T(
        "mentee_start",
        "Mentee start",
        "Start mentee",
        "Mentees startdato",
        ("Startdatum mentee", "Mentee start date"),
    ),
    T("score", "Score", "Score", "Poeng"),
    T("why", "Why", "Waarom", "Hvorfor", ("Reasons", "Redenen", "Begrunnelse")),
    T("mentee_email", "Mentee email", "E-mail mentee", "Mentees e-post", ("Mentee e-mail",)),
    T("mentor_email", "Mentor email", "E-mail mentor", "Mentors e-post", ("Mentor e-mail",)),
    T("proposed_on", "Proposed on", "Voorgesteld op", "Foreslått dato", ("Proposed",)),
    T("notes", "Notes", "Notities", "Notater", ("Opmerkingen", "Merknader")),
)

# In the order of a new workbook (SPEC §2): when, to whom, what; the key last.
MAIL_LOG_COLUMNS = _vocab(
    T("time", "Time", "Tijd", "Tid"),
    T("to", "To", "Aan", "Til"),
    T("touchpoint", "Touchpoint", "Contactmoment", "Kontaktpunkt"),
    T("match_id", "Match ID", "Koppeling-ID", "Koblings-ID"),
    T("subject", "Subject", "Onderwerp", "Emne"),
    T("status", "Status", "Status", "Status"),
    T("detail", "Detail", "Details", "Detaljer"),
    T("key", "Key", "Sleutel", "Nøkkel"),
)

SETTINGS_COLUMNS = _vocab(
    T("setting", "Setting", "Instelling", "Innstilling"),
    T("value", "Value", "Waarde", "Verdi"),
    T("explanation", "Explanation", "Toelichting", "Forklaring"),
)

PROBLEM_COLUMNS = _vocab(
    T("severity", "Severity", "Ernst", "Alvorlighet"),
    T("tab", "Tab", "Tabblad", "Fane"),
    T("row", "Row", "Rij", "Rad"),
    T("column", "Column", "Kolom", "Kolonne"),
    T("who", "Who", "Wie", "Hvem"),
    T("problem", "Problem", "Probleem", "Problem"),
    T("fix", "How to fix", "Oplossing", "Slik retter du det"),
    T("since", "Since", "Sinds", "Siden"),
)

ROLES = _vocab(
    T("mentor", "mentor", "mentor", "mentor", ("begeleider", "veileder", "fadder")),
    T(
        "mentee",
        "mentee",
        "mentee",
        "mentee",
        ("new employee", "nieuwe medewerker", "nieuwe collega", "nyansatt", "ny ansatt", "adept"),
    ),
    T("both", "both", "beide", "begge", ("mentor and mentee", "mentor en mentee")),
)

STATUSES = _vocab(
    T("active", "active", "actief", "aktiv"),
    T("paused", "paused", "gepauzeerd", "pause", ("pause", "on hold", "pauze", "pauset")),
    T("stopped", "stopped", "gestopt", "stoppet", ("left", "uit dienst", "sluttet", "inactive")),
)

SHIFTS = _vocab(
    T("day", "day", "dag", "dag", ("days", "day shift", "dagdienst", "vroege dienst", "dagvakt")),
    T(
        "evening",
        "evening",
        "avond",
        "kveld",
        ("evenings", "late", "late dienst", "avonddienst", "kveldsvakt", "aftenvakt"),
    ),
    T("night", "night", "nacht", "natt", ("nights", "night shift", "nachtdienst", "nattevakt")),
    T(
        "weekend",
        "weekend",
        "weekend",
        "helg",
        ("weekends", "weekenddienst", "helgevakt", "helger"),
    ),
)

MATCH_STATUSES = _vocab(
    T("proposed", "proposed", "voorgesteld", "foreslått", ("proposal", "voorstel", "forslag")),
    # Approval starts the mails, so only unmistakable words count (no "ok", "ja" or "yes").
    T("approved", "approved", "goedgekeurd", "godkjent", ("accepted", "geaccepteerd", "akkoord")),
    T("rejected", "rejected", "afgewezen", "avvist", ("afgekeurd", "declined")),
    T("ended", "ended", "beëindigd", "avsluttet", ("stopped early", "gestopt", "stoppet")),
    T("completed", "completed", "afgerond", "fullført", ("done", "klaar", "ferdig")),
)

MAIL_STATUSES = _vocab(
    T("pending", "pending", "bezig", "venter"),
    T("sent", "sent", "verzonden", "sendt"),
    T("failed", "failed", "mislukt", "feilet"),
    T("skipped", "skipped", "overgeslagen", "hoppet over"),
    T("unknown", "unknown", "onbekend", "ukjent"),
)

SEVERITIES = _vocab(
    T("error", "error", "fout", "feil"),
    T("warning", "warning", "waarschuwing", "advarsel"),
    T("note", "note", "opmerking", "merknad"),
)

BOOLEANS = _vocab(
    T("yes", "yes", "ja", "ja", ("true", "on", "aan", "på", "1", "y", "j", "x", "waar", "sant")),
    T("no", "no", "nee", "nei", ("false", "off", "uit", "av", "0", "n", "onwaar", "usant")),
)

WEEKDAYS = _vocab(
    T("monday", "Monday", "maandag", "mandag", ("mon", "ma")),
    T("tuesday", "Tuesday", "dinsdag", "tirsdag", ("tue", "di", "ti")),
    T("wednesday", "Wednesday", "woensdag", "onsdag", ("wed", "wo", "on")),
    T("thursday", "Thursday", "donderdag", "torsdag", ("thu", "do", "to")),
    T("friday", "Friday", "vrijdag", "fredag", ("fri", "vr", "fr")),
    T("saturday", "Saturday", "zaterdag", "lørdag", ("sat", "za", "lø")),
    T("sunday", "Sunday", "zondag", "søndag", ("sun", "zo", "sø")),
)

EMAIL_LANGUAGES = _vocab(
    T("en", "en", "en", "en", ("English", "Engels", "Engelsk")),
    T("nl", "nl", "nl", "nl", ("Dutch", "Nederlands", "Nederlandsk")),
    T("nb", "nb", "nb", "nb", ("no", "Norwegian", "Noors", "Norsk", "Bokmål", "nob")),
)

TOUCHPOINTS = _vocab(
    T("introduction", "introduction", "kennismaking", "introduksjon"),
    T("welcome", "welcome", "welkom", "velkommen"),
    T("first_day", "first day", "eerste dag", "første dag"),
    T("first_week", "first week", "eerste week", "første uke"),
    T("first_month", "first month", "eerste maand", "første måned"),
    T("quarter", "quarter", "kwartaal", "kvartal"),
    T("wrap_up", "wrap-up", "afsluiting", "avslutning"),
    T(
        "evaluation_reminder",
        "evaluation reminder",
        "herinnering evaluatie",
        "påminnelse evaluering",
    ),
    T("digest", "coordinator digest", "overzicht coördinator", "oversikt koordinator"),
)

#: The Pairs tab (SPEC §2): where each running match stands, rewritten every run.
PAIR_COLUMNS = _vocab(
    T("match_id", "Match ID", "Koppeling-ID", "Koblings-ID"),
    T("mentee", "Mentee", "Mentee", "Mentee"),
    T("mentor", "Mentor", "Mentor", "Mentor"),
    T("start", "Start date", "Startdatum", "Startdato"),
    T("phase", "Phase", "Fase", "Fase"),
    T("last_message", "Last message", "Laatste bericht", "Siste melding"),
    T("last_sent", "Sent on", "Verstuurd op", "Sendt"),
    T("next_message", "Next message", "Volgend bericht", "Neste melding"),
    T("next_due", "Due on", "Gepland op", "Planlagt"),
    T("evaluation", "Evaluation answered", "Evaluatie ingevuld", "Evaluering besvart"),
    T("attention", "Needs attention", "Aandacht nodig", "Trenger oppfølging"),
)

#: Columns per tab, and which of them a tab cannot do without.
COLUMNS: Mapping[str, Vocabulary] = {
    "participants": PARTICIPANT_COLUMNS,
    "exclusions": EXCLUSION_COLUMNS,
    "matches": MATCH_COLUMNS,
    "mail_log": MAIL_LOG_COLUMNS,
    "settings": SETTINGS_COLUMNS,
    "problems": PROBLEM_COLUMNS,
    "pairs": PAIR_COLUMNS,
}
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "participants": ("email", "name", "role"),
    "exclusions": ("person_a", "person_b"),
    "matches": ("match_id", "mentee_email", "mentor_email", "status"),
    "mail_log": ("key", "match_id", "touchpoint", "to", "status"),
    "settings": ("setting", "value"),
    "problems": (),
    "pairs": (),
}

#: Tabs the coordinator owns: the job only appends to them.
COORDINATOR_TABS = ("participants", "exclusions", "matches", "intake", "evaluations", "settings")
#: Tabs the job owns: created when missing, rewritten or appended by the job only.
JOB_TABS = ("mail_log", "summary", "pairs", "problems")

#: Why a message is logged `skipped` instead of sent: the Mail log's Detail (SPEC §1).
SKIPS = _vocab(
    T("late", "too late to send", "te laat om nog te versturen", "for sent til å sendes"),
    T(
        "switched_off",
        "switched off in Settings",
        "uitgezet bij Instellingen",
        "slått av i Innstillinger",
    ),
    T(
        "approved_late",
        "approved after the closing conversation was due",
        "goedgekeurd nadat het afsluitende gesprek al aan de beurt was",
        "godkjent etter at avslutningssamtalen skulle vært",
    ),
    T(
        "with_introduction",
        "sent with the introduction",
        "verstuurd met de kennismaking",
        "sendt med introduksjonen",
    ),
    T("with_welcome", "sent with the welcome", "verstuurd met het welkom", "sendt med velkomsten"),
    T(
        "later_went",
        "a later message of the journey went the same night",
        "dezelfde nacht ging een later bericht van het traject",
        "en senere melding i forløpet ble sendt samme natt",
    ),
    T(
        "sent_before",
        "already sent for the match this one replaces",
        "al verstuurd voor de koppeling die deze vervangt",
        "allerede sendt for koblingen denne erstatter",
    ),
)

#: How the Mail log's Detail of a failed or uncertain message begins, before the server's
#: own answer ("refused: 550 mailbox unavailable"). Read back by every later run (a passing
#: failure is tried again, a refusal is not), so each is known in every language.
MAIL_DETAILS = _vocab(
    # older versions logged a message they never tried as "not sent: …"
    T(
        "passing",
        "unavailable",
        "tijdelijk niet verstuurd",
        "midlertidig ikke sendt",
        ("not sent",),
    ),
    T("refused", "refused", "geweigerd", "avvist"),
    T("uncertain", "may have been sent", "misschien verstuurd", "kanskje sendt"),
    T(
        "stopped",
        "the run stopped while sending",
        "de run stopte tijdens het versturen",
        "kjøringen stoppet under sendingen",
    ),
    T("template", "template", "sjabloon", "mal"),
)

#: The rest of a Detail that mentorflow writes itself; {time} is when it went, written as
#: people there write a moment.
MAIL_DETAIL_TEXTS = Phrases(
    {
        "not_tried": (
            "not tried, the mail server could not be reached",
            "niet geprobeerd, de mailserver was niet bereikbaar",
            "ikke forsøkt, e-postserveren var ikke tilgjengelig",
        ),
        "may_have_arrived": (
            "it may or may not have arrived",
            "het bericht is misschien wel, misschien niet aangekomen",
            "meldingen kan ha kommet fram, eller ikke",
        ),
        "accepted": (
            "accepted by the server; logged after the run stopped",
            "door de mailserver aangenomen; vastgelegd nadat de run was gestopt",
            "tatt imot av e-postserveren; logget etter at kjøringen stoppet",
        ),
        "sent_again": (
            "sent when tried again, {time:%Y-%m-%d %H:%M}",
            "verstuurd bij een nieuwe poging, {time:%d-%m-%Y %H:%M}",
            "sendt ved et nytt forsøk, {time:%d.%m.%Y kl. %H.%M}",
        ),
    }
)
