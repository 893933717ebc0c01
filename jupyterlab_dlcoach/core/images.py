"""A learner's own picture: checked before a model sees it, and compared with the training images.

Shared by the server (a cheap look at the header, so that bad input never starts a predictor) and the
predictor (the full decode). PIL only, and never PIL's global limits: the server inspects data sets too.
"""

from __future__ import annotations

import io
import random
import warnings
from pathlib import Path

from PIL import Image, ImageStat

from jupyterlab_dlcoach.core.errors import BadInput, CoachError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 40 megapixels: more than a phone photo; a small file that claims more is a decompression bomb.
MAX_PIXELS = 40_000_000
# Reference statistics of a training set come from this many of its images, spread over the folder.
SAMPLE_SIZE = 48
IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})


class TooLarge(CoachError):
    status = 413


def too_large(size: int) -> TooLarge:
    return TooLarge(
        f"The picture is {size / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. "
        "Send a smaller copy: the model shrinks every picture to its training size anyway.",
        field="image",
    )


def _not_an_image(why: str) -> BadInput:
    return BadInput(
        f"This file is not a picture the model can read ({why}). Send a PNG, JPEG, GIF, BMP or WebP image.",
        field="image",
    )


def _open(data: bytes) -> Image.Image:
    """The image's header, read without decoding its pixels; refuses what is not an image or too big."""
    if not data:
        raise BadInput("The picture is empty (0 bytes). Pick an image file.", field="image")
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large(len(data))
    try:
        with warnings.catch_warnings():
            # PIL warns, then raises, past its own global limit; ours is lower and checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as e:
        raise _bomb() from e
    except (OSError, ValueError, SyntaxError) as e:
        raise _not_an_image("its contents are not a known image format") from e
    if img.width * img.height > MAX_PIXELS:
        raise _bomb(img.width, img.height)
    return img


def _bomb(w: int | None = None, h: int | None = None) -> BadInput:
    size = f" ({w} x {h} pixels)" if w else ""
    return BadInput(
        f"This picture claims to be enormous{size}, far more than its file size suggests; opening it could "
        f"exhaust the memory (a 'decompression bomb'). Pictures up to {MAX_PIXELS // 1_000_000} megapixels "
        "are accepted.",
        field="image",
    )


def sniff(data: bytes) -> dict:
    """Width, height and format from the header alone; raises BadInput/TooLarge for bad input."""
    img = _open(data)
    return {"width": img.width, "height": img.height, "format": img.format}


def decode(data: bytes) -> Image.Image:
    """The whole picture as RGB (the first frame of an animation); raises BadInput for bad input."""
    img = _open(data)
    try:
        img.load()
    except Image.DecompressionBombError as e:
        raise _bomb(img.width, img.height) from e
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise _not_an_image(f"it is cut short or damaged: {e}") from e
    return img.convert("RGB")


def stats(img: Image.Image) -> dict:
    """Size, colourfulness (mean saturation, 0-255) and brightness (mean luminance, 0-255)."""
    small = img.convert("RGB")
    small.thumbnail((64, 64))
    saturation = ImageStat.Stat(small.convert("HSV")).mean[1]
    brightness = ImageStat.Stat(small.convert("L")).mean[0]
    return {"width": img.width, "height": img.height, "colour": saturation, "brightness": brightness}


def reference(folder: Path, sample: int = SAMPLE_SIZE, seed: int = 0) -> dict | None:
    """Statistics of a spread sample of a training folder's images; None when none can be read."""
    files = sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTS and not p.name.startswith(".")
    )
    if len(files) > sample:
        files = random.Random(seed).sample(files, sample)  # noqa: S311 (a repeatable spread, not a secret)
    seen = []
    for path in files:
        try:
            with Image.open(path) as img:
                if img.width * img.height <= MAX_PIXELS:
                    seen.append(stats(img))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            continue
    if not seen:
        return None

    def span(key):
        values = sorted(s[key] for s in seen)
        return [values[0], values[len(values) // 2], values[-1]]

    return {"images": len(seen), **{k: span(k) for k in ("width", "height", "colour", "brightness")}}


# Below this mean saturation a picture reads as grey (scanned digits are 0; photos are mostly > 40).
GREY = 12.0
# Sides this many times larger or smaller than every training image's count as very different.
SIZE_FACTOR = 4.0
# Brightness this far outside the training range (0-255) is a different kind of picture, e.g. dark
# digits on white paper for a model that saw light digits on black.
BRIGHTNESS_MARGIN = 60.0


def _words(ref: dict, mine: dict) -> tuple[list[str], list[str]]:
    """How the training pictures and this one look, as parallel lists of adjectives."""
    theirs, yours = [], []
    side, my_side = ref["width"][1], max(mine["width"], mine["height"])
    if my_side > SIZE_FACTOR * max(ref["width"][2], ref["height"][2]):
        theirs.append(f"small (about {ref['width'][1]}x{ref['height'][1]} pixels)")
        yours.append(f"large ({mine['width']}x{mine['height']})")
    elif my_side * SIZE_FACTOR < min(ref["width"][0], ref["height"][0]):
        theirs.append(f"larger (about {side}x{ref['height'][1]} pixels)")
        yours.append(f"tiny ({mine['width']}x{mine['height']})")
    if ref["colour"][2] < GREY and mine["colour"] >= GREY:
        theirs.append("grey")
        yours.append("in colour")
    elif ref["colour"][0] >= GREY and mine["colour"] < GREY:
        theirs.append("in colour")
        yours.append("grey")
    if mine["brightness"] > ref["brightness"][2] + BRIGHTNESS_MARGIN:
        theirs.append("dark")
        yours.append("much brighter")
    elif mine["brightness"] < ref["brightness"][0] - BRIGHTNESS_MARGIN:
        theirs.append("bright")
        yours.append("much darker")
    return theirs, yours


def unlike_training(ref: dict | None, mine: dict) -> str | None:
    """A plain-words note when this picture looks very unlike the training images, else None."""
    if not ref:
        return None
    theirs, yours = _words(ref, mine)
    if not theirs:
        return None
    return (
        f"This model learnt from pictures that are {_join(theirs)}; yours is {_join(yours)}. A model only "
        "knows what it was shown, so this answer means little: try a picture like the training ones."
    )


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
