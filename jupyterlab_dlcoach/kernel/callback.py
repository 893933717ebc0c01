"""CoachCallback: the one place where a fastai training loop becomes coach events.

    learn.fine_tune(3, cbs=CoachCallback())

Used in a notebook without a run id, it records a "notebook" run of its own (state included). Used by
the trainer with the run id of a server job, it only writes events and progress: the server owns that
job's state. A notebook run also shows itself (`kernel/display.py`; `display=False` turns that off): in a
Jupyter kernel as one cell output that JupyterLab draws from the run store, elsewhere as a printed summary.

Two things here are not fastai's ordinary hooks, and must stay so:
* `kernel/fit_call.py` reads the call stack to learn that a fit belongs to `fine_tune` (two fits, one run).
* `__setattr__` notices the learner detaching this callback. fastai removes a callback passed as
  `fit(cbs=...)` in a `finally`, and has no event for a fit that raised (Ctrl-C, out of memory, a bug, our
  NaN stop): `after_cancel_fit` covers only fastai's own CancelFitException. Being detached inside a fit
  that never reached `after_fit` is the one sign such a fit gives.
"""

from __future__ import annotations

import math
import os
import sys
import time

import torch
from fastai.callback.core import Callback
from fastai.learner import Recorder

from jupyterlab_dlcoach.core import outcome, overfit
from jupyterlab_dlcoach.core.store import RunStore, default_db_path
from jupyterlab_dlcoach.kernel.fit_call import fit_call
from jupyterlab_dlcoach.kernel.notebook_run import NotebookRun
from jupyterlab_dlcoach.kernel.recording import StoreWriter, not_recorded_note

# Batch events are written in groups: one transaction at most this often (and at each epoch's end).
FLUSH_S = 0.25


class NanLossError(RuntimeError):
    """Training was stopped because the loss became NaN or infinite."""

    def __init__(self, warning: dict):
        super().__init__(warning["message"])
        self.error = outcome.nan_loss_error(warning)


class CoachCallback(Callback):
    # After the Recorder, so the smoothed loss and the epoch's record are already computed (and on the CPU).
    order = Recorder.order + 1
    # Validation batches are not charted; skipping them keeps the per-batch cost at zero there.
    run_valid = False
    # Left out when a learner holding this callback is pickled (learn.export()): a database handle,
    # device tensors and a cell's display handle do not belong in a model file.
    _stateattrs = ("_store", "_losses", "_batches", "_notebook")

    def __init__(
        self,
        run_id: str | None = None,
        db_path: str | os.PathLike | None = None,
        name: str | None = None,
        display: bool = True,
    ):
        # Attribute names avoid the Learner's own (epoch, loss, name…): fastai's GetAttr would shadow them.
        super().__init__()
        self._init_state()  # fastai's Callback.__init__ does not call it
        self.run_id = run_id
        self._job = run_id is not None
        self._db_path = db_path
        self._run_name = name
        self._display = display
        self._in_fit = False
        self._offset = 0  # epochs finished in earlier fits of this run (fine_tune fits twice)
        self._reset_run()

    def _init_state(self):
        self._store = None
        self._losses, self._batches = [], []
        self._notebook: NotebookRun | None = None  # the run this callback records itself (not a job)

    def _reset_run(self):
        self._epoch_payloads: list[dict] = []
        self._sizes: dict = {}  # n_classes and n_valid, for the coach's judgement
        self._warned: set = set()
        self._done_batches = 0
        self._run_start = None

    @property
    def epoch_records(self) -> list[dict]:
        """The epoch payloads of the current (or, in job mode, last) run, in order."""
        return list(self._epoch_payloads)

    def run_failure(self) -> dict | None:
        """The run's error when the coach's final verdict says training went wrong, else None."""
        return overfit.run_failure(self._epoch_payloads, **self._sizes)

    # -- storage -------------------------------------------------------------------------------

    @property
    def recorder(self) -> StoreWriter:
        """Every store write goes through it: a store fault is kept, said once, retried; never raised."""
        if self._store is None:
            self._store = StoreWriter(self._db_path or default_db_path(), on_problem=self._not_recorded)
        return self._store

    @property
    def store(self) -> RunStore:
        return self.recorder.store

    def _not_recorded(self, problem: str):
        self._show([{"type": "warning", **not_recorded_note(problem, self.recorder.path)}])

    def _flush(self, extra: list[dict] | None = None):
        events = []
        if self._batches:
            losses = torch.stack(self._losses).float().cpu().tolist()
            for ev, loss in zip(self._batches, losses, strict=True):
                ev["loss"] = loss
            events = self._batches
        events += extra or []
        self._batches, self._losses = [], []
        self._last_flush = time.perf_counter()
        if events:
            progress = self._progress()
            self.recorder.write("append_events", self.run_id, events, run_fields={"progress": progress})
            self._show(events, progress)

    def _show(self, events: list[dict], progress: dict | None = None):
        if self._notebook is not None:
            self._notebook.show(events, progress)

    def _progress(self) -> dict:
        batches = self._n_batches
        batch = self.learn.iter + 1 if self.learn.training else batches
        done = (self._offset + self.learn.epoch) * batches + batch
        total = self._total_epochs * batches
        elapsed = time.time() - (self._run_start or time.time())
        eta = elapsed * (total - done) / done if done else None
        return {
            "phase": self._phase,
            "epoch": self._offset + self.learn.epoch,
            "epochs": self._total_epochs,
            "batch": batch,
            "batches": batches,
            "eta_s": None if eta is None else round(max(eta, 0.0), 1),
        }

    # -- notebook runs -------------------------------------------------------------------------

    def _end_notebook_run(self, state: str, error: dict | None = None):
        failure = self.run_failure() if state == "completed" else None
        self._notebook.end(state, self._epoch_payloads, failure, error)
        self._notebook = None
        self.run_id = None
        self._offset = 0
        self._reset_run()

    def _abort(self, exc: BaseException | None):
        """The fit ended by an exception fastai does not handle; keep what was recorded and say why."""
        self._in_fit = False
        if self.run_id is None:
            return
        self._flush()
        if self._job:
            return
        if isinstance(exc, KeyboardInterrupt):
            self._end_notebook_run("cancelled")
        else:
            self._end_notebook_run("failed", outcome.run_error(exc, "notebook"))

    def __setattr__(self, name, value):
        # fastai detaches a callback passed to fit(cbs=...) in a `finally`: if that happens inside a fit
        # that never reached after_fit, the fit raised (Ctrl-C, CUDA out of memory, a bug, NaN loss).
        if name == "learn" and value is None and self.__dict__.get("_in_fit"):
            self._abort(sys.exc_info()[1])
        super().__setattr__(name, value)

    # -- fastai events -------------------------------------------------------------------------

    def before_fit(self):
        if hasattr(self.learn, "lr_finder"):
            # lr_find() is a trial fit that ends by cancelling itself: not a run worth recording.
            self.run = False  # fastai sets it back to True after this fit
            return
        if self._in_fit:
            # The previous fit raised while this callback stayed attached to the learner.
            self._abort(None)
        call = fit_call(self.learn.n_epoch)
        frozen = bool(getattr(self.learn.opt, "frozen_idx", 0))
        if call.recipe != "fine_tune":
            self._phase = "fit"
            self._total_epochs = self._offset + self.learn.n_epoch
        else:
            self._phase = "frozen" if frozen else "unfrozen"
            self._total_epochs = call.total_epochs
        first_fit = self.run_id is None or self._run_start is None
        self._n_batches = len(self.learn.dls.train)
        self._batches, self._losses = [], []
        self._epochs_this_fit = 0
        self._last_flush = time.perf_counter()
        if first_fit:
            self._run_start = time.time()
            if self.run_id is None:
                self._notebook = NotebookRun(self.recorder, self._run_name, self._display)
                self.run_id = self._notebook.start(self.learn, call)
                self._call = call  # its settings event goes out with the first batch (the image size)
        self._in_fit = True

    def before_epoch(self):
        self._epoch_t0 = time.perf_counter()
        self._batches_before_epoch = self._done_batches

    def after_batch(self):
        if not self.learn.training:
            return
        smooth = float(self.learn.smooth_loss)  # already a CPU tensor: the Recorder synced it
        self._done_batches += 1
        # The raw loss stays a device tensor until the flush: no extra GPU sync per batch.
        loss = self.learn.loss.detach()
        self._losses.append(loss.mean() if loss.ndim else loss)
        self._batches.append(
            {
                "type": "batch",
                "phase": self._phase,
                "epoch": self._offset + self.learn.epoch,
                "iter": self._done_batches,
                "smooth_loss": smooth,
                "lr": float(self.learn.opt.hypers[-1]["lr"]),
            }
        )
        if not math.isfinite(smooth):
            warning = overfit.nan_loss_warning(self._offset + self.learn.epoch)
            self._warned.add(("nan_loss", warning["epoch"]))
            self._flush([{"type": "warning", **warning}])
            raise NanLossError(warning)
        # The first batch goes out at once: it is the learner's first sign that training has begun.
        if self._done_batches == 1:
            self._flush(self._first_batch_settings())
        elif time.perf_counter() - self._last_flush >= FLUSH_S:
            self._flush()

    def _first_batch_settings(self) -> list[dict]:
        """A notebook run's `settings` event, once its first batch shows the image size."""
        call = self.__dict__.pop("_call", None)
        if self._notebook is None or call is None:
            return []
        return NotebookRun.settings_events(self.learn, call)

    def after_epoch(self):
        rec = self.learn.recorder
        names = [n for n in rec.metric_names[1:] if n != "time"]
        values = dict(zip(names, self.learn.final_record, strict=False))
        payload = {
            "phase": self._phase,
            "epoch": self._offset + self.learn.epoch,
            "train_loss": _float(values.pop("train_loss", None)),
            "valid_loss": _float(values.pop("valid_loss", None)),
            "metrics": {k: _float(v) for k, v in values.items()},
            "seconds": round(time.perf_counter() - self._epoch_t0, 3),
        }
        self._epochs_this_fit += 1
        if self._done_batches == self._batches_before_epoch:
            # No training batch ran (fewer images than one batch): fastai's NaN here measures nothing,
            # and a missing key says so, where NaN would read as a loss that blew up.
            payload.pop("train_loss", None)
        self._epoch_payloads.append(payload)
        vocab = getattr(self.learn.dls, "vocab", None)
        n_classes = len(vocab) if vocab is not None and not isinstance(vocab[0], (list, tuple)) else None
        n_valid = len(self.learn.dls.valid_ds) if len(self.learn.dls.loaders) > 1 else None
        self._sizes = {"n_classes": n_classes, "n_valid": n_valid}
        new = []
        for w in overfit.assess(self._epoch_payloads, **self._sizes):
            if (w["kind"], w["epoch"]) not in self._warned:
                self._warned.add((w["kind"], w["epoch"]))
                new.append({"type": "warning", **w})
        self._flush([{"type": "epoch", **payload}, *new])

    def after_cancel_fit(self):
        self._cancelled = True

    def after_fit(self):
        self._flush()
        self._in_fit = False
        self._offset += self._epochs_this_fit
        if self._job:
            self.recorder.drain(force=True)
            return
        cancelled = self.__dict__.pop("_cancelled", False)
        if cancelled:
            self._end_notebook_run("cancelled")
        elif self._phase != "frozen":
            self._end_notebook_run("completed")


def _float(v):
    if v is None:
        return None
    return float(v)
