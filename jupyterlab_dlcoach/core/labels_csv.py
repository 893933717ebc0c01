"""Labels from a CSV file in the data set folder: only a regular file is read, only files inside are used."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

from jupyterlab_dlcoach.core.errors import CoachError, Forbidden
from jupyterlab_dlcoach.core.paths import confine

# A labels CSV larger than this is refused instead of read into memory.
MAX_CSV_BYTES = 50 * 2**20


def _problem(kind: str, message: str, advice: str, severity: str = "error") -> dict:
    return {"kind": kind, "message": message, "advice": advice, "severity": severity}


def by_csv(folder: Path, labels: dict):
    def invalid(message, advice):
        return [], [_problem("csv_invalid", message, advice)]

    try:
        csv_path = confine(labels["file"], folder, field="labels.file")
    except CoachError as e:
        return invalid(
            f"The labels CSV '{labels['file']}' cannot be used: {e.message}",
            "Set labels.file to a CSV file inside the data set folder.",
        )
    try:
        with _open_regular(csv_path) as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            rows = list(reader)
    except _NotRegular as e:
        return invalid(f"The labels CSV cannot be used: {e}.", "Set labels.file to a plain CSV file.")
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        return invalid(
            f"The labels CSV cannot be read: {e}.", "Save it as a UTF-8 CSV file with a header row."
        )
    column = labels["column"]
    if column not in header:
        return invalid(
            f"The labels CSV has no column '{column}'; its columns are: {', '.join(header) or 'none'}.",
            "Set labels.column to the column that holds each image's class.",
        )
    fn_column = labels.get("fn_column") or next((h for h in header if h != column), None)
    if fn_column not in header:
        return invalid(
            f"The labels CSV has no file-name column '{fn_column}'.",
            "Set labels.fn_column to the column that holds each image's file name.",
        )
    items, missing, outside = [], 0, 0
    for row in rows:
        name, label = (row.get(fn_column) or "").strip(), (row.get(column) or "").strip()
        if not name or not label:
            missing += 1
            continue
        path = _csv_path(folder, name)
        if path is None:
            outside += 1
        elif path is False:
            missing += 1
        else:
            items.append((path, label))
    problems = []
    if outside:
        problems.append(
            _problem(
                "csv_bad_paths",
                f"{outside} rows of the CSV name a file outside the data set folder (an absolute path, "
                "'..', a hidden folder or a link leading out); they are left out.",
                f"Make '{fn_column}' hold paths relative to the data set folder, such as 'cats/1.png'.",
                "warning",
            )
        )
    if missing:
        problems.append(
            _problem(
                "csv_missing_files",
                f"{missing} rows of the CSV name no existing image or have no label; they are left out.",
                f"Check that '{fn_column}' holds paths relative to the data set folder.",
                "warning",
            )
        )
    return items, problems


class _NotRegular(Exception):
    pass


def _open_regular(path: Path):
    """Open `path` for reading only if it is a regular file of a sane size. Non-blocking, so a FIFO or
    a device named as a CSV never blocks a thread: it is refused before anything is read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular(f"'{path.name}' is not a regular file (a pipe, a device or a socket)")
        if info.st_size > MAX_CSV_BYTES:
            raise _NotRegular(f"'{path.name}' is larger than {MAX_CSV_BYTES // 2**20} MB")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "r", newline="", encoding="utf-8-sig")
    except BaseException:
        os.close(fd)
        raise


def _csv_path(folder: Path, name: str) -> Path | bool | None:
    """A CSV row's file, resolved inside `folder`; None if it would leave it, False if it is no file."""
    if "\x00" in name or "\\" in name:
        return None  # malformed rather than missing: a row written for another system
    try:
        real = confine(name, folder, field="labels.file")
    except Forbidden:
        return None
    except CoachError:
        return False
    try:
        return real if stat.S_ISREG(os.stat(real).st_mode) else False
    except (OSError, ValueError):
        return False
