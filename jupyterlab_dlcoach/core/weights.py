"""Pretrained weights: where torch keeps them, which are cached, and fetching them without torch.

The server may not import torch, so this module carries a copy of what torchvision knows: the file of
each architecture's default weights (its name ends in the first digits of the file's SHA-256) and the
torch hub folder, resolved from the environment the way ``torch.hub.get_dir()`` does.
``tests/test_weights_torch.py`` compares the copy with torchvision for every architecture, so the two
cannot drift apart unnoticed. The trainer reads it too (is a file cached?); downloading is the server's
(``server/weights_downloads.py``).
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from jupyterlab_dlcoach.core.errors import BadInput
from jupyterlab_dlcoach.core.models import ARCHS

DEFAULT_BASE_URL = "https://download.pytorch.org/models/"
BASE_URL_ENV = "DLCOACH_WEIGHTS_URL"
# torch.hub checks a download against the hex digits between the last '-' and the '.' of its name.
_HASH_PREFIX = re.compile(r"-([a-f0-9]+)\.")


@dataclass(frozen=True)
class Weights:
    filename: str
    num_params: int
    gflops: float  # one 224-px image through the model, forward only (torchvision's "_ops")

    @property
    def hash_prefix(self) -> str:
        return _HASH_PREFIX.search(self.filename).group(1)

    @property
    def download_mb(self) -> float:
        """About the size of the file: four bytes per parameter, in MiB like the cached sizes."""
        return round(self.num_params * 4 / 2**20, 1)


# torchvision's DEFAULT weights of every architecture a job may use (the ones fastai's vision_learner
# loads for pretrained=True).
WEIGHTS = {
    "resnet18": Weights("resnet18-f37072fd.pth", 11689512, 1.814),
    "resnet34": Weights("resnet34-b627a593.pth", 21797672, 3.664),
    "resnet50": Weights("resnet50-11ad3fa6.pth", 25557032, 4.089),
    "resnet101": Weights("resnet101-cd907fc2.pth", 44549160, 7.801),
    "resnet152": Weights("resnet152-f82ba261.pth", 60192808, 11.514),
    "densenet121": Weights("densenet121-a639ec97.pth", 7978856, 2.834),
    "densenet169": Weights("densenet169-b2777c0a.pth", 14149480, 3.36),
    "vgg16_bn": Weights("vgg16_bn-6c64b313.pth", 138365992, 15.47),
    "squeezenet1_1": Weights("squeezenet1_1-b8a52dc0.pth", 1235496, 0.349),
    "alexnet": Weights("alexnet-owt-7be5be79.pth", 61100840, 0.714),
}
assert set(WEIGHTS) == set(ARCHS), "every architecture a job may use needs its weights file here"


def hub_checkpoints_dir() -> Path:
    """torch.hub's checkpoints folder as torch would compute it in a process with this environment.

    Like torch, an empty TORCH_HOME or XDG_CACHE_HOME counts as set (and gives a relative folder).
    """
    cache = os.getenv("XDG_CACHE_HOME", os.path.join("~", ".cache"))
    torch_home = os.path.expanduser(os.getenv("TORCH_HOME", os.path.join(cache, "torch")))
    return Path(os.path.join(torch_home, "hub", "checkpoints"))


def entry(arch: str) -> Weights:
    try:
        return WEIGHTS[arch]
    except (KeyError, TypeError):
        raise BadInput(f"'arch' must be one of {', '.join(ARCHS)} (got {arch!r}).", field="arch") from None


def weights_filename(arch: str) -> str:
    return entry(arch).filename


def weights_path(arch: str) -> Path:
    return hub_checkpoints_dir() / weights_filename(arch)


def is_cached(arch: str) -> bool:
    try:
        return weights_path(arch).is_file()
    except OSError:
        return False


def cached_archs() -> list[str]:
    return [arch for arch in ARCHS if is_cached(arch)]


def base_url(configured: str | None = None) -> str:
    """The folder URL the weights files are fetched from: the setting, else the environment, else
    PyTorch's server. Only http(s): a file: or custom scheme must not be reachable through it."""
    base = configured or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise ValueError(f"The weights download address must start with http:// or https:// (got {base!r}).")
    return base.rstrip("/") + "/"


def weights_url(arch: str, configured_base: str | None = None) -> str:
    return base_url(configured_base) + weights_filename(arch)


def cache_listing() -> list[dict]:
    """Every architecture with whether its weights are cached and the file's size (MiB) if so."""
    listing = []
    for arch in ARCHS:
        try:
            size = weights_path(arch).stat().st_size
            cached = weights_path(arch).is_file()
        except OSError:
            size, cached = None, False
        listing.append(
            {
                "arch": arch,
                "cached": cached,
                "size_mb": round(size / 2**20, 1) if cached else None,
                "download_mb": WEIGHTS[arch].download_mb,
                "file": WEIGHTS[arch].filename,
            }
        )
    return listing
