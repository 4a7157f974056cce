"""The workflows: valid for GitHub, safe for a job that sends mail, running the Makefile."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(name: str) -> Any:
    return YAML(typ="safe").load(
        (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
    )


def tool(name: str) -> str:
    """A command installed beside this Python: bin/name, or Scripts\\name.exe on Windows."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[dev]'"
    return found


def test_the_workflows_are_valid_against_the_github_workflow_schema() -> None:
    assert [p.name for p in WORKFLOWS] == ["nightly.yml", "test.yml"]
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    timeout-minutes: soon\n"
    )
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", broken],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1


def zizmor(*paths: Path) -> list[dict[str, Any]]:
    """zizmor's findings, offline, for the given workflow files or folders."""
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip(), done.stderr  # a crash, not a verdict
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    assert (done.returncode == 0) == (not findings), done.stderr
    return findings


def describe(findings: list[dict[str, Any]]) -> list[str]:
    """Each finding as `ident at file:line`, for a readable failure message."""
    named = []
    for finding in findings:
        where = json.dumps(finding.get("locations", [])[:1])
        path = re.search(r'"verbatim_path": "([^"]+)"', where)
        row = re.search(r'"start_point": \{"row": (\d+)', where)
        named.append(
            f"{finding.get('ident')} at {path[1] if path else '?'}:"
            f"{int(row[1]) + 1 if row else '?'}"
        )
    return named


def test_the_workflows_pass_the_zizmor_security_audit() -> None:
    findings = zizmor(ROOT / ".github" / "workflows")
    assert findings == [], describe(findings)


def test_the_audit_can_fail(tmp_path: Path) -> None:
    unpinned = tmp_path / "unpinned.yml"
    unpinned.write_text(
        "on: push\npermissions: {}\njobs:\n  x:\n    name: x\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        "        with:\n          persist-credentials: false\n"
    )
    assert "unpinned-uses" in {f["ident"] for f in zizmor(unpinned)}


def test_every_action_is_pinned_to_a_commit_of_a_named_release() -> None:
    """A tag can be moved to other code; a commit cannot. The comment keeps it readable."""
    pinned = re.compile(r"^\s*(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$")
    uses = [
        (path.name, line)
        for path in WORKFLOWS
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\s*(- )?uses:", line)
    ]
    assert [u for u in uses if not pinned.match(u[1])] == []
    steps = [
        (path.name, step)
        for path in WORKFLOWS
        for job in load(path.name)["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    ]
    assert len(steps) == len(uses) >= 4  # no `uses:` written in another form
    for name, step in steps:
        if step["uses"].startswith("actions/checkout@"):  # no token left in .git/config
            assert step["with"]["persist-credentials"] is False, name


def test_the_nightly_schedule_is_explicit_and_not_on_the_hour() -> None:
    (schedule,) = load("nightly.yml")["on"]["schedule"]
    minute, hour, *_ = schedule["cron"].split()
    assert minute.isdigit() and int(minute) not in (0, 30) and hour.isdigit()
    assert schedule["timezone"] == "Europe/Amsterdam"
    assert "workflow_dispatch" in load("nightly.yml")["on"]  # the "Run workflow" button


def test_the_nightly_job_is_never_cancelled_nor_endless_and_reads_only() -> None:
    flow = load("nightly.yml")
    assert flow["concurrency"]["cancel-in-progress"] is False
    assert flow["concurrency"]["group"]
    assert flow["permissions"] == {"contents": "read"}
    (job,) = flow["jobs"].values()
    assert 0 < job["timeout-minutes"] <= 60


def test_only_the_nightly_job_may_ask_for_an_oidc_token() -> None:
    """The federated Microsoft 365 login needs id-token: write, on the job alone: job-level
    permissions replace the workflow's, so the job repeats contents: read and gets nothing
    else; the workflow level and the test workflow stay read-only."""
    flow = load("nightly.yml")
    assert flow["permissions"] == {"contents": "read"}
    (job,) = flow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    for path in WORKFLOWS:
        text = path.read_text(encoding="utf-8")
        assert text.count("id-token") == (1 if path.name == "nightly.yml" else 0), path.name
        assert "write-all" not in text, path.name


def test_secrets_reach_the_job_only_through_its_environment() -> None:
    (job,) = load("nightly.yml")["jobs"].values()
    for step in job["steps"]:
        assert "secrets." not in str(step.get("run", "")), step.get("name")
        assert "inputs." not in str(step.get("run", "")), step.get("name")  # no injection
    run_step = next(s for s in job["steps"] if "jobs.nightly" in str(s.get("run", "")))
    assert (
        run_step["env"]["GOOGLE_SERVICE_ACCOUNT_JSON"]
        == "${{ secrets.GOOGLE_SERVICE_ACCOUNT_JSON }}"
    )
    summary = job["steps"][-1]
    assert summary["if"] == "always()" and "GITHUB_STEP_SUMMARY" in summary["run"]


MICROSOFT_SECRETS = (
    "MICROSOFT_CERTIFICATE",
    "MICROSOFT_CERTIFICATE_PASSWORD",
    "MICROSOFT_CLIENT_SECRET",
)


def test_the_microsoft_credentials_reach_only_the_run_step() -> None:
    """Certificate, its password and client secret are optional secrets (without them the
    federated login is used) and are in the environment of the one step that runs
    mentorflow: not in the workflow's or the job's env, not in any other step."""
    flow = load("nightly.yml")
    (job,) = flow["jobs"].values()
    assert "env" not in flow and "env" not in job
    run_step = next(s for s in job["steps"] if "jobs.nightly" in str(s.get("run", "")))
    for name in MICROSOFT_SECRETS:
        assert run_step["env"][name] == f"${{{{ secrets.{name} }}}}"
    for step in job["steps"]:
        if step is not run_step:
            assert "MICROSOFT" not in json.dumps(step), step.get("name", step.get("uses"))
    text = (ROOT / ".github" / "workflows" / "nightly.yml").read_text(encoding="utf-8")
    for name in MICROSOFT_SECRETS:
        assert text.count(f"secrets.{name} ") == 1, name


def test_every_secret_the_nightly_run_reads_is_named_in_its_header() -> None:
    """The comment at the top is the installer's list of what to set."""
    text = (ROOT / ".github" / "workflows" / "nightly.yml").read_text(encoding="utf-8")
    header = text[: text.index("\nname:")]
    used = set(re.findall(r"\b(?:secrets|vars)\.(\w+)", text))
    assert {"MENTORFLOW_SHAREPOINT", *MICROSOFT_SECRETS} <= used
    assert sorted(n for n in used if not re.search(rf"^#\s+{n}\s", header, re.M)) == []


def run_script(tmp_path: Path, **env: str) -> tuple[int, list[str], str]:
    """The run step's script under bash, with a stand-in `python` that records its
    arguments: (exit code, the arguments mentorflow got, run.txt)."""
    bash = shutil.which("bash")
    if bash is None or sys.platform == "win32":
        pytest.skip("needs bash with a POSIX PATH")
    (job,) = load("nightly.yml")["jobs"].values()
    run_step = next(s for s in job["steps"] if "jobs.nightly" in str(s.get("run", "")))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "python"
    stub.write_text('#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done > "$ARGS_FILE"\n')
    stub.chmod(0o755)
    args_file = tmp_path / "args.txt"
    variables = {name: "" for name in run_step["env"]}
    variables.update(env)
    done = subprocess.run(
        [bash, "-e", "-c", run_step["run"]],
        cwd=tmp_path,
        env={
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "ARGS_FILE": str(args_file),
            **variables,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    called = args_file.read_text().splitlines() if args_file.exists() else []
    log = (tmp_path / "run.txt").read_text() if (tmp_path / "run.txt").exists() else ""
    return done.returncode, called, log


SHAREPOINT = "https://org.sharepoint.com/sites/Mentoring/Shared Documents/programme.xlsx"


def test_the_run_step_passes_the_sharepoint_address_as_sharepoint(tmp_path: Path) -> None:
    (job,) = load("nightly.yml")["jobs"].values()
    run_step = next(s for s in job["steps"] if "jobs.nightly" in str(s.get("run", "")))
    wanted = "${{ secrets.MENTORFLOW_SHAREPOINT || vars.MENTORFLOW_SHAREPOINT }}"
    assert run_step["env"]["MENTORFLOW_SHAREPOINT"] == wanted  # a secret or a variable
    code, called, _ = run_script(tmp_path, MENTORFLOW_SHAREPOINT=SHAREPOINT, DRY_RUN="true")
    assert code == 0
    assert called == [
        "-m", "jobs.nightly", "--config", "config/mentorflow.toml",
        "--sharepoint", SHAREPOINT, "--dry-run",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"MENTORFLOW_SHEET": "https://docs.google.com/spreadsheets/d/KEY/edit"},
         ["--sheet", "https://docs.google.com/spreadsheets/d/KEY/edit"]),
        ({}, []),  # the workbook of config/mentorflow.toml
    ],
)  # fmt: skip
def test_the_run_step_passes_the_google_sheet_as_before(
    tmp_path: Path, env: dict[str, str], expected: list[str]
) -> None:
    code, called, _ = run_script(tmp_path, **env, DRY_RUN="false")
    assert code == 0
    assert called == ["-m", "jobs.nightly", "--config", "config/mentorflow.toml", *expected]


def test_a_sheet_and_a_sharepoint_workbook_at_once_stop_the_run(tmp_path: Path) -> None:
    code, called, log = run_script(
        tmp_path,
        MENTORFLOW_SHEET="https://docs.google.com/spreadsheets/d/KEY/edit",
        MENTORFLOW_SHAREPOINT=SHAREPOINT,
    )
    assert code == 2 and called == []
    assert "MENTORFLOW_SHEET" in log and "MENTORFLOW_SHAREPOINT" in log  # on the summary page


def test_the_test_workflow_runs_make_check_and_make_test_on_linux_macos_and_windows() -> None:
    """CI runs what developers run, on every system a coordinator may use."""
    flow = load("test.yml")
    (job,) = flow["jobs"].values()
    assert job["strategy"]["matrix"]["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
    assert job["strategy"]["fail-fast"] is False  # one failing system cancels no other
    assert job["runs-on"] == "${{ matrix.os }}"
    assert [step["run"] for step in job["steps"] if "run" in step] == ["make check", "make test"]
    shells = {step.get("shell", job["defaults"]["run"]["shell"]) for step in job["steps"]}
    assert shells == {"bash"}  # Git Bash on Windows: the Makefile's recipes need sh
    assert flow["permissions"] == {"contents": "read"}


@pytest.mark.parametrize(
    ("system", "python", "pytest_line"),
    [
        ("", "python3", ".venv/bin/python -m pytest"),
        ("Windows_NT", "python", ".venv/Scripts/python.exe -m pytest"),
    ],
)
def test_the_makefile_finds_the_virtual_environment_on_every_system(
    system: str, python: str, pytest_line: str
) -> None:
    """A Windows venv keeps its programs in Scripts as .exe files, and Windows has no python3."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "PYTHON", "VENV"))}
    done = subprocess.run(
        [make, "--dry-run", "--always-make", "test", f"OS={system}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert f"{python} -m venv .venv" in lines and pytest_line in lines


@pytest.mark.parametrize(
    "line",
    [
        entry
        for entry in (ROOT / "config" / "crontab.example").read_text(encoding="utf-8").splitlines()
        if re.match(r"\d", entry)
    ],
)
def test_the_crontab_example_runs_the_nightly_module(line: str) -> None:
    minute, hour, *_ = line.split()
    assert int(minute) != 0 and 0 <= int(hour) < 24 and "python -m jobs.nightly" in line
