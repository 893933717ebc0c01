"""The run store: every run (server job or notebook run) and its append-only events, in SQLite.

Several processes write at once (the server, trainers, notebook kernels), so the file is in WAL
mode, every writer waits on a busy lock instead of failing, and sequence numbers are assigned
inside an immediate (write-locked) transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from pathlib import Path

from jupyterlab_dlcoach.core.errors import NotFound
from jupyterlab_dlcoach.core.runs import Event, Run, RunState
from jupyterlab_dlcoach.core.store_schema import (
    JSON_COLUMNS,
    RUN_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    dumps,
    finite,
)

_STATES = {s.value: s for s in RunState}
_EVENT_KEYS = frozenset({"seq", "run_id", "type", "time"})


def artifacts_dir(db_path: str | os.PathLike, run_id: str | None = None) -> Path:
    """Where a job's files live beside the store: its trainer's log and exported model (deleted with
    the job); without a run id, the folder of all of them."""
    folder = Path(db_path).parent / "artifacts"
    return folder if run_id is None else folder / run_id


_EVENTS_SQL = "SELECT * FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?"
_EVENTS_OF_TYPE_SQL = "SELECT * FROM events WHERE run_id = ? AND type = ? AND seq > ? ORDER BY seq LIMIT ?"


def default_db_path() -> Path:
    env = os.environ.get("DLCOACH_DB")
    if env:
        return Path(env)
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "dlcoach" / "runs.sqlite"


class RunStore:
    """Thread-safe (one connection per thread) and process-safe (SQLite locking) access to runs."""

    def __init__(self, path: str | os.PathLike, busy_timeout: float = 10.0):
        self.path = Path(path)
        self._busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        with self._write(conn):
            # One statement at a time: executescript would commit the open transaction.
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            # A store made by an earlier version gains the new column; its runs have no owner yet.
            columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
            if "owner" not in columns:
                conn.execute("ALTER TABLE runs ADD COLUMN owner TEXT")
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            if version is None or version < SCHEMA_VERSION:
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))

    # -- connections -------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # Autocommit mode: transactions are opened explicitly by _write.
            conn = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    class _write:
        """BEGIN IMMEDIATE takes the write lock up front, so read-then-write (max seq) is atomic."""

        def __init__(self, conn):
            self.conn = conn

        def __enter__(self):
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, exc_type, exc, tb):
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, for read-only queries kept out of this file (core/history.py)."""
        return self._conn()

    def journal_mode(self) -> str:
        return self._conn().execute("PRAGMA journal_mode").fetchone()[0]

    # -- runs ------------------------------------------------------------------------------------

    @staticmethod
    def _run_dict(row: sqlite3.Row) -> Run:
        run = dict(row)
        # A state this version does not know (a newer writer's) stays the plain word it was.
        run["state"] = _STATES.get(run["state"], run["state"])
        for col in JSON_COLUMNS:
            if run[col] is not None:
                run[col] = json.loads(run[col])
        run["cancel_requested"] = bool(run["cancel_requested"])
        return run

    def create_run(
        self,
        *,
        kind: str,
        name: str,
        spec: dict | None = None,
        state: RunState,
        device: str | None = None,
        pid: int | None = None,
        pid_started: float | None = None,
        run_id: str | None = None,
        owner: str | None = None,
    ) -> Run:
        run_id = run_id or uuid.uuid4().hex[:12]
        conn = self._conn()
        with self._write(conn):
            conn.execute(
                "INSERT INTO runs (id, kind, name, spec, state, created, device, pid, pid_started, owner) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    kind,
                    name or "",
                    None if spec is None else dumps(spec),
                    state,
                    time.time(),
                    device,
                    pid,
                    pid_started,
                    owner,
                ),
            )
        return self.get_run(run_id)

    def get_run(self, run_id: str) -> Run | None:
        row = self._conn().execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else self._run_dict(row)

    def list_runs(self, kind: str | None = None) -> list[Run]:
        sql, args = "SELECT * FROM runs", ()
        if kind is not None:
            sql, args = sql + " WHERE kind = ?", (kind,)
        rows = self._conn().execute(sql + " ORDER BY created DESC, rowid DESC", args).fetchall()
        return [self._run_dict(r) for r in rows]

    def update_run(self, run_id: str, **fields) -> Run:
        if fields:
            conn = self._conn()
            with self._write(conn):
                self._update(conn, run_id, fields)
        run = self.get_run(run_id)
        if run is None:
            raise NotFound(f"There is no run with id '{run_id}'.", field="id")
        return run

    @staticmethod
    def _update(conn: sqlite3.Connection, run_id: str, fields: dict) -> None:
        unknown = set(fields) - set(RUN_COLUMNS[1:])
        if unknown:
            raise ValueError(f"unknown run columns: {', '.join(sorted(unknown))}")
        cols = list(fields)
        values = [
            dumps(fields[c]) if c in JSON_COLUMNS and fields[c] is not None else fields[c] for c in cols
        ]
        values = [int(v) if isinstance(v, bool) else v for v in values]
        sets = ", ".join(c + " = ?" for c in cols)
        cur = conn.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*values, run_id))  # noqa: S608 (known columns)
        if cur.rowcount == 0:
            raise NotFound(f"There is no run with id '{run_id}'.", field="id")

    def delete_run(self, run_id: str) -> None:
        conn = self._conn()
        with self._write(conn):
            conn.execute("DELETE FROM events WHERE run_id = ?", (run_id,))
            conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    # -- events ----------------------------------------------------------------------------------

    def append_events(
        self, run_id: str, events: list[dict], *, run_fields: dict | None = None
    ) -> list[Event]:
        """Append events with the next sequence numbers; `run_fields` updates the run in the same commit."""
        if not events and not run_fields:
            return []
        now = time.time()
        out = []
        conn = self._conn()
        with self._write(conn):
            seq = conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?", (run_id,)
            ).fetchone()[0]
            rows = []
            for ev in events:
                seq += 1
                payload = {k: v for k, v in ev.items() if k not in _EVENT_KEYS}
                t = ev.get("time", now)
                rows.append((run_id, seq, ev["type"], t, dumps(payload)))
                out.append({"seq": seq, "run_id": run_id, "type": ev["type"], "time": t, **finite(payload)})
            conn.executemany(
                "INSERT INTO events (run_id, seq, type, time, payload) VALUES (?, ?, ?, ?, ?)", rows
            )
            if run_fields:
                self._update(conn, run_id, run_fields)
        return out

    def append_event(self, run_id: str, type: str, **payload) -> Event:
        return self.append_events(run_id, [{"type": type, **payload}])[0]

    @staticmethod
    def _event_dict(row: sqlite3.Row) -> Event:
        return {
            "seq": row["seq"],
            "run_id": row["run_id"],
            "type": row["type"],
            "time": row["time"],
            **json.loads(row["payload"]),
        }

    def events(
        self, run_id: str, after: int = 0, limit: int | None = None, event_type: str | None = None
    ) -> list[Event]:
        """A run's events after seq `after`, in order; only those of `event_type` when given (the
        epoch events of a run are a few rows among its many batch events: read them alone)."""
        limit = -1 if limit is None else limit
        if event_type is None:
            sql, args = _EVENTS_SQL, (run_id, after, limit)
        else:
            sql, args = _EVENTS_OF_TYPE_SQL, (run_id, event_type, after, limit)
        rows = self._conn().execute(sql, args)
        return [self._event_dict(r) for r in rows]

    def tail(self, after_id: int, limit: int = 1000) -> tuple[list[Event], int]:
        """Events of every run written after the global cursor `after_id`, and the new cursor."""
        rows = (
            self._conn()
            .execute("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit))
            .fetchall()
        )
        cursor = rows[-1]["id"] if rows else after_id
        return [self._event_dict(r) for r in rows], cursor

    def last_event_id(self) -> int:
        return self._conn().execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
