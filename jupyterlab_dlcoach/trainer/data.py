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

from jupyterlab_dlcoach.core.models import JobSpec
from jupyterlab_dlcoach.trainer import TrainerError


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


def pick_workers(spec: JobSpec, device: torch.device) -> int:
    """On a CPU the model already uses every core, so loader processes would only compete with it;
    on a GPU, a few workers keep the GPU fed while the main process launches kernels."""
    if spec.num_workers is not None:
        return spec.num_workers
    if device.type == "cpu":
        return 0
    return max(0, min(8, (os.cpu_count() or 2) - 1))


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
    workers = pick_workers(spec, device)
    on_gpu = device.type == "cuda"
    dls = block.dataloaders(
        folder,
        bs=bs,
        num_workers=workers,
        device=device,
        # Pinned pages make host→GPU copies asynchronous; kept workers skip a restart every epoch.
        pin_memory=on_gpu,
        persistent_workers=workers > 0,
    )
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
        # Fixed image size: let cuDNN pick its fastest convolution algorithms once.
        torch.backends.cudnn.benchmark = True
        precision = spec.precision
        if precision == "auto":
            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        # channels_last lets the tensor cores run convolutions without layout changes.
        learn.to_channelslast(
            use_amp=precision != "fp32", amp_mode=precision if precision != "fp32" else "fp16"
        )
    # On a CPU training stays in fp32: mixed precision there is slower, not faster.
    return learn
