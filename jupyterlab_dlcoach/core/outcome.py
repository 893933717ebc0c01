"""How a run ended, said once for both places that train: a notebook's CoachCallback and the trainer.

`run_error` classifies an exception that stopped training (out of memory, NaN loss, anything else);
`run_result` builds a completed run's result from its epoch records. Pure: no torch (an out-of-memory
error is recognised by its message, which torch's OutOfMemoryError and older RuntimeErrors share).
"""

from __future__ import annotations

from typing import Literal

from jupyterlab_dlcoach.core.runs import CoachWarning, Result, RunError

Where = Literal["notebook", "job"]

OOM_ADVICE = "Use a smaller batch_size or image_size."
# What a learner can do about an unexpected error depends on where they see it.
CRASH_ADVICE = {
    "notebook": "Read the error in the cell's output; fix it and train again.",
    "job": "Training stopped on an unexpected error. Check the data set and the spec; if it happens again, "
    "report it with this message.",
}


def is_out_of_memory(exc: BaseException | str) -> bool:
    return "out of memory" in str(exc).lower()


def nan_loss_error(warning: CoachWarning) -> RunError:
    """The run's error when its loss became NaN or infinite (from the coach's warning saying so)."""
    return {"kind": "nan_loss", "message": warning["message"], "advice": warning["advice"]}


def out_of_memory_error(batch_size: int | None = None) -> RunError:
    if batch_size is None:
        message = "The GPU ran out of memory."
    else:
        message = f"The GPU ran out of memory, even with batch_size {batch_size}."
    return {
        "kind": "cuda_oom",
        "message": message,
        "advice": OOM_ADVICE[:-1] + " (or a smaller architecture).",
    }


def run_error(exc: BaseException | None, where: Where) -> RunError:
    """The error of a run that `exc` stopped: a recognised one keeps its own ({kind, message, advice}
    on `exc.error`), out of memory says so, anything else is a crash."""
    known = getattr(exc, "error", None)
    if isinstance(known, dict) and {"kind", "message", "advice"} <= set(known):
        return known
    if where == "notebook":
        # The cell shows the traceback; the run keeps the message as Python said it.
        text = str(exc) if exc is not None else "training stopped unexpectedly"
        if is_out_of_memory(text):
            return {"kind": "cuda_oom", "message": text[:2000], "advice": OOM_ADVICE}
        return {"kind": "crashed", "message": text[:2000], "advice": CRASH_ADVICE["notebook"]}
    return {
        "kind": "crashed",
        "message": f"{type(exc).__name__}: {exc}"[:2000],
        "advice": CRASH_ADVICE["job"],
    }


def run_result(epochs: list[dict], seconds: float, **extra) -> Result:
    """A completed run's result: the last epoch's numbers, how many epochs and how long; a job adds
    its model path and settings through `extra`."""
    last = epochs[-1] if epochs else {}
    return {
        "error_rate": (last.get("metrics") or {}).get("error_rate"),
        "valid_loss": last.get("valid_loss"),
        "train_loss": last.get("train_loss"),
        "epochs": len(epochs),
        "seconds": round(seconds, 2),
        **extra,
    }
