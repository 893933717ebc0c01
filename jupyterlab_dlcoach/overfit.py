"""Reading a run's curves: the one judgement of overfitting, shared by server jobs and notebook runs.

`assess(epochs)` takes the `epoch` event payloads of a run, in order, and returns `warning`
payloads. Pure Python: the server and the browser never need torch to explain a chart.

How to read fastai's numbers, and why the rules are cautious:

* `train_loss` is the Recorder's *smoothed* loss at the end of the epoch: an exponential moving
  average (beta 0.98, about the last 50 batches), reset at the start of each `fit` (so at the frozen →
  unfrozen boundary of `fine_tune`). It lags behind the true loss, so it is compared epoch to epoch
  with a margin, never batch to batch.
* `valid_loss` and the error rate come from the whole validation set, but a small validation set
  makes them jumpy (one image of 20 moves the error rate by 0.05). Every rule therefore asks for a
  trend that lasts two epochs, and an error rate only counts as worse by more than ERROR_TOL and,
  when the validation set size is known, by more than two images' worth.
* Each kind is reported once, at the epoch where its first episode began. A rule only looks at the
  epochs up to the one it reports, so calling `assess` again with more epochs never moves a warning.
"""

from __future__ import annotations

import math

# An error rate must be this much worse than its best (absolute) to count as "worse".
ERROR_TOL = 0.01
# Validation loss must exceed its best by this fraction to count as "rising".
VALID_RISE = 0.05
# Training loss must be this fraction below a reference to count as "falling".
TRAIN_FALL = 0.02
# Training loss this many times its best so far means training is blowing up.
DIVERGE_FACTOR = 1.5
DIVERGE_ABS = 0.1
# Underfitting: judged from this many epochs on, when the error rate is at least UNDERFIT_ERROR.
UNDERFIT_MIN_EPOCHS = 3
UNDERFIT_ERROR = 0.2


def _num(x) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def _err(ep: dict) -> float | None:
    return _num((ep.get("metrics") or {}).get("error_rate"))


def _shown(epoch) -> str:
    """Epochs are counted from 0 in events (as fastai does) and from 1 in what a learner reads."""
    return str(epoch + 1) if isinstance(epoch, int) else "?"


def _warning(kind: str, epoch, message: str, advice: str, terms: list[str]) -> dict:
    return {"kind": kind, "epoch": epoch, "message": message, "advice": advice, "terms": terms}


def nan_loss_warning(epoch, what: str = "training loss") -> dict:
    """The warning for a loss that stopped being a number; the callback also raises it mid-epoch."""
    return _warning(
        "nan_loss",
        epoch,
        f"The {what} stopped being a number (NaN or infinity) in epoch {_shown(epoch)}. The model's numbers "
        "blew up, and training cannot recover from that, so it was stopped.",
        "Train again with a learning rate about ten times lower (for example lr: 0.0002).",
        ["loss", "learning rate", "epoch"],
    )


def _nan_loss(epochs):
    for ep in epochs:
        # A stored NaN comes back as null; a missing validation loss (no validation set) is not NaN.
        for key, v in (
            ("train_loss", ep.get("train_loss", 0.0)),
            ("valid_loss", ep.get("valid_loss", 0.0) or 0.0),
        ):
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                return nan_loss_warning(ep.get("epoch"), key.replace("_", " "))
    return None


def _diverging(epochs):
    best = None
    for i, ep in enumerate(epochs):
        tl = _num(ep.get("train_loss"))
        if tl is None:
            continue
        prev = _num(epochs[i - 1].get("train_loss")) if i else None
        if (
            best is not None
            and prev is not None
            and tl > prev
            and tl > max(DIVERGE_FACTOR * best, best + DIVERGE_ABS)
        ):
            return _warning(
                "diverging",
                ep.get("epoch"),
                f"The training loss grew from {best:.3f} to {tl:.3f} by epoch {_shown(ep.get('epoch'))}: "
                "instead of learning, the model is getting worse at the training images themselves.",
                "The learning rate is probably too high: train again with one about ten times lower.",
                ["loss", "training set", "learning rate", "epoch"],
            )
        best = tl if best is None else min(best, tl)
    return None


def _error_tol(n_valid: int | None) -> float:
    """How much worse an error rate must be to count: ERROR_TOL, and at least two validation images."""
    return max(ERROR_TOL, 2 / n_valid) if n_valid else ERROR_TOL


def _overfitting(epochs, n_valid):
    """Error rate worse than its best for two epochs in a row while the training loss keeps falling."""
    tol = _error_tol(n_valid)
    for i in range(2, len(epochs)):
        window = epochs[: i - 1]
        scored = [(k, _err(ep)) for k, ep in enumerate(window) if _err(ep) is not None]
        if not scored:
            continue
        b, best_err = min(scored, key=lambda kv: (kv[1], kv[0]))
        now = epochs[i]
        e1, e2 = _err(epochs[i - 1]), _err(now)
        tl_best, tl_now = _num(epochs[b].get("train_loss")), _num(now.get("train_loss"))
        vl_best, vl_now = _num(epochs[b].get("valid_loss")), _num(now.get("valid_loss"))
        if None in (e1, e2, tl_best, tl_now, vl_best, vl_now):
            continue
        if (
            e1 > best_err + tol
            and e2 > best_err + tol
            and tl_now < tl_best * (1 - TRAIN_FALL)
            and vl_now > vl_best
        ):
            # It began at the first epoch after the best one that was clearly worse.
            onset = next(ep for ep in epochs[b + 1 :] if (_err(ep) or 0) > best_err + tol)
            return _warning(
                "overfitting",
                onset.get("epoch"),
                f"Overfitting began around epoch {_shown(onset.get('epoch'))}: the error rate on the "
                f"validation set went up from {best_err:.3f} (epoch {_shown(epochs[b].get('epoch'))}) "
                f"to {e2:.3f}, while the training loss kept falling. The model is memorising its training "
                "images instead of learning what makes each class different.",
                f"Train for fewer epochs (about {b + 1} here), or get more (and more varied) images; "
                "check for wrong labels, too.",
                ["overfitting", "validation set", "training set", "loss", "metric", "epoch"],
            )
    return None


def _valid_loss_rising(epochs, n_valid):
    """Validation loss up two epochs in a row, clearly above its best, while the error rate is no worse."""
    tol = _error_tol(n_valid)
    for i in range(2, len(epochs)):
        vls = [_num(ep.get("valid_loss")) for ep in epochs[: i + 1]]
        errs = [_err(ep) for ep in epochs[: i + 1]]
        if None in vls[i - 2 :] or errs[i] is None:
            continue
        best_vl = min((v for v in vls[: i - 1] if v is not None), default=None)
        best_err = min((e for e in errs[:i] if e is not None), default=None)
        if (
            best_vl is not None
            and vls[i] > vls[i - 1] > vls[i - 2]
            and vls[i] > best_vl * (1 + VALID_RISE)
            and best_err is not None
            and errs[i] <= best_err + tol
        ):
            onset = epochs[i - 1]
            return _warning(
                "valid_loss_rising",
                onset.get("epoch"),
                f"The validation loss has been rising since epoch {_shown(onset.get('epoch'))}, "
                "but the error rate is "
                "still as good as it has been. The model still picks the right class as often, but it has "
                "grown over-confident about the pictures it gets wrong. This is not overfitting yet.",
                "Keep watching: if the error rate starts rising too, the model is overfitting and fewer "
                "epochs would be better.",
                ["loss", "validation set", "metric", "overfitting", "epoch"],
            )
    return None


def _underfitting(epochs, n_classes):
    """From the third epoch: no gap between training and validation loss, and little progress.

    "Little progress" means the error rate is still at least UNDERFIT_ERROR and either no better than
    90% of the first epoch's, or (when the class count is known) at least 75% of pure guessing's
    error (1 - 1/classes). A training loss at or above 90% of the validation loss means the model
    fits the images it learns from no better than new ones: it has not learned enough yet.
    """
    first_err = None
    for i, ep in enumerate(epochs):
        err, tl, vl = _err(ep), _num(ep.get("train_loss")), _num(ep.get("valid_loss"))
        if first_err is None:
            first_err = err
        if i + 1 < UNDERFIT_MIN_EPOCHS or None in (err, tl, vl, first_err):
            continue
        stuck = err >= 0.9 * first_err
        if n_classes and n_classes > 1:
            stuck = stuck or err >= 0.75 * (1 - 1 / n_classes)
        if err >= UNDERFIT_ERROR and tl >= 0.9 * vl and stuck:
            return _warning(
                "underfitting",
                ep.get("epoch"),
                f"After {i + 1} epochs the error rate is still {err:.3f} and the training loss is as high as "
                "the validation loss: the model has not learned much, even about its own training images.",
                "Train for more epochs, try a higher learning rate or a bigger architecture, "
                "use a pretrained "
                "model, and check that the labels match the pictures.",
                ["underfitting", "loss", "training set", "validation set", "metric", "epoch", "architecture"],
            )
    return None


def assess(epochs: list[dict], n_classes: int | None = None, n_valid: int | None = None) -> list[dict]:
    """Warnings about a run's curves, from its epoch payloads in order.

    `n_classes` (number of classes) and `n_valid` (validation set size) are optional; when known they
    sharpen the underfitting rule and widen the error-rate tolerance for small validation sets.
    """
    epochs = list(epochs)
    nan = _nan_loss(epochs)
    if nan is not None:
        # Once the numbers are NaN the other rules would only add noise.
        return [nan]
    found = [_diverging(epochs), _overfitting(epochs, n_valid)]
    rising = _valid_loss_rising(epochs, n_valid)
    # Over-confidence is the milder reading of the same curve: drop it once overfitting shows,
    # unless it began earlier (then it was a true early sign and stays in the history).
    if rising is not None and (found[1] is None or rising["epoch"] < found[1]["epoch"]):
        found.append(rising)
    found.append(_underfitting(epochs, n_classes))
    return [w for w in found if w is not None]
