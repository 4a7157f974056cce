"""One run at a time per workbook on this machine: cron may start a run while one is busy."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import MentorflowError


class RunBusyError(MentorflowError):
    """Another run holds the workbook's lock: this one does nothing (exit code 2)."""


def lock_path(identity: str) -> Path:
    folder = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return folder / f"mentorflow-{digest}.lock"


@contextmanager
def exclusive(identity: str, holder: str = "") -> Iterator[None]:
    """Hold the lock of `identity` (a workbook's path or a sheet's key) for the whole run.

    `holder` says who holds it (process and start time) to a run that finds it taken.

    The operating system lets go of the lock when the process ends, however it ends, so a
    killed run never leaves a stale lock behind.
    """
    path = lock_path(identity)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunBusyError(
                f"Another mentorflow run is busy with {identity} ({holder}); this run did "
                "nothing. Let that run finish (the next scheduled run picks up the rest)."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(holder or f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
