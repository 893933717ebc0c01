"""Image data sets under the server root: labelling and inspecting a folder before training.

The trainer labels images with `labelled_items`, the very function `inspect` reports on, so what the
panel shows before training is what the model is trained on. PIL only: no torch here.
"""

from __future__ import annotations

import os
import stat
import time
from collections import Counter
from pathlib import Path

import regex
from PIL import Image

from jupyterlab_dlcoach.core.errors import BadInput
from jupyterlab_dlcoach.core.labels_csv import by_csv
from jupyterlab_dlcoach.core.paths import confine, within

__all__ = ["check_trainable", "confine", "inspect", "labelled_items", "prepare", "unreadable"]

IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
# Opening every picture of a large folder would make inspection slow; beyond this, a spread sample.
VERIFY_CAP = 2000
# A user's labels.pattern runs in the server: the `regex` module's timeout stops a catastrophic pattern
# (e.g. ^(a+)+$) on one name, the budget stops a slow one over many names, and it releases the GIL.
PATTERN_TIMEOUT_S = 0.05
PATTERN_BUDGET_S = 2.0
# Longer names are cut to this many characters before matching (file systems allow 255 bytes).
MAX_NAME_CHARS = 255


def _problem(kind: str, message: str, advice: str, severity: str = "error") -> dict:
    return {"kind": kind, "message": message, "advice": advice, "severity": severity}


def _inside(path: Path, root: Path) -> Path | None:
    """`path` resolved, if it stays under `root` and is a regular file (no FIFO, device, link out).

    os.walk does not follow folder links, so a plain file it lists is inside; only links need resolving.
    """
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISREG(mode):
            return path
        if not stat.S_ISLNK(mode):
            return None
        real = path.resolve()
        if not within(real, root):
            return None
        return real if stat.S_ISREG(os.stat(real).st_mode) else None
    except (OSError, ValueError, RuntimeError):
        return None


def _image_files(folder: Path, root: Path | None = None) -> list[Path]:
    """The visible images under `folder`, leaving out links that lead outside `root` and non-files."""
    root = Path(root or folder).resolve()
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [
            Path(dirpath, f)
            for f in sorted(filenames)
            if not f.startswith(".")
            and Path(f).suffix.lower() in IMAGE_EXTS
            and _inside(Path(dirpath, f), root) is not None
        ]
    return found


def _by_folder(folder: Path, root: Path | None = None):
    items, problems = [], []
    files = _image_files(folder, root)
    loose = [f for f in files if f.parent == folder]
    items = [(f, f.parent.name) for f in files if f.parent != folder]
    if loose and not items:
        problems.append(
            _problem(
                "no_labels",
                f"The {len(loose)} images lie directly in this folder, so nothing says "
                "which class each one is.",
                "Put the images into one subfolder per class (e.g. cats/, dogs/), or label them from their "
                "file names (a regular expression) or from a CSV file.",
            )
        )
    elif loose:
        problems.append(
            _problem(
                "unlabelled_images",
                f"{len(loose)} images lie directly in the folder, outside any class folder; "
                "they are left out.",
                "Move them into the folder of their class.",
                "warning",
            )
        )
    with_images = {f.relative_to(folder).parts[0] for f, _ in items}
    for d in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if d.name not in with_images:
            problems.append(
                _problem(
                    "empty_class",
                    f"The class folder '{d.name}' holds no images; that class cannot be learned.",
                    f"Add pictures to '{d.name}' or remove the folder.",
                    "warning",
                )
            )
    return items, problems


def _too_slow(pattern: str) -> BadInput:
    return BadInput(
        f"The pattern {pattern!r} takes too long to match the file names (it backtracks a lot). "
        "Simplify labels.pattern: avoid nested repetition such as (a+)+.",
        field="labels.pattern",
    )


def _labels_from_names(files: list[Path], pattern: str) -> list[str | None]:
    """The label the pattern's group picks out of each file name (None where none), within a time budget."""
    try:
        compiled = regex.compile(pattern)
    except (regex.error, TypeError, ValueError, OverflowError, RecursionError) as e:
        raise BadInput(
            f"'labels.pattern' is not a valid regular expression: {e}.", field="labels.pattern"
        ) from e
    deadline = time.monotonic() + PATTERN_BUDGET_S
    labels = []
    for f in files:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _too_slow(pattern)
        try:
            m = compiled.search(
                f.name[:MAX_NAME_CHARS], concurrent=True, timeout=min(PATTERN_TIMEOUT_S, left)
            )
            label = m.group(1) if m and m.groups() else None
        except TimeoutError as e:
            raise _too_slow(pattern) from e
        except IndexError:
            label = None
        labels.append(label or None)
    return labels


def _by_filename(folder: Path, pattern: str, root: Path | None = None):
    files = _image_files(folder, root)
    found = _labels_from_names(files, pattern)
    items = [(f, label) for f, label in zip(files, found, strict=True) if label]
    problems = []
    if files and not items:
        problems.append(
            _problem(
                "regex_no_match",
                f"The pattern {pattern!r} matches none of the {len(files)} file names "
                f"(e.g. '{files[0].name}').",
                "Change labels.pattern so its capture group (…) picks the label out of names like that one.",
            )
        )
    elif len(items) < len(files):
        missed = next(f for f, label in zip(files, found, strict=True) if not label)
        problems.append(
            _problem(
                "regex_partial",
                f"The pattern matches {len(items)} of {len(files)} file names; the rest "
                f"(e.g. '{missed.name}') are "
                "left out.",
                "Widen labels.pattern if those images should be used.",
                "warning",
            )
        )
    return items, problems


def labelled_items(
    folder: Path, labels: dict | None, root: str | os.PathLike | None = None
) -> tuple[str, list[tuple[Path, str]], list[dict]]:
    """(layout, [(image path, label)], problems) for a data set folder and a labels spec.

    Images must stay under `root` (the server root; the folder itself when not given).
    """
    folder = Path(folder).resolve()
    root = Path(root).resolve() if root is not None else folder
    source = (labels or {"from": "folder"})["from"]
    if source == "filename":
        items, problems = _by_filename(folder, labels["pattern"], root)
        return "filename", items, problems
    if source == "csv":
        items, problems = by_csv(folder, labels)
        return "csv", items, problems
    items, problems = _by_folder(folder, root)
    return ("unknown" if any(p["kind"] == "no_labels" for p in problems) else "folders"), items, problems


def unreadable(paths: list[Path], cap: int | None = VERIFY_CAP) -> tuple[list[Path], int]:
    """Images PIL cannot verify among `paths` (all, or an evenly spread `cap`), and how many were checked."""
    chosen = paths if cap is None or len(paths) <= cap else [paths[i * len(paths) // cap] for i in range(cap)]
    bad = []
    for p in chosen:
        try:
            with Image.open(p) as im:
                im.verify()
        except Exception:  # PIL raises many kinds for broken files; all mean the same here
            bad.append(p)
    return bad, len(chosen)


def _report(
    rel: str, folder: Path, labels: dict | None, verify_cap: int | None, root=None
) -> tuple[dict, list]:
    layout, items, problems = labelled_items(folder, labels, root)
    counts = Counter(label for _, label in items)
    if not items and not any(p["severity"] == "error" for p in problems):
        problems.append(
            _problem(
                "empty_dataset",
                "No images were found in this folder (looked for .jpg, .jpeg, .png, "
                ".bmp, .gif, .webp, .tif).",
                "Pick the folder that holds your pictures, or generate the sample data set.",
            )
        )
    elif len(counts) == 1:
        problems.append(
            _problem(
                "one_class",
                f"All {len(items)} images have the same label '{next(iter(counts))}'; a classifier "
                "needs at least "
                "two classes to tell apart.",
                "Add a folder (or label) for at least one more class.",
            )
        )
    if items:
        bad, checked = unreadable([p for p, _ in items], verify_cap)
        if bad:
            names = ", ".join(os.path.relpath(p, folder) for p in bad[:5])
            sample = "" if checked == len(items) else f" (of {checked} checked out of {len(items)})"
            problems.append(
                _problem(
                    "unreadable_images",
                    f"{len(bad)} images cannot be opened{sample}: {names}{' …' if len(bad) > 5 else ''}.",
                    "Delete or replace these files; they are damaged or not really images.",
                )
            )
    report = {
        "path": rel,
        "layout": layout,
        "classes": [{"name": k, "count": counts[k]} for k in sorted(counts)],
        "images": len(items),
        "problems": problems,
    }
    return report, items


def inspect(
    root: str | os.PathLike, rel: str, labels: dict | None = None, *, verify_cap: int | None = VERIFY_CAP
) -> dict:
    """What a data set folder holds and what would stop or spoil training on it."""
    folder = confine(rel, root)
    if not folder.is_dir():
        raise BadInput(f"'path' must be a folder of images; '{rel}' is a file.", field="path")
    return _report(rel, folder, labels, verify_cap, root)[0]


def prepare(
    root: str | os.PathLike, rel: str, labels: dict | None = None
) -> tuple[dict, list[tuple[Path, str]]]:
    """For the trainer: the full report (every image verified) and the labelled items to train on."""
    folder = confine(rel, root, field="dataset")
    if not folder.is_dir():
        raise BadInput(f"'dataset' must be a folder of images; '{rel}' is a file.", field="dataset")
    return _report(rel, folder, labels, None, root)


def check_trainable(report: dict) -> dict | None:
    """The first problem that makes training impossible, as an error {kind, message, advice}, or None."""
    for p in report["problems"]:
        if p["severity"] == "error":
            kind = "empty_dataset" if p["kind"] == "no_labels" else p["kind"]
            return {"kind": kind, "message": p["message"], "advice": p["advice"]}
    return None
