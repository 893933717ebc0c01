"""Where a run's exported model and its training images are, under the server root (no torch here)."""

from __future__ import annotations

from pathlib import Path

from jupyterlab_dlcoach.core import exports, paths
from jupyterlab_dlcoach.core.errors import CoachError, Conflict, NotFound
from jupyterlab_dlcoach.core.runs import ACTIVE_STATES


def model_file(run: dict, root: str) -> Path:
    """The file of the run's chosen model: ``result.models[result.model or "last"]`` (relative to the
    server root), else the trainer's own export (``result.model_path``). Raises Conflict/NotFound."""
    result = run.get("result") or {}
    chosen = exports.chosen_model(result)
    if chosen:
        try:
            return paths.confine(chosen, root, field="model")
        except NotFound as e:
            raise model_gone(chosen) from e
    if result.get("model_path"):
        path = Path(result["model_path"])
        if not path.is_file():
            raise model_gone(path.name)
        return path
    if run.get("state") in ACTIVE_STATES:
        raise Conflict(
            f"'{run['name']}' is still {run['state']}: it has no model yet. Try your picture when it has "
            "finished."
        )
    if run.get("kind") == "notebook":
        raise Conflict(
            f"'{run['name']}' was trained in a notebook, whose model lives in that notebook: there, call "
            "learn.predict(...) on your picture. Pictures can be tried here on runs trained from the panel."
        )
    raise Conflict(
        f"'{run['name']}' ended {run.get('state')} without saving a model, so there is nothing to ask. "
        "Train it again; once it completes, try your picture."
    )


def model_gone(name) -> NotFound:
    return NotFound(
        f"The model file '{name}' no longer exists (it was deleted or moved). Train the run again to get "
        "a new one.",
        field="model",
    )


def dataset_folder(root: str, run: dict) -> Path | None:
    """The training images' folder, to compare a picture with; None when it is gone or unusable."""
    dataset = (run.get("spec") or {}).get("dataset")
    try:
        folder = paths.confine(dataset, root, field="dataset")
    except CoachError:
        return None
    return folder if folder.is_dir() else None
