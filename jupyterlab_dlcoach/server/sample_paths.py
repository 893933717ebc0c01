"""Where `POST samples` may write a sample data set, and writing it so that a failure leaves nothing.

A path is checked before anything is made: inside the root, through no hidden part, link out or file,
no longer than a file system allows (each name at most 255 bytes, the whole path at most
``MAX_PATH_BYTES``, at most ``MAX_DEPTH`` folders). New folders that a failed write made are removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.core.errors import BadInput
from jupyterlab_dlcoach.core.paths import confine, parts_of

MAX_DEPTH = 32
MAX_NAME_BYTES = 255
# Well under Linux's PATH_MAX (4096), so the sample's class folders and files still fit below it.
MAX_PATH_BYTES = 1024


def excerpt(text: str, n: int = 60) -> str:
    """A user's input quoted in a message: at most `n` characters of it."""
    return repr(text if len(text) <= n else text[:n] + "…")


def sample_options(body: dict) -> dict:
    """Check the types of a samples request; ``write_sample`` checks the ranges."""
    hints = {
        "name": "one of " + ", ".join(samples.SAMPLES),
        "path": 'a new folder under the folder JupyterLab was started in, e.g. "digits"',
    }
    for key, hint in hints.items():
        if not isinstance(body.get(key), str) or not body[key]:
            raise BadInput(f"'{key}' is required: {hint}.", field=key)
    allowed = {"name", "path", "per_class", "image_size", "seed"}
    for key, value in body.items():
        if key not in allowed:
            shown = excerpt(key, 40)
            raise BadInput(
                f"Unknown field {shown}; allowed are {', '.join(sorted(allowed))}.", field=key[:100]
            )
        whole = isinstance(value, int) and not isinstance(value, bool)
        if key in ("per_class", "image_size", "seed") and not (whole and 0 <= value < 2**32):
            raise BadInput(f"'{key}' must be a whole number from 0 to 4294967295.", field=key)
    return dict(body)


def _bad(rel: str, why: str) -> BadInput:
    return BadInput(f"'path' {excerpt(rel)} cannot be used: {why}.", field="path")


def sample_destination(root: str, rel: str) -> tuple[Path, Path | None]:
    """(the sample's folder, the highest folder that writing it will create, or None if it exists).

    The same rules as every path (``core.paths``: 403 for absolute, ``..`` and hidden parts; 400 for
    a backslash or a NUL). The folder (and folders above it) may not exist yet: the nearest existing
    ancestor is confined by ``confine``, and the new names below it are plain visible names.
    """
    parts = parts_of(rel)
    if not parts:
        raise _bad(rel, 'name a folder relative to the server root, e.g. "shapes"')
    if len(parts) > MAX_DEPTH:
        raise _bad(rel, f"it is {len(parts)} folders deep; use at most {MAX_DEPTH}")
    if any(len(p.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for p in parts):
        raise _bad(rel, f"a folder name is longer than {MAX_NAME_BYTES} bytes; use shorter names")
    base = Path(root).resolve()
    if len(str(base.joinpath(*parts)).encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise _bad(rel, f"the whole path is longer than {MAX_PATH_BYTES} bytes; use a shorter path")
    try:
        for depth in range(len(parts), -1, -1):
            here = base.joinpath(*parts[:depth])
            if depth == 0 or here.exists() or here.is_symlink():
                break
    except (OSError, ValueError) as e:
        raise _bad(rel, getattr(e, "strerror", None) or str(e)) from e
    existing = confine("/".join(parts[:depth]), root) if depth else base
    if depth < len(parts) and not existing.is_dir():
        raise _bad(rel, f"'{parts[depth - 1][:60]}' is a file, not a folder; pick a folder path")
    new_top = existing / parts[depth] if depth < len(parts) else None
    return existing.joinpath(*parts[depth:]), new_top


def write_or_undo(dest: Path, new_top: Path | None, **options) -> Path:
    """Write the sample; if writing fails, remove the folders this call created, and say why."""
    try:
        return samples.write_sample(dest, **options)
    except Exception as e:
        if new_top is not None:
            shutil.rmtree(new_top, ignore_errors=True)
        if not isinstance(e, OSError):
            raise
        raise BadInput(
            f"The sample cannot be written to 'path': {e.strerror or e}. Pick another folder.", field="path"
        ) from e
