"""A tiny real fastai set-up for tests: generated shapes, 32 px, resnet18 without pretrained weights."""

from pathlib import Path

from jupyterlab_dlcoach.core import samples


def tiny_learner(folder: Path, *, per_class=20, size=32, bs=16, cbs=None):
    from fastai.vision.all import ImageDataLoaders, Resize, error_rate, resnet18, set_seed, vision_learner

    if not folder.exists():
        samples.shapes(folder, per_class=per_class, image_size=size)
    set_seed(0, reproducible=True)
    dls = ImageDataLoaders.from_folder(
        folder, valid_pct=0.25, seed=0, item_tfms=Resize(size), bs=bs, num_workers=0, device="cpu"
    )
    return vision_learner(dls, resnet18, pretrained=False, metrics=error_rate, cbs=cbs)
