"""Words of the workbook: every tab, header and value is recognised in all three languages."""

from __future__ import annotations

import pytest

from pipeline.core.vocab import (
    COLUMNS,
    LANGUAGES,
    MATCH_STATUSES,
    ROLES,
    SHIFTS,
    STATUSES,
    TABS,
    Term,
    Vocabulary,
    normalise,
)


def test_labels_compare_without_case_spaces_or_punctuation() -> None:
    assert normalise(" E-mail ") == normalise("EMAIL") == normalise("e mail") == "email"
    assert normalise("Beëindigd") == normalise("beeindigd")


@pytest.mark.parametrize(
    "vocabulary", [TABS, ROLES, STATUSES, SHIFTS, MATCH_STATUSES, *COLUMNS.values()]
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_is_recognised_in_every_language_and_case(
    vocabulary: Vocabulary, lang: str
) -> None:
    for key, term in vocabulary.terms.items():
        word = term.word(lang)
        assert vocabulary.key_of(word) == key
        assert vocabulary.key_of(f"  {word.upper()} ") == key


def test_a_word_with_two_meanings_is_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        Vocabulary([Term("a", "same", "x", "y"), Term("b", "other", "same", "z")])


@pytest.mark.parametrize(
    ("vocabulary", "cell", "key"),
    [
        (STATUSES, "Gepauzeerd", "paused"),
        (STATUSES, "stoppet", "stopped"),
        (SHIFTS, "Nachtdienst", "night"),
        (SHIFTS, "helg", "weekend"),
        (MATCH_STATUSES, "Goedgekeurd", "approved"),
        (MATCH_STATUSES, "avvist", "rejected"),
        (MATCH_STATUSES, "stoppet", "ended"),
        (ROLES, "Beide", "both"),
        (ROLES, "begge", "both"),
    ],
)
def test_values_in_dutch_and_norwegian(vocabulary: Vocabulary, cell: str, key: str) -> None:
    assert vocabulary.key_of(cell) == key


@pytest.mark.parametrize("cell", ["ok", "ja", "yes", "approved?", "goedgekeurd ?", "OK?"])
def test_only_an_unmistakable_word_approves_a_match(cell: str) -> None:
    """Approval starts the mails: doubt or a bare "ok" is not approval."""
    assert MATCH_STATUSES.key_of(cell) is None
