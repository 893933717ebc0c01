"""Do the model's top losses find the wrong labels? Trains the noisy digits sample by hand (the trainer's
own process, the sample's suggested settings unless told otherwise) and counts, among the images with
the highest validation loss, those filed under a wrong class: the sample's file names keep the true
class ("scan0042_3.png" is a 3 wherever it is filed). Also what computing the mistakes cost beside the
whole run.

    python bench/bench_mistakes.py [--epochs 40] [--seeds 0 1] [--sample digits-noisy]

Prints one JSON object per seed, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.core.store import RunStore

REPO = Path(__file__).resolve().parent.parent


def true_class(name: str, sample: str) -> str:
    """The class a sample picture really shows, from its file name."""
    stem = Path(name).stem
    if sample.startswith("digits"):
        return stem.rsplit("_", 1)[1]
    short = stem.split("_", 1)[1][:3]
    return next(s for s in samples.SHAPES if s.startswith(short))


def one(sample: str, seed: int, epochs: int | None, tmp: Path) -> dict:
    root = tmp / f"root-{seed}"
    samples.write_sample(root / sample, sample, seed=seed)
    settings = dict(samples.SAMPLES[sample]["settings"])
    if epochs is not None:
        settings["epochs"] = epochs
    args = ["--arch", "resnet18", "--no-pretrained", "--seed", str(seed), "--num-workers", "0"]
    for key, value in settings.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    db = tmp / f"runs-{seed}.sqlite"
    cmd = [sys.executable, "-m", "jupyterlab_dlcoach.trainer", "--db", str(db), "--root", str(root)]
    proc = subprocess.run(
        [*cmd, "--dataset", sample, *args], cwd=REPO, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    (run,) = RunStore(db).list_runs()
    result = run["result"]
    interp = result["interpretation"]
    top = interp["top_losses"]
    wrong = [t for t in top if true_class(t["path"], sample) != t["actual"]]
    valid_wrong = sum(
        1 for p in (root / sample).rglob("*.png") if true_class(p.name, sample) != p.parent.name
    ) / sum(1 for _ in (root / sample).rglob("*.png"))
    return {
        "sample": sample,
        "seed": seed,
        "epochs": result["epochs"],
        "error_rate": result["error_rate"],
        "top": len(top),
        "top_mislabelled": len(wrong),
        # What a random pick of the same size would find: the share of wrong labels in the data set.
        "random_pick_expected": round(valid_wrong * len(top), 1),
        "mislabelled_predicted_true_class": sum(
            1 for t in wrong if t["predicted"] == true_class(t["path"], sample)
        ),
        "interpretation_s": interp["seconds"],
        "run_s": result["seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="digits-noisy", choices=["digits-noisy", "shapes-noisy"])
    parser.add_argument("--epochs", type=int, default=None, help="default: the sample's suggested count")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dlcoach-mistakes-") as tmp:
        for seed in args.seeds:
            rows.append(one(args.sample, seed, args.epochs, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    found = sum(r["top_mislabelled"] for r in rows)
    shown = sum(r["top"] for r in rows)
    print(
        json.dumps(
            {
                "top_mislabelled": f"{found}/{shown}",
                "random_pick_expected": round(sum(r["random_pick_expected"] for r in rows), 1),
                "interpretation_s_max": max(r["interpretation_s"] for r in rows),
                "run_s_min": min(r["run_s"] for r in rows),
            }
        )
    )


if __name__ == "__main__":
    main()
