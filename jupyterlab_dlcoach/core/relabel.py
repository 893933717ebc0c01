"""Fixing a wrong label in a folder-per-class data set: move the image to its right class folder, or
set it aside in `<data set>-removed/` (outside the data set, so it no longer trains), and undo either.

Every path is confined to the server root (paths.confine) and to the data set; nothing is ever
overwritten: a name taken in the target folder gets a numbered name, and an undo whose place is taken
again is refused. PIL-free and torch-free: the server calls it directly.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from jupyterlab_dlcoach.core.errors import BadInput, Conflict, NotFound
from jupyterlab_dlcoach.core.paths import confine

IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
REMOVED_SUFFIX = "-removed"
MAX_NUMBERED = 1000


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _classes(ds: Path) -> list[str]:
    return sorted(
        d.name for d in ds.iterdir() if not d.name.startswith(".") and stat.S_ISDIR(os.lstat(d).st_mode)
    )


def _removed_folder(ds: Path, root: Path) -> Path:
    if ds == root:
        raise BadInput(
            "The data set is the server root itself, so there is no place beside it for removed images. "
            "Put the class folders in a folder of their own, or delete the file yourself.",
            field="to",
        )
    return ds.parent / (ds.name + REMOVED_SUFFIX)


def _check_labels(labels) -> None:
    if labels is None:
        return
    source = labels.get("from", "folder") if isinstance(labels, dict) else None
    if not isinstance(source, str):
        raise BadInput(
            '\'labels\' must be an object such as {"from": "folder"} (the data set\'s labels).',
            field="labels",
        )
    if source == "folder":
        return
    where = {"csv": "a CSV file", "filename": "the file names"}.get(source, "somewhere else")
    raise BadInput(
        "Fixing a label here moves the image to another class folder, so it works only for data sets "
        f"with one folder per class. This data set's labels come from {where}: correct the label there.",
        field="labels",
    )


def _existing_image(root: Path, rel, field: str) -> Path:
    """The regular image file at `rel` (not a link); a missing one is a conflict: it was moved already."""
    try:
        real = confine(rel, root, field=field)
    except NotFound as e:
        raise Conflict(
            f"'{rel}' is no longer there: it was moved or deleted since the run listed it "
            "(perhaps it was relabelled already). Reload the run view to see the data set as it is now.",
            field=field,
        ) from e
    literal = root.joinpath(*[p for p in rel.split("/") if p not in ("", ".")])
    if not stat.S_ISREG(os.lstat(literal).st_mode):
        raise BadInput(
            f"'{field}' must be an image file; '{rel}' is a folder or a link. Move links by hand.",
            field=field,
        )
    if real.suffix.lower() not in IMAGE_EXTS:
        raise BadInput(f"'{field}' must be an image ('{rel}' is not one).", field=field)
    return real


def _plain_folder(folder: Path) -> bool:
    """True if `folder` is a real folder reached through no link (its resolved path is itself)."""
    try:
        return stat.S_ISDIR(os.lstat(folder).st_mode) and folder.resolve() == folder
    except OSError:
        return False


def _move_no_overwrite(src: Path, dest: Path) -> None:
    """Move `src` to `dest`, failing with FileExistsError rather than replacing anything at `dest`.

    A hard link fails atomically if the name is taken; where links are unsupported, a checked rename.
    """
    try:
        os.link(src, dest, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if os.path.lexists(dest):
            raise FileExistsError(errno.EEXIST, "exists", str(dest)) from e
        os.rename(src, dest)
        return
    os.unlink(src)


def _move_to_free_name(src: Path, folder: Path) -> Path:
    stem, suffix = src.stem, src.suffix
    for n in range(MAX_NUMBERED):
        dest = folder / (src.name if n == 0 else f"{stem}-{n}{suffix}")
        try:
            _move_no_overwrite(src, dest)
            return dest
        except FileExistsError:
            continue
    raise Conflict(f"The folder '{folder.name}' holds too many files named like '{src.name}'.", field="to")


def relabel(root, dataset, path, to, labels=None) -> dict:
    """Move the image `path` (root-relative, inside `dataset`) into class folder `to`, or, with
    `to` None, into `<dataset>-removed/<its class>/`. Returns the record, with the `undo` body."""
    _check_labels(labels)
    root = Path(root).resolve()
    ds = confine(dataset, root, field="dataset")
    if not ds.is_dir():
        raise BadInput(f"'dataset' must be a data set folder; '{dataset}' is a file.", field="dataset")
    src = _existing_image(root, path, "path")
    if ds not in src.parents or src.parent == ds:
        raise BadInput(
            f"'path' must be an image inside a class folder of the data set '{dataset}' ('{path}' is not).",
            field="path",
        )
    if to is None:
        removed = _removed_folder(ds, root)
        if os.path.lexists(removed) and not _plain_folder(removed):
            raise Conflict(
                f"'{_rel(removed, root)}' exists but is not a plain folder; rename it so removed images "
                "have a place to go.",
                field="to",
            )
        folder = removed.joinpath(*src.parent.relative_to(ds).parts)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:  # a file or a dangling link where the folder should be
            raise Conflict(
                f"'{_rel(folder, root)}' cannot be made a folder ({e.strerror}); rename what is there so "
                "removed images have a place to go.",
                field="to",
            ) from e
        if not _plain_folder(folder):
            raise Conflict(f"'{_rel(folder, root)}' goes through a link; remove the link.", field="to")
    else:
        classes = _classes(ds)
        if not isinstance(to, str) or to not in classes:
            shown = repr(to) if not isinstance(to, str) else f"'{to[:80]}'"
            raise BadInput(
                f"'to' must be one of the data set's classes ({', '.join(classes)}); there is no class "
                f"{shown}. Send null to set the image aside instead.",
                field="to",
            )
        folder = ds / to
        if not _plain_folder(folder):
            raise BadInput(f"The class folder '{to}' is a link; move the image by hand.", field="to")
        if src.parent == folder:
            raise BadInput(f"'{path}' is already in class '{to}'; pick another class.", field="to")
    dest = _move_to_free_name(src, folder)
    moved_to = _rel(dest, root)
    return {
        "dataset": dataset,
        "path": _rel(src, root),
        "moved_to": moved_to,
        "to": to,
        "renamed": dest.name != src.name,
        "undo": {"dataset": dataset, "path": moved_to, "back_to": _rel(src, root)},
    }


def undo(root, dataset, path, back_to) -> dict:
    """Put the image at `path` (moved by `relabel`) back at `back_to`; never over another file."""
    root = Path(root).resolve()
    ds = confine(dataset, root, field="dataset")
    src = _existing_image(root, path, "path")
    removed = ds.parent / (ds.name + REMOVED_SUFFIX)
    if not (ds in src.parents or (ds != root and removed in src.parents)):
        raise BadInput(
            f"'path' must lie in the data set '{dataset}' or its removed-images folder.", field="path"
        )
    if not isinstance(back_to, str) or "/" not in back_to.strip("/"):
        raise BadInput(
            "'back_to' must be the image's old path, relative to the server root.", field="back_to"
        )
    parent_rel, name = back_to.rstrip("/").rsplit("/", 1)
    try:
        parent = confine(parent_rel, root, field="back_to")
    except NotFound as e:
        raise Conflict(
            f"The folder '{parent_rel}' no longer exists, so the image cannot go back there.", field="back_to"
        ) from e
    if ds not in parent.parents or not parent.is_dir():
        raise BadInput(f"'back_to' must be a place inside the data set '{dataset}'.", field="back_to")
    if (
        name.startswith(".")
        or name in ("", "..")
        or "\x00" in name
        or len(name.encode("utf-8", "surrogatepass")) > 255
        or Path(name).suffix.lower() not in IMAGE_EXTS
    ):
        raise BadInput(
            "'back_to' must end in a visible image file name (255 bytes at most).", field="back_to"
        )
    dest = parent / name
    try:
        _move_no_overwrite(src, dest)
    except FileExistsError as e:
        raise Conflict(
            f"Another file now lies at '{back_to}'; undoing would overwrite it. Move that file first.",
            field="back_to",
        ) from e
    except (OSError, ValueError) as e:
        raise Conflict(
            f"The image cannot go back to '{back_to[:200]}' ({getattr(e, 'strerror', None) or e}).",
            field="back_to",
        ) from e
    return {"dataset": dataset, "path": _rel(dest, root), "restored_from": _rel(src, root)}
