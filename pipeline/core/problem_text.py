"""What the Problems tab says, in the workbook's language: the problem, the fix, the effect."""

from __future__ import annotations

from pipeline.core.models import Problem
from pipeline.core.vocab import LANGUAGES, SEVERITIES, TOUCHPOINTS, Phrases

# code: (en problem, en fix, nl problem, nl fix, nb problem, nb fix)
_CATALOGUE: dict[str, tuple[str, str, str, str, str, str]] = {
    "column_duplicate": (
        'This column means the same as column "{first}"; only the first is read.',
        "Rename or delete one of the two columns.",
        'Deze kolom betekent hetzelfde als kolom "{first}"; alleen de eerste wordt gelezen.',
        "Geef een van beide kolommen een andere naam of verwijder er een.",
        'Denne kolonnen betyr det samme som kolonnen "{first}"; bare den første leses.',
        "Gi en av de to kolonnene et annet navn, eller slett den ene.",
    ),
    "email_missing": (
        "No email address.",
        "Fill in the email address.",
        "Geen e-mailadres.",
        "Vul het e-mailadres in.",
        "Ingen e-postadresse.",
        "Fyll inn e-postadressen.",
    ),
    "email_invalid": (
        '"{value}" is not a valid email address.',
        "Correct the address (like name@organisation.nl).",
        '"{value}" is geen geldig e-mailadres.',
        "Verbeter het adres (zoals naam@organisatie.nl).",
        '"{value}" er ikke en gyldig e-postadresse.',
        "Rett adressen (som navn@organisasjon.no).",
    ),
    "email_duplicate": (
        'The email address "{value}" is already used in row {first}.',
        "Keep one row per person: merge the two rows or correct the address.",
        'Het e-mailadres "{value}" staat al in rij {first}.',
        "Houd één rij per persoon aan: voeg de rijen samen of verbeter het adres.",
        'E-postadressen "{value}" er allerede brukt i rad {first}.',
        "Ha én rad per person: slå sammen radene eller rett adressen.",
    ),
    "name_missing": (
        "No name.",
        "Fill in the person's name.",
        "Geen naam.",
        "Vul de naam van de persoon in.",
        "Mangler navn.",
        "Fyll inn personens navn.",
    ),
    "role_missing": (
        "No role.",
        "Choose mentor, mentee or both.",
        "Geen rol.",
        "Kies mentor, mentee of beide.",
        "Mangler rolle.",
        "Velg mentor, mentee eller begge.",
    ),
    "role_unknown": (
        'The role "{value}" is unknown.',
        "Choose mentor, mentee or both.",
        'De rol "{value}" is onbekend.',
        "Kies mentor, mentee of beide.",
        'Rollen "{value}" er ukjent.',
        "Velg mentor, mentee eller begge.",
    ),
    "status_unknown": (
        'The status "{value}" is unknown.',
        "Choose active, paused or stopped (empty means active).",
        'De status "{value}" is onbekend.',
        "Kies actief, gepauzeerd of gestopt (leeg betekent actief).",
        'Statusen "{value}" er ukjent.',
        "Velg aktiv, pause eller stoppet (tom betyr aktiv).",
    ),
    "shift_unknown": (
        'The shift "{value}" is unknown.',
        "Use day, evening, night or weekend, separated by a semicolon (;).",
        'De dienst "{value}" is onbekend.',
        "Gebruik dag, avond, nacht of weekend, gescheiden door een puntkomma (;).",
        'Vakten "{value}" er ukjent.',
        "Bruk dag, kveld, natt eller helg, skilt med semikolon (;).",
    ),
    "date_unreadable": (
        '"{value}" cannot be read as a date.',
        "Type the date as day-month-year, like 24-11-2026.",
        '"{value}" is niet te lezen als datum.',
        "Typ de datum als dag-maand-jaar, zoals 24-11-2026.",
        '"{value}" kan ikke leses som en dato.',
        "Skriv datoen som dag.måned.år, som 24.11.2026.",
    ),
    "number_unreadable": (
        '"{value}" is not a number.',
        "Type a number, like 3 or 2,5.",
        '"{value}" is geen getal.',
        "Typ een getal, zoals 3 of 2,5.",
        '"{value}" er ikke et tall.',
        "Skriv et tall, som 3 eller 2,5.",
    ),
    "whole_number_needed": (
        '"{value}" is not a whole number.',
        "Type a whole number, like 2.",
        '"{value}" is geen heel getal.',
        "Typ een heel getal, zoals 2.",
        '"{value}" er ikke et helt tall.',
        "Skriv et helt tall, som 2.",
    ),
    "number_negative": (
        '"{value}" is below zero.',
        "Type 0 or more.",
        '"{value}" is kleiner dan nul.',
        "Typ 0 of meer.",
        '"{value}" er under null.',
        "Skriv 0 eller mer.",
    ),
    "language_unknown": (
        'The language "{value}" is unknown.',
        "Use nl, en or nb.",
        'De taal "{value}" is onbekend.',
        "Gebruik nl, en of nb.",
        'Språket "{value}" er ukjent.',
        "Bruk nl, en eller nb.",
    ),
    "formula_no_value": (
        "The cell holds a formula ({value}) whose result is not saved in the file.",
        "Type the value itself instead of a formula.",
        "De cel bevat een formule ({value}) waarvan de uitkomst niet in het bestand staat.",
        "Typ de waarde zelf in plaats van een formule.",
        "Cellen har en formel ({value}) som resultatet ikke er lagret for i filen.",
        "Skriv selve verdien i stedet for en formel.",
    ),
    "preferred_unknown": (
        'The preferred mentor "{value}" is not on the Participants tab (or that row has a '
        "problem of its own).",
        "Type the email address of a mentor from the Participants tab.",
        'De voorkeursmentor "{value}" staat niet op het tabblad Deelnemers (of die rij heeft '
        "zelf een probleem).",
        "Typ het e-mailadres van een mentor van het tabblad Deelnemers.",
        'Ønsket mentor "{value}" står ikke i fanen Deltakere (eller den raden har selv et '
        "problem).",
        "Skriv e-postadressen til en mentor fra fanen Deltakere.",
    ),
    "preferred_not_mentor": (
        'The preferred mentor "{value}" is not a mentor (role: {role}).',
        "Choose someone whose role is mentor or both, or change that person's role.",
        'De voorkeursmentor "{value}" is geen mentor (rol: {role}).',
        "Kies iemand met de rol mentor of beide, of pas de rol van die persoon aan.",
        'Ønsket mentor "{value}" er ikke mentor (rolle: {role}).',
        "Velg en med rollen mentor eller begge, eller endre rollen til den personen.",
    ),
    "exclusion_incomplete": (
        "Only one of the two people is filled in.",
        "Fill in both email addresses.",
        "Maar één van de twee personen is ingevuld.",
        "Vul beide e-mailadressen in.",
        "Bare én av de to personene er fylt inn.",
        "Fyll inn begge e-postadressene.",
    ),
    "exclusion_unknown": (
        '"{value}" is not on the Participants tab.',
        "Check the spelling of the address. The exclusion is kept in case this person joins.",
        '"{value}" staat niet op het tabblad Deelnemers.',
        "Controleer de spelling van het adres. De uitsluiting blijft gelden als deze persoon "
        "later meedoet.",
        '"{value}" står ikke i fanen Deltakere.',
        "Sjekk stavemåten på adressen. Unntaket gjelder fortsatt hvis personen blir med senere.",
    ),
    "exclusion_self": (
        "Both columns name the same person.",
        "Correct one of the two addresses.",
        "Beide kolommen noemen dezelfde persoon.",
        "Verbeter een van beide adressen.",
        "Begge kolonnene nevner samme person.",
        "Rett en av de to adressene.",
    ),
    "match_status_unknown": (
        'The status "{value}" is unknown.',
        "Choose proposed, approved, rejected, ended or completed.",
        'De status "{value}" is onbekend.',
        "Kies voorgesteld, goedgekeurd, afgewezen, beëindigd of afgerond.",
        'Statusen "{value}" er ukjent.',
        "Velg foreslått, godkjent, avvist, avsluttet eller fullført.",
    ),
    "match_status_missing": (
        "No status.",
        "Choose proposed, approved, rejected, ended or completed.",
        "Geen status.",
        "Kies voorgesteld, goedgekeurd, afgewezen, beëindigd of afgerond.",
        "Mangler status.",
        "Velg foreslått, godkjent, avvist, avsluttet eller fullført.",
    ),
    "match_person_unknown": (
        '"{value}" is not on the Participants tab (or that row has a problem of its own).',
        "Correct the address, or add the person to the Participants tab.",
        '"{value}" staat niet op het tabblad Deelnemers (of die rij heeft zelf een probleem).',
        "Verbeter het adres of zet de persoon op het tabblad Deelnemers.",
        '"{value}" står ikke i fanen Deltakere (eller den raden har selv et problem).',
        "Rett adressen, eller legg personen til i fanen Deltakere.",
    ),
    "match_self": (
        "Mentee and mentor are the same person.",
        "Correct one of the two addresses.",
        "Mentee en mentor zijn dezelfde persoon.",
        "Verbeter een van beide adressen.",
        "Mentee og mentor er samme person.",
        "Rett en av de to adressene.",
    ),
    "match_two_open": (
        '"{value}" already has an open match in row {first}.',
        "Set one of the two to rejected or ended.",
        '"{value}" heeft al een lopende koppeling in rij {first}.',
        "Zet een van beide op afgewezen of beëindigd.",
        '"{value}" har allerede en åpen kobling i rad {first}.',
        "Sett en av de to til avvist eller avsluttet.",
    ),
    "approved_after_wrap_up": (
        "{id} was approved after the closing conversation of {mentee} was due: no messages "
        "go out for it.",
        "Get in touch with the pair yourself. When the period is over, set it to completed.",
        "{id} is goedgekeurd nadat het afsluitende gesprek van {mentee} al aan de beurt was: "
        "er gaan geen berichten voor uit.",
        "Neem zelf contact op met het tweetal. Zet de koppeling op afgerond als de periode "
        "voorbij is.",
        "{id} ble godkjent etter at avslutningssamtalen til {mentee} skulle vært: det sendes "
        "ingen meldinger for den.",
        "Ta kontakt med paret selv. Sett koblingen til fullført når perioden er over.",
    ),
    "match_id_duplicate": (
        'The match ID "{value}" is also used in row {first}.',
        "Give each match its own ID.",
        'Het koppeling-ID "{value}" staat ook in rij {first}.',
        "Geef elke koppeling een eigen ID.",
        'Koblings-ID-en "{value}" er også brukt i rad {first}.',
        "Gi hver kobling sin egen ID.",
    ),
    "mail_status_unknown": (
        'The status "{value}" is unknown.',
        "Leave the Mail log to mentorflow; to have a message sent again, delete its rows.",
        'De status "{value}" is onbekend.',
        "Laat de Maillog aan mentorflow over; verwijder de rijen van een bericht om het "
        "opnieuw te laten versturen.",
        'Statusen "{value}" er ukjent.',
        "La E-postloggen være mentorflows; slett radene til en melding for å sende den på nytt.",
    ),
    "unmatched_no_mentor": (
        "No mentor proposed for {value}: there is no active mentor.",
        "Add a mentor (role mentor or both) on this tab; the next run proposes again.",
        "Geen mentor voorgesteld voor {value}: er is geen actieve mentor.",
        "Voeg een mentor toe (rol mentor of beide) op dit tabblad; de volgende run stelt "
        "opnieuw voor.",
        "Ingen mentor foreslått for {value}: det finnes ingen aktiv mentor.",
        "Legg til en mentor (rolle mentor eller begge) i denne fanen; neste kjøring foreslår "
        "på nytt.",
    ),
    "unmatched_not_allowed": (
        "No mentor proposed for {value}: all {count} mentors are ruled out ({breakdown}).",
        "Check the exclusions, the manager and the years of experience, or add a mentor.",
        "Geen mentor voorgesteld voor {value}: alle {count} mentoren vallen af ({breakdown}).",
        "Controleer de uitsluitingen, de leidinggevende en de jaren ervaring, of voeg een "
        "mentor toe.",
        "Ingen mentor foreslått for {value}: alle {count} mentorer er utelukket ({breakdown}).",
        "Sjekk unntakene, lederen og årene med erfaring, eller legg til en mentor.",
    ),
    "unmatched_full": (
        "No mentor proposed for {value}: the {count} suitable mentors have no free place.",
        "Raise a mentor's Capacity or add a mentor; the next run proposes again.",
        "Geen mentor voorgesteld voor {value}: de {count} geschikte mentoren hebben geen "
        "plek meer.",
        "Verhoog de Capaciteit van een mentor of voeg een mentor toe; de volgende run stelt "
        "opnieuw voor.",
        "Ingen mentor foreslått for {value}: de {count} passende mentorene har ingen ledig plass.",
        "Øk Kapasitet for en mentor eller legg til en mentor; neste kjøring foreslår på nytt.",
    ),
    "mail_unknown": (
        "The message {touchpoint} to {value} may or may not have arrived ({answer}).",
        "Ask the recipient. To have it sent again, delete its row from the Mail log.",
        "Het bericht {touchpoint} aan {value} is misschien wel, misschien niet aangekomen "
        "({answer}).",
        "Vraag het de ontvanger. Verwijder de rij uit de Maillog om het opnieuw te laten "
        "versturen.",
        "Meldingen {touchpoint} til {value} har kanskje, kanskje ikke kommet fram ({answer}).",
        "Spør mottakeren. Slett raden i E-postloggen for å sende den på nytt.",
    ),
    "mail_failed": (
        "The message {touchpoint} to {value} was refused by the mail server ({answer}).",
        "Check the address on Participants. To have it sent again, delete its row from the "
        "Mail log; to leave it as it is, set its Status to skipped.",
        "Het bericht {touchpoint} aan {value} is geweigerd door de mailserver ({answer}).",
        "Controleer het adres op Deelnemers. Verwijder de rij uit de Maillog om het opnieuw "
        "te laten versturen; wil je het zo laten, zet de Status dan op overgeslagen.",
        "Meldingen {touchpoint} til {value} ble avvist av e-postserveren ({answer}).",
        "Kontroller adressen på Deltakere. Slett raden i E-postloggen for å sende den på nytt; "
        "vil du la den være, sett Status til hoppet over.",
    ),
    "mail_retry": (
        "The message {touchpoint} to {value} could not be handed to the mail server ({answer}).",
        "The next runs try again, up to {grace} days after it was due. If this stays, check "
        "the mail settings with whoever installed mentorflow.",
        "Het bericht {touchpoint} aan {value} kon niet aan de mailserver worden gegeven "
        "({answer}).",
        "De volgende runs proberen het opnieuw, tot {grace} dagen nadat het verstuurd had "
        "moeten worden. Blijft dit zo, laat dan de mailinstellingen nakijken door wie "
        "mentorflow heeft ingericht.",
        "Meldingen {touchpoint} til {value} kunne ikke leveres til e-postserveren ({answer}).",
        "De neste kjøringene prøver igjen, inntil {grace} dager etter at den skulle sendes. "
        "Hvis dette fortsetter, få den som installerte mentorflow til å sjekke "
        "e-postinnstillingene.",
    ),
    "start_date_none": (
        "No start date for {value}: mentorflow treats them as an existing colleague (check-ins "
        "count from the approval, no first-day messages).",
        "If {value} is new, fill in the first working day.",
        "Geen startdatum voor {value}: mentorflow behandelt deze persoon als bestaande "
        "collega (de contactmomenten tellen vanaf de goedkeuring, geen berichten over de "
        "eerste werkdag).",
        "Is {value} nieuw, vul dan de eerste werkdag in.",
        "Ingen startdato for {value}: mentorflow regner personen som en eksisterende kollega "
        "(oppfølgingene teller fra godkjenningen, ingen meldinger om første arbeidsdag).",
        "Hvis {value} er ny, fyll inn første arbeidsdag.",
    ),
    "mentor_left_proposed": (
        "The mentor {value} is {status}: no more messages go out for this match. {id} (row "
        "{proposal_row}) proposes a new mentor for {mentee}.",
        "Set {id} to {approved}: the new mentor takes over. Or set this match to {ended}.",
        "De mentor {value} is {status}: voor deze koppeling gaan geen berichten meer uit. "
        "{id} (rij {proposal_row}) stelt een nieuwe mentor voor {mentee} voor.",
        "Zet {id} op {approved}: de nieuwe mentor neemt het over. Of zet deze koppeling op "
        "{ended}.",
        "Mentoren {value} er {status}: det sendes ingen flere meldinger for denne koblingen. "
        "{id} (rad {proposal_row}) foreslår en ny mentor for {mentee}.",
        "Sett {id} til {approved}: den nye mentoren tar over. Eller sett denne koblingen til "
        "{ended}.",
    ),
    "mentor_left_waiting": (
        "The mentor {value} is {status}: no more messages go out for this match, and no other "
        "mentor can be proposed for {mentee} yet (see the other row about {mentee}).",
        "Make room for a new mentor, or set this match to {ended}.",
        "De mentor {value} is {status}: voor deze koppeling gaan geen berichten meer uit, en "
        "er kan nog geen andere mentor voor {mentee} worden voorgesteld (zie de andere regel "
        "over {mentee}).",
        "Maak plaats voor een nieuwe mentor, of zet deze koppeling op {ended}.",
        "Mentoren {value} er {status}: det sendes ingen flere meldinger for denne koblingen, "
        "og ingen annen mentor kan foreslås for {mentee} ennå (se den andre raden om {mentee}).",
        "Gjør plass til en ny mentor, eller sett denne koblingen til {ended}.",
    ),
    "mentor_left_closing": (
        "The mentor {value} is {status}: no more messages go out for this match. The closing "
        "conversation of {mentee} is due, so no new mentor is proposed.",
        "Plan the closing conversation with {mentee} yourself, then set this match to {ended}.",
        "De mentor {value} is {status}: voor deze koppeling gaan geen berichten meer uit. Het "
        "afsluitende gesprek van {mentee} is aan de beurt, dus er wordt geen nieuwe mentor "
        "voorgesteld.",
        "Plan het afsluitende gesprek met {mentee} zelf en zet deze koppeling daarna op {ended}.",
        "Mentoren {value} er {status}: det sendes ingen flere meldinger for denne koblingen. "
        "Avslutningssamtalen til {mentee} står for tur, så ingen ny mentor foreslås.",
        "Planlegg avslutningssamtalen med {mentee} selv, og sett deretter denne koblingen til "
        "{ended}.",
    ),
    "over_capacity": (
        "{value} mentors {count} matches ({ids}) with a Capacity of {capacity}.",
        "Raise the Capacity if that is right; otherwise end or reject one of these matches.",
        "{value} begeleidt {count} koppelingen ({ids}) bij een Capaciteit van {capacity}.",
        "Verhoog de Capaciteit als dat klopt; beëindig of wijs anders een van deze koppelingen af.",
        "{value} er mentor i {count} koblinger ({ids}) med Kapasitet {capacity}.",
        "Øk Kapasitet hvis det stemmer; ellers avslutt eller avvis en av disse koblingene.",
    ),
    "mail_template": (
        "The message {touchpoint} to {value} could not be written: {answer}.",
        "Ask whoever installed mentorflow to correct that template. The next runs try again, "
        "up to {grace} days after it was due.",
        "Het bericht {touchpoint} aan {value} kon niet worden opgesteld: {answer}.",
        "Vraag wie mentorflow heeft ingericht dat sjabloon te verbeteren. De volgende runs "
        "proberen het opnieuw, tot {grace} dagen nadat het verstuurd had moeten worden.",
        "Meldingen {touchpoint} til {value} kunne ikke lages: {answer}.",
        "Be den som installerte mentorflow om å rette den malen. De neste kjøringene prøver "
        "igjen, inntil {grace} dager etter at den skulle sendes.",
    ),
    "intake_no_email": (
        "No question of this form asks for the email address.",
        "Map the email question in config/mentorflow.toml under [intake.columns] (e.g. "
        '"E-mailadres" = "Email"), or collect email addresses in the form.',
        "Geen enkele vraag van dit formulier vraagt het e-mailadres.",
        "Koppel de e-mailvraag in config/mentorflow.toml onder [intake.columns] (bijv. "
        '"E-mailadres" = "Email"), of laat het formulier e-mailadressen verzamelen.',
        "Ingen spørsmål i dette skjemaet spør etter e-postadressen.",
        "Koble e-postspørsmålet i config/mentorflow.toml under [intake.columns] (f.eks. "
        '"E-postadresse" = "Email"), eller la skjemaet samle inn e-postadresser.',
    ),
    "intake_differs": (
        'The answer "{value}" differs from Participants row {first} ("{current}").',
        "If the new answer is right, change the Participants row; mentorflow never overwrites it.",
        'Het antwoord "{value}" wijkt af van rij {first} op Deelnemers ("{current}").',
        "Klopt het nieuwe antwoord, pas dan de rij op Deelnemers aan; mentorflow overschrijft "
        "die nooit.",
        'Svaret "{value}" er ulikt rad {first} i Deltakere ("{current}").',
        "Er det nye svaret riktig, endre raden i Deltakere; mentorflow overskriver den aldri.",
    ),
    "evaluation_same_title": (
        'Columns {first} and {second} have the same title; Summary shows this one as "{shown}".',
        "Give the questions different titles in the form, or rename this header.",
        "Kolommen {first} en {second} hebben dezelfde titel; het overzicht toont deze als "
        '"{shown}".',
        "Geef de vragen in het formulier verschillende titels, of wijzig deze kop.",
        'Kolonnene {first} og {second} har samme tittel; oppsummeringen viser denne som "{shown}".',
        "Gi spørsmålene ulike titler i skjemaet, eller endre denne overskriften.",
    ),
    "evaluation_no_email": (
        "No column holds the respondent's email address, so no answer can be linked to a match.",
        'Let the form collect email addresses (or ask for them), or name that column "Email".',
        "Geen kolom bevat het e-mailadres van wie antwoordde, dus geen antwoord hoort bij een "
        "koppeling.",
        "Laat het formulier e-mailadressen verzamelen (of vraag ernaar), of noem die kolom "
        '"E-mail".',
        "Ingen kolonne har e-postadressen til den som svarte, så ingen svar kan knyttes til en "
        "kobling.",
        "La skjemaet samle inn e-postadresser (eller spør etter dem), eller kall kolonnen "
        '"E-post".',
    ),
    "evaluation_no_email_given": (
        "This answer has no email address, so it belongs to no match.",
        "Fill in the respondent's address, or delete the row.",
        "Bij dit antwoord staat geen e-mailadres, dus het hoort bij geen koppeling.",
        "Vul het adres in van wie antwoordde, of verwijder de rij.",
        "Dette svaret har ingen e-postadresse, så det hører ikke til noen kobling.",
        "Fyll inn adressen til den som svarte, eller slett raden.",
    ),
    "evaluation_no_match": (
        '"{value}" is not the mentor or mentee of any started match, so this answer is not '
        "counted.",
        "Correct the address to the one on Participants, or add the match on the Matches tab.",
        '"{value}" is geen mentor of mentee van een gestarte koppeling, dus dit antwoord telt '
        "niet mee.",
        "Verbeter het adres naar dat op Deelnemers, of zet de koppeling op het tabblad "
        "Koppelingen.",
        '"{value}" er ikke mentor eller mentee i noen påbegynt kobling, så dette svaret telles '
        "ikke.",
        "Rett adressen til den i Deltakere, eller legg inn koblingen i fanen Koblinger.",
    ),
    "evaluation_out_of_range": (
        "This answer is outside the scale of 1 to {top}.",
        "Correct it to a whole number from 1 to {top}, or empty the cell.",
        "Dit antwoord valt buiten de schaal van 1 tot en met {top}.",
        "Maak er een heel getal van 1 tot en met {top} van, of maak de cel leeg.",
        "Dette svaret er utenfor skalaen fra 1 til {top}.",
        "Rett det til et heltall fra 1 til {top}, eller tøm cellen.",
    ),
    "evaluation_not_a_score": (
        "This answer is not a number from 1 to {top}.",
        "Correct it to a whole number from 1 to {top}, or empty the cell.",
        "Dit antwoord is geen getal van 1 tot en met {top}.",
        "Maak er een heel getal van 1 tot en met {top} van, of maak de cel leeg.",
        "Dette svaret er ikke et tall fra 1 til {top}.",
        "Rett det til et heltall fra 1 til {top}, eller tøm cellen.",
    ),
    "evaluation_again": (
        "The same person answered again for the same match in row {first}; only the later "
        "answer counts.",
        "Delete the row that is not meant to count.",
        "Dezelfde persoon antwoordde voor dezelfde koppeling nog eens in rij {first}; alleen "
        "het latere antwoord telt.",
        "Verwijder de rij die niet mee moet tellen.",
        "Samme person svarte igjen for samme kobling i rad {first}; bare det siste svaret telles.",
        "Slett raden som ikke skal telles.",
    ),
    "digest_no_coordinator": (
        "The weekly digest is on, but there is no coordinator email to send it to.",
        "Fill in the coordinator's email address, or switch the digest off.",
        "Het wekelijkse overzicht staat aan, maar er is geen e-mailadres van de coördinator.",
        "Vul het e-mailadres van de coördinator in, of zet het overzicht uit.",
        "Den ukentlige oversikten er på, men det finnes ingen e-postadresse til koordinatoren.",
        "Fyll inn koordinatorens e-postadresse, eller slå av oversikten.",
    ),
    "setting_unknown": (
        'The setting "{value}" is unknown.',
        "Check the spelling against the list on a new workbook (mentorflow init), or delete "
        "the row.",
        'De instelling "{value}" is onbekend.',
        "Vergelijk de spelling met de lijst in een nieuwe werkmap (mentorflow init), of "
        "verwijder de rij.",
        'Innstillingen "{value}" er ukjent.',
        "Sjekk stavemåten mot listen i en ny arbeidsbok (mentorflow init), eller slett raden.",
    ),
    "setting_unnamed": (
        'The value "{value}" has no setting name.',
        "Fill in the name of the setting, or delete the row.",
        'De waarde "{value}" heeft geen instellingsnaam.',
        "Vul de naam van de instelling in, of verwijder de rij.",
        'Verdien "{value}" mangler navn på innstilling.',
        "Fyll inn navnet på innstillingen, eller slett raden.",
    ),
    "setting_duplicate": (
        'The setting "{value}" appears more than once.',
        "Delete the extra row; the first one counts.",
        'De instelling "{value}" komt meer dan eens voor.',
        "Verwijder de extra rij; de eerste telt.",
        'Innstillingen "{value}" står mer enn én gang.',
        "Slett den ekstra raden; den første gjelder.",
    ),
    "setting_invalid": (
        'The value "{value}" of "{setting}" cannot be used: {needed} is needed.',
        "Type {needed}.",
        'De waarde "{value}" van "{setting}" is onbruikbaar: er is {needed} nodig.',
        "Typ {needed}.",
        'Verdien "{value}" for "{setting}" kan ikke brukes: det trengs {needed}.',
        "Skriv {needed}.",
    ),
}

#: What a value needs, for messages about settings: (en, nl, nb).
_NEEDED = Phrases(
    {
        "number_unreadable": (
            "a number, like 3 or 2,5",
            "een getal, zoals 3 of 2,5",
            "et tall, som 3 eller 2,5",
        ),
        "weight_too_large": (
            "a number from 0 to 1000",
            "een getal van 0 tot 1000",
            "et tall fra 0 til 1000",
        ),
        "whole_number_needed": (
            "a whole number, like 7",
            "een heel getal, zoals 7",
            "et helt tall, som 7",
        ),
        "number_negative": ("0 or more", "0 of meer", "0 eller mer"),
        "email_invalid": (
            "a valid email address",
            "een geldig e-mailadres",
            "en gyldig e-postadresse",
        ),
        "language_unknown": ("nl, en or nb", "nl, en of nb", "nl, en eller nb"),
        "yes_no_needed": ("yes or no", "ja of nee", "ja eller nei"),
        "weekday_unknown": (
            "a weekday, like Monday",
            "een weekdag, zoals maandag",
            "en ukedag, som mandag",
        ),
        "date_unreadable": (
            "a date, like 24-11-2026",
            "een datum, zoals 24-11-2026",
            "en dato, som 24.11.2026",
        ),
    }
)

#: Why a mentor is ruled out for a mentee, for {breakdown}: (en, nl, nb).
_RULES = Phrases(
    {
        "manager": ("{} line manager", "{} leidinggevende", "{} leder"),
        "excluded": ("{} excluded", "{} uitgesloten", "{} unntatt"),
        "rejected": (
            "{} rejected or ended before",
            "{} eerder afgewezen of beëindigd",
            "{} avvist eller avsluttet før",
        ),
        "experience": (
            "{} with too little experience",
            "{} met te weinig ervaring",
            "{} med for lite erfaring",
        ),
    }
)

#: The sentence that says what happens until the problem is fixed: (en, nl, nb).
_EFFECTS = Phrases(
    {
        "skipped": (
            "Until then this row is left out.",
            "Tot dan wordt deze rij overgeslagen.",
            "Inntil da hoppes denne raden over.",
        ),
        "ignored": (
            "Until then this value is ignored.",
            "Tot dan wordt deze waarde genegeerd.",
            "Inntil da blir denne verdien ignorert.",
        ),
        "default": (
            "Until then the default ({default}) is used.",
            "Tot dan geldt de standaardwaarde ({default}).",
            "Inntil da brukes standardverdien ({default}).",
        ),
        "note": ("", "", ""),
        "": ("", "", ""),
    }
)


#: What a problem counting one thing says instead (Babel's plural rules choose): (en, nl, nb).
_ONE = Phrases(
    {
        "unmatched_not_allowed": (
            "No mentor proposed for {value}: the only mentor is ruled out ({breakdown}).",
            "Geen mentor voorgesteld voor {value}: de enige mentor valt af ({breakdown}).",
            "Ingen mentor foreslått for {value}: den eneste mentoren er utelukket ({breakdown}).",
        ),
        "unmatched_full": (
            "No mentor proposed for {value}: the one suitable mentor has no free place.",
            "Geen mentor voorgesteld voor {value}: de enige geschikte mentor heeft geen plek meer.",
            "Ingen mentor foreslått for {value}: den eneste passende mentoren har ingen ledig "
            "plass.",
        ),
        "over_capacity": (
            "{value} mentors 1 match ({ids}) with a Capacity of {capacity}.",
            "{value} begeleidt 1 koppeling ({ids}) bij een Capaciteit van {capacity}.",
            "{value} er mentor i 1 kobling ({ids}) med Kapasitet {capacity}.",
        ),
    }
)


def plural_form(count: object, lang: str) -> str:
    """ "one" or "other" (CLDR's plural categories, from Babel) for a count in `lang`."""
    from babel import Locale

    try:
        number = int(str(count))
    except ValueError:
        return "other"
    return str(Locale.parse(lang if lang in LANGUAGES else "en").plural_form(number))


#: The catalogue as Phrases: what the problem is, and how to fix it
_PROBLEMS = Phrases({code: (t[0], t[2], t[4]) for code, t in _CATALOGUE.items()})
_FIXES = Phrases({code: (t[1], t[3], t[5]) for code, t in _CATALOGUE.items()})


def codes() -> frozenset[str]:
    return frozenset(_CATALOGUE)


def render(problem: Problem, lang: str) -> tuple[str, str, str]:
    """(severity, problem, how to fix) for one Problems row, in `lang`."""
    params: dict[str, str] = dict(problem.params)
    if "needed" in params:
        params["needed"] = _NEEDED.word(params["needed"], lang)
    if params.get("touchpoint") in TOUCHPOINTS:
        params["touchpoint"] = TOUCHPOINTS.word(params["touchpoint"], lang)
    if "breakdown" in params:  # "excluded:2;manager:1" -> "2 excluded, 1 line manager"
        counted = (item.split(":") for item in params["breakdown"].split(";") if item)
        params["breakdown"] = ", ".join(_RULES.word(rule, lang).format(n) for rule, n in counted)
    said = _PROBLEMS
    if problem.code in _ONE and plural_form(params.get("count"), lang) == "one":
        said = _ONE
    text = said.word(problem.code, lang).format_map(params)
    fix = _FIXES.word(problem.code, lang).format_map(params)
    effect = _EFFECTS.word(problem.effect, lang).format_map(params)
    return SEVERITIES.word(problem.severity, lang), text, f"{fix} {effect}".strip()
