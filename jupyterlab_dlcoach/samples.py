"""The built-in sample data sets: simple labelled shapes, drawn with PIL, so that anyone can train offline.

from jupyterlab_dlcoach import samples
path = samples.shapes("data/shapes")   # one folder per class, ready for ImageDataLoaders
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

from .errors import BadInput, CoachError, Conflict

CLASSES = ("circle", "square", "triangle")
MARKER = ".dlcoach-sample.json"

SAMPLES = {
    "shapes": {
        "description": "Circles, squares and triangles in random colours, sizes and places "
        "on a noisy background.",
        "classes": list(CLASSES),
        "noise": 0.0,
    },
    "shapes-noisy": {
        "description": "The same shapes, but 40% of the pictures carry a wrong label: a model trained long "
        "enough learns those mistakes by heart, so it overfits on purpose.",
        "classes": list(CLASSES),
        "noise": 0.4,
    },
}


def _draw(rng: random.Random, shape: str, size: int) -> Image.Image:
    bg = tuple(rng.randrange(60, 200) for _ in range(3))
    # Per-pixel noise so that the background itself carries no hint of the class.
    noise = Image.frombytes("RGB", (size, size), rng.randbytes(size * size * 3))
    img = Image.blend(Image.new("RGB", (size, size), bg), noise, 0.25)
    draw = ImageDraw.Draw(img)
    colour = tuple(rng.randrange(256) for _ in range(3))
    r = rng.uniform(0.18, 0.38) * size
    cx, cy = rng.uniform(r, size - r), rng.uniform(r, size - r)
    if shape == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    elif shape == "square":
        a = rng.uniform(0, math.pi / 2)
        pts = [
            (cx + r * math.cos(a + k * math.pi / 2), cy + r * math.sin(a + k * math.pi / 2)) for k in range(4)
        ]
        draw.polygon(pts, fill=colour)
    else:
        a = rng.uniform(0, 2 * math.pi)
        pts = [
            (cx + r * math.cos(a + k * 2 * math.pi / 3), cy + r * math.sin(a + k * 2 * math.pi / 3))
            for k in range(3)
        ]
        draw.polygon(pts, fill=colour)
    return img


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
    if not isinstance(classes, list) or not all(isinstance(c, str) and c in CLASSES for c in classes):
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
    dest: str | Path, name: str = "shapes", *, per_class: int = 40, image_size: int = 64, seed: int = 0
) -> Path:
    """Draw the sample `name` into `dest` (one folder per class); the same seed gives the same pictures."""
    if name not in SAMPLES:
        raise BadInput(f"'name' must be one of {', '.join(SAMPLES)} (got {name!r}).", field="name")
    if not isinstance(per_class, int) or not 2 <= per_class <= 1000:
        raise BadInput("'per_class' must be a whole number from 2 to 1000.", field="per_class")
    if not isinstance(image_size, int) or not 16 <= image_size <= 512:
        raise BadInput("'image_size' must be a whole number from 16 to 512.", field="image_size")
    dest = Path(dest)
    _check_dest(dest)
    info = SAMPLES[name]
    old = _read_marker(dest) if dest.is_dir() else None
    if old is not None:
        # A previous sample: replace only the folders it wrote (checked to be sample class names).
        for cls in old["classes"]:
            if (dest / cls).is_dir() and not (dest / cls).is_symlink():
                shutil.rmtree(dest / cls)
    dest.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{name}:{seed}")  # noqa: S311 (reproducible pictures, not secrets)
    classes = info["classes"]
    for cls in classes:
        (dest / cls).mkdir()
    for cls in classes:
        for i in range(per_class):
            img = _draw(rng, cls, image_size)
            label = cls
            if rng.random() < info["noise"]:
                label = rng.choice([c for c in classes if c != cls])
            img.save(dest / label / f"{label}_{cls[:3]}{i:04d}.png")
    (dest / MARKER).write_text(
        json.dumps(
            {"name": name, "classes": classes, "per_class": per_class, "image_size": image_size, "seed": seed}
        )
    )
    return dest


def shapes(path: str | Path = "shapes", **kwargs) -> Path:
    """Write the clean shapes sample to `path` and return it."""
    return write_sample(path, "shapes", **kwargs)


def shapes_noisy(path: str | Path = "shapes-noisy", **kwargs) -> Path:
    """Write the noisy-label shapes sample (it overfits on purpose) to `path` and return it."""
    return write_sample(path, "shapes-noisy", **kwargs)


def main(argv: list[str] | None = None) -> None:
    """`python -m jupyterlab_dlcoach.samples DEST [--name shapes-noisy]`: write a sample from a shell."""
    import argparse

    parser = argparse.ArgumentParser(description="Write a built-in sample image data set.")
    parser.add_argument("dest", help="folder to write (created if missing)")
    parser.add_argument("--name", choices=sorted(SAMPLES), default="shapes")
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--image-size", type=int, default=64)
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
