"""A synthetic demo programme: about forty invented people at an invented Dutch care organisation.

Every name is a random combination of common Dutch first names and surnames, every
address is under example.org (reserved for examples), and the few deliberate mistakes
show what the Problems tab does.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from pipeline.core.cells import Cell, Row
from pipeline.core.changes import TabTemplate
from pipeline.core.layout import header, new_workbook
from pipeline.core.settings import SPECS
from pipeline.core.vocab import COLUMNS, TABS

DOMAIN = "delinde.example.org"
FIRST_NAMES = (
    "Anouk",
    "Bram",
    "Daan",
    "Emma",
    "Fleur",
    "Sanne",
    "Lotte",
    "Sem",
    "Fatima",
    "Mohamed",
    "Yasmine",
    "Thijs",
    "Noor",
    "Ruben",
    "Iris",
    "Kevin",
    "Marieke",
    "Priya",
    "Joost",
    "Esra",
    "Wouter",
    "Ilse",
    "Naima",
    "Jeroen",
    "Hanneke",
    "Sven",
    "Femke",
    "Ayoub",
    "Ingrid",
    "Tom",
    "Linda",
    "Kübra",
    "Gert",
    "Mirjam",
    "Stijn",
    "Chantal",
    "Ricardo",
    "Wendy",
    "Pieter",
    "Zeynep",
)
SURNAMES = (
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Kok",
    "Yilmaz",
    "El Amrani",
    "Kaya",
    "Postma",
    "van der Meer",
)
TEAMS = (
    "Somatiek De Linde",
    "PG De Linde",
    "Revalidatie Het Anker",
    "Wijkteam Noord",
    "Wijkteam Zuid",
)
LOCATIONS = {
    "Somatiek De Linde": "De Linde",
    "PG De Linde": "De Linde",
    "Revalidatie Het Anker": "Het Anker",
    "Wijkteam Noord": "Thuiszorg Noord",
    "Wijkteam Zuid": "Thuiszorg Zuid",
}
DISCIPLINES = ("verpleegkundige", "verzorgende IG", "helpende", "begeleider")
GOALS = (
    "wondzorg",
    "medicatie",
    "dementie",
    "palliatieve zorg",
    "rapporteren in het ECD",
    "tillen en transfers",
    "omgaan met familie",
    "diabeteszorg",
    "agressie hanteren",
)
LANGUAGES = ("Nederlands", "Engels", "Turks", "Arabisch", "Pools", "Papiaments")
SHIFTS = ("dag", "avond", "nacht", "weekend")
FAULTY = (20, 22, 24, 26, 28, 30)
MANAGERS = {team: f"leidinggevende.{i + 1}@{DOMAIN}" for i, team in enumerate(TEAMS)}


def _address(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", ".") + "@" + DOMAIN


def _people(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        if name not in names:
            names.append(name)
    return names


def participants(today: date, seed: int = 2026) -> list[dict[str, Cell]]:
    """Forty synthetic participants (Participants column key -> cell), five of them faulty."""
    rng = random.Random(seed)
    names = _people(rng, 40)
    rows: list[dict[str, Cell]] = []
    for index, name in enumerate(names):
        role = "mentor" if index < 15 else "beide" if index < 17 else "mentee"
        team = rng.choice(TEAMS)
        mentor = role != "mentee"
        row: dict[str, Cell] = {
            "email": _address(name),
            "name": name,
            "role": role,
            "status": "actief" if index % 13 else "",
            "team": team,
            "discipline": rng.choice(DISCIPLINES),
            "location": LOCATIONS[team],
            "shifts": "; ".join(sorted(rng.sample(SHIFTS, rng.randint(1, 3)), key=SHIFTS.index)),
            "manager_email": MANAGERS[team],
            "years_experience": rng.randint(4, 25) if mentor else rng.randint(0, 3),
            "languages": "; ".join(["Nederlands", *rng.sample(LANGUAGES[1:], rng.randint(0, 1))]),
            "goals": "; ".join(rng.sample(GOALS, 3 if mentor else 2)),
            "email_language": "nl" if index % 9 else "en",
        }
        if mentor:
            row["capacity"] = rng.choice((1, 1, 2, 2, 3))
        else:
            row["start_date"] = today + timedelta(days=rng.randint(-20, 120))
        rows.append(row)
    rows[17]["preferred_mentor"] = rows[3]["email"]
    rows[0]["status"] = "gepauzeerd"
    # Deliberate mistakes, one of each common kind, for the Problems tab to explain.
    # Their rows are listed in FAULTY.
    rows[20]["email"] = "j.devries@"
    rows[22]["role"] = "stagiair"
    rows[24]["start_date"] = "31-02-2027"
    rows[26]["email"] = str(rows[27]["email"]).upper()
    rows[28]["preferred_mentor"] = f"onbekend@{DOMAIN}"
    rows[30]["shifts"] = "dag; slaapdienst"
    return rows


#: The demo's intake form: questions that are not Participants headers, mapped in config.
INTAKE_COLUMNS = {"Wat wil je leren?": "Goals", "Welke diensten ga je draaien?": "Shifts"}
INTAKE_TAB = "Formulierreacties 1"


def form_responses(today: date, known: dict[str, Cell]) -> tuple[Row, ...]:
    """Google Forms style responses: two new colleagues, and one known person's update."""
    header: Row = (
        "Tijdstempel",
        "E-mailadres",
        "Naam",
        "Startdatum",
        "Wat wil je leren?",
        "Welke diensten ga je draaien?",
    )
    return (
        header,
        (
            datetime.combine(today - timedelta(days=3), time(9, 14)),
            f"noor.peters@{DOMAIN}",
            "Noor Peters",
            (today + timedelta(days=30)).strftime("%d-%m-%Y"),
            "Wondzorg, Medicatie",
            "Dag, Weekend",
        ),
        (
            datetime.combine(today - timedelta(days=2), time(16, 2)),
            f"ruben.smit@{DOMAIN}",
            "Ruben Smit",
            (today + timedelta(days=45)).strftime("%d-%m-%Y"),
            "Dementie",
            "Avond",
        ),
        (
            datetime.combine(today - timedelta(days=1), time(11, 40)),
            known["email"],
            known["name"],
            (today + timedelta(days=50)).strftime("%d-%m-%Y"),
            "",
            "",
        ),
    )


EVALUATION_TAB = "Evaluatie (reacties)"
#: The demo's evaluation form (Google Forms style): scale, yes/no and one open question.
EVALUATION_HEADER: Row = (
    "Tijdstempel",
    "E-mailadres",
    "Hebben jullie elkaar regelmatig gesproken?",
    "Hoe tevreden ben je over het mentorschap? (1-5)",
    "Voelde je je welkom in het team? (1-5)",
    "Hoe waarschijnlijk is het dat je het programma aanbeveelt? (1-10)",
    "Wat kunnen we beter doen?",
)
_REMARKS = (
    "Meer tijd in het rooster voor de gesprekken.",
    "Prima zo!",
    "",
    "Een vaste dag per maand zou helpen.",
)


def _match(
    match_id: str,
    mentee: dict[str, Cell],
    mentor: dict[str, Cell],
    why: str,
    status: str,
    proposed: date,
    score: float | None = None,
    notes: str | None = None,
) -> dict[str, Cell]:
    """A Matches row by column key, as a coordinator would have it."""
    return {
        "match_id": match_id,
        "status": status,
        "mentee": mentee["name"],
        "mentor": mentor["name"],
        "mentee_start": mentee.get("start_date"),
        "score": score,
        "why": why,
        "mentee_email": mentee["email"],
        "mentor_email": mentor["email"],
        "proposed_on": proposed,
        "notes": notes,
    }


def past_cohort(
    today: date, mentors: list[dict[str, Cell]], seed: int = 2027
) -> tuple[list[dict[str, Cell]], list[dict[str, Cell]], tuple[Row, ...]]:
    """Eight pairs who finished their half year: mentees, completed matches, their evaluations.

    The mentees have left the programme's active list (status stopped) after completing it;
    their mentors are active ones, mentoring again. Three answers carry what a coordinator
    wants to hear about: a low score and a "did not meet" in the last week (the digest flags
    them), and a 6 on a 1 to 5 scale; one response comes from an address that belongs to no
    match.
    """
    rng = random.Random(seed)
    names = [n for n in _people(rng, 30) if _address(n) not in {m["email"] for m in mentors}]
    mentees: list[dict[str, Cell]] = []
    matches: list[dict[str, Cell]] = []
    answers: list[Row] = [EVALUATION_HEADER]
    for index, name in enumerate(names[:8]):
        start = today - timedelta(days=160 + 12 * index)
        mentor = mentors[5 + index % 4]
        team = str(mentor["team"])
        mentee: dict[str, Cell] = {
            "email": _address(name).replace("@", ".oud@"),
            "name": name,
            "role": "mentee",
            "status": "gestopt",
            "start_date": start,
            "team": team,
            "discipline": rng.choice(DISCIPLINES),
            "location": LOCATIONS[team],
            "manager_email": MANAGERS[team],
            "years_experience": rng.randint(0, 2),
            "goals": "; ".join(rng.sample(GOALS, 2)),
        }
        mentees.append(mentee)
        match_id = f"M-{index + 1:04d}"
        matches.append(
            _match(
                match_id,
                mentee,
                mentor,
                "Met de hand ingevoerd",
                "afgerond",
                start - timedelta(days=20),
            )
        )
        answered = today - timedelta(days=4 + 6 * index)  # after the wrap-up (S + 150)
        for who, email in (("mentee", mentee["email"]), ("mentor", mentor["email"])):
            if (index + (who == "mentor")) % 4 == 3:
                continue  # not everyone answers
            happy = rng.randint(3, 5)
            answers.append(
                (
                    datetime.combine(answered, time(10 + index % 8, 5 * index)),
                    email,
                    "Nee" if (index, who) == (0, "mentee") else "Ja",
                    2
                    if (index, who) == (0, "mentor")
                    else 6
                    if (index, who) == (1, "mentor")
                    else happy,
                    rng.randint(3, 5),
                    rng.randint(6, 10),
                    _REMARKS[(index + len(who)) % len(_REMARKS)],
                )
            )
    answers.append(
        (
            datetime.combine(today - timedelta(days=4), time(20, 15)),
            f"oud.collega@{DOMAIN}",
            "Ja",
            4,
            4,
            8,
            "",
        )
    )
    return mentees, matches, tuple(answers)


def templates(today: date, lang: str = "nl") -> list[TabTemplate]:
    """The demo workbook: a new workbook with participants, an exclusion and two matches."""
    people = participants(today)
    healthy = [p for i, p in enumerate(people) if i not in FAULTY]
    mentors = [p for p in healthy if p["role"] == "mentor" and p["status"] != "gepauzeerd"]
    mentees = [p for p in healthy if p["role"] == "mentee"]
    # Real life (SPEC §1): an existing colleague without a start date, a new colleague whose
    # match is approved only after her first day, and a match that ended early.
    undated, late, ended = mentees[5], mentees[8], mentees[9]
    del undated["start_date"]
    late["start_date"] = today - timedelta(days=12)
    ended["start_date"] = today - timedelta(days=30)
    finished, past_matches, evaluations = past_cohort(today, mentors)
    keys = list(COLUMNS["participants"].terms)
    rows = [tuple(p.get(k) for k in keys) for p in (*people, *finished)]
    values = {
        "programme_name": "Mentorprogramma De Linde",
        "organisation": "Zorggroep De Linde (demo)",
        "coordinator_name": "Coördinator Demo",
        "coordinator_email": f"coordinator@{DOMAIN}",
        "evaluation_form_link": "https://forms.example.org/evaluatie-mentorprogramma",
    }
    by_hand = "Met de hand ingevoerd"
    records = (
        *past_matches,
        _match("M-0009", mentees[0], mentors[1], by_hand, "goedgekeurd", today),
        _match(
            "M-0010", mentees[1], mentors[2], "zelfde team", "afgewezen", today - timedelta(3), 40
        ),
        _match(
            "M-0011",
            late,
            mentors[4],
            by_hand,
            "goedgekeurd",
            today - timedelta(days=20),
            notes="Goedgekeurd na de eerste werkdag",
        ),
        _match(
            "M-0012",
            ended,
            mentors[9],
            by_hand,
            "beëindigd",
            today - timedelta(days=45),
            notes="Mentor verhuisd naar een andere locatie",
        ),
    )
    match_rows = tuple(tuple(r.get(k) for k in COLUMNS["matches"].terms) for r in records)
    exclusions: tuple[Row, ...] = (
        (mentees[2]["email"], mentors[3]["email"], "familie"),
        (mentees[3]["email"], f"oud.collega@{DOMAIN}", "eerder conflict"),
    )
    result = []
    for template in new_workbook(lang):
        key = TABS.key_of(template.name)
        if key == "participants":
            template = replace(template, rows=(header("participants", lang), *rows))
        elif key == "matches":
            template = replace(template, rows=(header("matches", lang), *match_rows))
        elif key == "exclusions":
            template = replace(template, rows=(header("exclusions", lang), *exclusions))
        elif key == "settings":
            labels = {SPECS[k].label.word(lang): v for k, v in values.items()}
            template = replace(
                template,
                rows=tuple((r[0], labels.get(str(r[0]), r[1]), *r[2:]) for r in template.rows),
            )
        result.append(template)
    result.insert(4, TabTemplate(INTAKE_TAB, form_responses(today, mentees[4])))
    result.insert(5, TabTemplate(EVALUATION_TAB, evaluations))
    return result
