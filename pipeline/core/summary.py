"""The evaluate stage (SPEC §5): the Summary tab, rewritten from the evaluations and the programme.

Summary holds figures only. For every scale question: the number of answers, the mean, the
median and how often each answer was given, for everyone, by role and by cohort (the
quarter of the match's start). A group with fewer answers than the Settings' minimum group
size shows "fewer than N answers" and no figure at all. No answer text is ever copied here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pipeline.core.cells import Cell, Row, add_days
from pipeline.core.changes import Chart, Plan, Replace
from pipeline.core.evaluation import EVALUATED, Evaluations, Question, Response, read_evaluations
from pipeline.core.life import life_of
from pipeline.core.matching import pool
from pipeline.core.pairs import pairs
from pipeline.core.programme import Programme
from pipeline.core.render import month_name
from pipeline.core.settings import programme_name
from pipeline.core.stage import Context, StageResult
from pipeline.core.vocab import TABS, Phrases

# Labels of the Summary tab: (en, nl, nb)
_L = Phrases(
    {
        "title": ("{programme}: summary", "{programme}: overzicht", "{programme}: oppsummering"),
        "programme": ("Programme", "Programma", "Program"),
        "active": (
            "Active matches (approved)",
            "Actieve koppelingen (goedgekeurd)",
            "Aktive koblinger (godkjent)",
        ),
        "waiting": (
            "Proposals waiting for approval",
            "Voorstellen die wachten op goedkeuring",
            "Forslag som venter på godkjenning",
        ),
        "unmatched": (
            "Mentees still without a match",
            "Mentees nog zonder koppeling",
            "Mentees fortsatt uten kobling",
        ),
        "mails": (
            "Mails sent in {month}",
            "Mails verstuurd in {month}",
            "E-poster sendt i {month}",
        ),
        "evaluations": ("Evaluations", "Evaluaties", "Evalueringer"),
        "no_tab": (
            "No Evaluations tab yet: add the evaluation form's responses tab.",
            "Nog geen tabblad Evaluaties: voeg het antwoordentabblad van het "
            "evaluatieformulier toe.",
            "Ingen fane Evalueringer ennå: legg til svarfanen for evalueringsskjemaet.",
        ),
        "received": (
            "Responses received (linked to a match)",
            "Reacties ontvangen (bij een koppeling)",
            "Svar mottatt (knyttet til en kobling)",
        ),
        "unlinked": (
            "Responses not counted (see Problems)",
            "Reacties die niet meetellen (zie Problemen)",
            "Svar som ikke telles (se Problemer)",
        ),
        "past": (
            "Matches past wrap-up",
            "Koppelingen voorbij de afsluiting",
            "Koblinger forbi avslutningen",
        ),
        "expected": (
            "Responses expected from them (mentor and mentee)",
            "Verwachte reacties daarvan (mentor en mentee)",
            "Forventede svar fra dem (mentor og mentee)",
        ),
        "answered": (
            "Responses received from them",
            "Ontvangen reacties daarvan",
            "Mottatte svar fra dem",
        ),
        "rate": ("Response rate (%)", "Responspercentage (%)", "Svarprosent (%)"),
        "no_questions": (
            "No scale questions (answers 1 to 5 or 1 to 10) yet.",
            "Nog geen schaalvragen (antwoorden 1 tot en met 5 of 1 tot en met 10).",
            "Ingen skalaspørsmål (svar 1 til 5 eller 1 til 10) ennå.",
        ),
        "all": ("All answers", "Alle antwoorden", "Alle svar"),
        "by_role": ("By role", "Per rol", "Etter rolle"),
        "by_cohort": (
            "By cohort (quarter of the start date)",
            "Per cohort (kwartaal van de startdatum)",
            "Etter kull (kvartal for startdatoen)",
        ),
        "question": ("Question", "Vraag", "Spørsmål"),
        "group": ("Group", "Groep", "Gruppe"),
        "answers": ("Answers", "Antwoorden", "Svar"),
        "mean": ("Mean", "Gemiddelde", "Gjennomsnitt"),
        "median": ("Median", "Mediaan", "Median"),
        "everyone": ("everyone", "iedereen", "alle"),
        "mentor": ("mentors", "mentoren", "mentorer"),
        "mentee": ("mentees", "mentees", "mentees"),
        "quarter": ("{year} Q{quarter}", "{year} K{quarter}", "{year} K{quarter}"),
        "no_start": ("no start date", "geen startdatum", "ingen startdato"),
        "fewer": (
            "fewer than {n} answers",
            "minder dan {n} antwoorden",
            "færre enn {n} svar",
        ),
        "chart": (
            "Mean answer per question, 1 to {top} (everyone)",
            "Gemiddeld antwoord per vraag, 1 tot {top} (iedereen)",
            "Gjennomsnittlig svar per spørsmål, 1 til {top} (alle)",
        ),
    }
)
#: Decimals kept of a mean or a rate: exact to the eye, and the same after a save in any
#: spreadsheet (a float's last digits do not survive every file format).
PRECISION = 10
#: Columns before the answer counts in the question tables.
FIXED = 5
#: The charts sit beside the programme's figures at the top: from column D, side by side.
CHART_COLUMN, CHART_COLUMNS = 4, 7


def label(key: str, lang: str, **values: object) -> str:
    return _L.word(key, lang).format(**values)


@dataclass(frozen=True)
class Figures:
    """What Summary shows of one question for one group of answers."""

    answers: int
    mean: float | None
    median: float | None
    counts: tuple[int, ...]  # how often 1, 2, ... top was answered


@dataclass(frozen=True)
class Health:
    active: int
    waiting: int
    unmatched: int
    mails_this_month: int


def health(programme: Programme, today: date) -> Health:
    statuses = [m.status for m in programme.matches]
    sent = sum(
        1
        for entry in programme.mail_log
        if entry.status == "sent"
        and (day := entry.day) is not None
        and (day.year, day.month) == (today.year, today.month)
    )
    return Health(
        len(life_of(programme, today).running_matches),  # finished ones count as completed
        statuses.count("proposed"),
        len(pool(programme, today).mentees),
        sent,
    )


@dataclass(frozen=True)
class Rate:
    """Response rate among the matches whose wrap-up day has come (mentor and mentee asked)."""

    matches: int
    expected: int
    answered: int

    @property
    def percent(self) -> float | None:
        if not self.expected:
            return None
        return round(100 * self.answered / self.expected, PRECISION)


def response_rate(programme: Programme, found: Evaluations, today: date) -> Rate:
    wrap_up = programme.settings.offsets["wrap_up"]
    past = {
        m.match_id
        for m in programme.matches
        if m.status in EVALUATED
        and m.status != "ended"  # stopped early: never asked for an evaluation
        and m.match_id in found.anchors
        and add_days(found.anchors[m.match_id], wrap_up) <= today
    }
    answered = sum(1 for r in found.responses if r.match.match_id in past)
    return Rate(len(past), 2 * len(past), answered)


#: A group of answers on Summary: (its name, the column that selects it, its key there)
Group = tuple[str, str, object]


def _groups(responses: Sequence[Response], lang: str) -> list[tuple[str, list[Group]]]:
    cohorts = sorted({r.cohort for r in responses}, key=lambda c: c or (9999, 9))

    def cohort_name(cohort: tuple[int, int] | None) -> str:
        if cohort is None:
            return label("no_start", lang)
        return label("quarter", lang, year=cohort[0], quarter=cohort[1])

    return [
        ("all", [(label("everyone", lang), "everyone", True)]),
        ("by_role", [(label(role, lang), "role", role) for role in ("mentor", "mentee")]),
        ("by_cohort", [(cohort_name(c), "cohort", _cohort(c)) for c in cohorts]),
    ]


def _cohort(cohort: tuple[int, int] | None) -> str:
    """A cohort as a plain key ("" without a start date): tuples and None do not group."""
    return "" if cohort is None else f"{cohort[0]}-{cohort[1]}"


def grouped(found: Evaluations) -> dict[tuple[int, str, object], Figures]:
    """The figures of every question for every group that has answers, by (question column,
    grouping column, key): count, mean, median and how often each answer was given."""
    import pandas as pd  # only a run with evaluations to sum up pays for it

    frame = pd.DataFrame(
        [
            (column, True, r.role, _cohort(r.cohort), value)
            for r in found.responses
            for column, value in r.scores.items()
        ],
        columns=["question", "everyone", "role", "cohort", "value"],
    )
    tops = {q.column: q.top for q in found.questions}
    frame = frame[frame["question"].isin(list(tops))]
    result: dict[tuple[int, str, object], Figures] = {}
    for by in ("everyone", "role", "cohort"):
        values = frame.groupby(["question", by])["value"]
        stats = values.agg(["count", "mean", "median"])
        counts = frame.groupby(["question", by, "value"]).size()
        for (column, key), row in stats.iterrows():
            top = tops[int(column)]
            shown = counts.loc[(column, key)]
            result[(int(column), by, key)] = Figures(
                int(row["count"]),
                round(float(row["mean"]), PRECISION),
                float(row["median"]),
                tuple(int(shown.get(v, 0)) for v in range(1, top + 1)),
            )
    return result


def summary_rows(
    programme: Programme, found: Evaluations, today: date
) -> tuple[tuple[Row, ...], tuple[Chart, ...], tuple[tuple[int, int, str], ...]]:
    """The Summary tab's rows, a chart of the questions' means per scale (1 to 5, 1 to 10:
    each on its own whole-number axis), and how figures are shown.

    Means and the response rate are written to 10 decimals; the number formats show them
    with two and one.
    """
    lang = programme.language
    settings = programme.settings
    minimum = max(settings.minimum_group_size, 1)
    name = programme_name(settings, lang)
    now = health(programme, today)
    month = f"{month_name(today.month, lang)} {today.year}"
    rows: list[Row] = [
        (label("title", lang, programme=name),),
        (),
        (label("programme", lang),),
        (label("active", lang), now.active),
        (label("waiting", lang), now.waiting),
        (label("unmatched", lang), now.unmatched),
        (label("mails", lang, month=month), now.mails_this_month),
        (),
        (label("evaluations", lang),),
    ]
    if found.tab is None:
        rows.append((label("no_tab", lang),))
        return tuple(rows), (), ()
    rate = response_rate(programme, found, today)
    rows += [
        (label("received", lang), len(found.responses)),
        (label("unlinked", lang), found.unlinked),
        (label("past", lang), rate.matches),
        (label("expected", lang), rate.expected),
        (label("answered", lang), rate.answered),
        (label("rate", lang), rate.percent),
    ]
    formats = [(len(rows), 2, "0.0")]
    if not found.questions:
        rows += [(), (label("no_questions", lang),)]
        return tuple(rows), (), tuple(formats)
    top = max(q.top for q in found.questions)
    head: Row = (
        *(label(k, lang) for k in ("question", "group", "answers", "mean", "median")),
        *(str(v) for v in range(1, top + 1)),
    )
    charts: list[Chart] = []
    computed = grouped(found)
    # questions of one scale together, so that each scale's chart reads one range of rows
    questions = sorted(found.questions, key=lambda q: q.top)
    for section, groups in _groups(found.responses, lang):
        rows += [(), (label(section, lang),), head]
        spans: dict[int, list[int]] = {}  # scale -> its rows in this section
        for question in questions:
            for group, by, key in groups:
                nothing = Figures(0, None, None, (0,) * question.top)
                shown = computed.get((question.column, by, key), nothing)
                rows.append(_row(question, group, shown, minimum, lang))
                formats.append((len(rows), FIXED - 1, "0.00"))
                spans.setdefault(question.top, []).append(len(rows))
        if section == "all":  # beside the figures at the top, one per scale
            for n, (scale, span) in enumerate(spans.items()):
                charts.append(
                    Chart(
                        label("chart", lang, top=scale),
                        labels=(1, span[0], span[-1]),
                        values=(4, span[0], span[-1]),
                        top=scale,
                        anchor=(CHART_COLUMN + CHART_COLUMNS * n, 3),
                    )
                )
    return tuple(rows), tuple(charts), tuple(formats)


def _row(question: Question, group: str, shown: Figures, minimum: int, lang: str) -> Row:
    if shown.answers < minimum:
        return (question.title, group, label("fewer", lang, n=minimum))
    cells: list[Cell] = [question.title, group, shown.answers, shown.mean, shown.median]
    return tuple(cells) + shown.counts


def evaluate(programme: Programme, run: Context) -> StageResult:
    """Read the evaluations and rewrite Summary and Pairs, the coordinator's board (the run
    leaves an unchanged tab alone)."""
    found = read_evaluations(programme, run.today)
    if run.reporting:  # its problems only: the figures (and pandas) wait for `evaluate`
        return StageResult(problems=found.problems)
    rows, charts, formats = summary_rows(programme, found, run.today)
    table = programme.tables.get("summary")
    name = table.name if table is not None else TABS.word("summary", programme.language)
    lines = (
        f"{len(found.responses)} response(s) counted, {found.unlinked} not linked to a match; "
        f"{len(found.questions)} scale question(s) on {name}",
    )
    return StageResult(
        plan=Plan((Replace(name, rows, charts, formats), pairs(programme, run, found))),
        problems=found.problems,
        lines=lines,
    )
