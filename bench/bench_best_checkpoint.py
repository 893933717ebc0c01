"""The cost of keeping the best epoch: the trainer's own training with and without its BestEpoch callback.

    python bench/bench_best_checkpoint.py [--sample digits] [--repeats 3] [--device auto] [--savemodel]

The trainer's code (data set check, automatic settings, DataLoaders, learner, recipe) on the default
sample with the form's defaults; CoachCallback in every run, as in a job. Runs alternate in order each
repeat, so warm-up and a shared machine's drift fall on both sides. It reports the median per-pair
wall-time ratio (target <= 1.03), the process-CPU ratio (less noisy on a shared machine), and the
time spent copying the best weights (a noise-free bound on the cost). `--savemodel` adds fastai's
SaveModelCallback (every improvement written to disk) for comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from fastai.callback.tracker import SaveModelCallback
from fastai.torch_core import set_seed

from jupyterlab_dlcoach.core import datasets, samples
from jupyterlab_dlcoach.core.models import JobSpec
from jupyterlab_dlcoach.kernel.callback import CoachCallback
from jupyterlab_dlcoach.trainer import checks, data
from jupyterlab_dlcoach.trainer.__main__ import fit, resolve_settings
from jupyterlab_dlcoach.trainer.best import BestEpoch


def one_run(spec: JobSpec, root: Path, items, settings: dict, device, db: Path, mode: str) -> dict:
    set_seed(spec.seed)
    dls = data.build_dls(spec, root / spec.dataset, items, device, settings["batch_size"])
    learn = data.build_learner(spec, dls, device)
    learn.path = root.parent  # SaveModelCallback writes under learn.path/models
    keeper = BestEpoch()
    cbs = [CoachCallback(db_path=db, display=False)]
    if mode == "best":
        cbs.append(keeper)
    elif mode == "savemodel":
        cbs.append(SaveModelCallback(monitor="error_rate", comp=lambda a, b: a < b, with_opt=False))
    with learn.no_bar(), learn.no_logging():
        if device.type == "cuda":
            torch.cuda.synchronize()
        t, c = time.perf_counter(), time.process_time()
        fit(learn, settings, cbs)
        if device.type == "cuda":
            torch.cuda.synchronize()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    err = float(learn.recorder.values[-1][2])
    copies = keeper.copies if mode == "best" else 0
    return {"mode": mode, "wall_s": wall, "cpu_s": cpu, "copy_s": keeper.copy_seconds, "copies": copies,
            "error_rate": err, "best": keeper.best}  # fmt: skip


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sample", default=samples.DEFAULT)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="auto")
    p.add_argument("--epochs", type=int, default=None, help="default: the form's (3)")
    p.add_argument("--per-class", type=int, default=None, help="a smaller sample (default: all of it)")
    p.add_argument("--savemodel", action="store_true", help="also time fastai's SaveModelCallback")
    args = p.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="dlcoach-bench-best-"))
    root = tmp / "root"
    extra = {} if args.per_class is None else {"per_class": args.per_class}
    samples.write_sample(root / args.sample, args.sample, **extra)
    fields = {"dataset": args.sample, "device": args.device}
    if args.epochs:
        fields["epochs"] = args.epochs
    spec = JobSpec.from_json(fields)
    device = checks.pick_device(spec)
    pretrained = checks.weights_file(spec.arch).is_file()
    spec = dataclasses.replace(spec, pretrained=pretrained)
    _, items = datasets.prepare(root, spec.dataset, spec.labels)
    settings = resolve_settings(spec, items)
    spec = dataclasses.replace(spec, image_size=settings["image_size"], lr=settings["lr"])
    print(f"{args.sample}: {len(items)} images, device {device}, {settings['description']}")
    print(f"batch {settings['batch_size']}, image {settings['image_size']} px, lr {settings['lr']}")
    db = tmp / "runs.sqlite"
    modes = ["best", "plain"] + (["savemodel"] if args.savemodel else [])
    one_run(spec, root, items, {**settings, "epochs": 1}, device, db, "best")  # warm-up

    rows = []
    for i in range(args.repeats):
        order = modes if i % 2 == 0 else modes[::-1]
        got = {m: one_run(spec, root, items, settings, device, db, m) for m in order}
        rows.append(got)
        line = "  ".join(f"{m} {got[m]['wall_s']:.2f}s" for m in modes)
        print(f"repeat {i}: {line}  copies {got['best']['copies']} in {got['best']['copy_s'] * 1000:.0f} ms")

    def ratios(mode: str, key: str) -> list[float]:
        return [r[mode][key] / r["plain"][key] for r in rows]

    summary = {
        "sample": args.sample,
        "device": str(device),
        "epochs": settings["epochs"],
        "median_wall_ratio": statistics.median(ratios("best", "wall_s")),
        "median_cpu_ratio": statistics.median(ratios("best", "cpu_s")),
        "median_plain_wall_s": statistics.median(r["plain"]["wall_s"] for r in rows),
        "median_copy_ms": 1000 * statistics.median(r["best"]["copy_s"] for r in rows),
        "copy_share": statistics.median(r["best"]["copy_s"] / r["best"]["wall_s"] for r in rows),
        "best_epochs": [r["best"]["best"]["epoch"] for r in rows],
    }
    if args.savemodel:
        summary["median_savemodel_wall_ratio"] = statistics.median(ratios("savemodel", "wall_s"))
    print(
        f"keeping the best epoch: median wall ratio {summary['median_wall_ratio']:.3f} (target <= 1.03), "
        f"CPU ratio {summary['median_cpu_ratio']:.3f}, copying {summary['median_copy_ms']:.0f} ms per run "
        f"({100 * summary['copy_share']:.2f} % of its time)"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
