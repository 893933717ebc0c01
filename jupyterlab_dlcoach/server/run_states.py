"""The states of a run and the rules that decide how a job ended, from what its trainer left behind.

Plain functions of a stored run and an exit status, used by the job queue (`server.jobs`);
nothing here touches a process except to ask whether a notebook's kernel still lives.
"""

from __future__ import annotations

from jupyterlab_dlcoach.core import processes
from jupyterlab_dlcoach.core.runs import Run, RunError, RunJson, RunState


def crash_error(exit_code: int | None, signal: str | None, log_path) -> RunError:
    """The error of a trainer that ended without recording one itself."""
    how = f"was killed by signal {signal}" if signal else f"ended with exit code {exit_code}"
    advice = (
        "If nobody stopped it, the machine may have run out of memory: try a smaller batch_size or "
        "image_size, or num_workers 0."
    )
    if log_path:
        advice += f" The trainer's output is in {log_path}."
    return {"kind": "crashed", "message": f"The trainer process {how}.", "advice": advice}


def job_json(run: Run, position: int | None = None) -> RunJson:
    """A run as the API shows it: every stored field, plus the queue position of a queued job."""
    return {**run, "position": position}


def ended_state(
    run: Run, exit_code: int | None, signal: str | None, log_path
) -> tuple[RunState, RunError | None]:
    """The final (state, error) of a job whose trainer ended with ``exit_code`` or ``signal``."""
    if exit_code == 0:
        return RunState.COMPLETED, None
    if run["cancel_requested"]:
        return RunState.CANCELLED, None
    if exit_code is None and signal is None:
        # A re-attached trainer: its exit status went to the old server; judge by what it recorded.
        if run["error"]:
            return RunState.FAILED, run["error"]
        if run["result"] is not None:
            return RunState.COMPLETED, None
        return RunState.INTERRUPTED, None
    return RunState.FAILED, run["error"] or crash_error(exit_code, signal, log_path)


def kernel_alive(run: Run) -> bool:
    if not run["pid"]:
        return True  # nothing to judge by; leave it as its callback left it
    return processes.alive(run["pid"], run["pid_started"], if_unknown=True)
