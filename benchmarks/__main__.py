"""`make bench`: figures printed as tables, each size measured in a fresh process.

A fresh process per size makes each peak memory (max RSS) that size's own.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from benchmarks import matching, workbook

T = TypeVar("T")
R = TypeVar("R")


def fresh(task: Callable[[T], R], argument: T) -> R:
    """Run one measurement in a new process, so that its peak memory is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(task, argument).result()


def main() -> int:
    matched = []
    for size in matching.SIZES:
        matched.append(fresh(matching.measure, size))
        print(f"matched {size[0]:,} x {size[1]:,}", file=sys.stderr, flush=True)
    print("\nMatching (scoring included): optimal by dual-price proof, against greedy")
    print(
        f"{'mentees x mentors':>18} | {'solve s':>7} | {'peak MB':>7} | {'+MB':>5} | "
        f"{'matched':>7} | {'total score':>12} | {'greedy matched':>14} | {'greedy %':>8} | "
        f"{'rounds':>6}"
    )
    print("-" * 110)
    for m, r, seconds, peak, grown, count, total, g_count, g_total, rounds in matched:
        share = 100 * g_total / total if total else 100.0
        print(
            f"{f'{m:,} x {r:,}':>18} | {seconds:>7.2f} | {peak:>7.0f} | {grown:>5.0f} | "
            f"{count:>7,} | {total:>12,.1f} | {g_count:>14,} | {share:>7.2f}% | {rounds:>6}"
        )

    rows = []
    for count in workbook.SIZES:
        rows.append(fresh(workbook.measure, count))
        print(f"measured {count:,} participants", file=sys.stderr, flush=True)
    print("\nWorkbook check (xlsx): open + read, parse + validate, full `check` run with save")
    print(
        f"{'participants':>12} | {'read s':>7} | {'parse s':>7} | {'check+save s':>12} | "
        f"{'peak MB':>7} | {'valid':>6} | {'problems':>8}"
    )
    print("-" * 80)
    for count, read_s, parse_s, check_s, peak, valid, problems in rows:
        print(
            f"{count:>12,} | {read_s:>7.2f} | {parse_s:>7.2f} | {check_s:>12.2f} | "
            f"{peak:>7.0f} | {valid:>6,} | {problems:>8,}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
