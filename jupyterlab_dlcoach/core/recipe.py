"""How a job spec's "automatic" choices become numbers: the recipe, learning rate, batch and image size.

Pure Python, shared by the trainer (which applies them) and the server (which describes them), so
the panel's sentence about a run and what the run really did come from the same rules.
"""

from __future__ import annotations

import contextlib
import statistics
from pathlib import Path

# fastai's own default for fine_tune. From scratch, one-cycle at 0.003 takes resnet18 on the digits to
# 3.3 % error in 3 epochs; 0.01 ends at 4.7 % after a first epoch whose validation loss reaches ~150
# (the batch-norm statistics lag behind weights that move that fast), which squashes the chart.
DEFAULT_LR = {"fine_tune": 2e-3, "fit_one_cycle": 3e-3, "fit": 1e-3}
MAX_BATCH = 64
MIN_BATCHES = 8  # an epoch with fewer batches draws no curve worth reading
IMAGE_SIDE = (32, 224)


def resolve_recipe(recipe: str, pretrained: bool) -> str:
    """auto: fine-tune what was pretrained; a model with random weights has nothing to fine-tune."""
    if recipe != "auto":
        return recipe
    return "fine_tune" if pretrained else "fit_one_cycle"


def resolve_lr(lr: float | None, recipe: str) -> float:
    return DEFAULT_LR[recipe] if lr is None else lr


def batch_size_for(n_train: int, requested: int | None) -> tuple[int, str | None]:
    """The batch size to use, and why it differs from the one asked for (None when it does not).

    Automatic: 64, halved until an epoch has at least MIN_BATCHES batches. A typed size that leaves
    fewer batches is lowered by the same rule, since a curve of one or two points per epoch tells nothing.
    """
    start = MAX_BATCH if requested is None else requested
    bs = start
    while bs > 2 and n_train // bs < MIN_BATCHES:
        bs //= 2
    bs = max(1, min(bs, n_train)) if n_train else bs
    if requested is None or bs == requested:
        return bs, None
    return bs, (
        f"Batch size {requested} would give only {n_train // requested} batch(es) per epoch from "
        f"{n_train} training images, too few to draw a learning curve; it was lowered to {bs} "
        f"({n_train // bs} batches per epoch)."
    )


def image_sides(paths: list[Path], sample: int = 25) -> list[int]:
    """The larger side of a spread of the images, reading only their headers."""
    from PIL import Image

    step = max(1, len(paths) // sample)
    sides = []
    for path in paths[::step][:sample]:
        # An unreadable image is the inspection's to report, not this rule's.
        with contextlib.suppress(Exception), Image.open(path) as img:
            sides.append(max(img.size))
    return sides


def image_size_for(sides: list[int], requested: int | None) -> int:
    """Automatic: the pictures' typical side (the median of the larger side), kept within IMAGE_SIDE."""
    if requested is not None:
        return requested
    if not sides:
        return IMAGE_SIDE[1]
    typical = int(statistics.median(sides))
    return max(IMAGE_SIDE[0], min(IMAGE_SIDE[1], typical))


def describe(settings: dict) -> str:
    """One plain sentence about how a run trains, for the panel and the notebook summary."""
    recipe, epochs = settings.get("recipe"), settings.get("epochs")
    if recipe == "fine_tune":
        frozen = settings.get("freeze_epochs", 1)
        return (
            f"Fine-tunes a pretrained model: {frozen} epoch(s) training only the new last layers, then "
            f"{epochs} epoch(s) with every layer unfrozen (fine_tune)."
        )
    if recipe == "fit_one_cycle":
        return (
            f"Trains a new model from scratch (no pretrained weights, so there is nothing to fine-tune): "
            f"{epochs} epoch(s) with a learning rate that rises, then falls (fit_one_cycle)."
        )
    return f"Trains for {epochs} epoch(s) at a constant learning rate (fit)."
