"""The run lock: one run at a time per workbook, kept beside the workbook or in the state folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.cli import main
from pipeline.adapters.runlock import exclusive, lock_path, state_dir
from pipeline.adapters.xlsx import run_lock
from pipeline.errors import RunBusyError, WorkbookError
from tests.conftest import basic_tabs, write_xlsx

ROOT = Path(__file__).parent.parent.parent
HOLDER = "pid 4242, started 2026-11-24 02:17"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_second_run_on_a_workbook_does_nothing_and_says_who_is_busy(
    workbook_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = workbook_file.read_bytes()
    with exclusive(str(workbook_file), HOLDER, run_lock(workbook_file)):
        code, out, err = run_cli(capsys, "nightly")
        assert run_cli(capsys, "--dry-run", "nightly")[0] == 0  # looking is always fine
    assert (code, out) == (2, "")
    assert err == (
        f"mentorflow: Another mentorflow run is busy with {workbook_file} ({HOLDER}); this run "
        "did nothing. Let that run finish (the next scheduled run picks up the rest).\n"
    )
    assert workbook_file.read_bytes() == before
    assert run_cli(capsys, "nightly")[0] == 0  # once it is done, runs go


def test_an_xlsx_workbooks_run_lock_lies_beside_it_and_nothing_goes_elsewhere(
    workbook_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "nightly")[0] == 0
    assert run_lock(workbook_file) == workbook_file.parent / "backups" / ".programme.xlsx.run-lock"
    holder = run_lock(workbook_file).with_name(".programme.xlsx.run-lock.holder")
    assert holder.read_text().startswith(f"pid {os.getpid()}, started ")
    assert list(state_dir().iterdir()) == []


def test_workbooks_of_the_same_name_in_two_folders_do_not_block_each_other(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder in ("a", "b"):
        (in_tmp / folder).mkdir()
        write_xlsx(in_tmp / folder / "programme.xlsx", basic_tabs())
    a = in_tmp / "a" / "programme.xlsx"
    with exclusive(str(a), HOLDER, run_lock(a)):
        assert run_cli(capsys, "--workbook", "b/programme.xlsx", "check")[0] == 0
        assert run_cli(capsys, "--workbook", "a/programme.xlsx", "check")[0] == 2


def test_a_google_sheets_run_lock_is_in_the_state_folder_the_tests_redirect(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    redirected = Path(os.environ["MENTORFLOW_STATE_DIR"])
    assert redirected.is_relative_to(tmp_path_factory.getbasetemp())
    with exclusive("Google Sheet 1abc"):
        assert lock_path("Google Sheet 1abc").parent == redirected == state_dir()
        busy = pytest.raises(RunBusyError, match="busy with Google Sheet 1abc")
        with busy, exclusive("Google Sheet 1abc"):
            pass  # pragma: no cover
        with exclusive("Google Sheet 2def"):  # another sheet is another lock
            pass


def test_the_state_folder_follows_xdg_and_else_lies_in_the_home_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MENTORFLOW_STATE_DIR", str(tmp_path / "given"))
    assert state_dir() == tmp_path / "given"
    monkeypatch.delenv("MENTORFLOW_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "xdg" / "mentorflow"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))  # the home folder on Windows
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "mentorflow"


def test_a_killed_run_leaves_no_stale_lock(workbook_file: Path) -> None:
    holding = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from pipeline.adapters.runlock import exclusive\n"
        "from pipeline.adapters.xlsx import run_lock\n"
        "path = Path(sys.argv[1])\n"
        "with exclusive(str(path), 'pid of the killed run', run_lock(path)):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen(
        [sys.executable, "-c", holding, str(workbook_file)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert run.stdout is not None and run.stdout.readline() == "held\n"
        busy = pytest.raises(RunBusyError, match=r"\(pid of the killed run\)")
        with busy, exclusive(str(workbook_file), lock=run_lock(workbook_file)):
            pass  # pragma: no cover
    finally:
        run.kill()  # SIGKILL; TerminateProcess on Windows
        run.wait()
        assert run.stdout is not None
        run.stdout.close()
    with exclusive(str(workbook_file), lock=run_lock(workbook_file)):
        pass


def test_a_disk_without_file_locks_is_said_as_such_not_as_a_busy_run(
    workbook_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network share without lock support (ENOLCK) is no other run: the message says what
    is wrong instead of asking to wait for a run that does not exist."""
    import portalocker

    def no_locks(handle: object, flags: object) -> None:
        raise portalocker.LockException(OSError(37, "No locks available"))

    monkeypatch.setattr(portalocker, "lock", no_locks)
    lock = exclusive(str(workbook_file), lock=run_lock(workbook_file))
    with pytest.raises(WorkbookError, match="supports file locks") as raised, lock:
        pass
    assert "No locks available" in str(raised.value) and "busy" not in str(raised.value)
