"""Training throughput: fastai's plain defaults against this project's trainer settings, and what limits each.

Both train the same architecture on the same generated pictures (the "shapes" sample), with the same
item and batch transforms, by ``vision_learner`` + ``fine_tune``:

- ``fastai``: ``ImageDataLoaders.from_folder`` with fastai's defaults (num_workers = fastai's
  ``defaults.cpus``, workers restarted every epoch, no pinned memory), an fp32 model.
- ``coach``: the trainer's own ``build_dls`` / ``build_learner`` (jupyterlab_dlcoach.trainer.data):
  worker count by device, persistent workers and pinned memory on a GPU, channels-last + mixed
  precision on CUDA.

A callback times every training batch: the wait for the loader (loading, decoding, resizing, batch
transforms, the copy to the device) and the model step (forward, backward, optimizer; on CUDA synced at
the batch's end so the step is really over). Images per second count training batches only.

    python bench/bench_throughput.py                                    # resnet34, 224 px (for a GPU)
    python bench/bench_throughput.py --image-size 64 --images 64 --batch-size 16   # a CPU smoke run
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_timer():
    from fastai.callback.core import Callback

    class BatchTimer(Callback):
        """Per fit (fine_tune's frozen and unfrozen phases): images, seconds waiting for data, in the step."""

        order = -100  # first in, so its clock brackets the other callbacks too

        def __init__(self, sync: bool):
            self.sync, self.fits = sync, []

        def before_fit(self):
            self.fits.append({"images": 0, "batches": 0, "data_s": 0.0, "step_s": 0.0})

        def before_epoch(self):
            self.t = time.perf_counter()

        def before_batch(self):
            if self.training:
                now = time.perf_counter()
                self.fits[-1]["data_s"] += now - self.t
                self.t = now

        def after_batch(self):
            if self.training:
                if self.sync:
                    import torch

                    torch.cuda.synchronize()
                now = time.perf_counter()
                fit = self.fits[-1]
                fit["step_s"] += now - self.t
                fit["images"] += len(self.learn.yb[0])
                fit["batches"] += 1
                self.t = now

    return BatchTimer


def build(config: str, folder: Path, args, device):
    from fastai.vision.all import ImageDataLoaders, Resize, aug_transforms, error_rate, vision_learner

    from jupyterlab_dlcoach.core import datasets
    from jupyterlab_dlcoach.core.models import JobSpec
    from jupyterlab_dlcoach.trainer import data

    spec = JobSpec.from_json(
        {
            "dataset": folder.name,
            "arch": args.arch,
            "pretrained": False,
            "batch_size": args.batch_size,
            "image_size": args.image_size,
            **({"num_workers": args.num_workers} if args.num_workers is not None else {}),
        }
    )
    if config == "coach":
        _, items = datasets.prepare(folder.parent, folder.name, spec.labels)
        dls = data.build_dls(spec, folder, items, device, args.batch_size)
        return data.build_learner(spec, dls, device), dls.train.fake_l.num_workers
    import torchvision

    batch_tfms = aug_transforms() if args.image_size >= 64 else None  # the same transforms as the trainer
    kwargs = {} if args.num_workers is None else {"num_workers": args.num_workers}
    dls = ImageDataLoaders.from_folder(
        folder,
        valid_pct=0.2,
        seed=42,
        item_tfms=Resize(args.image_size),
        batch_tfms=batch_tfms,
        bs=args.batch_size,
        device=device,
        **kwargs,
    )
    learn = vision_learner(dls, getattr(torchvision.models, args.arch), pretrained=False, metrics=error_rate)
    return learn, dls.train.fake_l.num_workers


def measure(config: str, folder: Path, args) -> list[dict]:
    import torch

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    learn, workers = build(config, folder, args, device)
    timer = make_timer()(sync=device.type == "cuda")
    with learn.no_bar(), learn.no_logging():
        learn.fine_tune(args.epochs, freeze_epochs=1, cbs=timer)
    rows = []
    for phase, fit in zip(("frozen", "unfrozen"), timer.fits, strict=False):
        busy = fit["data_s"] + fit["step_s"]
        rows.append(
            {
                "config": config,
                "phase": phase,
                "device": str(device),
                "arch": args.arch,
                "image_size": args.image_size,
                "batch_size": args.batch_size,
                "num_workers": workers,
                "images": fit["images"],
                "images_per_s": round(fit["images"] / busy, 1) if busy else None,
                "data_share": round(fit["data_s"] / busy, 3) if busy else None,
                "ms_per_batch_data": round(1000 * fit["data_s"] / max(1, fit["batches"]), 1),
                "ms_per_batch_step": round(1000 * fit["step_s"] / max(1, fit["batches"]), 1),
            }
        )
    return rows


def limit(row: dict) -> str:
    return "data loading" if row["data_share"] is not None and row["data_share"] > 0.5 else "model step"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", default="resnet34")
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--images", type=int, default=3000, help="pictures in the generated data set")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=1, help="unfrozen epochs after fine_tune's frozen one")
    p.add_argument("--num-workers", type=int, help="the same worker count for both (default: each its own)")
    p.add_argument("--device", help="cpu, cuda, cuda:N (default: cuda when available)")
    p.add_argument("--configs", default="fastai,coach")
    args = p.parse_args(argv)

    import torch  # noqa: F401 (after argument parsing, so --help answers at once)

    from jupyterlab_dlcoach.core import samples

    tmp = Path(tempfile.mkdtemp(prefix="dlcoach-throughput-"))
    try:
        folder = tmp / "shapes"
        per_class = max(2, -(-args.images // 3))
        # Drawn a little larger than trained on, so that Resize does real work as with real photos.
        samples.write_sample(
            folder, "shapes", per_class=per_class, image_size=min(512, args.image_size * 8 // 7)
        )
        rows = [row for config in args.configs.split(",") for row in measure(config.strip(), folder, args)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cols = ["config", "phase", "num_workers", "images_per_s", "data_share", "ms_per_batch_data"]
    cols += ["ms_per_batch_step"]
    print(" | ".join([*cols, "limited by"]))
    for row in rows:
        print(" | ".join([*(str(row[c]) for c in cols), limit(row)]))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
