"""From a job spec to fastai DataLoaders and a Learner, with the checks that must come first."""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torchvision
from fastai.vision.all import (
    CategoryBlock,
    DataBlock,
    ImageBlock,
    RandomSplitter,
    RegexLabeller,
    Resize,
    aug_transforms,
    error_rate,
    parent_label,
    using_attr,
    vision_learner,
)

from jupyterlab_dlcoach.core.models import JobSpec
from jupyterlab_dlcoach.trainer import TrainerError


def labeller(spec: JobSpec, items: list[tuple[Path, str]]):
    """The label function, built from fastai's and Python's own parts only: learn.export() pickles it,
    and a model must load with plain `load_learner` where this package is not installed."""
    source = spec.labels["from"]
    if source == "filename":
        # The pattern is searched in the file name, as inspection does.
        return using_attr(RegexLabeller(spec.labels["pattern"]), "name")
    if source == "csv":
        # The CSV's labels, looked up by the image's path (its parts: a tuple, so a dict key).
        return using_attr({Path(p).parts: label for p, label in items}.__getitem__, "parts")
    return parent_label


def pick_workers(spec: JobSpec, device: torch.device) -> int:
    """On a CPU the model already uses every core, so loader processes would only compete with it;
    on a GPU, a few workers keep the GPU fed while the main process launches kernels."""
    if spec.num_workers is not None:
        return spec.num_workers
    if device.type == "cpu":
        return 0
    return max(0, min(8, (os.cpu_count() or 2) - 1))


def build_dls(spec: JobSpec, folder: Path, items: list[tuple[Path, str]], device: torch.device, bs: int):
    get_y = labeller(spec, items)
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
