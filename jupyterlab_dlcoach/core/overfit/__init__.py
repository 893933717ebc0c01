"""Reading a run's curves: the one judgement of a run, shared by server jobs and notebook runs.

`assess(epochs, n_classes, n_valid)` takes the `epoch` event payloads of a run, in order, and returns
`warning` payloads `{kind, epoch, severity, message, advice, terms[, suggested_epochs]}`.
`verdicts(...)` gives the one verdict of each epoch, `final_verdict(...)` the last one, and
`run_failure(...)` the run's error when that verdict says training went wrong. Pure Python: the
server and the browser never need torch to explain a chart.

How to read fastai's numbers, and why the rules are cautious:

* `train_loss` is the Recorder's *smoothed* loss at the end of the epoch: an exponential moving
  average (beta 0.98, about the last 50 batches), reset at the start of each `fit` (so at the frozen →
  unfrozen boundary of `fine_tune`). It lags behind the true loss, so it is compared epoch to epoch
  with margins, never batch to batch.
* The error rate is counted on the validation set, so it moves in steps of 1 / n_valid and carries
  sampling noise. A change in it only counts when it exceeds the noise band: two binomial standard
  errors, sqrt(p (1 - p) / n_valid) with p the mean of the two rates, and at least two images
  (ERROR_TOL when the size is unknown). Below MIN_VALID images nothing is judged from the error rate.

The rules:

1. One verdict per epoch, judged only from the epochs up to it, in this order of precedence:
   `nan_loss` (error) a loss is NaN or infinite (null once stored); nothing after it is judged.
   `diverging` (error) the training loss is well above its best (1.5 times it, and 0.1 more) or far
   above what guessing scores (10 times ln(classes)); or the validation loss is that far above it
   for two epochs while the error rate is no better than guessing and the training loss stopped
   falling, or absurdly far above it (10,000 times) at any epoch.
   `overfitting` (warning) the error rate is above its best beyond the noise band for three epochs
   in a row (a model trained from scratch can spike for two), while the training loss fell (2 %)
   since the best epoch, the validation loss is above the best epoch's, and the training loss is
   clearly below the validation loss (under 0.9 times it).
   `underfitting` (warning) from the third epoch: error rate at least 0.2, training loss not below
   0.9 times the validation loss, not much better than the first epoch (at least 0.9 times its error
   rate, or no better beyond noise; or 0.75 times guessing's error when the class count is known),
   and not clearly worse than its best.
   `few_valid_images` (info) the overfitting pattern, but the error rate's rise, though visible
   (0.05), is within the noise band; or, at the first epoch, the validation set has under MIN_VALID
   images. Either way it is said once, instead of a guess.
   `valid_loss_rising` (info) the validation loss rose two epochs in a row to 5 % above its best,
   while the error rate is not worse than its best beyond noise and clearly better than guessing.
   It says "as good as it has been" only when the error rate is at or below its best.
   Underfitting and overfitting therefore never share an epoch, and their loss-gap conditions
   exclude each other. After an overfitting verdict, the milder ones (underfitting, too few images
   to tell, validation loss rising but "not overfitting yet") are not given any more.
2. Each kind is reported once, at the first epoch with that verdict: the epoch the coach could tell,
   its message naming when the trend began (overfitting: the first epoch clearly worse than the
   best). So no two verdicts share an epoch, and since a verdict depends only on the epochs up to
   its own, calling `assess` with more epochs never moves, changes or removes a warning.
3. Notes that answer the lesson's questions where they arise, once each, with severity info:
   `valid_below_train` the first time the validation loss is clearly (5 %) below the training loss,
   and `two_phases` at fine_tune's first unfrozen epoch.
4. Epoch counts in advice are in the learner's units: the Epochs setting of fine_tune counts only the
   unfrozen epochs, so the frozen epochs seen in the payloads' phases are subtracted; for fit and
   fit_one_cycle it is the best epoch + 1. Such advice also carries `suggested_epochs`.
5. A run whose final verdict is `diverging` or `nan_loss` went wrong, whatever the loop says:
   `run_failure` gives its error (kind `diverged` or `nan_loss`), so it never shows as completed.
"""

from __future__ import annotations

from jupyterlab_dlcoach.core.overfit.notes import _two_phases, _valid_below_train
from jupyterlab_dlcoach.core.overfit.reading import (
    BELOW,
    GAP,
    MILDER,
    NOTES,
    VERDICTS,
    _Epoch,
    _Run,
    noise_band,
)
from jupyterlab_dlcoach.core.overfit.verdicts import _few_images, _judge, nan_loss_warning
from jupyterlab_dlcoach.core.overfit.wording import _frozen

__all__ = [
    "GAP",
    "NOTES",
    "VERDICTS",
    "assess",
    "final_verdict",
    "nan_loss_warning",
    "noise_band",
    "run_failure",
    "verdicts",
]


# -- putting it together ------------------------------------------------------------------------------


def _walk(epochs, n_classes, n_valid):
    """Yield (verdict, notes) per epoch, each judged from the epochs up to it."""
    run = _Run(n_classes, n_valid)
    seen: list[_Epoch] = []
    try:
        epochs = list(epochs or [])
    except TypeError:
        epochs = []
    overfitted = False
    for i, ep in enumerate(epochs):
        now = _Epoch(i, ep)
        seen.append(now)
        verdict = _judge(seen, run)
        if overfitted and verdict is not None and verdict["kind"] in MILDER:
            # Once overfitting was seen, "not overfitting yet", "too few images to tell" or "train
            # longer" would contradict it; the error rate dipping back within noise changes nothing.
            verdict = None
        overfitted = overfitted or (verdict is not None and verdict["kind"] == "overfitting")
        notes = []
        if i == 0 and run.error_blind and verdict is None:
            verdict = _few_images(now, run)
        elif i == 0 and run.error_blind:
            notes.append(_few_images(now, run))
        if verdict is None or verdict["severity"] != "error":
            if now.tl is not None and now.vl is not None and now.vl < (1 - BELOW) * now.tl:
                notes.append(_valid_below_train(now))
            if now.phase == "unfrozen" and all(e.phase != "unfrozen" for e in seen[:-1]):
                notes.append(_two_phases(now, _frozen(seen)))
        yield verdict, notes
        if now.nan is not None:
            # Once the numbers are NaN, training cannot recover: later epochs are not judged.
            return


def verdicts(epochs: list[dict], n_classes: int | None = None, n_valid: int | None = None) -> list:
    """The verdict of each epoch (a warning payload, or None when the curves look fine), in order.

    Stops after a NaN epoch, so the list can be shorter than `epochs`."""
    return [v for v, _ in _walk(epochs, n_classes, n_valid)]


def final_verdict(epochs: list[dict], n_classes: int | None = None, n_valid: int | None = None):
    """The verdict standing at the end of the run, or None."""
    found = verdicts(epochs, n_classes, n_valid)
    return found[-1] if found else None


def run_failure(epochs: list[dict], n_classes: int | None = None, n_valid: int | None = None):
    """The run's error `{kind, message, advice}` when its final verdict says training went wrong.

    A diverged run must not show as completed: its model is worse than a guess."""
    last = final_verdict(epochs, n_classes, n_valid)
    if last is None or last["kind"] not in ("diverging", "nan_loss"):
        return None
    kind = "diverged" if last["kind"] == "diverging" else "nan_loss"
    return {"kind": kind, "message": last["message"], "advice": last["advice"]}


def assess(epochs: list[dict], n_classes: int | None = None, n_valid: int | None = None) -> list[dict]:
    """Warnings about a run's curves, from its epoch payloads in order (rules in the module docstring).

    `n_classes` (number of classes) and `n_valid` (validation set size) are optional; when known they
    set what guessing scores and how much an error rate may move by chance alone."""
    out: list[dict] = []
    kinds: set[str] = set()
    for verdict, notes in _walk(epochs, n_classes, n_valid):
        for w in ([verdict] if verdict is not None else []) + notes:
            if w["kind"] not in kinds:
                kinds.add(w["kind"])
                out.append(w)
    return out
