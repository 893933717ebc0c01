"""The job queue: validate, queue, start, watch, cancel and forget training jobs; recover after a restart.

The server, not the trainer, decides a job's final state, from how its process ended: a trainer that is
killed cannot report its own death. Everything here runs on the server's event loop and never imports
torch (the trainer is a separate interpreter, see :mod:`jupyterlab_dlcoach.server.executor`).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections import deque
from collections.abc import Callable

from jupyterlab_dlcoach.core import history
from jupyterlab_dlcoach.core.errors import BadInput, Conflict, NotFound
from jupyterlab_dlcoach.core.models import JobSpec
from jupyterlab_dlcoach.core.paths import confine
from jupyterlab_dlcoach.core.runs import ACTIVE_STATES, Run, RunError, RunJson, RunState
from jupyterlab_dlcoach.core.store import artifacts_dir
from jupyterlab_dlcoach.server.executor import Executor, TrainerHandle
from jupyterlab_dlcoach.server.gpus import GpuAssignment, assigned_label
from jupyterlab_dlcoach.server.ownership import Ownership
from jupyterlab_dlcoach.server.recovery import Recovery
from jupyterlab_dlcoach.server.run_states import job_json
from jupyterlab_dlcoach.server.watching import Watching

# The scheduler looks this often at the shared store: heartbeat, jobs of servers that are gone, cancels
# sent to another server for this server's jobs.
TICK_S = 1.0


class JobManager(Recovery, Watching):
    """One FIFO queue of jobs, at most ``max_running`` trainers at a time."""

    def __init__(
        self,
        store,
        executor: Executor,
        *,
        db_path: str,
        root_dir: str,
        max_running: int = 1,
        grace_s: float = 10.0,
        gpus: list[int] | None = None,
        log: logging.Logger | None = None,
    ):
        self.store = store
        self.executor = executor
        self.db_path = db_path
        self.root_dir = root_dir
        self.max_running = max(1, max_running)
        self.grace_s = grace_s
        self.log = log or logging.getLogger(__name__)
        self._queue: deque[str] = deque()
        self._running: dict[str, TrainerHandle] = {}
        # Visible GPU indices; each job on `auto`/`cuda` gets the least busy one (CUDA_VISIBLE_DEVICES).
        self.gpu_slots = GpuAssignment(gpus)
        self._tasks: set[asyncio.Task] = set()
        # This server in the shared store: which jobs are its own (see ownership.py).
        self.owner = Ownership(store, root_dir)
        self._cancelling: set[str] = set()
        self._next_notebook_check = 0.0
        self._wake: asyncio.Event | None = None
        self._started = False
        self._stopping = False
        # How often running notebook runs are checked for a kernel that died.
        self.notebook_check_s = 5.0
        # The executor prepares for the next job (a warm trainer) only this long after start, so that
        # the server's own start-up and short-lived test servers do not pay for it.
        self.prepare_delay_s = 3.0
        self._prepare_at = 0.0
        self._prepare_timer: asyncio.TimerHandle | None = None
        # Told when a run changes without an event saying so (a cancel request, a deletion).
        self.on_change: Callable[[str], None] = lambda run_id: None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Reconcile what an earlier server left behind, then start scheduling. Idempotent.

        Called from the extension's start hook, and on first use, since a server embedded by a test
        harness may never run the start hook.
        """
        if self._started:
            return
        self._started = True
        self._stopping = False
        self._wake = asyncio.Event()
        self.owner.beat(force=True)
        self._reconcile()
        loop = asyncio.get_running_loop()
        self._prepare_at = loop.time() + self.prepare_delay_s
        self._prepare_timer = loop.call_later(self.prepare_delay_s, self._wake.set)
        self._spawn_task(self._schedule(), "scheduler")
        self._wake.set()

    async def stop(self) -> None:
        """Stop watching and scheduling. Trainers keep running: the next server re-attaches them.

        What the executor prepared for a next job (an idle warm trainer) ends here.
        """
        # The flag, not only the cancel: Python 3.11's wait_for can swallow a cancel that races with
        # the wake-up it waits for, and the scheduler would then loop on forever.
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if self._prepare_timer is not None:
            self._prepare_timer.cancel()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            self.executor.close()
        except Exception:
            self.log.exception("dlcoach: releasing the executor's idle trainer failed")
        try:
            self.owner.leave()
        except Exception:
            self.log.exception("dlcoach: could not release this server's jobs in the store")
        self._tasks.clear()
        self._cancelling.clear()
        self._running.clear()
        self._queue.clear()
        self._started = False

    def _spawn_task(self, coro, name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro, name=f"dlcoach-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.log.error("dlcoach: %s failed", task.get_name(), exc_info=task.exception())

    # -- queries --------------------------------------------------------------------------------

    def position(self, run_id: str) -> int | None:
        try:
            return self._queue.index(run_id) + 1
        except ValueError:
            return None

    def run_json(self, run: Run) -> RunJson:
        return job_json(run, self.position(run["id"]) if run["state"] == RunState.QUEUED else None)

    def list_jobs(self) -> list[RunJson]:
        return [self.run_json(r) for r in self.store.list_runs(kind="job")]

    def list_runs(self) -> list[RunJson]:
        return [self.run_json(r) for r in self.store.list_runs()]

    def get_run(self, run_id: str, *, kind: str | None = None) -> RunJson:
        run = self.store.get_run(run_id)
        if run is None or (kind is not None and run["kind"] != kind):
            what = "job" if kind == "job" else "run"
            raise NotFound(f"There is no {what} with id {run_id}; list them with GET {what}s.")
        return self.run_json(run)

    def events(self, run_id: str, after: int = 0, limit: int | None = None) -> list[dict]:
        self.get_run(run_id)
        return self.store.events(run_id, after=after, limit=limit)

    def series(self, run_id: str, points: int, x_from: float | None, x_to: float | None) -> dict:
        """The run's batch losses thinned to ``points`` for a chart, its other events and last seq."""
        self.get_run(run_id)
        return history.history(self.store.connection, run_id, points, x_from, x_to)

    # -- commands -------------------------------------------------------------------------------

    def submit(self, spec_json) -> RunJson:
        """Validate a spec and its data set folder, then queue the job."""
        self.start()
        spec = JobSpec.from_json(spec_json)
        folder = confine(spec.dataset, self.root_dir, field="dataset")
        if not folder.is_dir():
            raise BadInput(
                f"'dataset' must be a folder of images; '{spec.dataset}' is a file.", field="dataset"
            )
        if not (isinstance(spec_json, dict) and spec_json.get("name")):
            spec.name = self._numbered(spec.name)
        run = self.store.create_run(
            kind="job", name=spec.name, spec=spec.to_json(), state=RunState.QUEUED, owner=self.owner.id
        )
        self.store.append_event(run["id"], "state", state=RunState.QUEUED)
        self._queue.append(run["id"])
        self._wake.set()
        return self.run_json(run)

    def _numbered(self, base: str) -> str:
        """'digits · resnet18 · #3': the default name with a number, so that runs can be told apart."""
        prefix = base + " · #"
        numbers = [
            int(r["name"][len(prefix) :])
            for r in self.store.list_runs()
            if r["name"].startswith(prefix)
            and r["name"][len(prefix) :].isascii()
            and r["name"][len(prefix) :].isdigit()
        ]
        return f"{prefix}{max(numbers, default=0) + 1}"

    def cancel(self, run_id: str) -> RunJson:
        self.start()
        run = self.get_run(run_id, kind="job")
        if run["state"] == RunState.QUEUED:
            if run_id in self._queue:
                self._queue.remove(run_id)
            # Atomic: whichever server owns it, a job that was started meanwhile is stopped instead.
            if self.owner.cancel_queued(run_id):
                self.store.append_event(run_id, "state", state=RunState.CANCELLED, error=None)
                self._wake.set()
                return self.get_run(run_id)
            run = self.get_run(run_id, kind="job")
        if run["state"] == RunState.RUNNING:
            if not run["cancel_requested"]:
                self.store.update_run(run_id, cancel_requested=True)
                self._stop_trainer(run)
                self.on_change(run_id)
        else:
            raise Conflict(f"Job {run_id} already ended ({run['state']}); there is nothing to cancel.")
        return self.get_run(run_id)

    def delete(self, run_id: str, *, kind: str | None = "job") -> None:
        run = self.get_run(run_id, kind=kind)
        if run["state"] in ACTIVE_STATES:
            verb = "Cancel it first" if run["kind"] == "job" else "Stop it in its notebook first"
            raise Conflict(f"{run_id} is still {run['state']}. {verb}, then delete it.")
        self.store.delete_run(run_id)
        # The trainer's log and exported model belong to the job; forgetting it frees that space too.
        shutil.rmtree(artifacts_dir(self.db_path, run_id), ignore_errors=True)
        self.on_change(run_id)

    # -- scheduling -----------------------------------------------------------------------------

    async def _schedule(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=min(TICK_S, self.notebook_check_s))
            except TimeoutError:
                pass
            if self._stopping:
                return
            self._wake.clear()
            while self._queue and len(self._running) < self.max_running:
                run_id = self._queue.popleft()
                try:
                    self._launch(run_id)
                except Exception as e:  # one job that cannot start must not stall the queue behind it
                    self.log.exception("dlcoach: starting job %s failed", run_id)
                    self._crashed(run_id, e)
            self._prepare()
            try:
                self._tick()
            except Exception:
                self.log.exception("dlcoach: checking the shared run store failed")

    def _prepare(self) -> None:
        """Let the executor get ready for the job that can start next: into a free slot, or the next
        free one when jobs wait. With every slot busy and none waiting there is nothing to prepare."""
        if self._stopping or asyncio.get_running_loop().time() < self._prepare_at:
            return
        if self._queue or len(self._running) < self.max_running:
            try:
                self.executor.prepare(self.db_path, self.root_dir)
            except Exception:
                self.log.exception("dlcoach: preparing the executor for the next job failed")

    def _launch(self, run_id: str) -> None:
        if not self.owner.start(run_id):
            return  # cancelled meanwhile, or no longer ours: never started twice
        run = self.store.get_run(run_id)
        gpu = self.gpu_slots.pick((run or {}).get("spec"), self.store.list_runs())
        env = None
        if gpu is not None:
            env = {"CUDA_VISIBLE_DEVICES": str(gpu)}
            # Recorded before the trainer starts (it then names the GPU itself, in the same words), so
            # that a server restarted meanwhile still knows which GPU this job holds.
            self.store.update_run(run_id, device=assigned_label(gpu))
        try:
            handle = self.executor.spawn(run_id, self.db_path, self.root_dir, env=env)
        except OSError as e:
            self.log.error("dlcoach: could not start the trainer for %s: %s", run_id, e)
            error: RunError = {
                "kind": "spawn_failed",
                "message": f"The trainer process could not be started: {e}.",
                "advice": "Check that the server can run: python -m jupyterlab_dlcoach.trainer --help",
            }
            self._finish(run_id, RunState.FAILED, error=error)
            return
        self.gpu_slots.hold(run_id, gpu)
        self.store.update_run(run_id, pid=handle.pid, pid_started=handle.started)
        self.store.append_event(run_id, "state", state=RunState.RUNNING)
        self._watch(handle)
