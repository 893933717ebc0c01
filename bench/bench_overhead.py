"""Coach overhead: the same fine-tune with and without CoachCallback.

    .venv/bin/python bench/bench_overhead.py [--device auto] [--repeats 7] [--image-size 64]

Same data, seed and device for both; the order alternates each repeat so that warm-up and
thermal drift fall on both sides alike. It reports the median of the per-pair wall-time ratios,
and the time spent inside the callback's own methods (a noise-free bound on its cost).
On CUDA, `--sync-check` also counts GPU→CPU synchronisations made from callback.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from fastai.vision.all import (
    ImageDataLoaders,
    Resize,
    error_rate,
    resnet18,
    resnet34,
    set_seed,
    vision_learner,
)

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.kernel.callback import CoachCallback


def _timed(name):
    method = getattr(CoachCallback, name)

    def wrapper(self):
        t = time.perf_counter()
        try:
            return method(self)
        finally:
            self.__dict__["inside"] = self.__dict__.get("inside", 0.0) + time.perf_counter() - t

    return wrapper


class TimedCoach(CoachCallback):
    """CoachCallback that also adds up the time spent in its own event methods."""

    before_fit = _timed("before_fit")
    before_epoch = _timed("before_epoch")
    after_batch = _timed("after_batch")
    after_epoch = _timed("after_epoch")
    after_fit = _timed("after_fit")


def one_run(args, folder: Path, db: Path, coach: bool) -> tuple[float, float, float]:
    """(wall s, process CPU s, s inside the callback) of one fine_tune."""
    set_seed(args.seed, reproducible=True)
    dls = ImageDataLoaders.from_folder(
        folder,
        valid_pct=0.2,
        seed=args.seed,
        item_tfms=Resize(args.image_size),
        bs=args.batch_size,
        num_workers=0 if args.device.type == "cpu" else 4,
        device=args.device,
    )
    arch = {"resnet18": resnet18, "resnet34": resnet34}[args.arch]
    learn = vision_learner(dls, arch, pretrained=False, metrics=error_rate)
    learn.model.to(args.device)
    if args.device.type == "cuda":
        learn.to_channelslast(amp_mode="bf16" if torch.cuda.is_bf16_supported() else "fp16")
    cb = TimedCoach(db_path=db) if coach else None
    with learn.no_bar(), learn.no_logging():
        if args.device.type == "cuda":
            torch.cuda.synchronize()
        t, c = time.perf_counter(), time.process_time()
        learn.fine_tune(args.epochs, cbs=cb)
        if args.device.type == "cuda":
            torch.cuda.synchronize()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    return wall, cpu, (cb.__dict__.get("inside", 0.0) if cb else 0.0)


def sync_check(args, folder: Path, db: Path) -> int:
    """Count the synchronising CUDA calls whose Python caller is callback.py."""
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            one_run(args, folder, db, coach=True)
    finally:
        torch.cuda.set_sync_debug_mode(0)
    return sum(1 for w in caught if w.filename.endswith("callback.py"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default="auto")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--per-class", type=int, default=40)
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--arch", default="resnet18", choices=("resnet18", "resnet34"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sync-check", action="store_true")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: torch's default)")
    args = p.parse_args()
    # One thread by default: idle OpenMP threads spin on a shared machine and blur both clocks.
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device == "auto":
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    args.device = torch.device(args.device)

    tmp = Path(tempfile.mkdtemp(prefix="dlcoach-bench-"))
    folder = samples.shapes(tmp / "shapes", per_class=args.per_class, image_size=args.image_size)
    db = tmp / "runs.sqlite"
    print(
        f"device {args.device}, {args.arch}, {3 * args.per_class} images at {args.image_size} px, "
        f"batch {args.batch_size}, fine_tune({args.epochs}), torch threads {torch.get_num_threads()}"
    )
    one_run(args, folder, db, coach=True)  # warm-up: first-run allocations and thread pools

    rows = []
    for i in range(args.repeats):
        order = (True, False) if i % 2 == 0 else (False, True)
        times = {}
        for coach in order:
            times[coach] = one_run(args, folder, db, coach)
        rows.append((i, "coach first" if order[0] else "plain first", times[True], times[False]))

    # Process CPU time is printed too: on a shared machine it is far less noisy than wall time.
    head = f"{'repeat':>6}  {'order':<12} {'coach s':>8} {'plain s':>8} {'wall ratio':>10} {'cpu ratio':>9}"
    print(head + f" {'in cb':>6}")
    wall_ratios, cpu_ratios, inside = [], [], []
    for i, order, (w, c, ins), (wo, co, _) in rows:
        wall_ratios.append(w / wo)
        cpu_ratios.append(c / co)
        inside.append(100 * ins / w)
        print(f"{i:>6}  {order:<12} {w:>8.2f} {wo:>8.2f} {w / wo:>10.3f} {c / co:>9.3f} {inside[-1]:>5.2f}%")
    print(
        f"median wall ratio {statistics.median(wall_ratios):.3f}, median CPU ratio "
        f"{statistics.median(cpu_ratios):.3f}, "
        f"median time inside the callback {statistics.median(inside):.2f}%"
    )
    if args.sync_check and args.device.type == "cuda":
        print(f"synchronising CUDA calls from callback.py in one run: {sync_check(args, folder, db)}")


if __name__ == "__main__":
    main()
