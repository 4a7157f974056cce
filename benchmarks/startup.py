"""Start-up benchmark: how long a coordinator waits for `mentorflow --help` and for `check`
of the demo workbook, each command in a fresh process, as a terminal or cron starts it."""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.memory import peak_mb

#: (what, arguments after `mentorflow`, target wall seconds of issue 12)
COMMANDS = (
    ("mentorflow --help", ["--help"], 0.3),
    ("mentorflow check (demo workbook)", ["check"], 0.5),
)
RUNS = 5

Figures = tuple[str, float, float, float, float]


def _mentorflow() -> list[str]:
    return [sys.executable, "-c", "import sys; from jobs.cli import main; sys.exit(main())"]


def demo(folder: Path) -> Path:
    """The demo workbook in `folder`, built once; its config file.

    mentorflow's modules are byte-compiled first, as pip does on installing the package: where
    PYTHONDONTWRITEBYTECODE is set (CI, some shells), each run would compile them anew (0.15 s).
    """
    for package in ("pipeline", "jobs"):
        compileall.compile_dir(Path(__file__).parent.parent / package, quiet=1)
    command = [*_mentorflow(), "demo", str(folder / "demo"), "--today", "2026-11-24"]
    subprocess.run(command, check=True, capture_output=True)
    return folder / "demo" / "mentorflow.toml"


def measure(task: tuple[int, Path]) -> Figures:
    """Median and best wall time of RUNS runs, and the peak memory of one (MB)."""
    index, config = task
    what, arguments, target = COMMANDS[index]
    if arguments != ["--help"]:
        arguments = ["--config", str(config), "--today", "2026-11-25", *arguments]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([*_mentorflow(), *arguments], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    peak = peak_mb(children=True)
    return what, statistics.median(times), min(times), peak, target
