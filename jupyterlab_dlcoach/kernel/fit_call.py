"""Which fastai training method a fit runs inside (fine_tune, fit_one_cycle or fit), with its arguments.

fastai's callbacks see each `fit` on its own: `learn.fine_tune(3)` is two fits (1 epoch with the body
frozen, then 3 with every layer training), and no event, hook or learner attribute says that the two
belong to one call, nor how many epochs the second will have while the first runs. Only the call stack
knows: the `fine_tune` (or `fit_one_cycle`) frame's own arguments. So this walks the stack once per fit,
outermost match first; a plain `fit` (or any other method) is what is left.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class FitCall:
    recipe: str  # "fine_tune" | "fit_one_cycle" | "fit", as the job spec names them
    epochs: int  # in the learner's units: fine_tune(3) counts its 3 unfrozen epochs only
    freeze_epochs: int
    lr: float | None  # the learning rate the call was given (None: the learner's default)

    @property
    def total_epochs(self) -> int:
        return self.epochs + self.freeze_epochs


def rate(value) -> float | None:
    """A learning rate as one number, or None: fit_one_cycle turns its lr_max into an array (one per
    parameter group) before it fits, and a learner's lr may be a slice (discriminative rates); the
    largest is the rate the learner chose."""
    if isinstance(value, slice):
        value = [v for v in (value.start, value.stop) if v is not None]
    try:
        if hasattr(value, "__len__"):
            return float(max(value)) if len(value) else None
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def fit_call(n_epoch: int) -> FitCall:
    """The training method the current fit belongs to; `n_epoch` is the fit's own epoch count."""
    found = None
    frame = sys._getframe(1)
    while frame is not None:
        name, local = frame.f_code.co_name, frame.f_locals
        if name == "fine_tune" and "freeze_epochs" in local:
            found = FitCall(
                "fine_tune", int(local["epochs"]), int(local["freeze_epochs"]), local.get("base_lr")
            )
        elif name == "fit_one_cycle" and "n_epoch" in local and (found is None or found.recipe == "fit"):
            found = FitCall("fit_one_cycle", int(local["n_epoch"]), 0, rate(local.get("lr_max")))
        frame = frame.f_back
    return found or FitCall("fit", int(n_epoch), 0, None)
