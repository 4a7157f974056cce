"""The Settings tab: defaults, every language, unknown names and bad values reported."""

from __future__ import annotations

import pytest

from pipeline.core.cells import Row
from pipeline.core.layout import settings_rows
from pipeline.core.models import Problem
from pipeline.core.schema import read_table
from pipeline.core.settings import DEFAULT_WEIGHTS, SPECS, Settings, parse_settings
from pipeline.core.vocab import LANGUAGES


def settings(
    *rows: Row, header: tuple[str, str] = ("Setting", "Value")
) -> tuple[Settings, list[Problem]]:
    table, _ = read_table("Settings", "settings", (header, *rows))
    return parse_settings(table, "en")


def test_an_empty_settings_tab_gives_the_defaults() -> None:
    assert settings() == (Settings(), [])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_new_workbooks_settings_read_back_as_the_defaults(lang: str) -> None:
    table, _ = read_table("S", "settings", (("Setting", "Value"), *settings_rows(lang)))
    parsed, problems = parse_settings(table, lang)
    assert problems == []
    assert parsed == Settings(language=lang, programme_name=parsed.programme_name)
    assert parsed.programme_name


def test_settings_in_dutch_take_effect() -> None:
    parsed, problems = settings(
        ("Automatisch goedkeuren", "ja"),
        ("Koppelhorizon (dagen)", "30"),
        ("Gewicht: doelen", "55,5"),
        ("Dagen na start: welkom", -10),
        ("Versturen: eerste dag", "nee"),
        ("Dag van het overzicht", "Vrijdag"),
        header=("Instelling", "Waarde"),
    )
    assert problems == []
    assert (
        parsed.auto_approve,
        parsed.match_horizon_days,
        parsed.weights["goals"],
        parsed.offsets["welcome"],
        "first_day" in parsed.touchpoints_on,
        parsed.digest_day,
    ) == (True, 30, 55.5, -10, False, "friday")
    assert parsed.weights["team"] == DEFAULT_WEIGHTS["team"]


def test_unknown_duplicate_and_bad_settings_are_reported_and_defaults_kept() -> None:
    parsed, problems = settings(
        ("Colour of the sky", "blue"),
        ("Grace days", "a week"),
        ("Grace days", "3"),
        ("Auto-approve", "perhaps"),
        (None, "orphan"),
        ("Weight: goals", -5),
    )
    assert parsed == Settings()
    assert [(p.code, p.row, p.column, p.effect) for p in problems] == [
        ("setting_unknown", 2, "Setting", "ignored"),
        ("setting_invalid", 3, "Value", "default"),
        ("setting_duplicate", 4, "Setting", "ignored"),
        ("setting_invalid", 5, "Value", "default"),
        ("setting_unnamed", 6, "Setting", "ignored"),
        ("setting_invalid", 7, "Value", "default"),
    ]
    assert dict(problems[1].params)["needed"] == "number_unreadable"
    assert dict(problems[3].params)["default"] == "no"


def test_every_setting_has_words_in_every_language() -> None:
    for spec in SPECS.values():
        for lang in LANGUAGES:
            assert spec.label.word(lang) and spec.help.word(lang)


def test_a_weight_beyond_a_thousand_points_is_refused_and_the_default_kept() -> None:
    parsed, problems = settings(("Weight: goals", 1e40), ("Weight: team", 1000))
    assert (parsed.weights["goals"], parsed.weights["team"]) == (40.0, 1000.0)
    assert [(p.code, dict(p.params)["needed"]) for p in problems] == [
        ("setting_invalid", "weight_too_large")
    ]
