"""Is the process a run recorded still the same one, and alive? The one answer to that question.

A run stores its process's pid and start time (psutil's create_time): a pid alone may name another
process after a reboot or a wrap-around, so both must match. Used by the job queue (trainers it spawned
or re-attached to) and for notebook runs (is their kernel still there?).
"""

from __future__ import annotations

import psutil

# create_time is a float computed from boot time and clock ticks; the same process reads within this.
SAME_START_S = 1.0


def start_time(pid: int | None = None) -> float | None:
    """When process `pid` (this one by default) started, as stored with a run; None if it is gone."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        return None


def alive(pid: int, started: float | None, *, if_unknown: bool = False) -> bool:
    """True while `pid` names the process started at `started` (any, when None) and it has not ended.

    `if_unknown` answers when the system will not tell (another user's process).
    """
    try:
        proc = psutil.Process(pid)
        if started is not None and abs(proc.create_time() - started) > SAME_START_S:
            return False
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return if_unknown


def reused(pid: int, started: float) -> bool:
    """True when `pid` now names a different process than the one started at `started`."""
    try:
        return abs(psutil.Process(pid).create_time() - started) > SAME_START_S
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
