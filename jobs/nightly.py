"""`python -m jobs.nightly [options]`: the nightly job, for cron and scheduled workflows."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from jobs.cli import main as cli_main


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(["nightly", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
