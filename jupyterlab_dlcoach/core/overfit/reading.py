"""Reading epoch payloads defensively, and the thresholds every rule of the coach is measured by."""

from __future__ import annotations

import math

# The error-rate change that counts when the validation set size is unknown.
ERROR_TOL = 0.01
# Standard errors, and images, a change in the error rate must exceed to count.
NOISE_SE = 2.0
NOISE_IMAGES = 2
# Fewer validation images than this: the error rate is too coarse to judge anything from it.
MIN_VALID = 30
# A rise in the error rate a learner would notice, even when the noise band explains it.
VISIBLE_RISE = 0.05
# Epochs in a row the error rate must be worse than its best: at a constant learning rate a model
# from scratch can spike for two (a real noisy-digits run: 0.45, then 0.62 and 0.57, then 0.43).
RISE_EPOCHS = 3
# Validation loss must exceed its best by this fraction to count as "rising".
VALID_RISE = 0.05
# Training loss must be this fraction below a reference to count as "falling".
TRAIN_FALL = 0.02
# Training loss at most this fraction of the validation loss: the model fits its own images better.
GAP = 0.9
# Training loss this many times its best (and this much above it) means training is blowing up.
DIVERGE_FACTOR = 1.5
DIVERGE_ABS = 0.1
# A loss this many times guessing's loss (ln of the class count) is exploding when it lasts two
# epochs at a guessing error rate; the second one at once, whatever the error rate says.
EXPLODE_FACTOR = 10.0
ABSURD_FACTOR = 10000.0
# The validation loss must be this fraction below the training loss for the note explaining it.
BELOW = 0.05
# Underfitting: judged from this many epochs on, when the error rate is at least UNDERFIT_ERROR.
UNDERFIT_MIN_EPOCHS = 3
UNDERFIT_ERROR = 0.2

VERDICTS = ("nan_loss", "diverging", "overfitting", "underfitting", "few_valid_images", "valid_loss_rising")
NOTES = ("valid_below_train", "two_phases")
# Verdicts that would contradict an overfitting verdict given earlier in the run.
MILDER = ("underfitting", "few_valid_images", "valid_loss_rising")


# -- reading payloads -------------------------------------------------------------------------------


def _num(x) -> float | None:
    """A finite number, or None for anything else (missing, None, NaN, text…)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    try:
        x = float(x)
    except OverflowError:  # an integer beyond any float
        return None
    return x if math.isfinite(x) else None


def _not_a_number(ep: dict, key: str, none_is_nan: bool) -> bool:
    """Whether a loss stopped being a number: NaN or infinite, or null once stored."""
    if key not in ep:
        return False
    v = ep[key]
    if v is None:
        return none_is_nan
    return isinstance(v, float) and not math.isfinite(v)


class _Epoch:
    """One epoch payload, read defensively: any field may be missing or nonsense."""

    def __init__(self, index: int, ep):
        ep = ep if isinstance(ep, dict) else {}
        number = ep.get("epoch")
        self.index = index
        # Events count from 0 over the whole run; a payload without a usable number gets its position.
        self.epoch = number if isinstance(number, int) and not isinstance(number, bool) else index
        self.phase = ep.get("phase") if isinstance(ep.get("phase"), str) else "fit"
        self.tl = _num(ep.get("train_loss"))
        self.vl = _num(ep.get("valid_loss"))
        metrics = ep.get("metrics")
        err = _num(metrics.get("error_rate")) if isinstance(metrics, dict) else None
        self.err = err if err is not None and 0.0 <= err <= 1.0 else None
        # A stored NaN comes back as null; a missing validation loss (no validation set) is not NaN.
        if _not_a_number(ep, "train_loss", none_is_nan=True):
            self.nan = "training loss"
        elif _not_a_number(ep, "valid_loss", none_is_nan=False):
            self.nan = "validation loss"
        else:
            self.nan = None


def noise_band(a: float, b: float, n_valid: int | None) -> float:
    """How far apart two error rates on a validation set of `n_valid` images must be to be more than noise."""
    n = _count(n_valid)
    if n is None:
        return ERROR_TOL
    p = min(max((a + b) / 2, 1 / n), 1 - 1 / n) if n > 1 else 0.5
    return max(NOISE_SE * math.sqrt(p * (1 - p) / n), NOISE_IMAGES / n)


def _count(x) -> int | None:
    """A usable count of things (classes, images), or None."""
    if isinstance(x, bool) or not isinstance(x, int) or not 0 < x < 10**12:
        return None
    return x


class _Run:
    """What the rules need to know about the run as a whole."""

    def __init__(self, n_classes, n_valid):
        c, v = _count(n_classes), _count(n_valid)
        self.n_classes = c if c is not None and c >= 2 else None
        self.n_valid = v
        # Guessing: error 1 - 1/classes, loss ln(classes) (1.0 stands in when the count is unknown).
        self.chance = 1 - 1 / self.n_classes if self.n_classes else None
        self.guess_loss = max(1.0, math.log(self.n_classes)) if self.n_classes else 1.0
        # Too few validation images: the error rate says nothing reliable.
        self.error_blind = self.n_valid is not None and self.n_valid < MIN_VALID

    def band(self, a: float, b: float) -> float:
        return noise_band(a, b, self.n_valid)

    def worse(self, err: float, than: float) -> bool:
        return err - than > self.band(err, than)

    def at_chance(self, err: float) -> bool:
        """Whether an error rate is no better than guessing, as far as the noise band can tell."""
        if self.chance is None:
            return err >= 0.5
        return not (self.chance - err > self.band(err, self.chance))
