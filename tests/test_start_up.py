"""Quick to start (issue 12): a command imports the heavy libraries only when it uses them.

Importing openpyxl alone takes longer than a whole `check` of the demo may; jinja2 and the
email package's headers are for messages, which `check` does not render.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jobs.cli import main


def imported_by(*argv: str) -> tuple[int, set[str]]:
    """Exit code of `mentorflow ARGV` in a fresh process, and the packages it imported."""
    script = (
        "import json, sys\n"
        "from jobs.cli import main\n"
        f"code = main({list(argv)!r})\n"
        "print(json.dumps([code, sorted({m.partition('.')[0] for m in sys.modules})]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    code, modules = json.loads(done.stdout.splitlines()[-1])
    return code, set(modules)


def test_a_check_that_changes_nothing_imports_neither_openpyxl_nor_jinja2(
    tmp_path: Path,
) -> None:
    assert main(["demo", str(tmp_path / "demo"), "--today", "2026-11-24"]) == 0
    workbook = tmp_path / "demo" / "programme.xlsx"
    before = workbook.read_bytes()
    config = str(tmp_path / "demo" / "mentorflow.toml")
    code, modules = imported_by("--config", config, "--today", "2026-11-25", "check")
    assert (code, workbook.read_bytes() == before) == (0, True)  # nothing to write
    assert {"openpyxl", "jinja2"} & modules == set()
