"""Evaluations and the Summary tab: every figure recomputed independently, in three languages.

The workbooks are real .xlsx files holding Google Forms and Microsoft Forms response tabs
(tests/evaluation_data.py); `mentorflow evaluate` runs on them through the command line, and
the Summary it writes is read back with openpyxl and compared with plain-Python figures.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypedDict

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.cli import main
from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core.evaluation import read_evaluations
from pipeline.core.programme import read_programme
from tests import evaluation_data as data
from tests.conftest import records, write_xlsx


class Labels(TypedDict):
    """The words of the Summary tab in one language."""

    sections: tuple[str, str, str]
    groups: tuple[str, str, str]
    quarter: str
    fewer: str
    question: str
    received: str
    unlinked: str
    past: str
    expected: str
    answered: str
    rate: str
    active: str
    waiting: str
    unmatched: str
    mails: str
    summary: str
    problems: str


LABELS: dict[str, Labels] = {
    "en": {
        "sections": ("All answers", "By role", "By cohort (quarter of the start date)"),
        "groups": ("everyone", "mentors", "mentees"),
        "quarter": "{} Q{}",
        "fewer": "fewer than {} answers",
        "question": "Question",
        "received": "Responses received (linked to a match)",
        "unlinked": "Responses not counted (see Problems)",
        "past": "Matches past wrap-up",
        "expected": "Responses expected from them (mentor and mentee)",
        "answered": "Responses received from them",
        "rate": "Response rate (%)",
        "active": "Active matches (approved)",
        "waiting": "Proposals waiting for approval",
        "unmatched": "Mentees still without a match",
        "mails": "Mails sent in November 2026",
        "summary": "Summary",
        "problems": "Problems",
    },
    "nl": {
        "sections": ("Alle antwoorden", "Per rol", "Per cohort (kwartaal van de startdatum)"),
        "groups": ("iedereen", "mentoren", "mentees"),
        "quarter": "{} K{}",
        "fewer": "minder dan {} antwoorden",
        "question": "Vraag",
        "received": "Reacties ontvangen (bij een koppeling)",
        "unlinked": "Reacties die niet meetellen (zie Problemen)",
        "past": "Koppelingen voorbij de afsluiting",
        "expected": "Verwachte reacties daarvan (mentor en mentee)",
        "answered": "Ontvangen reacties daarvan",
        "rate": "Responspercentage (%)",
        "active": "Actieve koppelingen (goedgekeurd)",
        "waiting": "Voorstellen die wachten op goedkeuring",
        "unmatched": "Mentees nog zonder koppeling",
        "mails": "Mails verstuurd in november 2026",
        "summary": "Overzicht",
        "problems": "Problemen",
    },
    "nb": {
        "sections": ("Alle svar", "Etter rolle", "Etter kull (kvartal for startdatoen)"),
        "groups": ("alle", "mentorer", "mentees"),
        "quarter": "{} K{}",
        "fewer": "færre enn {} svar",
        "question": "Spørsmål",
        "received": "Svar mottatt (knyttet til en kobling)",
        "unlinked": "Svar som ikke telles (se Problemer)",
        "past": "Koblinger forbi avslutningen",
        "expected": "Forventede svar fra dem (mentor og mentee)",
        "answered": "Mottatte svar fra dem",
        "rate": "Svarprosent (%)",
        "active": "Aktive koblinger (godkjent)",
        "waiting": "Forslag som venter på godkjenning",
        "unmatched": "Mentees fortsatt uten kobling",
        "mails": "E-poster sendt i november 2026",
        "summary": "Oppsummering",
        "problems": "Problemer",
    },
}


def run_evaluate(
    folder: Path,
    lang: str,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    minimum: int | None = None,
) -> tuple[Path, int, str]:
    path = write_xlsx(folder / "programme.xlsx", data.workbook(lang, minimum))
    config = folder / "mentorflow.toml"
    config.write_text(f'[tabs]\nevaluations = "{data.EVALUATION_TAB[lang]}"\n', encoding="utf-8")
    code = main(["--config", str(config), "--workbook", str(path), "--today", "2026-11-24", *argv])
    out, err = capsys.readouterr()
    assert err == ""
    return path, code, out


def rows_of(path: Path, tab: str) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(path)[tab]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(tuple(cells))
    return rows


def read_summary(
    rows: Sequence[tuple[Any, ...]], lang: str
) -> tuple[dict[str, Any], dict[tuple[str, str, str], tuple[Any, ...]]]:
    """The key figures (label -> value) and the question tables ((section, question, group))."""
    labels = LABELS[lang]
    figures: dict[str, Any] = {}
    tables: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    section = ""
    for cells in rows:
        if len(cells) == 1:
            section = str(cells[0])
        elif len(cells) == 2:
            figures[str(cells[0])] = cells[1]
        elif cells and cells[0] != labels["question"] and section in labels["sections"]:
            tables[(section, str(cells[0]), str(cells[1]))] = tuple(cells[2:])
    return figures, tables


Member = Callable[[data.Answer], bool]


def in_cohort(cohort: tuple[int, int]) -> Member:
    return lambda r: data.cohort_of(r.counted_for or "") == cohort


def expected_tables(lang: str, minimum: int) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Every question table row, worked out from the raw answers with plain Python."""
    labels = LABELS[lang]
    counted = [r for r in data.RESPONSES if r.counted_for]
    cohorts = sorted({data.cohort_of(r.counted_for) for r in counted if r.counted_for})
    everyone, by_role, by_cohort = labels["sections"]
    groups: list[tuple[str, str, Member]] = [
        (everyone, labels["groups"][0], lambda r: True),
        (by_role, labels["groups"][1], lambda r: r.role == "mentor"),
        (by_role, labels["groups"][2], lambda r: r.role == "mentee"),
    ]
    for year, quarter in cohorts:
        groups.append(
            (
                by_cohort,
                labels["quarter"].format(year, quarter),
                in_cohort((year, quarter)),
            )
        )
    expected: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for index, top in enumerate(data.TOPS):
        if top is None:
            continue
        title = data.QUESTIONS[lang][index] + (" (2)" if index == 5 else "")
        for section, group, member in groups:
            values = [
                answer
                for r in counted
                if member(r)
                and isinstance(answer := r.answers[index], int)
                and not isinstance(answer, bool)
                and 1 <= answer <= top
            ]
            if len(values) < minimum:
                expected[(section, title, group)] = (labels["fewer"].format(minimum),)
            else:
                expected[(section, title, group)] = (
                    len(values),
                    sum(values) / len(values),
                    statistics.median(values),
                    *(values.count(v) for v in range(1, top + 1)),
                )
    return expected


def assert_tables_agree(
    found: dict[tuple[str, str, str], tuple[Any, ...]],
    expected: dict[tuple[str, str, str], tuple[Any, ...]],
) -> None:
    assert set(found) == set(expected)
    for key, want in expected.items():
        got = found[key]
        if len(want) == 1:  # a group too small: the text and no figure at all
            assert got == want, key
            continue
        assert got[0] == want[0], key
        assert got[1] == pytest.approx(want[1], abs=1e-9), key  # the mean, to 10 decimals
        assert got[2] == want[2], key
        assert got[3:] == want[3:], key


@pytest.mark.parametrize("lang", ["en", "nl", "nb"])
def test_every_summary_figure_agrees_with_an_independent_count(
    lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, code, _ = run_evaluate(tmp_path, lang, capsys, "evaluate")
    assert code == 0
    labels = LABELS[lang]
    figures, tables = read_summary(rows_of(path, labels["summary"]), lang)
    assert_tables_agree(tables, expected_tables(lang, minimum=3))
    counted = [r for r in data.RESPONSES if r.counted_for]
    past = {"M-0001", "M-0002", "M-0003", "M-0005"}  # completed, wrap-up day has come
    answered = {(r.who, r.counted_for) for r in counted if r.counted_for in past}
    assert figures == {
        labels["active"]: 1,
        labels["waiting"]: 1,
        labels["unmatched"]: 1,
        labels["mails"]: 2,
        labels["received"]: len(counted),
        labels["unlinked"]: 2,
        labels["past"]: len(past),
        labels["expected"]: 2 * len(past),
        labels["answered"]: len(answered),
        labels["rate"]: pytest.approx(100 * len(answered) / (2 * len(past)), abs=1e-9),
    }


@pytest.mark.parametrize("minimum", [1, 4, 7])
def test_groups_under_the_minimum_show_no_figure(
    minimum: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, code, _ = run_evaluate(tmp_path, "en", capsys, "evaluate", minimum=minimum)
    assert code == 0
    _, tables = read_summary(rows_of(path, "Summary"), "en")
    assert_tables_agree(tables, expected_tables("en", minimum))
    suppressed = [row for row in tables.values() if len(row) == 1]
    assert all(row == (f"fewer than {minimum} answers",) for row in suppressed)
    assert (minimum == 1) == (not suppressed)


def test_problems_name_each_bad_response_without_quoting_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _, _ = run_evaluate(tmp_path, "en", capsys, "evaluate")
    problems = [
        r for r in records(rows_of(path, "Problems"), "problems") if r["tab"] == "Evaluations"
    ]
    found = {(r["row"], r["column"], r["problem"].split(" ")[0]) for r in problems}
    title = data.QUESTIONS["en"]
    assert found == {
        (1, "Did you feel welcome in the team?", "Columns"),  # the repeated title
        (2, "Email address", "The"),  # m1 answered again later: the earlier answer
        (5, title[2], "This"),  # 11 on a 1 to 10 scale
        (6, title[5], "This"),  # text in a scale column
        (9, "Email address", '"unknown.person@zorg.example.org"'),
        (12, "Email address", '"not-an-address"'),
        (13, title[0], "This"),  # 0 on a 1 to 5 scale
    }
    text = " ".join(str(c) for row in problems for c in row.values())
    assert data.NOT_A_SCORE not in text and "OPEN-ANSWER" not in text


def test_a_chart_per_scale_shows_the_mean_of_each_question_for_everyone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1-5 and 1-10 questions each on their own whole-number axis, beside the figures."""
    path, _, _ = run_evaluate(tmp_path, "nl", capsys, "evaluate")
    sheet = openpyxl.load_workbook(path)["Overzicht"]
    titles = [q for q, top in zip(data.QUESTIONS["nl"], data.TOPS, strict=True) if top]
    titles[-1] += " (2)"
    tops = [top for top in data.TOPS if top]
    charts = sheet._charts
    assert [c.y_axis.scaling.max for c in charts] == sorted(set(tops))
    for chart, scale in zip(charts, sorted(set(tops)), strict=True):
        series = chart.series[0]
        values = series.val.numRef.f
        labels = series.cat.strRef.f if series.cat.strRef is not None else series.cat.numRef.f
        cells = values.split("!")[1].split(":")
        first, last = (int(cells[n].split("$")[-1]) for n in (0, -1))
        end = f":$D${last}" if last > first else ""  # one question: a single cell
        assert values == f"'Overzicht'!$D${first}{end}"
        assert labels == f"'Overzicht'!$A${first}{end.replace('D', 'A')}"
        shown = [(sheet[f"A{n}"].value, sheet[f"B{n}"].value) for n in range(first, last + 1)]
        of_scale = [t for t, top in zip(titles, tops, strict=True) if top == scale]
        assert shown == [(t, "iedereen") for t in of_scale]
        assert chart.y_axis.number_format.formatCode == "0" and chart.y_axis.majorUnit == 1
        assert chart.anchor._from.row == 2  # beside the figures at the top


def test_a_quiet_second_run_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _, _ = run_evaluate(tmp_path, "en", capsys, "evaluate")
    before = path.read_bytes()
    code = main(["--workbook", str(path), "--today", "2026-11-24", "evaluate"])
    out, _ = capsys.readouterr()
    assert code == 0 and "nothing to write" in out and path.read_bytes() == before


def test_open_answers_never_leave_the_evaluations_tab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], server: Any
) -> None:
    """The whole nightly job, with the digest over real SMTP: no open answer anywhere else."""
    handler, port = server
    tabs = data.workbook("en")
    tabs["Settings"].append(["Coordinator email", "coordinator@zorg.example.org"])
    path = write_xlsx(tmp_path / "programme.xlsx", tabs)
    config = tmp_path / "mentorflow.toml"
    config.write_text(
        f'[mail]\ntransport = "smtp"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        'smtp_security = "none"\nsender = "Mentorprogramma <mentor@zorg.example.org>"\n',
        encoding="utf-8",
    )
    code = main(
        ["--config", str(config), "--workbook", str(path), "--today", "2026-11-24", "nightly"]
    )
    out, err = capsys.readouterr()
    assert code == 0
    digests = [m for to, m in handler.received if to == ["coordinator@zorg.example.org"]]
    assert len(digests) == 1
    secrets = (*data.OPEN_TEXTS, data.NOT_A_SCORE)
    book = openpyxl.load_workbook(path)
    elsewhere = [
        str(value)
        for sheet in book.worksheets
        if sheet.title != "Evaluations"
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    mails = [message.decode("utf-8", "replace") for _, message in handler.received]
    for secret in secrets:
        assert secret in str(rows_of(path, "Evaluations"))  # it is there to be leaked
        assert not any(secret in cell for cell in elsewhere), secret
        assert secret not in out + err
        assert not any(secret in mail for mail in mails), secret


def test_responses_link_to_the_match_they_are_about() -> None:
    book = InMemoryWorkbook(data.workbook("en"))
    programme = read_programme(book.read(), {})
    found = read_evaluations(programme, data.TODAY)
    linked = {(r.row, r.match.match_id, r.role) for r in found.responses}
    expected = {
        (number, r.counted_for, r.role)
        for number, r in enumerate(data.RESPONSES, start=2)
        if r.counted_for
    }
    assert linked == expected
    assert found.respondents >= {data.addr("m1"), data.addr("ann"), data.addr("unknown.person")}


@settings(deadline=None)  # the first example loads scipy
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(rows, 5).flatmap(
            lambda columns: st.lists(
                st.lists(st.integers(0, 60), min_size=columns, max_size=columns),
                min_size=rows,
                max_size=rows,
            )
        )
    )
)
def test_one_persons_answers_go_to_their_matches_as_scipy_would_pair_them(
    cost: list[list[int]],
) -> None:
    """Without scipy (a second of start-up), the same least total distance as its solver."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from pipeline.core.evaluation import _nearest

    chosen = _nearest(cost, len(cost[0]))
    assert len(set(chosen)) == len(cost)
    rows, columns = linear_sum_assignment(np.array(cost, dtype=float))
    best = sum(cost[r][c] for r, c in zip(rows, columns, strict=True))
    assert sum(cost[r][c] for r, c in enumerate(chosen)) == best
