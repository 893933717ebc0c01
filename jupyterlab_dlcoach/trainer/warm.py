"""`python -m jupyterlab_dlcoach.trainer.warm`: a trainer that imports torch and fastai before its job.

Started by the server (see :mod:`jupyterlab_dlcoach.server.warm_pool`) with no job. It imports what every job
needs, says so on stdout (its log), then blocks on stdin for one JSON line
``{"run", "db", "root", "env"}``. It applies ``env`` to its own environment (CUDA_VISIBLE_DEVICES is
read when CUDA initialises, which importing torch does not do) and runs the same ``main()`` as
``python -m jupyterlab_dlcoach.trainer --db DB --run RUN --root ROOT``, then exits with its exit code.
End of input before a job (the server stopped or died) ends it quietly.
"""

from __future__ import annotations

import json
import os
import sys
import time

MARKER = "dlcoach warm trainer"


def warm_up() -> None:
    """Import what every job imports; no CUDA call, so the job's CUDA_VISIBLE_DEVICES still applies."""
    import fastai.vision.all  # noqa: F401
    import torch  # noqa: F401
    import torchvision  # noqa: F401

    from jupyterlab_dlcoach.core import datasets  # noqa: F401
    from jupyterlab_dlcoach.kernel import callback  # noqa: F401
    from jupyterlab_dlcoach.trainer import __main__, checks, data  # noqa: F401


def read_job() -> dict | None:
    line = sys.stdin.buffer.readline()
    if not line.strip():
        return None
    job = json.loads(line)
    # From here on it is an ordinary trainer: nothing more comes on stdin.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return job


def apply_env(env: dict[str, str]) -> None:
    # os.environ writes through to the C environment, where CUDA and other libraries read it.
    for key in set(os.environ) - set(env):
        del os.environ[key]
    os.environ.update(env)


def cold_argv(job: dict) -> list[str]:
    return ["--db", job["db"], "--run", job["run"], "--root", job["root"]]


def main() -> None:
    t0 = time.monotonic()
    warm_up()
    print(f"{MARKER} (pid {os.getpid()}): ready in {time.monotonic() - t0:.1f} s", flush=True)
    waiting = time.monotonic()
    job = read_job()
    if job is None:
        os._exit(0)
    apply_env(job["env"])
    os.chdir(job["root"])
    print(
        f"{MARKER} (pid {os.getpid()}): took run {job['run']} after {time.monotonic() - waiting:.1f} s idle",
        flush=True,
    )
    import torch

    if torch.cuda.is_initialized():
        # Something initialised CUDA before the job's device choice: only a fresh interpreter can
        # honour it. exec keeps the pid, group and log, so the server sees no difference.
        argv = [sys.executable, "-m", "jupyterlab_dlcoach.trainer", *cold_argv(job)]
        os.execve(sys.executable, argv, dict(os.environ))  # noqa: S606 (no shell wanted)
    from jupyterlab_dlcoach.trainer.__main__ import main as trainer_main
    from jupyterlab_dlcoach.trainer.quick_exit import run_then_exit

    run_then_exit(trainer_main, cold_argv(job))


if __name__ == "__main__":
    main()
