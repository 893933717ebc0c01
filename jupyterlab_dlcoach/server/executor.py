"""Where a trainer process runs.

The job manager only talks to the :class:`Executor` interface: spawn the trainer command for a run,
wait for it to end, stop it. :class:`LocalProcessExecutor` runs it on this machine; a later executor can
hand the very same command (``python -m jupyterlab_dlcoach.trainer --db … --run … --root …``) to a
cluster engine (Kubernetes Jobs, Ray, Slurm) without touching routes, store or UI.

Nothing here imports torch: the trainer is a fresh interpreter (or a warm one, see
:mod:`jupyterlab_dlcoach.server.warm_pool`, which imported torch in its own process before its job came).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from jupyterlab_dlcoach.core import processes
from jupyterlab_dlcoach.core.store import artifacts_dir
from jupyterlab_dlcoach.server.children import start_child
from jupyterlab_dlcoach.server.warm_pool import WarmTrainers

# How often a watcher looks at a process it cannot be woken by (a re-attached one, or our own child).
WATCH_INTERVAL_S = 0.1


@dataclass
class TrainerHandle:
    """A trainer process that an executor started or re-attached to."""

    run_id: str
    pid: int
    # psutil's create_time of the process: with the pid it names the process even after pid reuse.
    started: float
    log_path: Path | None = None
    # Our own child, when we spawned it; None after a server restart (re-attached by pid).
    popen: subprocess.Popen | None = field(default=None, repr=False)
    # Started ahead of its job with torch and fastai already imported (see warm_pool).
    warm: bool = False


class Executor(ABC):
    """The interface the job manager uses. Subclass it and set ``DLCoachApp.executor_class``."""

    @abstractmethod
    def spawn(
        self, run_id: str, db_path: str, root_dir: str, env: dict[str, str] | None = None
    ) -> TrainerHandle:
        """Start the trainer command for ``run_id``, with ``env`` added to its environment."""

    @abstractmethod
    def attach(self, run_id: str, pid: int, pid_started: float | None) -> TrainerHandle | None:
        """Find a trainer left running by an earlier server; None when it is gone."""

    @abstractmethod
    async def wait(self, handle: TrainerHandle) -> tuple[int | None, str | None]:
        """Wait for the trainer to end: (exit code, signal name); (None, None) when unknowable."""

    @abstractmethod
    async def terminate(self, handle: TrainerHandle, grace_s: float) -> None:
        """Ask the trainer to stop, then force it after ``grace_s`` seconds."""

    def prepare(self, db_path: str, root_dir: str) -> None:  # noqa: B027 (optional hook)
        """A job may come soon: get ready for it (e.g. start a trainer ahead of time). Optional."""

    def close(self) -> None:  # noqa: B027 (optional hook)
        """The server stops: release what :meth:`prepare` holds. Running trainers are left alone."""


def trainer_command(run_id: str, db_path: str, root_dir: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jupyterlab_dlcoach.trainer",
        "--db",
        db_path,
        "--run",
        run_id,
        "--root",
        root_dir,
    ]


def trainer_env() -> dict[str, str]:
    """The server's environment, with this package importable even from an uninstalled checkout."""
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parent.parent)
    paths = [package_parent, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    # Progress and errors reach the log file at once, not when a buffer fills.
    env["PYTHONUNBUFFERED"] = "1"
    return env


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


class LocalProcessExecutor(Executor):
    """Runs each trainer as a fresh interpreter in its own session (so its own process group).

    Signals go to the whole group, so DataLoader worker processes stop with the trainer. With
    ``warm=True`` a trainer is started ahead of each job (:meth:`prepare`) and :meth:`spawn` hands the
    job to it; without one ready, or when it fails, the job starts cold as before.
    """

    def __init__(self, *, warm: bool = False, log: logging.Logger | None = None):
        self.warm = WarmTrainers(log) if warm else None

    def prepare(self, db_path: str, root_dir: str) -> None:
        if self.warm is not None:
            self.warm.ensure(db_path, root_dir, trainer_env())

    def close(self) -> None:
        if self.warm is not None:
            self.warm.close()

    def spawn(
        self, run_id: str, db_path: str, root_dir: str, env: dict[str, str] | None = None
    ) -> TrainerHandle:
        log_dir = artifacts_dir(db_path, run_id)
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / "trainer.log"
        full_env = {**trainer_env(), **(env or {})}
        taken = self.warm.take(run_id, db_path, root_dir, full_env, log_path) if self.warm else None
        if taken is not None:
            popen, started = taken
            return TrainerHandle(run_id, popen.pid, started, log_path=log_path, popen=popen, warm=True)
        popen, started = start_child(
            trainer_command(run_id, db_path, root_dir),
            log_path,
            env=full_env,
            cwd=root_dir,
            stdin=subprocess.DEVNULL,
        )
        return TrainerHandle(run_id=run_id, pid=popen.pid, started=started, log_path=log_path, popen=popen)

    def attach(self, run_id: str, pid: int, pid_started: float | None) -> TrainerHandle | None:
        # A different process that got the same pid after a reboot or wrap-around is not our trainer.
        if pid_started is None or not processes.alive(pid, pid_started):
            return None
        return TrainerHandle(run_id=run_id, pid=pid, started=pid_started)

    async def wait(self, handle: TrainerHandle) -> tuple[int | None, str | None]:
        if handle.popen is not None:
            # Polling keeps this cancellable and thread-free; a tenth of a second is invisible in a UI.
            while (rc := handle.popen.poll()) is None:
                await asyncio.sleep(WATCH_INTERVAL_S)
            result = (rc, None) if rc >= 0 else (None, signal_name(-rc))
        else:
            while processes.alive(handle.pid, handle.started, if_unknown=True):
                await asyncio.sleep(WATCH_INTERVAL_S)
            # Not our child: its exit status went to its real parent.
            result = (None, None)
        # Workers orphaned by a trainer that died abruptly still sit in its group: end them too.
        # The trainer's pid naming another process means its group id is no longer ours.
        if not processes.reused(handle.pid, handle.started):
            _signal_group(handle.pid, signal.SIGKILL)
        return result

    async def terminate(self, handle: TrainerHandle, grace_s: float) -> None:
        if self._gone(handle):
            return
        _signal_group(handle.pid, signal.SIGTERM)
        deadline = asyncio.get_running_loop().time() + grace_s
        while self._group_alive(handle.pid) and asyncio.get_running_loop().time() < deadline:
            if self._gone(handle):
                # wait() reaped the trainer and cleaned its group: the pid may already name another.
                return
            await asyncio.sleep(WATCH_INTERVAL_S)
        if not self._gone(handle):
            _signal_group(handle.pid, signal.SIGKILL)

    @staticmethod
    def _gone(handle: TrainerHandle) -> bool:
        """True once the trainer was reaped (our child) or its pid names another process."""
        if handle.popen is not None:
            return handle.popen.returncode is not None
        return processes.reused(handle.pid, handle.started)

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        for proc in psutil.process_iter(["status"]):
            try:
                if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.pid) == pgid:
                    return True
            except (ProcessLookupError, psutil.NoSuchProcess):
                continue
        return False
