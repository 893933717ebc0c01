"""The model's mistakes on the validation set: a confusion matrix and the images it got most wrong.

Computed once, at the end of a server job, with the final in-memory model (before any export swaps
weights), so the run view can show lesson 2's "top losses" and let the learner fix wrong labels.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

TOP_K = 16
log = logging.getLogger(__name__)


def _root_relative(path, root: Path) -> str | None:
    """The item's path relative to the server root, with '/' separators; None if it lies elsewhere."""
    try:
        rel = os.path.relpath(os.path.abspath(path), root)
    except ValueError:  # another drive (Windows)
        return None
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return None
    return Path(rel).as_posix()


def interpret(learn, root: str | os.PathLike, k: int = TOP_K) -> dict:
    """{"classes", "confusion" (rows: actual, columns: predicted), "top_losses", "n_valid", "seconds"}."""
    import torch

    t0 = time.monotonic()
    root = Path(root).resolve()
    dl = learn.dls.valid
    # The validation loader keeps its items in order (no shuffle), so row i of the predictions is item i.
    items = list(dl.items)
    with learn.no_bar():
        probs, targets, losses = learn.get_preds(dl=dl, with_loss=True)
    probs, targets, losses = probs.float().cpu(), targets.long().cpu().view(-1), losses.float().cpu().view(-1)
    predicted = probs.argmax(dim=1)
    classes = [str(c) for c in learn.dls.vocab]
    n = len(classes)
    confusion = torch.zeros(n, n, dtype=torch.long)
    confusion.index_put_((targets, predicted), torch.ones_like(targets), accumulate=True)
    top = []
    for i in torch.argsort(losses, descending=True)[:k].tolist():
        top.append(
            {
                "path": _root_relative(items[i], root) if i < len(items) else None,
                "actual": classes[targets[i]],
                "predicted": classes[predicted[i]],
                "probability": round(float(probs[i, predicted[i]]), 4),
                "loss": round(float(losses[i]), 4),
            }
        )
    return {
        "classes": classes,
        "confusion": confusion.tolist(),
        "top_losses": top,
        "n_valid": len(targets),
        "seconds": round(time.monotonic() - t0, 3),
    }


def interpret_safely(learn, root) -> dict | None:
    """`interpret`, or None when it fails: looking at mistakes must never cost the learner the run."""
    try:
        return interpret(learn, root)
    except Exception:  # any failure here is ours, not the training's; the run completes without it
        log.exception("could not compute the model's mistakes")
        return None
