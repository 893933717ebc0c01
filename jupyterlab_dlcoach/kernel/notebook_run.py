"""A run that CoachCallback records on its own, in a notebook or a script: its row in the run store, its
state from start to end, the settings it really used, and what the cell shows of it.

Server jobs do not use this: their trainer and the server own the run's row and state.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings

from jupyterlab_dlcoach.core import outcome
from jupyterlab_dlcoach.kernel import display as run_display
from jupyterlab_dlcoach.kernel.devices import device_label
from jupyterlab_dlcoach.kernel.fit_call import FitCall, rate
from jupyterlab_dlcoach.kernel.recording import StoreWriter


def _classes(learn) -> int | None:
    vocab = getattr(learn.dls, "vocab", None)
    if vocab is None or not len(vocab) or isinstance(vocab[0], (list, tuple)):
        return None
    return len(vocab)


def _sizes(learn) -> tuple[int | None, int | None]:
    """(training, validation) images of the learner's data; None where the data cannot say (a stream)."""
    try:
        n_train = len(learn.dls.train_ds)
        n_valid = len(learn.dls.valid_ds) if len(learn.dls.loaders) > 1 else 0
    except Exception:
        return None, None
    return n_train, n_valid


class NotebookRun:
    def __init__(self, recorder: StoreWriter, name: str | None, display: bool):
        self.recorder = recorder
        self.name = name
        self.display = display
        self.run_id: str | None = None
        self.shown_name = name or "Notebook run"
        self.view = None  # the run's output in the cell (or its printed summary)
        self.started: float | None = None

    def start(self, learn, call: FitCall) -> str:
        """Create the run's row (its spec is what the notebook asked for) and open its output."""
        import psutil

        arch = getattr(getattr(learn, "arch", None), "__name__", type(learn.model).__name__)
        n_train, n_valid = _sizes(learn)
        spec = {
            "arch": arch,
            "recipe": call.recipe,
            "epochs": call.epochs,
            "freeze_epochs": call.freeze_epochs,
            "batch_size": getattr(learn.dls, "bs", None),
            "lr": call.lr,
            "valid_pct": round(n_valid / (n_train + n_valid), 3) if n_train and n_valid is not None else None,
        }
        # The id is chosen here, so a run whose store cannot be written yet keeps one for its later writes.
        self.run_id = uuid.uuid4().hex[:12]
        self.shown_name = self.name or f"Notebook · {arch}"
        self.started = time.time()
        self.recorder.write(
            "create_run",
            run_id=self.run_id,
            kind="notebook",
            name=self.shown_name,
            spec=spec,
            state="running",
            device=device_label(learn.dls.device or "cpu"),
            pid=os.getpid(),
            pid_started=psutil.Process().create_time(),
        )
        self.recorder.write("update_run", self.run_id, started=self.started)
        self.recorder.write("append_events", self.run_id, [{"type": "state", "state": "running"}])
        # Once the run has its id; a store that could not be written is said in the output too.
        try:
            self.view = run_display.open_view(self.run_id, self.shown_name, self.recorder, self.display)
        except Exception as exc:  # the run matters more than its picture
            warnings.warn(f"The coach cannot show the run in this cell: {exc}", stacklevel=3)
        return self.run_id

    @staticmethod
    def settings(learn, call: FitCall, image_size: int | None) -> dict:
        """The `settings` event of the run, as a server job's trainer writes it: what this training used.
        Whether the model's weights were pretrained is not known to fastai's learner: null."""
        n_train, n_valid = _sizes(learn)
        return {
            "type": "settings",
            "recipe": call.recipe,
            "pretrained": None,
            "epochs": call.epochs,
            "freeze_epochs": call.freeze_epochs,
            "lr": call.lr if call.lr is not None else rate(getattr(learn, "lr", None)),
            "batch_size": getattr(learn.dls, "bs", None),
            "image_size": image_size,
            "n_train": n_train,
            "n_valid": n_valid,
            "n_classes": _classes(learn),
        }

    @classmethod
    def settings_events(cls, learn, call: FitCall) -> list[dict]:
        """[the settings event], read at the first batch (whose images give the size); [] when this
        learner cannot say (the run goes on without it)."""
        try:
            x = learn.xb[0] if learn.xb else None
            size = int(x.shape[-1]) if getattr(x, "ndim", 0) >= 3 else None
            return [cls.settings(learn, call, size)]
        except Exception as exc:
            warnings.warn(f"The coach could not read this run's settings: {exc}", stacklevel=3)
            return []

    def show(self, events: list[dict], progress: dict | None = None) -> None:
        """Tell the cell's output (or the printed summary) what was just written."""
        if self.view is None:
            return
        try:
            self.view.feed(events, progress)
        except Exception as exc:
            self.view = None
            warnings.warn(f"The coach's view of this run stopped: {exc}", stacklevel=3)

    def end(self, state: str, epochs: list[dict], failure: dict | None, error: dict | None = None) -> None:
        """Settle the run: a loop that ran to its end has not succeeded when the coach's verdict is that
        the model blew up on the way (`failure`)."""
        if state == "completed" and failure is not None:
            state, error = "failed", failure
        result = outcome.run_result(epochs, time.time() - self.started) if state == "completed" else None
        event = {"type": "state", "state": state}
        if error is not None:
            event["error"] = error
        fields = {"state": state, "ended": time.time(), "error": error, "result": result}
        self.recorder.write("update_run", self.run_id, **fields)
        self.recorder.write("append_events", self.run_id, [event])
        # The run's end is worth one more attempt now, even while a failed store waits to be retried.
        self.recorder.drain(force=True)
        self.show([{**event, "result": result}])
        self.view = None
