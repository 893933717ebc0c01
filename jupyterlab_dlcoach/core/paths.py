"""Confining a user's path to the server root: no absolute path, no '..', nothing hidden, no link out.

The one place these rules live: data set folders, a labels CSV and its rows, sample destinations and
every route that takes a path go through :func:`confine` (or :func:`within` for a path already found
on disk). Hidden means hidden where the path really leads, not only as it is written: a link inside the
root to `.hidden/ds` is refused like `.hidden/ds` itself.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from jupyterlab_dlcoach.core.errors import BadInput, Forbidden, NotFound


def quote(text: str, n: int = 80) -> str:
    """A user's input in a message: at most `n` characters of it."""
    return repr(text if len(text) <= n else text[:n] + "…")


def _bad_path(rel, why: str, field: str) -> BadInput:
    return BadInput(f"'{field}' {quote(rel)} cannot be used: {why}.", field=field)


def within(real: Path, base: Path) -> bool:
    """True if `real` (resolved) lies under `base` (resolved) and goes through no hidden name below it."""
    if real != base and base not in real.parents:
        return False
    return not any(part.startswith(".") for part in real.relative_to(base).parts)


def parts_of(rel, field: str = "path") -> tuple[str, ...]:
    """The folder names of `rel`, refused as written when it is absolute, climbs with '..' or is hidden."""
    if not isinstance(rel, str) or not rel.strip() or "\x00" in rel:
        raise BadInput(
            f"'{field}' must be a path relative to the server root, e.g. \"data/shapes\".", field=field
        )
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).is_absolute() or PureWindowsPath(rel).drive:
        raise Forbidden(
            f"'{field}' must be relative to the server root, not absolute (got {quote(rel)}).", field=field
        )
    if "\\" in rel:
        raise BadInput(f"'{field}' must separate folders with '/', not '\\' (got {quote(rel)}).", field=field)
    parts = tuple(p for p in rel.split("/") if p not in ("", "."))
    if ".." in parts:
        raise Forbidden(
            f"'{field}' may not use '..' to leave the server root (got {quote(rel)}).", field=field
        )
    if any(p.startswith(".") for p in parts):
        raise Forbidden(
            f"'{field}' may not go through hidden files or folders (got {quote(rel)}).", field=field
        )
    return parts


def confine(rel, root: str | os.PathLike, *, field: str = "path") -> Path:
    """The existing path `rel` under `root`, resolved; anything that would leave the root or reach
    hidden files is refused with an error naming `field` (400 malformed, 403 refused, 404 missing)."""
    parts = parts_of(rel, field)
    base = Path(root).resolve()
    try:
        real = base.joinpath(*parts).resolve()
        exists = real.exists()
    except RuntimeError as e:  # a symlink loop (Python < 3.13)
        raise _bad_path(rel, "it is a loop of symbolic links", field) from e
    except (OSError, ValueError) as e:  # ENAMETOOLONG, ELOOP, an embedded NUL
        raise _bad_path(rel, getattr(e, "strerror", None) or str(e), field) from e
    if real != base and base not in real.parents:
        raise Forbidden(
            f"'{field}' {quote(rel)} leads outside the server root through a link; use a real folder.",
            field=field,
        )
    if not within(real, base):
        raise Forbidden(
            f"'{field}' {quote(rel)} leads to a hidden file or folder through a link; use a visible folder.",
            field=field,
        )
    if not exists:
        raise NotFound(f"There is no {quote(rel)} under the server root; check the spelling.", field=field)
    return real
