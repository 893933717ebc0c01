"""Opening the server's run store: a damaged store is moved aside and replaced, never a dark extension.

A store file can be truncated, overwritten with something else, or replaced by a folder. Then the
server still starts: the damaged file is renamed next to itself (``runs.sqlite.damaged-<time>``),
what can still be read from it is copied into a fresh store, and the problem is kept for the log and
for ``GET system`` (``store.problem``), so the panel says what happened and what to do.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from jupyterlab_dlcoach.core.store import RunStore

# A full integrity check reads every page; on a very large store only the cheap checks run at start.
QUICK_CHECK_MAX_BYTES = 256 * 2**20


# A store write-locked by another program is waited for (10 s each try), never taken for damaged.
LOCKED_TRIES = 3


class StoreDamaged(Exception):
    pass


def _locked(exc: BaseException | None) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def _check(store: RunStore) -> None:
    """Raise StoreDamaged if the store cannot be read as a run store."""
    conn = store._conn()
    try:
        conn.execute("SELECT version FROM schema_version").fetchall()
        conn.execute("SELECT COUNT(*) FROM runs").fetchone()
        conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()
        if store.path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise StoreDamaged(f"its integrity check failed ({str(verdict)[:200]})")
    except sqlite3.DatabaseError as e:
        raise StoreDamaged(str(e)) from e


def _why(path: Path, exc: BaseException) -> str:
    if path.is_dir():
        return "it is a folder, not a file"
    if _locked(exc):
        return "another program kept it locked for more than 30 seconds"
    text = str(exc) or type(exc).__name__
    if "not a database" in text:
        return "it is not a SQLite database (overwritten, or not a store at all)"
    if "malformed" in text or "integrity" in text:
        return f"it is damaged or cut short ({text[:200]})"
    return text[:200]


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            with contextlib.suppress(OSError):
                os.replace(side, target.with_name(target.name + suffix))
    return target


def _salvage(damaged: Path, fresh: RunStore) -> dict:
    """Copy the runs and events that can still be read from the damaged file; returns the counts."""
    saved = {"runs": 0, "events": 0}
    if not damaged.is_file():
        return saved
    copy = Path(tempfile.mkdtemp(prefix="dlcoach-salvage-")) / "copy.sqlite"
    try:
        shutil.copyfile(damaged, copy)
        src = sqlite3.connect(copy, isolation_level=None)
        dst = fresh._conn()
        for table, key in (("runs", "runs"), ("events", "events")):
            try:
                rows = src.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
                cols = [d[0] for d in rows.description]
                marks = ", ".join("?" * len(cols))
                sql = f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) VALUES ({marks})"  # noqa: S608
                for row in rows:
                    dst.execute(sql, row)
                    saved[key] += 1
            except sqlite3.Error:
                continue  # what was read so far stays
        src.close()
    except (OSError, sqlite3.Error):
        pass
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)
    return saved


def open_store(path: str | os.PathLike, log: logging.Logger) -> tuple[RunStore, dict]:
    """(the store, its status for `GET system`: {"path", "problem": None | {...}})."""
    path = Path(path)
    first = None
    for _attempt in range(LOCKED_TRIES):
        store = None
        try:
            store = RunStore(path)
            _check(store)
            return store, {"path": str(path), "problem": None}
        except (sqlite3.Error, StoreDamaged, OSError) as exc:
            if store is not None:
                store.close()
            first = exc
        if not _locked(first):
            break
    why = _why(path, first)
    moved_to = None
    try:
        if _locked(first):
            # Busy, not damaged: another program holds it. Never move a healthy store aside.
            raise OSError(f"{path} stays locked")
        if path.exists() or path.is_symlink():
            moved_to = _move_aside(path)
        store = RunStore(path)
        used = path
    except (OSError, sqlite3.Error) as exc:
        # The place itself cannot be written: keep the coach usable on a store in a temporary folder.
        used = Path(tempfile.gettempdir()) / f"dlcoach-{os.getuid()}" / "runs.sqlite"
        store = RunStore(used)
        if not _locked(first):
            why += f"; no fresh store can be made there either ({getattr(exc, 'strerror', None) or exc})"
    salvaged = _salvage(moved_to, store) if moved_to else {"runs": 0, "events": 0}
    if used != path:
        advice = (
            f"The coach records into a temporary store at {used} for now, so you can go on; those runs are "
            f"not in your usual history. Free or repair {path} (or set DLCOACH_DB to a file in a folder you "
            "can write to) and restart JupyterLab."
        )
    else:
        advice = f"The coach started a fresh, empty store at {used}"
        if salvaged["runs"]:
            advice += f" and copied into it the {salvaged['runs']} runs that could still be read"
        advice += ". "
        if moved_to:
            advice += f"The damaged file was moved to {moved_to}: keep it to try to repair it, or delete it. "
        advice += "Nothing else needs doing; new runs are recorded as usual."
    problem = {
        "message": f"The coach's run store {path} could not be used: {why}.",
        "advice": advice,
        "moved_to": None if moved_to is None else str(moved_to),
        "salvaged": salvaged,
    }
    log.error("dlcoach: %s %s", problem["message"], advice)
    return store, {"path": str(used), "problem": problem}
