"""What an earlier server, another server on the same store, or a notebook kernel that died left
behind: the job queue's recovery and sharing half.

Mixed into :class:`jupyterlab_dlcoach.server.jobs.JobManager`, whose store, owner, executor, queue and
bookkeeping (``_watch``, ``_finish``, ``gpu_slots``, ``on_change``, ``_spawn_task``) it uses.
"""

from __future__ import annotations

import time

from jupyterlab_dlcoach.core.runs import Run, RunState
from jupyterlab_dlcoach.server.run_states import ended_state, kernel_alive


class Recovery:
    def _reconcile(self) -> None:
        """At start: take over what a server that is gone left, and settle notebook runs of dead kernels."""
        self._adopt_orphans()
        self._check_notebooks()

    def _adopt_orphans(self) -> None:
        """Jobs whose owning server is gone (stopped, or no heartbeat): queued ones join this server's
        queue, live trainers are watched again, dead ones are settled from what they recorded.
        Jobs of a server that is alive are left to it, so nothing is run or settled twice."""
        for run in self.owner.orphans():  # oldest first, so the queue keeps its order
            if run is None or run["id"] in self._queue or run["id"] in self._running:
                continue
            if not self.owner.adopt(run["id"]):
                continue
            if run["state"] == RunState.QUEUED:
                self._queue.append(run["id"])
                self._wake.set()
                continue
            handle = None
            if run["pid"]:
                handle = self.executor.attach(run["id"], run["pid"], run["pid_started"])
            if handle is not None:
                self.log.info("dlcoach: re-attached to job %s (pid %s)", run["id"], handle.pid)
                # The GPU it trains on stays taken: the next job goes to another one.
                self.gpu_slots.restore(run)
                self._watch(handle)
            else:
                # Its trainer ended while no server watched it: judge by what it recorded, so a
                # job that wrote its result (and model) is completed, not interrupted.
                state, error = ended_state(run, None, None, None)
                self._finish(run["id"], state, error=error)
                self.on_change(run["id"])

    def _check_notebooks(self) -> None:
        """A notebook run whose kernel died cannot say so itself: mark it interrupted."""
        for run in self.store.list_runs(kind="notebook"):
            if run["state"] == RunState.RUNNING and not kernel_alive(run):
                self.log.info("dlcoach: the kernel of notebook run %s is gone; interrupted", run["id"])
                self._finish(run["id"], RunState.INTERRUPTED)
                self.on_change(run["id"])

    def _stop_trainer(self, run: Run) -> None:
        """TERM (then KILL) a job's trainer: ours, or another server's when it runs on this machine.
        Either way the owner also sees cancel_requested in the store (``_follow_cancels``)."""
        run_id = run["id"]
        handle = self._running.get(run_id)
        if handle is None and run["pid"]:
            handle = self.executor.attach(run_id, run["pid"], run["pid_started"])
        if handle is not None and run_id not in self._cancelling:
            self._cancelling.add(run_id)
            self._spawn_task(self.executor.terminate(handle, self.grace_s), f"cancel-{run_id}")

    def _follow_cancels(self) -> None:
        """A cancel sent to another server reaches our trainer through the store's cancel_requested."""
        for run_id in list(self._running):
            if run_id not in self._cancelling:
                run = self.store.get_run(run_id)
                if run is not None and run["cancel_requested"]:
                    self._stop_trainer(run)

    def _tick(self) -> None:
        self.owner.beat()
        self._adopt_orphans()
        self._follow_cancels()
        now = time.monotonic()
        if now >= self._next_notebook_check:
            self._next_notebook_check = now + self.notebook_check_s
            self._check_notebooks()
