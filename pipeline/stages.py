"""The stages of the nightly job by command name, in the order `nightly` runs them."""

from __future__ import annotations

from pipeline.core.intake import intake
from pipeline.core.matching import match
from pipeline.core.summary import evaluate
from pipeline.mail import mail
from pipeline.run import Reporting, Stage, check

STAGES: dict[str, Stage] = {
    "check": check,
    "intake": intake,
    "match": match,
    "mail": mail,
    "evaluate": evaluate,
}
NIGHTLY_ORDER = ("check", "intake", "match", "mail", "evaluate")


def named(*names: str) -> list[tuple[str, Stage]]:
    return [(name, STAGES[name]) for name in names]


def nightly() -> list[tuple[str, Stage]]:
    return named(*(name for name in NIGHTLY_ORDER if name in STAGES))


def command(name: str) -> list[tuple[str, Stage]]:
    """The stages of one command: every stage of the night, but only `name` writes or sends;
    the others report their problems, so every command shows what `nightly` would."""
    return [(n, stage if n == name else Reporting(stage)) for n, stage in nightly()]
