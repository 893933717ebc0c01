"""Watching trainers until they end, and settling how each job ended: the job queue's liveness half.

Mixed into :class:`jupyterlab_dlcoach.server.jobs.JobManager`, whose store, executor, owner and
bookkeeping (``_running``, ``gpu_slots``, ``_spawn_task``, ``_wake``, ``on_change``) it uses. The server,
not the trainer, decides the final state, from how the process ended: a killed trainer cannot say so.
"""

from __future__ import annotations

import time

from jupyterlab_dlcoach.core.runs import Run, RunError, RunState
from jupyterlab_dlcoach.server.executor import TrainerHandle
from jupyterlab_dlcoach.server.run_states import ended_state


class Watching:
    def _watch(self, handle: TrainerHandle) -> None:
        self._running[handle.run_id] = handle
        self._spawn_task(self._await_exit(handle), f"watch-{handle.run_id}")

    async def _await_exit(self, handle: TrainerHandle) -> None:
        try:
            try:
                exit_code, signal = await self.executor.wait(handle)
            except Exception as e:
                self.log.exception("dlcoach: watching the trainer of %s failed", handle.run_id)
                self._running.pop(handle.run_id, None)
                self.gpu_slots.release(handle.run_id)
                self._crashed(handle.run_id, e, "Watching the trainer process failed")
                return
            self._running.pop(handle.run_id, None)
            self.gpu_slots.release(handle.run_id)
            run = self.store.get_run(handle.run_id)
            # Deleted meanwhile only if something outside the API removed it; taken over only if this
            # server was thought gone (its adopter settles it).
            if run is not None and run.get("owner") in (None, self.owner.id):
                self._settle(run, exit_code, signal, handle)
        finally:
            self._cancelling.discard(handle.run_id)
            # Whatever happened, a slot may have freed: the queue must move on.
            self._wake.set()

    def _settle(self, run: Run, exit_code: int | None, signal: str | None, handle: TrainerHandle) -> None:
        state, error = ended_state(run, exit_code, signal, handle.log_path)
        self._finish(run["id"], state, error=error, exit_code=exit_code, signal=signal)

    def _finish(self, run_id: str, state: RunState, *, error: RunError | None = None, **fields) -> None:
        self.store.update_run(run_id, state=state, ended=time.time(), error=error, **fields)
        self.store.append_event(run_id, "state", state=state, error=error)

    def _crashed(self, run_id: str, exc: Exception, what: str = "The job could not be started") -> None:
        error: RunError = {
            "kind": "crashed",
            "message": f"{what}: {type(exc).__name__}: {exc}.",
            "advice": "The server's log has the details; submit the job again.",
        }
        try:
            if run_id in self._running:
                return  # it did start; its watcher settles it
            self._finish(run_id, RunState.FAILED, error=error)
            self.on_change(run_id)
        except Exception:
            self.log.exception("dlcoach: could not mark job %s failed", run_id)
