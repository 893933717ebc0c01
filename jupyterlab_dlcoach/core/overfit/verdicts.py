"""The verdicts, one per epoch: each rule of the package docstring, in its order of precedence."""

from __future__ import annotations

from jupyterlab_dlcoach.core.overfit.reading import (
    ABSURD_FACTOR,
    DIVERGE_ABS,
    DIVERGE_FACTOR,
    EXPLODE_FACTOR,
    GAP,
    MIN_VALID,
    RISE_EPOCHS,
    TRAIN_FALL,
    UNDERFIT_ERROR,
    UNDERFIT_MIN_EPOCHS,
    VALID_RISE,
    VISIBLE_RISE,
    _Epoch,
    _Run,
)
from jupyterlab_dlcoach.core.overfit.wording import _fmt, _learner_epochs, _plural, _shown, _warning

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
