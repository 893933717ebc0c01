"""Predictor processes, one per model: started on a run's first prediction, kept warm, ended when idle.

A predictor (``python -m jupyterlab_dlcoach.predictor``) imports torch and fastai and loads the run's
exported model; the server only starts it, writes one JSON line per picture to its stdin and reads one
answer line from its stdout. It runs in its own process group (so ending it ends anything it started),
and it ends by itself when its stdin closes, so not even a killed server leaves one behind.
This module never imports torch.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jupyterlab_dlcoach.core.errors import CoachError, Conflict
from jupyterlab_dlcoach.server.executor import artifacts_dir, trainer_env
from jupyterlab_dlcoach.server.model_files import dataset_folder, model_file, model_gone

# An answer line is small (a label and a probability per class); a greeting holds the class names too.
LINE_LIMIT = 4 * 1024 * 1024


class PredictorUnavailable(CoachError):
    """The predictor could not answer (it crashed twice, or took too long); trying again may help."""

    status = 503


def predictor_command(model: Path, dataset: Path | None, device: str, threads: int) -> list[str]:
    cmd = [sys.executable, "-m", "jupyterlab_dlcoach.predictor", "--model", str(model), "--device", device]
    cmd += ["--threads", str(threads)]
    return cmd + (["--dataset", str(dataset)] if dataset is not None else [])


@dataclass
class Predictor:
    run_id: str
    model: Path
    mtime: float
    proc: asyncio.subprocess.Process
    greeting: dict
    idle_timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.proc.pid


class Predictors:
    """The warm predictors of one server, by run id; at most ``max_warm`` at once."""

    def __init__(
        self,
        store,
        *,
        root_dir: str,
        db_path: str,
        idle_s: float = 300.0,
        max_warm: int = 2,
        start_timeout_s: float = 120.0,
        predict_timeout_s: float = 30.0,
        device: str = "auto",
        threads: int = 1,
        log: logging.Logger | None = None,
    ):
        self.store, self.root_dir, self.db_path = store, root_dir, db_path
        self.idle_s, self.max_warm, self.device = idle_s, max(1, max_warm), device
        self.threads = max(1, threads)
        self.start_timeout_s, self.predict_timeout_s = start_timeout_s, predict_timeout_s
        self.log = log or logging.getLogger(__name__)
        self._warm: dict[str, Predictor] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task] = set()
        self.started_count = 0

    def pids(self) -> dict[str, int]:
        return {run_id: p.pid for run_id, p in self._warm.items()}

    async def predict(self, run: dict, data: bytes) -> dict:
        """Ask the run's model about one picture (already checked by the caller: size and header)."""
        run_id = run["id"]
        lock = self._locks.setdefault(run_id, asyncio.Lock())
        async with lock:
            model = model_file(run, self.root_dir)
            line = json.dumps({"image": base64.b64encode(data).decode("ascii")}).encode() + b"\n"
            for attempt in (1, 2):
                predictor = await self._ready(run, model)
                reply = await self._ask(predictor, line)
                if reply is not None:
                    break
                # It died under this request: start it again once; a second death is not chance.
                rc = await self._end(run_id)
                self.log.warning(
                    "dlcoach: the predictor of %s ended (status %s), try %s", run_id, rc, attempt
                )
            else:
                raise PredictorUnavailable(
                    f"The model's process stopped unexpectedly twice (exit status {rc}). Try again in a "
                    f"moment; if it keeps failing, try another picture or train the run again (its log: "
                    f"{self._log_path(run_id)}).",
                )
            self._touch(run_id)
        if "error" in reply:
            err = reply["error"]
            message = err.get("message", "The picture was refused.")
            raise _status_error(err.get("status", 400), message, err.get("field"))
        reply["device"] = predictor.greeting.get("device")
        return reply

    async def _ready(self, run: dict, model: Path) -> Predictor:
        """The warm predictor of this model, or a new one (a changed or replaced model gets a new one)."""
        run_id = run["id"]
        try:
            mtime = model.stat().st_mtime
        except OSError as e:  # deleted between the lookup and here
            raise model_gone(model.name) from e
        current = self._warm.get(run_id)
        if current is not None:
            if current.proc.returncode is None and (current.model, current.mtime) == (model, mtime):
                return current
            await self._end(run_id)
        await self._make_room()
        return await self._start(run, model, mtime)

    async def _start(self, run: dict, model: Path, mtime: float) -> Predictor:
        run_id = run["id"]
        dataset = dataset_folder(self.root_dir, run)
        log_path = self._log_path(run_id)
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(log_path, "ab") as log:
                proc = await asyncio.create_subprocess_exec(
                    *predictor_command(model, dataset, self.device, self.threads),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=log,
                    env=trainer_env(),
                    cwd=self.root_dir,
                    start_new_session=True,
                    limit=LINE_LIMIT,
                )
        except OSError as e:  # no memory, too many processes, a full disk for the log
            raise PredictorUnavailable(
                f"The model's process could not be started ({e.strerror or e}). Free some memory or close "
                "other programs, then try again."
            ) from e
        self.started_count += 1
        predictor = Predictor(run_id, model, mtime, proc, greeting={})
        self._warm[run_id] = predictor
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), self.start_timeout_s)
            greeting = json.loads(line) if line else None
        except (TimeoutError, ValueError):
            greeting = None
        if not greeting or not greeting.get("ready"):
            rc = await self._end(run_id)
            if greeting and greeting.get("error"):
                raise Conflict(
                    f"The model file could not be loaded: {greeting['error'].get('message')}. Train the run "
                    "again to get a model that loads.",
                    field="model",
                )
            raise PredictorUnavailable(
                f"The model's process did not get ready within {self.start_timeout_s:.0f} s (exit status "
                f"{rc}). The machine may be busy: try again in a moment (its log: {log_path})."
            )
        predictor.greeting = greeting
        return predictor

    async def _ask(self, predictor: Predictor, line: bytes) -> dict | None:
        """One request and its answer; None when the process died under it."""
        proc = predictor.proc
        try:
            proc.stdin.write(line)
            await proc.stdin.drain()
            answer = await asyncio.wait_for(proc.stdout.readline(), self.predict_timeout_s)
        except TimeoutError as e:
            await self._end(predictor.run_id)
            raise PredictorUnavailable(
                f"The model took longer than {self.predict_timeout_s:.0f} s to answer and was stopped. The "
                "machine may be busy: try again in a moment, or with a smaller picture."
            ) from e
        except (ConnectionError, OSError, ValueError):
            return None
        try:
            return json.loads(answer) if answer else None
        except ValueError:
            return None

    def _touch(self, run_id: str) -> None:
        predictor = self._warm.get(run_id)
        if predictor is None:
            return
        if predictor.idle_timer is not None:
            predictor.idle_timer.cancel()
        # Most recently used last: _make_room ends the first.
        self._warm[run_id] = self._warm.pop(run_id)
        # The coroutine is made when the timer fires: a cancelled timer leaves none un-awaited.
        predictor.idle_timer = asyncio.get_running_loop().call_later(
            self.idle_s, lambda: self._later(self._idle(run_id))
        )

    def _later(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        # The loop keeps only a weak reference to a task: hold it until it is done.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _idle(self, run_id: str) -> None:
        lock = self._locks.get(run_id)
        if lock is not None and lock.locked():
            return  # in use: the request's end sets a new timer
        await self._end(run_id)

    async def _make_room(self) -> None:
        """Past ``max_warm`` predictors, end the one used longest ago that is not answering."""
        while len(self._warm) >= self.max_warm:
            idle = [r for r in self._warm if not self._locks.get(r, asyncio.Lock()).locked()]
            if not idle:
                return
            await self._end(idle[0])

    async def stop(self, run_id: str) -> None:
        """End the run's predictor, if it has one (the run was deleted, or its model changed)."""
        await self._end(run_id)

    def run_changed(self, run_id: str) -> None:
        """Told of every run change: a deleted run's predictor ends at once."""
        if run_id in self._warm and self.store.get_run(run_id) is None:
            self._later(self._end(run_id))

    async def close(self) -> None:
        """The server stops: end every predictor."""
        for run_id in list(self._warm):
            await self._end(run_id)

    async def _end(self, run_id: str) -> int | None:
        predictor = self._warm.pop(run_id, None)
        if predictor is None:
            return None
        if predictor.idle_timer is not None:
            predictor.idle_timer.cancel()
        proc = predictor.proc
        # Not yet reaped, so its pid (and group id) cannot name another process: the whole group goes.
        if proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            return await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            return None

    def _log_path(self, run_id: str) -> Path:
        return artifacts_dir(self.db_path, run_id) / "predictor.log"


def _status_error(status: int, message: str, field: str | None) -> CoachError:
    err = CoachError(message, field=field)
    err.status = status if status in (400, 409, 413, 422) else 400
    return err
