"""One tiny real model for the prediction tests: shapes at 32 px, resnet18 from scratch, one epoch.

Trained once per test session by the real trainer (by hand) into a shared folder; the test files that
predict point their servers' store and root at it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.core.store import RunStore

REPO = Path(__file__).resolve().parents[1]
TRAINER = [sys.executable, "-m", "jupyterlab_dlcoach.trainer"]
TINY = ["--dataset", "shapes", "--arch", "resnet18", "--no-pretrained", "--epochs", "1"]
TINY += ["--image-size", "32", "--batch-size", "8"]


def trained(base: Path) -> tuple[Path, Path, str]:
    """(root, db, run id) of a completed run with an exported model, trained on first call."""
    root, db = base / "root", base / "db" / "runs.sqlite"
    if db.exists():
        (run,) = [r for r in RunStore(db).list_runs() if r["name"] == "tiny shapes"]
        return root, db, run["id"]
    samples.shapes(root / "shapes", per_class=8, image_size=32)
    proc = subprocess.run(
        [
            *TRAINER,
            "--db",
            str(db),
            "--root",
            str(root),
            "--dataset",
            "shapes",
            "--name",
            "tiny shapes",
            *TINY,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, db, proc.stdout.split()[0]


def picture(size=(32, 32), colour=(200, 40, 40), fmt="PNG", mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def bomb() -> bytes:
    """A small PNG that claims 64 megapixels."""
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    return out.getvalue()
