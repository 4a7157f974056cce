"""The Why column of a proposal: its score parts in plain words, in the workbook's language."""

from __future__ import annotations

from pipeline.core.models import Participant
from pipeline.core.scoring import Fit
from pipeline.core.vocab import SHIFTS, STATUSES, Phrases

# part: (en, nl, nb); {} is filled with the shared items
_PARTS = Phrases(
    {
        "preferred": (
            "named as preferred mentor",
            "gekozen als voorkeursmentor",
            "valgt som ønsket mentor",
        ),
        "goals": ("shared goals: {}", "gedeelde doelen: {}", "felles mål: {}"),
        "discipline": ("same discipline ({})", "zelfde discipline ({})", "samme yrkesgruppe ({})"),
        "team": ("same team ({})", "zelfde team ({})", "samme team ({})"),
        "shifts": ("both work: {}", "werken allebei: {}", "jobber begge: {}"),
        "location": ("same location ({})", "zelfde locatie ({})", "samme arbeidssted ({})"),
        "languages": ("shared language: {}", "gedeelde taal: {}", "felles språk: {}"),
        "replaces": ("replaces {}", "vervangt {}", "erstatter {}"),
        "nothing": (
            "nothing in common; the best mentor available",
            "geen overeenkomsten; de best beschikbare mentor",
            "ingen felles trekk; den beste tilgjengelige mentoren",
        ),
    }
)


def why(fit: Fit, lang: str, replaces: Participant | None = None) -> str:
    """'same discipline (nurse); shared goals: wound care, medication; both work: night'.

    A replacement for a mentor who left says so first: 'replaces Anna de Vries (stopped); …'.
    """

    def part(name: str, items: str = "") -> str:
        return _PARTS.word(name, lang).format(items)

    parts = []
    if replaces is not None:
        parts.append(part("replaces", f"{replaces.name} ({STATUSES.word(replaces.status, lang)})"))
    if fit.preferred:
        parts.append(part("preferred"))
    if fit.goals:
        parts.append(part("goals", ", ".join(fit.goals)))
    for name in ("discipline", "team"):
        if getattr(fit, name):
            parts.append(part(name, getattr(fit, name)))
    if fit.shifts:
        parts.append(part("shifts", ", ".join(SHIFTS.word(s, lang) for s in fit.shifts)))
    if fit.location:
        parts.append(part("location", fit.location))
    if fit.languages:
        parts.append(part("languages", ", ".join(fit.languages)))
    if len(parts) == (replaces is not None):
        parts.append(part("nothing"))
    return "; ".join(parts)
