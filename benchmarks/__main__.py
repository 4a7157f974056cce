"""`make bench`: figures printed as tables, each size measured in a fresh process.

A fresh process per size makes each peak memory (max RSS) that size's own.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

from benchmarks import workbook


def main() -> int:
    rows = []
    for count in workbook.SIZES:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            rows.append(pool.submit(workbook.measure, count).result())
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
