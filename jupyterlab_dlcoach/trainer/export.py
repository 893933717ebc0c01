"""Export a trained job's models into the server root, where the learner's file browser shows them.

``model.pkl`` is the last epoch; ``best-epoch-N.pkl`` the best one, when it is not the last. Both are
plain ``learn.export()`` files: the labellers are fastai's own (see trainer/data.py) and the coach's
callbacks were passed to fit, which removes them, so ``load_learner`` works where this package is not
installed. The result keys this returns are the contract in core/exports.py.
"""

from __future__ import annotations

from pathlib import Path

from jupyterlab_dlcoach.core import exports
from jupyterlab_dlcoach.trainer.best import BestEpoch


def export_models(learn, keeper: BestEpoch, root: Path, run_name: str, fallback: Path) -> dict:
    """Write the models and return the result fields ``model_path``, ``best``, ``models``, ``model``.

    A server root the trainer cannot write to (a read-only share) must not lose the trained model: it
    then goes to ``fallback`` (the run's own folder), with ``models`` null and ``export_note`` saying why.
    """
    base = Path(root).resolve()
    # The exported model is for inference anywhere, CPU included: no mixed-precision callback in it.
    learn.to_fp32()
    try:
        folder = exports.new_model_folder(base, run_name)
    except OSError as e:
        fallback.mkdir(parents=True, exist_ok=True)
        learn.export(fallback / "model.pkl")
        note = (
            f"The model could not be saved in the server root ({e}); it was saved as "
            f"{fallback / 'model.pkl'} instead, without the best epoch's."
        )
        return {"model_path": str(fallback / "model.pkl"), "best": keeper.best, "models": None,
                "model": "last", "export_note": note}  # fmt: skip
    last = folder / "model.pkl"
    learn.export(last)
    models = {"last": last.relative_to(base).as_posix()}
    best = keeper.best
    last_epoch = keeper.epochs_seen - 1
    if best is not None and best["epoch"] != last_epoch and keeper.state is not None:
        # Done after every use of the final model (the mistakes are the final model's): this swaps
        # the best epoch's weights in.
        learn.model.load_state_dict(keeper.state)
        path = folder / exports.best_file_name(best["epoch"])
        learn.export(path)
        models["best"] = path.relative_to(base).as_posix()
    else:
        models["best"] = models["last"]
    return {"model_path": str(last), "best": best, "models": models, "model": "last"}
