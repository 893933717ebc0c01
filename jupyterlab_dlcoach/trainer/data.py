"""From a job spec to fastai DataLoaders and a Learner, with the checks that must come first."""

from __future__ import annotations

import os
import re
from pathlib import Path

import torch
import torchvision
from fastai.vision.all import (
    CategoryBlock,
    DataBlock,
    ImageBlock,
    RandomSplitter,
    Resize,
    aug_transforms,
    error_rate,
    parent_label,
    vision_learner,
)

from ..models import JobSpec


class TrainerError(Exception):
    """A failure the trainer recognised: it becomes the run's error {kind, message, advice}."""

    def __init__(self, kind: str, message: str, advice: str):
        super().__init__(message)
        self.error = {"kind": kind, "message": message, "advice": advice}


# The labellers are classes in an importable module, not lambdas, so that learn.export() can pickle them.
class FileNameLabel:
    """The label is the first capture group of `pattern`, searched in the file name (as inspection does)."""

    def __init__(self, pattern: str):
        self.pattern = pattern

    def __call__(self, path) -> str:
        return re.search(self.pattern, Path(path).name).group(1)


class TableLabel:
    """Labels from a CSV, looked up by the image's path relative to the data set folder."""

    def __init__(self, folder: Path, labels: dict[str, str]):
        self.folder, self.labels = str(folder), labels

    def __call__(self, path) -> str:
        return self.labels[os.path.relpath(path, self.folder)]


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


def pick_workers(spec: JobSpec, device: torch.device) -> int:
    """On a CPU the model already uses every core, so loader processes would only compete with it;
    on a GPU, a few workers keep the GPU fed while the main process launches kernels."""
    if spec.num_workers is not None:
        return spec.num_workers
    if device.type == "cpu":
        return 0
    return max(0, min(8, (os.cpu_count() or 2) - 1))


def weights_file(arch: str) -> Path:
    """Where torchvision keeps the default pretrained weights of `arch` in the torch hub cache."""
    url = torchvision.models.get_model_weights(arch).DEFAULT.url
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(url)


def check_weights(spec: JobSpec) -> None:
    """Fail at once when pretrained weights would need a download: a job must never hang on the network."""
    if not spec.pretrained:
        return
    path = weights_file(spec.arch)
    if not path.is_file():
        raise TrainerError(
            "weights_missing",
            f"The pretrained weights for {spec.arch} are not in the torch hub cache ({path}), and jobs never "
            "download them.",
            f'On a machine with internet access, cache them once with: python -c "import torchvision; '
            f"torchvision.models.{spec.arch}(weights='DEFAULT')\" (with the same TORCH_HOME), or set "
            "pretrained: false to train from scratch.",
        )


def build_dls(spec: JobSpec, folder: Path, items: list[tuple[Path, str]], device: torch.device, bs: int):
    source = spec.labels["from"]
    if source == "filename":
        get_y = FileNameLabel(spec.labels["pattern"])
    elif source == "csv":
        get_y = TableLabel(folder, {os.path.relpath(p, folder): label for p, label in items})
    else:
        get_y = parent_label
    paths = [p for p, _ in items]
    # Light augmentation pays off from 64 px up; on a GPU these batch transforms run on the GPU.
    batch_tfms = aug_transforms() if spec.image_size >= 64 else None
    block = DataBlock(
        blocks=(ImageBlock, CategoryBlock),
        get_items=lambda _: paths,
        get_y=get_y,
        splitter=RandomSplitter(valid_pct=spec.valid_pct, seed=spec.seed),
        item_tfms=Resize(spec.image_size),
        batch_tfms=batch_tfms,
    )
    dls = block.dataloaders(folder, bs=bs, num_workers=pick_workers(spec, device), device=device)
    if len(dls.train) == 0 or len(dls.valid_ds) == 0:
        raise TrainerError(
            "empty_dataset",
            f"With {len(paths)} images, valid_pct {spec.valid_pct} and batch_size {bs}, the training or "
            "validation set is empty.",
            "Add images, or lower batch_size, or change valid_pct.",
        )
    return dls


def build_learner(spec: JobSpec, dls, device: torch.device):
    arch = getattr(torchvision.models, spec.arch)
    learn = vision_learner(dls, arch, pretrained=spec.pretrained, metrics=error_rate)
    learn.model.to(device)
    if device.type == "cuda":
        precision = spec.precision
        if precision == "auto":
            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        # channels_last lets the tensor cores run convolutions without layout changes.
        learn.to_channelslast(
            use_amp=precision != "fp32", amp_mode=precision if precision != "fp32" else "fp16"
        )
    # On a CPU training stays in fp32: mixed precision there is slower, not faster.
    return learn
