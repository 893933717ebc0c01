"""How long a finished trainer takes to exit once its result is stored (the run shows "running" meanwhile).

Runs a tiny server-mode job (resnet18 from scratch, 32 px, one epoch) as a subprocess, polls the store
every 10 ms for the run's ``result`` and times from there to the process's exit. Two ways of ending,
alternating: ``quick`` (``python -m jupyterlab_dlcoach.trainer``: flush, then os._exit) and ``python``
(the same ``main()`` under ``sys.exit``, so the interpreter's own shutdown runs, as before).

    python bench/bench_trainer_exit.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.core.store import RunStore

REPO = Path(__file__).resolve().parent.parent

SPEC = {"dataset": "shapes", "arch": "resnet18", "pretrained": False, "recipe": "fit_one_cycle", "epochs": 1}
SPEC |= {"image_size": 32, "batch_size": 4, "num_workers": 0}
WAYS = {
    "quick": ["-m", "jupyterlab_dlcoach.trainer"],
    "python": ["-c", "import sys; from jupyterlab_dlcoach.trainer.__main__ import main; sys.exit(main())"],
}


def one(store: RunStore, root: Path, way: str) -> dict:
    run = store.create_run(kind="job", name=way, spec=SPEC, state="running")
    args = ["--db", str(store.path), "--run", run["id"], "--root", str(root)]
    proc = subprocess.Popen(
        [sys.executable, *WAYS[way], *args], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    written = None
    while proc.poll() is None:
        if written is None and store.get_run(run["id"])["result"] is not None:
            written = time.monotonic()
        time.sleep(0.01)
    gone = time.monotonic()
    lag = round(gone - written, 3) if written else None
    return {"way": way, "rc": proc.returncode, "result_to_exit_s": lag}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlcoach-exit-") as tmp:
        root = Path(tmp) / "root"
        samples.write_sample(root / "shapes", "shapes", per_class=12, image_size=32)
        store = RunStore(Path(tmp) / "runs.sqlite")
        rows = [one(store, root, way) for _ in range(args.repeats) for way in WAYS]
        store.close()
    for way in WAYS:
        times = [r["result_to_exit_s"] for r in rows if r["way"] == way and r["result_to_exit_s"] is not None]
        print(f"{way}: median {statistics.median(times):.3f} s, all {times}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
