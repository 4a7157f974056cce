"""Peak memory (max RSS) in MB, where the system reports it: Linux and macOS, not Windows."""

from __future__ import annotations

import math
import sys


def peak_mb(children: bool = False) -> float:
    """The peak resident memory of this process (or of its ended children), in MB.

    NaN on Windows: it has no getrusage, and psutil is no dependency for one column.
    """
    if sys.platform == "win32":
        return math.nan
    import resource

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB


def shown(mb: float) -> str:
    """A peak for a table: whole MB, or n/a where the system does not say."""
    return "n/a" if math.isnan(mb) else f"{mb:.0f}"
