"""Every Problems message exists and renders in every language."""

from __future__ import annotations

import pytest

from pipeline.core.models import EFFECTS, Problem
from pipeline.core.problem_text import codes, render
from pipeline.core.vocab import LANGUAGES

PARAMS = {
    "value": "jo@",
    "first": "3",
    "role": "mentee",
    "setting": "Grace days",
    "needed": "number_unreadable",
    "count": "3",
    "current": "nurse",
    "key": "M-0001/welcome/jo@zorg.example.org",
    "breakdown": "excluded:2;manager:1;rejected:1;experience:4",
    "default": "7",
    "top": "5",
    "second": "F",
    "shown": "How was it? (2)",
    "touchpoint": "first_week",
    "answer": "451 try again later",
    "grace": "7",
    "status": "stopped",
    "mentee": "Bo Jansen",
    "id": "M-0012",
    "proposal_row": "14",
    "approved": "approved",
    "ended": "ended",
    "capacity": "2",
    "ids": "M-0003, M-0007, M-0012",
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("effect", EFFECTS)
def test_every_message_renders_in_every_language(lang: str, effect: str) -> None:
    for code in sorted(codes()):
        severity, text, fix = render(Problem.at("T", 2, "C", code, effect, **PARAMS), lang)
        assert text and fix and "{" not in text + fix, (code, lang)
        assert severity == {"en": "error", "nl": "fout", "nb": "feil"}[lang] or effect != "skipped"


def test_a_message_reads_as_a_coordinator_would_want() -> None:
    problem = Problem.at("Participants", 14, "Email", "email_invalid", "skipped", value="jo@")
    assert render(problem, "en") == (
        "error",
        '"jo@" is not a valid email address.',
        "Correct the address (like name@organisation.nl). Until then this row is left out.",
    )
    assert render(problem, "nl")[1] == '"jo@" is geen geldig e-mailadres.'
    assert render(problem, "nb")[2] == (
        "Rett adressen (som navn@organisasjon.no). Inntil da hoppes denne raden over."
    )


def test_the_reasons_a_mentee_stays_unmatched_are_spelled_out() -> None:
    problem = Problem.at(
        "Deelnemers",
        18,
        "Naam",
        "unmatched_not_allowed",
        "",
        value="Naima Vos",
        count=4,
        breakdown="manager:1;excluded:2;experience:1",
    )
    assert render(problem, "nl")[1] == (
        "Geen mentor voorgesteld voor Naima Vos: alle 4 mentoren vallen af (1 leidinggevende, "
        "2 uitgesloten, 1 met te weinig ervaring)."
    )
    assert render(problem, "en")[1] == (
        "No mentor proposed for Naima Vos: all 4 mentors are ruled out (1 line manager, "
        "2 excluded, 1 with too little experience)."
    )
