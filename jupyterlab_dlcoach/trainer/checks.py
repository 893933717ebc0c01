"""The checks a job must pass before fastai is even imported: they only need torch and torchvision,
so a job that cannot run (no GPU, no cached weights) fails within seconds."""

from __future__ import annotations

from pathlib import Path

import torch

from jupyterlab_dlcoach.core import weights
from jupyterlab_dlcoach.core.models import JobSpec
from jupyterlab_dlcoach.kernel.devices import device_label  # noqa: F401 (the trainer's name for it)
from jupyterlab_dlcoach.trainer import TrainerError


def pick_device(spec: JobSpec) -> torch.device:
    if spec.device == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    device = torch.device(spec.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise TrainerError(
                "bad_spec",
                f"The job asks for device {spec.device!r}, but this machine has no usable CUDA GPU.",
                "Set device to auto (or cpu) to train on what is here.",
            )
        index = device.index or 0
        if index >= torch.cuda.device_count():
            raise TrainerError(
                "bad_spec",
                f"There is no GPU {index}: this machine has {torch.cuda.device_count()}.",
                "Set device to auto, or to cuda:N with N below the GPU count.",
            )
        device = torch.device("cuda", index)
    return device


def weights_file(arch: str) -> Path:
    """Where torchvision keeps the default pretrained weights of `arch` in the torch hub cache.

    The server's copy of that answer (``weights.py``) is the one used, so that what the System section
    calls cached is exactly what a job finds; tests/test_weights_torch.py holds it to torchvision's."""
    return weights.weights_path(arch)


def check_weights(spec: JobSpec) -> None:
    """Fail at once when pretrained weights would need a download: a job must never hang on the network."""
    if not spec.pretrained:
        return
    path = weights_file(spec.arch)
    if not path.is_file():
        raise TrainerError(
            "weights_missing",
            f"The pretrained weights for {spec.arch} are not on this machine ({path}), and training never "
            "downloads them.",
            "Get them from the System section (it needs the internet), or copy that file there from a "
            "machine that has it; or untick 'Start from a pretrained model' to train from scratch.",
        )
