"""Which GPU a job trains on: the visible GPU that the fewest runs use, jobs and notebook runs alike.

A job on `auto` or `cuda` gets one GPU through CUDA_VISIBLE_DEVICES. What each run uses is read back
from its `device` field, so the answer survives a server restart (a re-attached job keeps its GPU) and
includes notebook runs, whose callback writes e.g. 'cuda:1 (NVIDIA H100 …)'.
"""

from __future__ import annotations

import re

from jupyterlab_dlcoach.core.runs import Run, RunState

# The trainer (kernel/devices.py) names the machine's GPU this way when CUDA_VISIBLE_DEVICES narrowed it.
_MACHINE_GPU = re.compile(r"GPU (\d+) of the machine")
_CUDA_INDEX = re.compile(r"cuda:(\d+)")


def gpu_of_device(device: str | None) -> int | None:
    """The machine's GPU number a run's device label names, or None for the CPU or an unknown label."""
    if not device:
        return None
    machine = _MACHINE_GPU.search(device)
    if machine:
        return int(machine.group(1))
    index = _CUDA_INDEX.match(device)
    return int(index.group(1)) if index else None


def assigned_label(gpu: int) -> str:
    """The device a job shows from its start until its trainer names the GPU itself (same words)."""
    return f"cuda (GPU {gpu} of the machine)"


class GpuAssignment:
    """The visible GPUs and which of the queue's jobs holds each."""

    def __init__(self, gpus: list[int] | None = None):
        self.gpus = list(gpus or [])
        self._of: dict[str, int] = {}

    def pick(self, spec: dict | None, others: list[Run]) -> int | None:
        """The visible GPU the fewest running runs use, for a job that lets us choose; else None.

        `others`: the store's runs, so that running notebook runs on a GPU are counted too."""
        device = (spec or {}).get("device", "auto")
        if not self.gpus or device not in ("auto", "cuda"):
            return None  # no GPU, or the spec names its own device (cpu, cuda:N)
        busy = list(self._of.values())
        for run in others:
            if run["state"] == RunState.RUNNING and run["id"] not in self._of:
                gpu = gpu_of_device(run.get("device"))
                if gpu is not None:
                    busy.append(gpu)
        return min(self.gpus, key=lambda i: (busy.count(i), i))

    def hold(self, run_id: str, gpu: int | None) -> None:
        if gpu is not None:
            self._of[run_id] = gpu

    def restore(self, run: Run) -> None:
        """A job re-attached after a restart holds the GPU its device label names again."""
        self.hold(run["id"], gpu_of_device(run.get("device")))

    def release(self, run_id: str) -> None:
        self._of.pop(run_id, None)

    def of(self, run_id: str) -> int | None:
        return self._of.get(run_id)
