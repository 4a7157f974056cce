"""Personal data never lands in the repository by accident (SPEC §8.9): git ignores it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent

PERSONAL = [
    # the workbook, wherever a coordinator saves it in a fork, and its exports
    "programme.xlsx",
    "config/programme.xlsx",
    "data/De Linde mentorprogramma.xlsm",
    "old/programme.xls",
    "programme.xlsb",
    "programme.ods",
    "exports/Formulierreacties 1.csv",
    "templates/workbook/my-programme.xlsx",
    "templates/programme-nl.xlsx",
    "tests/programme.xlsx",
    # what a run writes beside it
    "backups/programme-20261124T013000.123456789Z.xlsx",
    "backups/.programme.xlsx.mail-journal",
    "backups/.programme.xlsx.lock",
    "backups/.programme.xlsx.run-lock",
    "data/backups/anything",
    "outbox/M-0001_introduction.eml",
    "demo/outbox/M-0001_introduction.eml",
    "preview/M-0001-introduction.html",
    "preview/M-0001-introduction.eml",
    "demo/programme.xlsx",
    "demo/mentorflow.toml",
    "M-0001-welcome.eml",
    ".programme.xlsx.mail-journal",
    "mentorflow-0123456789abcdef.lock",
    ".~mentorflow-programme.xlsx.tmp",
    "~$programme.xlsx",
    "data/~$programme.xlsx",
    ".~lock.programme.xlsx#",
    # keys and secrets
    "service-account.json",
    "config/service-account-mentorflow.json",
    "client_secret_1234.apps.googleusercontent.com.json",
    "credentials.json",
    "config/mentorflow.pem",
    "certificate.key",
    "certificate.p12",
    "certificate.pfx",
    ".env",
    "config/.env",
    ".env.production",
]

SHIPPED = [
    "templates/workbook/programme-en.xlsx",
    "templates/workbook/programme-nl.xlsx",
    "templates/workbook/programme-nb.xlsx",
    "templates/email/nl/introduction.html",
    "templates/email/en/introduction.txt",
    "tests/data/libreoffice.xlsx",
    "tests/test_gitignore.py",
    "tests/conftest.py",
    "config/mentorflow.toml",
    "config/crontab.example",
    "pipeline/adapters/xlsx.py",
    "jobs/cli.py",
    "pyproject.toml",
    "README.md",
    "Makefile",
    ".gitignore",
    ".github/workflows/nightly.yml",
]


def ignored(paths: list[str]) -> set[str]:
    """Which of `paths` git ignores; --no-index: as if none of them were tracked yet."""
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(paths) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: none of them is ignored
    return set(done.stdout.splitlines())


@pytest.fixture(autouse=True)
def git_checkout() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not in a git checkout")


def test_personal_data_and_keys_are_ignored() -> None:
    assert sorted(set(PERSONAL) - ignored(PERSONAL)) == []


def test_what_mentorflow_ships_is_not_ignored() -> None:
    assert sorted(ignored(SHIPPED)) == []


def test_every_tracked_file_is_one_that_gitignore_allows() -> None:
    """A file that is tracked but ignored is one `git add` would refuse on a fresh fork."""
    done = subprocess.run(
        ["git", "ls-files", "--cached", "--ignored", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout) == (0, "")
