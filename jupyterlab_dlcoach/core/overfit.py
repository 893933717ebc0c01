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


def _shown(epoch: int) -> str:
    """Epochs are counted from 0 in events (as fastai does) and from 1 in what a learner reads."""
    return str(epoch + 1)


def _fmt(x: float) -> str:
    return f"{x:.3f}" if abs(x) < 1e4 else f"{x:.2g}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _warning(kind, epoch, severity, message, advice, terms, suggested_epochs=None) -> dict:
    w = {"kind": kind, "epoch": epoch, "severity": severity, "message": message, "advice": advice}
    w["terms"] = terms
    if suggested_epochs is not None:
        w["suggested_epochs"] = suggested_epochs
    return w


def _frozen(seen: list[_Epoch]) -> int:
    return sum(1 for e in seen if e.phase == "frozen")


def _learner_epochs(seen: list[_Epoch], through: int) -> tuple[int, str]:
    """`through + 1` epochs of the run in the units of the Epochs setting, and how to say it.

    fine_tune(n) trains its frozen epochs first and then n epochs with every layer: n is what the
    learner sets, so the frozen epochs seen in the payloads do not count."""
    frozen = _frozen(seen)
    if not frozen:
        n = max(1, through + 1)
        return n, _plural(n, "epoch")
    n = max(1, through + 1 - frozen)
    return n, (
        f"{_plural(n, 'epoch')} (the Epochs setting; fine_tune trains its {_plural(frozen, 'frozen epoch')} "
        "before them)"
    )


# -- the verdicts -------------------------------------------------------------------------------------


def nan_loss_warning(epoch, what: str = "training loss") -> dict:
    """The warning for a loss that stopped being a number; the callback also raises it mid-epoch."""
    shown = _shown(epoch) if isinstance(epoch, int) else "?"
    return _warning(
        "nan_loss",
        epoch,
        "error",
        f"The {what} stopped being a number (NaN or infinity) in epoch {shown}. The model's numbers "
        "blew up, and training cannot recover from that, so it was stopped.",
        "Train again with a learning rate about ten times lower (for example lr: 0.0002).",
        ["loss", "learning rate", "epoch"],
    )


def _diverging(seen: list[_Epoch], run: _Run):
    now = seen[-1]
    advice = (
        "The learning rate is probably too high: train again with one about ten times lower. This run's "
        "model is not worth keeping."
    )
    terms = ["loss", "learning rate", "training set", "epoch"]
    earlier = [e.tl for e in seen[:-1] if e.tl is not None]
    if now.tl is not None and earlier:
        best = min(earlier)
        if now.tl > max(DIVERGE_FACTOR * best, best + DIVERGE_ABS):
            return _warning(
                "diverging",
                now.epoch,
                "error",
                f"Training has gone wrong: the training loss grew from {_fmt(best)} to {_fmt(now.tl)} by "
                f"epoch {_shown(now.epoch)}. Instead of learning, the model is getting worse at its own "
                "training images.",
                advice,
                terms,
            )
    for what, key in (("validation loss", "vl"), ("training loss", "tl")):
        loss = getattr(now, key)
        if loss is None:
            continue
        absurd = loss > ABSURD_FACTOR * run.guess_loss
        if key == "tl":
            # A model that learns never scores ten times guessing on its own training images (from
            # scratch it starts near 1.5 times); lr 10 on the digits scored 4,600 while "improving".
            exploded = loss > EXPLODE_FACTOR * run.guess_loss
        else:
            # A model trained from scratch can score a wild validation loss for an epoch or two while
            # its batch statistics settle (63, then 25 in a real noisy-digits run whose training loss
            # fell all along): a moderate explosion counts when it lasts two epochs and training
            # stopped making progress; an absurd one is never a passing phase.
            exploded = (
                len(seen) > 1
                and all(_exploded(e.vl, e.err, run) for e in seen[-2:])
                and not _falling(seen[-2].tl, now.tl)
            )
        if absurd or exploded:
            guess = f" (guessing would score about {_fmt(run.guess_loss)})" if run.n_classes else ""
            err = f", and the error rate is {now.err:.3f}" if now.err is not None else ""
            return _warning(
                "diverging",
                now.epoch,
                "error",
                f"Training has gone wrong: the {what} exploded to {_fmt(loss)} in epoch "
                f"{_shown(now.epoch)}{guess}{err}. The model's numbers blew up instead of learning.",
                advice,
                terms + (["error rate"] if now.err is not None else []),
            )
    return None


def _falling(before: float | None, after: float | None) -> bool:
    return before is not None and after is not None and after < before * (1 - TRAIN_FALL)


def _exploded(loss: float | None, err: float | None, run: _Run) -> bool:
    """A loss far above guessing's while the error rate is no better than guessing."""
    if loss is None or loss <= EXPLODE_FACTOR * run.guess_loss:
        return False
    return err is None or run.at_chance(err)


def _rise(seen: list[_Epoch], run: _Run):
    """The overfitting pattern at the last epoch: (best epoch, onset, significant), or None.

    The error rate is above its best (taken from the epochs before the last RISE_EPOCHS) for the last
    RISE_EPOCHS epochs, while the training loss fell since the best epoch, the validation loss is above
    the best epoch's, and the training loss is clearly below the validation loss."""
    if len(seen) <= RISE_EPOCHS:
        return None
    scored = [e for e in seen[:-RISE_EPOCHS] if e.err is not None]
    if not scored:
        return None
    best = min(scored, key=lambda e: (e.err, e.index))
    recent, now = seen[-RISE_EPOCHS:], seen[-1]
    if None in (best.tl, now.tl, best.vl, now.vl) or any(e.err is None or e.err <= best.err for e in recent):
        return None
    if not (now.tl < best.tl * (1 - TRAIN_FALL) and now.vl > best.vl and now.tl < GAP * now.vl):
        return None
    if all(run.worse(e.err, best.err) for e in recent):
        onset = next(e for e in seen[best.index + 1 :] if e.err is not None and run.worse(e.err, best.err))
        return best, onset, True
    if now.err - best.err >= VISIBLE_RISE:
        return best, recent[0], False
    return None


def _overfitting(seen: list[_Epoch], best: _Epoch, onset: _Epoch):
    now = seen[-1]
    n, units = _learner_epochs(seen, best.index)
    before_unfreezing = best.phase == "frozen"
    when = (
        "The best error rate came before fine_tune unfroze the model, so "
        if before_unfreezing
        else "What to do: "
    )
    return _warning(
        "overfitting",
        now.epoch,
        "warning",
        f"The model is overfitting: since epoch {_shown(onset.epoch)} the error rate on the validation "
        f"set has gone up from {best.err:.3f} (epoch {_shown(best.epoch)}) to {now.err:.3f}, more than "
        "chance explains, while the training loss kept falling. The model is memorising its training "
        "images instead of learning what makes each class different.",
        f"{when}train for fewer epochs: about {units}, so that training ends at the best epoch; or keep "
        "the best epoch's weights while training (fastai's SaveModelCallback). Better still, get more "
        "(and more varied) images, and check the labels: a model learns wrong labels by heart.",
        ["overfitting", "validation set", "training set", "error rate", "loss", "epoch", "weights"],
        n,
    )


def _unclear_rise(seen: list[_Epoch], run: _Run, best: _Epoch):
    now = seen[-1]
    n = run.n_valid
    return _warning(
        "few_valid_images",
        now.epoch,
        "info",
        f"The error rate went up from {best.err:.3f} (epoch {_shown(best.epoch)}) to {now.err:.3f}, but "
        f"with {n} validation images that is within what chance alone explains: too few validation "
        "images to tell whether the model has started overfitting.",
        "Keep watching whether the error rate keeps rising. To judge such changes, use more images (or a "
        "larger validation share).",
        ["validation set", "error rate", "overfitting", "epoch"],
    )


def _few_images(first: _Epoch, run: _Run):
    n = run.n_valid
    return _warning(
        "few_valid_images",
        first.epoch,
        "info",
        f"Only {_plural(n, 'image')} are kept for validation, so one image moves the error rate by "
        f"{1 / n:.3f}. That is too few validation images to tell whether the model overfits or "
        "underfits: the coach will only warn about losses that blow up.",
        f"For a verdict on the curves, use at least {MIN_VALID} validation images: more images, or a "
        "larger validation share (valid_pct).",
        ["validation set", "error rate", "overfitting", "underfitting"],
    )


def _underfitting(seen: list[_Epoch], run: _Run):
    now = seen[-1]
    if len(seen) < UNDERFIT_MIN_EPOCHS or None in (now.err, now.tl, now.vl):
        return None
    errs = [e.err for e in seen if e.err is not None]
    first, best = errs[0], min(errs)
    stuck = now.err >= 0.9 * first or not (first - now.err > run.band(first, now.err))
    if run.chance is not None:
        stuck = stuck or now.err >= 0.75 * run.chance
    if not (now.err >= UNDERFIT_ERROR and now.tl >= GAP * now.vl and stuck) or run.worse(now.err, best):
        return None
    so_far, _ = _learner_epochs(seen, now.index)
    n = 2 * so_far
    return _warning(
        "underfitting",
        now.epoch,
        "warning",
        f"After {_plural(len(seen), 'epoch')} the error rate is still {now.err:.3f} and the training loss "
        "is as high as the validation loss: the model has not learned much yet, even about its own "
        "training images.",
        f"If it stays like this to the end, train for more epochs (at least {n}), try a higher learning "
        "rate or a bigger architecture, use a pretrained model, and check that the labels match the "
        "pictures.",
        ["underfitting", "loss", "training set", "validation set", "error rate", "epoch", "learning rate"],
        n,
    )


def _valid_loss_rising(seen: list[_Epoch], run: _Run):
    if len(seen) < 3:
        return None
    a, b, now = seen[-3:]
    if None in (a.vl, b.vl, now.vl, now.err) or not (now.vl > b.vl > a.vl):
        return None
    best_vl = min((e.vl for e in seen[:-2] if e.vl is not None), default=None)
    best_err = min((e.err for e in seen[:-1] if e.err is not None), default=None)
    if best_vl is None or best_err is None or now.vl <= best_vl * (1 + VALID_RISE):
        return None
    if run.worse(now.err, best_err) or run.at_chance(now.err):
        return None
    if now.err <= best_err:
        how = "still as good as it has been"
    else:
        how = f"no worse than its best ({best_err:.3f}) by more than chance explains"
    return _warning(
        "valid_loss_rising",
        now.epoch,
        "info",
        f"The validation loss has been rising since epoch {_shown(b.epoch)}, but the error rate "
        f"({now.err:.3f}) is {how}. The model still picks the right class as often, but it has grown "
        "over-confident about the pictures it gets wrong. This is not overfitting yet.",
        "Keep watching: if the error rate starts rising too, the model is overfitting and fewer epochs "
        "would be better.",
        ["loss", "validation set", "error rate", "overfitting", "epoch"],
    )


def _judge(seen: list[_Epoch], run: _Run):
    """The verdict at the last epoch of `seen`, or None when there is nothing to say."""
    now = seen[-1]
    if now.nan is not None:
        return nan_loss_warning(now.epoch, now.nan)
    found = _diverging(seen, run)
    if found is not None or run.error_blind:
        return found
    rise = _rise(seen, run)
    if rise is not None and rise[2]:
        return _overfitting(seen, rise[0], rise[1])
    found = _underfitting(seen, run)
    if found is None and rise is not None and run.n_valid is not None:
        # A visible rise that noise explains: say so rather than reassure ("not overfitting yet").
        found = _unclear_rise(seen, run, rise[0])
    return found or _valid_loss_rising(seen, run)


# -- notes: the lesson's questions, answered where they arise ---------------------------------------


def _valid_below_train(now: _Epoch):
    return _warning(
        "valid_below_train",
        now.epoch,
        "info",
        f"In epoch {_shown(now.epoch)} the validation loss ({_fmt(now.vl)}) is below the training loss "
        f"({_fmt(now.tl)}). That is normal, most of all early on: augmentation and dropout make the "
        "task harder only during training, and fastai's training loss is a running average over the "
        "last batches, so it still carries the higher losses from earlier in the epoch.",
        "Nothing to fix. Overfitting shows the other way round: a training loss far below the "
        "validation loss, and an error rate that gets worse.",
        ["loss", "training set", "validation set", "batch", "overfitting"],
    )


def _two_phases(now: _Epoch, frozen: int):
    if frozen:
        first = f"first trained only the new last layers for {_plural(frozen, 'epoch')}, with the rest frozen"
    else:
        first = "first trains only the new last layers, with the rest frozen"
    return _warning(
        "two_phases",
        now.epoch,
        "info",
        f"From epoch {_shown(now.epoch)} every layer trains: fine_tune {first} (they already know a lot "
        "from pretraining), and now unfreezes the whole model. That is why fastai prints two tables, "
        "and why the training loss can jump a little here: its running average starts again.",
        "Nothing to do. The Epochs setting counts the epochs of this second part.",
        ["fine-tune", "pretrained model", "weights", "epoch", "loss"],
    )


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
