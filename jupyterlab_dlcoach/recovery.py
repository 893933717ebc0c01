"""What an earlier server, or a notebook kernel that died, left behind: the job queue's recovery half.

Mixed into :class:`jupyterlab_dlcoach.jobs.JobManager`, whose store, executor, queue and bookkeeping
(``_watch``, ``_finish``, ``on_change``) it uses.
"""

from __future__ import annotations

from .run_states import INTERRUPTED, QUEUED, RUNNING, ended_state, kernel_alive


class Recovery:
    def _reconcile(self) -> None:
        """Adopt what a previous server left: live trainers are watched again, dead ones interrupted."""
        for run in reversed(self.store.list_runs()):  # oldest first, so the queue keeps its order
            if run["state"] == QUEUED and run["kind"] == "job":
                self._queue.append(run["id"])
            elif run["state"] == RUNNING and run["kind"] == "job":
                handle = None
                if run["pid"]:
                    handle = self.executor.attach(run["id"], run["pid"], run["pid_started"])
                if handle is not None:
                    self.log.info("dlcoach: re-attached to job %s (pid %s)", run["id"], handle.pid)
                    self._watch(handle)
                else:
                    # Its trainer ended while no server watched it: judge by what it recorded, so a
                    # job that wrote its result (and model) is completed, not interrupted.
                    state, error = ended_state(run, None, None, None)
                    self._finish(run["id"], state, error=error)
            elif run["state"] == RUNNING and run["kind"] == "notebook" and not kernel_alive(run):
                # The callback writes a notebook run's state; a kernel that died cannot.
                self._finish(run["id"], INTERRUPTED)

    def _check_notebooks(self) -> None:
        """A notebook run whose kernel died cannot say so itself: mark it interrupted."""
        for run in self.store.list_runs(kind="notebook"):
            if run["state"] == RUNNING and not kernel_alive(run):
                self.log.info("dlcoach: the kernel of notebook run %s is gone; interrupted", run["id"])
                self._finish(run["id"], INTERRUPTED)
                self.on_change(run["id"])
