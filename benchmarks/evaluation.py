"""Evaluation benchmark: linking form responses to matches and building the Summary tab."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from typing import Any

from benchmarks.memory import peak_mb
from pipeline.adapters.workbook import InMemoryWorkbook
from pipeline.core.layout import header
from pipeline.core.programme import read_programme
from pipeline.core.stage import Context
from pipeline.core.summary import evaluate

SIZES = (1_000, 10_000)  # completed matches; about 1.6 responses each
TODAY = date(2026, 11, 24)
QUESTIONS = (
    "How satisfied are you with the mentoring? (1-5)",
    "Did you feel welcome in the team? (1-5)",
    "Would you recommend the programme? (1-10)",
    "Did you meet regularly?",
    "What could be better?",
)


def workbook(matches: int, seed: int = 11) -> InMemoryWorkbook:
    rng = random.Random(seed)
    mentors = max(matches // 3, 1)
    people: list[list[Any]] = [list(header("participants", "en"))]
    people += [[f"r{i}@bench.example.org", f"Mentor {i}", "mentor"] for i in range(mentors)]
    pairs: list[list[Any]] = [list(header("matches", "en"))]
    form: list[list[Any]] = [["Timestamp", "Email address", *QUESTIONS]]
    for i in range(matches):
        start = TODAY - timedelta(days=rng.randint(150, 500))
        mentee, mentor = f"e{i}@bench.example.org", f"r{i % mentors}@bench.example.org"
        people.append([mentee, f"Mentee {i}", "mentee", "stopped", start])
        pairs.append([f"M-{i + 1:05d}", mentee, "", mentor, "", None, "", "completed", start])
        for who in (mentee, mentor):
            if rng.random() < 0.8:
                when = datetime.combine(
                    start + timedelta(days=150 + rng.randint(0, 20)), datetime.min.time()
                )
                form.append(
                    [
                        when,
                        who,
                        rng.randint(1, 5),
                        rng.randint(1, 5),
                        rng.randint(1, 10),
                        rng.choice(("Yes", "No")),
                        "some words",
                    ]
                )
    return InMemoryWorkbook(
        {
            "Participants": people,
            "Matches": pairs,
            "Evaluations": form,
            "Settings": [["Setting", "Value"]],
        }
    )


def measure(matches: int) -> tuple[int, int, float, float]:
    """(matches, responses, seconds for the evaluate stage, peak MB of the process)."""
    book = workbook(matches)
    programme = read_programme(book.read())
    start = time.perf_counter()
    result = evaluate(programme, Context(TODAY))
    seconds = time.perf_counter() - start
    assert result.plan.changes
    responses = len(book.tabs["Evaluations"]) - 1
    return matches, responses, seconds, peak_mb()
