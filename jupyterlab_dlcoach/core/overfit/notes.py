"""Notes with severity info that answer the lesson's questions where they arise, once each."""

from __future__ import annotations

from jupyterlab_dlcoach.core.overfit.reading import _Epoch
from jupyterlab_dlcoach.core.overfit.wording import _fmt, _plural, _shown, _warning

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
