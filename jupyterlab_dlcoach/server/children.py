"""How the server starts a child process (a trainer, a warm trainer): in a session of its own, so a
signal to its process group reaches everything it starts (DataLoader workers) and nothing of the
server's; its output appended to a log file; its start time read for the liveness check."""

from __future__ import annotations

import subprocess
from pathlib import Path

from jupyterlab_dlcoach.core import processes


def start_child(
    cmd: list[str], log_path: Path, *, env: dict[str, str], cwd: str, stdin
) -> tuple[subprocess.Popen, float]:
    """The started process and its start time (0.0 if it is already gone)."""
    with open(log_path, "ab") as log:
        popen = subprocess.Popen(
            cmd, stdin=stdin, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
    return popen, processes.start_time(popen.pid) or 0.0
