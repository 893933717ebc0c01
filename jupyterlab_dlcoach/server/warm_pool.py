"""A trainer process started ahead of its job, so that a job does not wait for torch and fastai to import.

Importing torch and fastai.vision.all takes about 3 s of a job's first 3.8 s on a small CPU. The server
keeps one trainer process (``python -m jupyterlab_dlcoach.trainer.warm``) that has done those imports
and waits on its stdin. A job is handed to it as one JSON line; from then on it is an ordinary trainer:
our own child, its own process group, its log file renamed into the run's artifacts folder, watched,
cancelled and re-attached exactly like a cold-spawned one. Each warm process serves one job only, so
every job still gets a fresh interpreter.

This module runs in the server: it starts processes and never imports torch itself.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from jupyterlab_dlcoach.core.store import artifacts_dir
from jupyterlab_dlcoach.server.children import start_child

# After this many warm processes in a row died before they got a job, stop starting them (a broken
# environment would otherwise burn a core on imports forever); jobs then start cold as before.
MAX_FAILURES = 3


@dataclass
class _Idle:
    popen: subprocess.Popen
    started: float
    log_path: Path
    db_path: str
    root_dir: str


def warm_command() -> list[str]:
    return [sys.executable, "-m", "jupyterlab_dlcoach.trainer.warm"]


class WarmTrainers:
    """Holds at most one idle warm trainer; :meth:`take` hands it a job and forgets it."""

    def __init__(self, log: logging.Logger | None = None):
        self.log = log or logging.getLogger(__name__)
        self._idle: _Idle | None = None
        self._failures = 0
        self.started_count = 0

    @property
    def idle_pid(self) -> int | None:
        return self._idle.popen.pid if self._idle is not None else None

    def ensure(self, db_path: str, root_dir: str, env: dict[str, str]) -> None:
        """Have a live idle warm trainer for this store and root; start one when there is none."""
        idle = self._idle
        if idle is not None:
            if idle.popen.poll() is None and (idle.db_path, idle.root_dir) == (db_path, root_dir):
                return
            self._discard(idle)
        if self._failures >= MAX_FAILURES:
            return
        log_dir = artifacts_dir(db_path)
        log_dir.mkdir(parents=True, exist_ok=True)
        # In the artifacts folder, so that a rename moves it into the run's folder (same file system).
        log_path = log_dir / f".warm-{uuid.uuid4().hex[:12]}.log"
        try:
            popen, started = start_child(
                warm_command(), log_path, env=env, cwd=root_dir, stdin=subprocess.PIPE
            )
            if not started:
                popen.wait()
                raise OSError("it ended as soon as it started")
        except OSError as e:
            self._failures += 1
            self.log.warning("dlcoach: could not start a warm trainer (%s); jobs start cold", e)
            log_path.unlink(missing_ok=True)
            return
        self.started_count += 1
        self._idle = _Idle(popen, started, log_path, db_path, root_dir)

    def take(
        self, run_id: str, db_path: str, root_dir: str, env: dict[str, str], log_path: Path
    ) -> tuple[subprocess.Popen, float] | None:
        """Hand the job to the idle warm trainer: its (popen, create time), or None to start cold.

        A warm trainer still importing is taken too: it is further along than a fresh interpreter.
        """
        idle, self._idle = self._idle, None
        if idle is None:
            return None
        if idle.popen.poll() is not None or (idle.db_path, idle.root_dir) != (db_path, root_dir):
            self._discard(idle)
            return None
        job = {"run": run_id, "db": db_path, "root": root_dir, "env": env}
        try:
            # Renaming an open file keeps the process's output going to it, now under the run's name.
            os.replace(idle.log_path, log_path)
            idle.popen.stdin.write(json.dumps(job).encode() + b"\n")
            idle.popen.stdin.close()
        except OSError as e:
            self.log.warning("dlcoach: the warm trainer could not take job %s (%s); cold start", run_id, e)
            self._kill(idle)
            idle.log_path.unlink(missing_ok=True)
            return None
        self._failures = 0
        return idle.popen, idle.started

    def close(self) -> None:
        """End the idle warm trainer (the server stops); trainers that have a job are not ours any more."""
        idle, self._idle = self._idle, None
        if idle is not None:
            self._kill(idle)
            idle.log_path.unlink(missing_ok=True)

    def _discard(self, idle: _Idle) -> None:
        """Forget a warm trainer that died, or that was started for another store."""
        rc = idle.popen.poll()
        if rc is not None:
            self._failures += 1
            tail = _tail(idle.log_path)
            self.log.warning(
                "dlcoach: the warm trainer (pid %s) ended before it got a job (exit status %s)%s",
                idle.popen.pid,
                rc,
                f"; its output ended with:\n{tail}" if tail else "",
            )
        self._kill(idle)
        idle.log_path.unlink(missing_ok=True)
        if self._idle is idle:
            self._idle = None

    @staticmethod
    def _kill(idle: _Idle) -> None:
        # It is its own process group (and holds no job): nothing of it is worth keeping.
        if idle.popen.poll() is None:
            try:
                os.killpg(idle.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            idle.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if idle.popen.stdin is not None and not idle.popen.stdin.closed:
            try:
                idle.popen.stdin.close()
            except OSError:
                pass


def _tail(path: Path, limit: int = 1500) -> str:
    try:
        return path.read_bytes()[-limit:].decode(errors="replace").strip()
    except OSError:
        return ""
