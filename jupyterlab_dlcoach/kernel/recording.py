"""The callback's side of the run store: writes that can never stop a learner's training.

A notebook's store can be unwritable (a read-only place, a file where a folder should be, a damaged
file) or write-locked by another process for a while. Training matters more than its record, so
:class:`StoreWriter` keeps every write that failed, says once (a Python warning, and a note for the
in-cell view) that the run is not being recorded and why, and tries again later: when the store comes
back, the kept writes land in their order and the run's record is whole again.

Waiting on a lock costs training time, so a writer waits at most ``BUSY_S`` per attempt, and attempts
are spaced out (``RETRY_S``, doubling up to ``RETRY_MAX_S``) while the store stays unusable.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from jupyterlab_dlcoach.core.store import RunStore

BUSY_S = 1.0
RETRY_S = 2.0
RETRY_MAX_S = 30.0
# Failed writes kept for later; beyond this, the per-batch points are dropped (epochs and states stay).
MAX_PENDING = 20_000


class NotRecordedWarning(UserWarning):
    """This run is not being written to the coach's run store (training goes on)."""


def describe(exc: BaseException, path) -> str:
    """Why the store cannot be written, in the learner's words."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return f"another program is writing to the run store {path} and holds its lock"
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
        return f"the run store {path} is damaged (it is not a SQLite database)"
    if isinstance(exc, (FileExistsError, NotADirectoryError)) and Path(exc.filename or "").is_file():
        return f"the run store {path} cannot be made: {exc.filename} is a file, where a folder should be"
    if isinstance(exc, OSError) and exc.filename:
        return f"the run store {path} cannot be created or opened ({exc.strerror or text}: {exc.filename})"
    if Path(path).is_dir():
        return f"the run store {path} is a folder, not a file"
    return f"the run store {path} cannot be written ({text[:200]})"


class StoreWriter:
    """Runs store writes in order; a write that fails is kept and tried again later, never raised."""

    def __init__(self, db_path: str | os.PathLike, on_problem: Callable[[str], None] | None = None):
        self.path = Path(db_path)
        self.problem: str | None = None  # why the run is not being recorded now; None while all is well
        self.dropped_batches = False
        self._on_problem = on_problem
        self._store: RunStore | None = None
        self._pending: list[tuple[str, tuple, dict]] = []
        self._next_try = 0.0
        self._delay = RETRY_S
        self._told = False

    @property
    def store(self) -> RunStore:
        if self._store is None:
            self._store = RunStore(self.path, busy_timeout=BUSY_S)
        return self._store

    def write(self, method: str, *args, **kwargs) -> bool:
        """Queue ``store.<method>(*args, **kwargs)`` and write what is queued; True when all is written."""
        self._pending.append((method, args, kwargs))
        self._trim()
        return self.drain()

    def drain(self, force: bool = False) -> bool:
        """Write the kept writes, unless the last failure was too recent (``force`` tries anyway)."""
        if not self._pending:
            return True
        if self.problem is not None and not force and time.monotonic() < self._next_try:
            return False
        try:
            while self._pending:
                method, args, kwargs = self._pending[0]
                if method == "create_run" and self.store.get_run(kwargs["run_id"]) is not None:
                    pass  # created by an attempt whose answer was lost
                else:
                    getattr(self.store, method)(*args, **kwargs)
                self._pending.pop(0)
        except Exception as exc:  # recording must never stop training, whatever the store does
            self._failed(exc)
            return False
        if self.problem is not None:
            self.problem = None
            self._delay = RETRY_S
            warnings.warn(
                "The coach can write to its run store again: this run is recorded after all.",
                NotRecordedWarning,
                stacklevel=3,
            )
        return True

    def _failed(self, exc: BaseException) -> None:
        if self._store is not None:
            # A handle opened on a broken file stays broken; open afresh on the next attempt.
            with contextlib.suppress(Exception):
                self._store.close()
            self._store = None
        self.problem = describe(exc, self.path)
        self._next_try = time.monotonic() + self._delay
        self._delay = min(self._delay * 2, RETRY_MAX_S)
        if not self._told:
            self._told = True
            warnings.warn(not_recorded_message(self.problem, self.path), NotRecordedWarning, stacklevel=4)
            if self._on_problem is not None:
                self._on_problem(self.problem)

    def _trim(self) -> None:
        if len(self._pending) <= MAX_PENDING:
            return
        kept = []
        for method, args, kwargs in self._pending:
            if method == "append_events":
                events = [e for e in args[1] if e.get("type") != "batch"]
                if not events and not kwargs.get("run_fields"):
                    continue
                args = (args[0], events)
            kept.append((method, args, kwargs))
        self._pending = kept
        self.dropped_batches = True

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def not_recorded_note(problem: str, path) -> dict:
    """The note for the in-cell view (a coach warning) and, joined, the Python warning's text."""
    return {
        "kind": "not_recorded",
        "epoch": None,
        "severity": "info",
        "message": f"This run is not being recorded by the coach: {problem}. Training goes on and this "
        "cell still shows it.",
        "advice": "The coach keeps what it would have written and tries again; the run appears in the "
        f"coach's history once the store can be written. If it stays unwritable, free or move {path}, "
        "or set DLCOACH_DB to a file in a folder you can write to.",
        "terms": [],
    }


def not_recorded_message(problem: str, path) -> str:
    note = not_recorded_note(problem, path)
    return f"{note['message']} {note['advice']}"
