"""Confining a user's path to the server root: no absolute path, no '..', nothing hidden, no link out.

Hidden means hidden where the path really leads, not only as it is written: a link inside the root to
`.hidden/ds` is refused like `.hidden/ds` itself.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from jupyterlab_dlcoach.core.errors import BadInput, Forbidden, NotFound


def _bad_path(rel, why: str) -> BadInput:
    return BadInput(f"'path' {_quote(rel)} cannot be used: {why}.", field="path")


def _quote(text: str, n: int = 80) -> str:
    """A user's input in a message: at most `n` characters of it."""
    return repr(text if len(text) <= n else text[:n] + "…")


def _hidden_below(real: Path, base: Path) -> bool:
    """True if `real` (resolved, under `base`) goes through a hidden name below `base`: a link inside
    the root that points to `.hidden/ds` is as hidden as the path `.hidden/ds` itself."""
    return any(part.startswith(".") for part in real.relative_to(base).parts)


def resolve(root: str | os.PathLike, rel: str) -> Path:
    """The path `rel` under `root`, refusing anything that would leave the root or reach hidden files."""
    if not isinstance(rel, str) or not rel.strip() or "\x00" in rel:
        raise BadInput(
            "'path' must be a folder path relative to the server root, e.g. \"data/shapes\".", field="path"
        )
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).is_absolute() or PureWindowsPath(rel).drive:
        raise Forbidden(
            f"'path' must be relative to the server root, not absolute (got {rel!r}).", field="path"
        )
    if "\\" in rel:
        raise BadInput(f"'path' must separate folders with '/', not '\\' (got {rel!r}).", field="path")
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise Forbidden(f"'path' may not use '..' to leave the server root (got {rel!r}).", field="path")
    if any(p.startswith(".") for p in parts):
        raise Forbidden(f"'path' may not go through hidden files or folders (got {rel!r}).", field="path")
    base = Path(root).resolve()
    target = base.joinpath(*parts)
    try:
        real = target.resolve()
        exists = real.exists()
    except RuntimeError as e:  # a symlink loop (Python < 3.13)
        raise _bad_path(rel, "it is a loop of symbolic links") from e
    except (OSError, ValueError) as e:  # ENAMETOOLONG, ELOOP, an embedded NUL
        raise _bad_path(rel, getattr(e, "strerror", None) or str(e)) from e
    if real != base and base not in real.parents:
        raise Forbidden(
            f"'path' {_quote(rel)} leads outside the server root through a link; use a real folder.",
            field="path",
        )
    if _hidden_below(real, base):
        raise Forbidden(
            f"'path' {_quote(rel)} leads to a hidden file or folder through a link; use a visible folder.",
            field="path",
        )
    if not exists:
        raise NotFound(f"There is no {_quote(rel)} under the server root; check the spelling.", field="path")
    return real
