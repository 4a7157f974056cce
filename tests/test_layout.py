"""The layout keeps its promise: `lint-imports` (run by `make check`) fails as soon as the
core imports an adapter, the runner or an I/O library."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [LINT, "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the code and its contracts, to break on purpose."""
    copy = tmp_path_factory.mktemp("layout")
    for package in ("pipeline", "jobs"):
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy)
    return copy


def test_the_code_as_it_is_keeps_both_contracts(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        ("core/journey.py", "from pipeline.adapters import xlsx", "pipeline.adapters.xlsx"),
        ("core/mail.py", "from pipeline import run", "pipeline.run"),
        ("core/render.py", "import smtplib", "smtplib"),
        ("core/summary.py", "import openpyxl", "openpyxl"),
        ("adapters/sheets.py", "from pipeline.run import Delivery", "pipeline.run"),
    ],
)
def test_an_import_across_the_layers_breaks_the_check(
    tree: Path, module: str, line: str, named: str
) -> None:
    path = tree / "pipeline" / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(f"{original}\n{line}  # noqa\n", encoding="utf-8")
        result = lint(tree)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and named in result.stdout
