"""The built-in sample data sets, written as image folders with no download.

    from jupyterlab_dlcoach.core import samples
    path = samples.digits("digits")        # real handwritten digits, one folder per class
    path = samples.digits_noisy("noisy")   # the same with wrong labels: it overfits on purpose

The digits are scikit-learn's copy of the UCI handwritten digits (1,797 scans of 8x8 pixels, ten
classes); scikit-learn comes with fastai, so this works offline. The shapes are drawn with PIL and
stay as an extra.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

from jupyterlab_dlcoach.core.errors import BadInput, CoachError, Conflict

MARKER = ".dlcoach-sample.json"
SHAPES = ("circle", "square", "triangle")
DIGITS = tuple(str(d) for d in range(10))

SAMPLES = {
    "digits": {
        "title": "Handwritten digits",
        "description": "1,797 real handwritten digits (0 to 9) scanned at 8x8 pixels; a model learns them "
        "to a few percent error in under a minute, even on a laptop's CPU.",
        "kind": "digits",
        "classes": list(DIGITS),
        "per_class": None,  # all of them (about 180 each)
        "noise": 0.0,
        "image_size": 32,
        "settings": {},
    },
    "digits-noisy": {
        "title": "Handwritten digits with wrong labels",
        "description": "800 of the digits, 30 % of them filed under a wrong label: trained long enough, a "
        "model learns those mistakes by heart, so it overfits on purpose.",
        "kind": "digits",
        "classes": list(DIGITS),
        "per_class": 80,
        "noise": 0.3,
        "image_size": 32,
        # Measured (tests/fixtures/curves/digits-noisy-*.json, about 55 s each on a 2-core CPU): the
        # error rate is best around 0.44 within 3 to 11 epochs, then settles near 0.56 as the model
        # memorises. A constant learning rate: one-cycle's annealing generalised instead (0.39 → 0.44
        # in 24 epochs). Half the images validate: at 400, a rise of 0.05 is beyond chance (two
        # standard errors), and 400 training images are memorised well within 40 epochs.
        "settings": {"epochs": 40, "lr": 0.003, "recipe": "fit", "valid_pct": 0.5, "batch_size": 32},
    },
    "shapes": {
        "title": "Drawn shapes",
        "description": "Circles, squares and triangles in random colours, sizes and places on a noisy "
        "background.",
        "kind": "shapes",
        "classes": list(SHAPES),
        "per_class": 40,
        "noise": 0.0,
        "image_size": 64,
        "settings": {},
    },
    "shapes-noisy": {
        "title": "Drawn shapes with wrong labels",
        "description": "The same shapes, but 40 % of the pictures carry a wrong label.",
        "kind": "shapes",
        "classes": list(SHAPES),
        "per_class": 40,
        "noise": 0.4,
        "image_size": 64,
        "settings": {},
    },
}
DEFAULT = "digits"
_ALL_CLASSES = frozenset(SHAPES) | frozenset(DIGITS)


def catalogue() -> dict:
    """What `GET samples` answers: each sample with its one-line description and suggested settings."""
    listed = []
    for name, info in SAMPLES.items():
        count = _digit_count(info) if info["kind"] == "digits" else info["per_class"] * len(info["classes"])
        listed.append(
            {
                "name": name,
                "title": info["title"],
                "description": info["description"],
                "classes": list(info["classes"]),
                "images": count,
                "settings": dict(info["settings"]),
            }
        )
    return {"default": DEFAULT, "samples": listed}


def _digit_count(info: dict) -> int:
    per_class = info["per_class"]
    return 1797 if per_class is None else per_class * len(info["classes"])


def _draw_shape(rng: random.Random, shape: str, size: int) -> Image.Image:
    bg = tuple(rng.randrange(60, 200) for _ in range(3))
    # Per-pixel noise so that the background itself carries no hint of the class.
    noise = Image.frombytes("RGB", (size, size), rng.randbytes(size * size * 3))
    img = Image.blend(Image.new("RGB", (size, size), bg), noise, 0.25)
    draw = ImageDraw.Draw(img)
    colour = tuple(rng.randrange(256) for _ in range(3))
    r = rng.uniform(0.18, 0.38) * size
    cx, cy = rng.uniform(r, size - r), rng.uniform(r, size - r)
    corners = {"square": 4, "triangle": 3}.get(shape)
    if corners is None:
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    else:
        a = rng.uniform(0, 2 * math.pi)
        step = 2 * math.pi / corners
        draw.polygon(
            [(cx + r * math.cos(a + k * step), cy + r * math.sin(a + k * step)) for k in range(corners)],
            fill=colour,
        )
    return img


def _shape_items(rng: random.Random, info: dict, per_class: int, size: int):
    """(image, true class, number) for the drawn shapes."""
    for cls in info["classes"]:
        for i in range(per_class):
            yield _draw_shape(rng, cls, size), cls, i


def _digit_items(rng: random.Random, info: dict, per_class: int | None, size: int):
    """(image, true class, number) for scikit-learn's digits, a balanced subset when per_class is set."""
    from sklearn.datasets import load_digits  # only when digits are asked for: it takes ~0.5 s to import

    digits = load_digits()
    order = list(range(len(digits.target)))
    rng.shuffle(order)
    taken = dict.fromkeys(range(10), 0)
    for i in order:
        label = int(digits.target[i])
        if per_class is not None and taken[label] >= per_class:
            continue
        taken[label] += 1
        # 0..16 ink levels → white ink on black, as scanned digits are usually shown; upscaled smoothly.
        pixels = bytes(int(v) * 255 // 16 for v in digits.images[i].ravel())
        img = Image.frombytes("L", (8, 8), pixels).resize((size, size), Image.BILINEAR)
        yield img, str(label), i


# How each kind is made, and its file names. Both keep the true class in the name, so that a wrongly
# filed picture can be told apart later: "circle_squ0007.png" is a square filed as a circle.
_KINDS = {
    "shapes": (_shape_items, lambda label, true, i: f"{label}_{true[:3]}{i:04d}.png"),
    "digits": (_digit_items, lambda label, true, i: f"scan{i:04d}_{true}.png"),
}


def _read_marker(dest: Path) -> dict | None:
    """What an earlier sample in `dest` wrote about itself; None if there is none, or it is corrupt or
    names folders a sample never writes (then the folder is treated as the user's own)."""
    try:
        marker = json.loads((dest / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(marker, dict):
        return None
    classes = marker.get("classes")
    if not isinstance(classes, list) or not all(isinstance(c, str) and c in _ALL_CLASSES for c in classes):
        return None
    return marker


def _check_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise Conflict(
            f"'{dest.name}' exists and is a file; choose a new folder name for the sample.", field="path"
        )
    if dest.is_dir() and any(dest.iterdir()) and _read_marker(dest) is None:
        raise Conflict(
            f"The folder '{dest.name}' already holds files that are not a sample data set; choose an empty "
            "or new folder so nothing of yours is overwritten.",
            field="path",
        )


def write_sample(
    dest: str | Path,
    name: str = DEFAULT,
    *,
    per_class: int | None = None,
    image_size: int | None = None,
    seed: int = 0,
) -> Path:
    """Write the sample `name` into `dest` (one folder per class); the same seed gives the same files.

    `per_class` and `image_size` default to the sample's own (all digits; 32 px for digits, 64 for shapes).
    """
    if name not in SAMPLES:
        raise BadInput(f"'name' must be one of {', '.join(SAMPLES)} (got {name!r}).", field="name")
    info = SAMPLES[name]
    if per_class is not None and (not isinstance(per_class, int) or not 2 <= per_class <= 1000):
        raise BadInput("'per_class' must be a whole number from 2 to 1000.", field="per_class")
    if image_size is not None and (not isinstance(image_size, int) or not 8 <= image_size <= 512):
        raise BadInput("'image_size' must be a whole number from 8 to 512.", field="image_size")
    per_class = info["per_class"] if per_class is None else per_class
    size = image_size or info["image_size"]
    dest = Path(dest)
    _check_dest(dest)
    old = _read_marker(dest) if dest.is_dir() else None
    if old is not None:
        # A previous sample: replace only the folders it wrote (checked to be sample class names).
        for cls in old["classes"]:
            if (dest / cls).is_dir() and not (dest / cls).is_symlink():
                shutil.rmtree(dest / cls)
    dest.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{name}:{seed}")  # noqa: S311 (reproducible data, not secrets)
    classes = info["classes"]
    for cls in classes:
        (dest / cls).mkdir()
    make, file_name = _KINDS[info["kind"]]
    for img, true, number in make(rng, info, per_class, size):
        label = true
        if rng.random() < info["noise"]:
            label = rng.choice([c for c in classes if c != true])
        img.save(dest / label / file_name(label, true, number))
    marker = {"name": name, "classes": classes, "per_class": per_class, "image_size": size, "seed": seed}
    (dest / MARKER).write_text(json.dumps(marker))
    return dest


def digits(path: str | Path = "digits", **kwargs) -> Path:
    """Write the handwritten digits sample to `path` and return it."""
    return write_sample(path, "digits", **kwargs)


def digits_noisy(path: str | Path = "digits-noisy", **kwargs) -> Path:
    """Write the wrongly labelled digits (they overfit on purpose) to `path` and return it."""
    return write_sample(path, "digits-noisy", **kwargs)


def shapes(path: str | Path = "shapes", **kwargs) -> Path:
    """Write the drawn shapes sample to `path` and return it."""
    return write_sample(path, "shapes", **kwargs)


def shapes_noisy(path: str | Path = "shapes-noisy", **kwargs) -> Path:
    """Write the noisy-label shapes sample to `path` and return it."""
    return write_sample(path, "shapes-noisy", **kwargs)


def main(argv: list[str] | None = None) -> None:
    """`python -m jupyterlab_dlcoach.core.samples DEST [--name digits-noisy]`: write a sample from a shell."""
    import argparse

    lines = "\n".join(f"  {n}: {i['description']}" for n, i in SAMPLES.items())
    parser = argparse.ArgumentParser(
        description="Write a built-in sample image data set.",
        epilog="samples:\n" + lines,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dest", help="folder to write (created if missing)")
    parser.add_argument("--name", choices=list(SAMPLES), default=DEFAULT)
    parser.add_argument(
        "--per-class", type=int, default=None, help="images per class (default: the sample's)"
    )
    parser.add_argument(
        "--image-size", type=int, default=None, help="pixels per side (default: the sample's)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        dest = write_sample(
            args.dest, args.name, per_class=args.per_class, image_size=args.image_size, seed=args.seed
        )
    except CoachError as e:
        parser.exit(2, f"error: {e.message}\n")
    print(f"Wrote the '{args.name}' sample to {dest}")


if __name__ == "__main__":
    main()
