"""Every Problems message exists and renders in every language."""

from __future__ import annotations

import pytest

from pipeline.messages import codes, render
from pipeline.models import EFFECTS, Problem
from pipeline.vocab import LANGUAGES

PARAMS = {
    "value": "jo@",
    "first": "3",
    "role": "mentee",
    "setting": "Grace days",
    "needed": "number_unreadable",
    "default": "7",
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
