"""Where a server job's models go, and which of them a run uses: shared by the trainer (which writes
them), the server (which switches the run's choice) and the notebook generator (which loads it).

A job exports into the server root, so the learner sees the files in JupyterLab's file browser:
``dlcoach-models/<slug of the run's name>/model.pkl`` (the last epoch) and, when an earlier epoch
was better, ``best-epoch-N.pkl`` beside it (N counted from 1, as the learner counts epochs).
The run's ``result`` says ``best``, ``models`` ({"last", "best"}: root-relative paths) and ``model``
("last" or "best": the one predictions and the notebook use). Pure Python: no torch here.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

MODELS_DIR = "dlcoach-models"
CHOICES = ("last", "best")
MAX_SLUG = 60


def slug(name: str) -> str:
    """A folder name from a run's name: 'digits · resnet18 · #3' -> 'digits-resnet18-3'."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return text[:MAX_SLUG].rstrip("-") or "run"


def new_model_folder(root: str | Path, run_name: str) -> Path:
    """A fresh folder for one run's models under ``<root>/dlcoach-models``: the run's slug, or
    slug-2, slug-3… when another run of the same name already exported there (never overwritten)."""
    base = Path(root).resolve()
    parent = base / MODELS_DIR
    parent.mkdir(exist_ok=True)
    real_parent = parent.resolve()
    if real_parent != base / MODELS_DIR and base not in real_parent.parents:
        # A link named dlcoach-models that leads elsewhere: models stay inside the root or nowhere.
        raise OSError(f"'{MODELS_DIR}' in the server root is a link leading outside it")
    name = slug(run_name)
    for n in range(1, 10_000):
        folder = real_parent / (name if n == 1 else f"{name}-{n}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise OSError(f"no free folder name for '{name}' in {parent}")


def best_file_name(epoch: int) -> str:
    """The best epoch's file; ``epoch`` counted from 0 as events count it, the name from 1."""
    return f"best-epoch-{epoch + 1}.pkl"


def chosen_model(result: dict | None) -> str | None:
    """The root-relative path of the model a run uses (its choice, else the last epoch's), or None."""
    models = (result or {}).get("models") or {}
    choice = (result or {}).get("model") or "last"
    return models.get(choice) or models.get("last")
