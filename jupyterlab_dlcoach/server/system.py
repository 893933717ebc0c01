"""What the coach will train on: GPUs (read through NVML, never through torch), library versions and
the pretrained weights in the torch hub cache.

The server must not import torch, so the GPUs are read with NVIDIA's NVML bindings (``pynvml`` from
the ``nvidia-ml-py`` package). A machine with no NVIDIA driver is the normal CPU case, not an error.
"""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass
from importlib import metadata

from jupyterlab_dlcoach.core import weights

VERSIONED_PACKAGES = ("torch", "torchvision", "fastai", "jupyterlab", "jupyter_server", "jupyterlab_dlcoach")


@dataclass(frozen=True)
class GPU:
    index: int
    name: str
    memory_total_mb: int
    memory_used_mb: int


def _visible(indices: list[int]) -> list[int]:
    """Apply CUDA_VISIBLE_DEVICES (numeric form) the way CUDA will for the trainer."""
    mask = os.environ.get("CUDA_VISIBLE_DEVICES")
    if mask is None:
        return indices
    wanted = []
    for part in mask.split(","):
        part = part.strip()
        if not part.isdigit():
            break  # CUDA stops at the first invalid entry; UUID masks are not resolved here
        wanted.append(int(part))
    return [i for i in wanted if i in indices]


def nvml_gpus() -> list[GPU]:
    """The NVIDIA GPUs visible to a child process, or [] when there is no driver or no GPU."""
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return []
    try:
        gpus = []
        for i in _visible(list(range(pynvml.nvmlDeviceGetCount()))):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(handle)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            gpus.append(
                GPU(
                    index=i,
                    name=name.decode() if isinstance(name, bytes) else str(name),
                    memory_total_mb=int(mem.total // 2**20),
                    memory_used_mb=int(mem.used // 2**20),
                )
            )
        return gpus
    except pynvml.NVMLError:
        return []
    finally:
        pynvml.nvmlShutdown()


def package_versions() -> dict[str, str | None]:
    """Installed versions, read from package metadata so nothing heavy is imported."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def system_info(gpu_probe=nvml_gpus) -> dict:
    gpus = gpu_probe()
    return {
        "device": "cuda" if gpus else "cpu",
        "gpus": [asdict(g) for g in gpus],
        "cpu_count": os.cpu_count() or 1,
        "versions": package_versions(),
        "hub_dir": str(weights.hub_checkpoints_dir()),
        "weights": [
            {key: entry[key] for key in ("arch", "cached", "size_mb", "download_mb")}
            for entry in weights.cache_listing()
        ],
    }
