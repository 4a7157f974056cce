"""One run at a time per workbook on this machine: cron may start a run while one is busy."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import portalocker

from pipeline.errors import RunBusyError, WorkbookError

STATE_DIR = "MENTORFLOW_STATE_DIR"  # environment variable: the folder of state_dir()


def state_dir() -> Path:
    """This user's folder for what a run keeps of a workbook that has no folder here.

    A Google Sheet's run lock lives here: $MENTORFLOW_STATE_DIR, else
    $XDG_STATE_HOME/mentorflow, else ~/.local/state/mentorflow.
    """
    given = os.environ.get(STATE_DIR)
    if given:
        return Path(given)
    base = os.environ.get("XDG_STATE_HOME")
    return (Path(base) if base else Path.home() / ".local" / "state") / "mentorflow"


def lock_path(identity: str) -> Path:
    """The lock file of `identity` in the state folder (an .xlsx workbook's is beside it)."""
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return state_dir() / f"run-{digest}.lock"


@contextmanager
def exclusive(identity: str, holder: str = "", lock: Path | None = None) -> Iterator[None]:
    """Hold the lock of `identity` (a workbook's path or a sheet's key) for the whole run.

    `holder` says who holds it (process and start time) to a run that finds it taken.
    `lock` is the lock file: an .xlsx workbook's lies beside it (`xlsx.run_lock`); without
    one, a file in `state_dir()` named after the identity.

    The operating system lets go of the lock when the process ends, however it ends, so a
    killed run never leaves a stale lock behind (flock on Linux and macOS, LockFileEx on
    Windows, through portalocker).
    """
    path = lock or lock_path(identity)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Who holds it is written beside the lock: Windows does not let a locked file be read.
    holder_file = path.with_name(path.name + ".holder")
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            portalocker.lock(handle, portalocker.LOCK_EX | portalocker.LOCK_NB)
        except portalocker.AlreadyLocked:
            raise RunBusyError(
                f"Another mentorflow run is busy with {identity} ({_holder(holder_file)}); "
                "this run did nothing. Let that run finish (the next scheduled run picks up "
                "the rest)."
            ) from None
        except portalocker.LockException as exc:  # e.g. a network share without locks
            raise WorkbookError(
                f"mentorflow cannot take its run lock {path} ({exc}): put the workbook (or "
                f"${STATE_DIR}) on a disk that supports file locks."
            ) from exc
        holder_file.write_text(holder or f"pid {os.getpid()}", encoding="utf-8")
        try:
            yield
        finally:
            portalocker.unlock(handle)


def _holder(holder_file: Path) -> str:
    """Who holds the lock, as they wrote it when they took it."""
    try:
        return holder_file.read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process"
