"""`make bench`: figures printed as tables, each size measured in a fresh process.

A fresh process per size makes each peak memory (max RSS) that size's own.
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from benchmarks import evaluation, graph, mail, matching, sheets, startup, workbook
from benchmarks.memory import shown

T = TypeVar("T")
R = TypeVar("R")


def fresh(task: Callable[[T], R], argument: T) -> R:
    """Run one measurement in a new process, so that its peak memory is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(task, argument).result()


def table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    """A plain-text table, columns right-aligned to their widest cell."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print(" | ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        config = startup.demo(Path(folder))
        started = [fresh(startup.measure, (i, config)) for i in range(len(startup.COMMANDS))]
    table(
        f"Start-up: wall time of a command in a fresh process ({startup.RUNS} runs each)",
        ["command", "median s", "best s", "peak MB", "target s"],
        [
            [what, f"{median:.2f}", f"{best:.2f}", shown(peak), f"{target:.1f}"]
            for what, median, best, peak, target in started
        ],
    )
    matched = []
    for size in matching.SIZES:
        matched.append((fresh(matching.measure, size), fresh(matching.measure_dense, size)))
        print(f"matched {size[0]:,} x {size[1]:,}", file=sys.stderr, flush=True)
    table(
        "Matching (scoring included): proven optimal, beside scipy's dense "
        "linear_sum_assignment (places as repeated columns) and a greedy baseline",
        [
            "mentees x mentors",
            "solve s",
            "peak MB",
            "dense scipy s",
            "dense peak MB",
            "dense / ours",
            "same optimum",
            "matched",
            "total score",
            "greedy % of optimum",
        ],
        [
            [
                f"{m:,} x {r:,}",
                f"{seconds:.4f}",
                shown(peak),
                f"{dense[0]:.4f}" if dense else "not run (many GB)",
                shown(dense[1]) if dense else "-",
                f"{dense[0] / seconds:.2f}" if dense else "-",
                ("yes" if (dense[2], round(dense[3], 3)) == (count, round(total, 3)) else "NO")
                if dense
                else "-",
                f"{count:,}",
                f"{total:,.1f}",
                f"{100 * g_total / total if total else 100.0:.2f}%",
            ]
            for (m, r, seconds, peak, _, count, total, _, g_total, _), dense in matched
        ],
    )
    count, seconds, delivered, connections = fresh(mail.measure, mail.COUNT)
    table(
        "Mail: messages to an SMTP server on loopback (aiosmtpd), one run",
        ["messages", "seconds", "messages/s", "delivered", "SMTP connections"],
        [
            [
                f"{count:,}",
                f"{seconds:.2f}",
                f"{count / seconds:,.0f}",
                f"{delivered:,}",
                str(connections),
            ]
        ],
    )
    checked = []
    for count in workbook.SIZES:
        checked.append(fresh(workbook.measure, count))
        print(f"measured {count:,} participants", file=sys.stderr, flush=True)
    table(
        "Workbook check (xlsx): open + read, parse + validate, `check` as the command runs it "
        "(every stage reporting: matching included) with save",
        ["participants", "read s", "parse s", "check+save s", "peak MB", "valid", "problems"],
        [
            [
                f"{count:,}",
                f"{read_s:.2f}",
                f"{parse_s:.2f}",
                f"{check_s:.2f}",
                shown(peak),
                f"{valid:,}",
                f"{problems:,}",
            ]
            for count, read_s, parse_s, check_s, peak, valid, problems in checked
        ],
    )
    evaluated = [fresh(evaluation.measure, size) for size in evaluation.SIZES]
    table(
        "Evaluate stage: responses linked to matches, Summary built (in memory)",
        ["matches", "responses", "seconds", "peak MB"],
        [[f"{m:,}", f"{r:,}", f"{seconds:.2f}", shown(peak)] for m, r, seconds, peak in evaluated],
    )
    runs = [fresh(sheets.measure, size) for size in sheets.SIZES]
    table(
        "Google Sheets: requests and wall time of a nightly run (local Sheets API double)",
        ["participants", "first run requests", "seconds", "quiet re-run requests", "seconds"],
        [[f"{p:,}", str(r1), f"{s1:.2f}", str(r2), f"{s2:.2f}"] for p, r1, s1, r2, s2 in runs],
    )
    runs = [fresh(graph.measure, size) for size in graph.SIZES]
    faulty = [fresh(graph.faults, size) for size in graph.SIZES]
    table(
        "Microsoft 365: Graph requests and wall time of a nightly run on a SharePoint workbook "
        "(local Graph double; the one token request not counted), and of a first run meeting "
        "429, 503, 504, an expired session and a lost write before every read and save",
        [
            "participants",
            "first run requests",
            "seconds",
            "quiet re-run requests",
            "seconds",
            "with faults: requests",
            "same cells as .xlsx",
        ],
        [
            [f"{p:,}", str(r1), f"{s1:.2f}", str(r2), f"{s2:.2f}", str(fr), "yes" if same else "NO"]
            for (p, r1, s1, r2, s2), (_, fr, same) in zip(runs, faulty, strict=True)
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
