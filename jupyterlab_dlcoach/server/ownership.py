"""Which server runs a job, when several JupyterLab servers of one user share one run store.

Every server has an owner id and a row in the ``owners`` table whose heartbeat it renews every
``HEARTBEAT_S``. A job belongs to the server it was submitted to (``runs.owner``); that server alone
starts it, and only through one conditional UPDATE (queued → running) inside a write-locked
transaction, so a job can never be started twice. Another server takes a job over only when its
owner is gone: it stopped (its row deleted), or its heartbeat is older than ``OWNER_TIMEOUT_S``
(killed). Runs from before owners existed have none: they are anyone's to adopt.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

from jupyterlab_dlcoach.core.runs import ACTIVE_STATES, Run, RunState

HEARTBEAT_S = 2.0
OWNER_TIMEOUT_S = 15.0
# One SQL placeholder per active state.
_ACTIVE_MARKS = ", ".join("?" * len(ACTIVE_STATES))


class Ownership:
    def __init__(self, store, root_dir: str, timeout_s: float = OWNER_TIMEOUT_S):
        self.store = store
        self.root_dir = str(root_dir)
        self.timeout_s = timeout_s
        self.id = uuid.uuid4().hex[:12]
        self._last_beat = 0.0

    def beat(self, force: bool = False) -> None:
        """Say this server is alive (at most every HEARTBEAT_S unless forced)."""
        now = time.time()
        if not force and now - self._last_beat < HEARTBEAT_S:
            return
        conn = self.store._conn()
        with self.store._write(conn):
            conn.execute(
                "INSERT OR REPLACE INTO owners (id, host, pid, root, heartbeat) VALUES (?, ?, ?, ?, ?)",
                (self.id, socket.gethostname(), os.getpid(), self.root_dir, now),
            )
        self._last_beat = now

    def leave(self) -> None:
        """This server stops: its jobs may be taken over at once by the next server."""
        conn = self.store._conn()
        with self.store._write(conn):
            conn.execute("DELETE FROM owners WHERE id = ?", (self.id,))

    def _alive(self, conn, owner: str | None) -> bool:
        if owner is None:
            return False
        row = conn.execute("SELECT heartbeat FROM owners WHERE id = ?", (owner,)).fetchone()
        return row is not None and row[0] >= time.time() - self.timeout_s

    def orphans(self) -> list[Run]:
        """Active jobs of other owners that are gone (oldest first): the ones this server may adopt."""
        conn = self.store._conn()
        rows = conn.execute(
            f"SELECT id, owner FROM runs WHERE kind = 'job' AND state IN ({_ACTIVE_MARKS}) "  # noqa: S608
            "AND (owner IS NULL OR owner != ?) ORDER BY created, rowid",
            (*ACTIVE_STATES, self.id),
        ).fetchall()
        return [self.store.get_run(r[0]) for r in rows if not self._alive(conn, r[1])]

    def adopt(self, run_id: str) -> bool:
        """Make this server the job's owner, if its owner is still gone; atomic against other servers."""
        conn = self.store._conn()
        with self.store._write(conn):
            row = conn.execute("SELECT owner, state FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None or row[1] not in ACTIVE_STATES:
                return False
            if row[0] == self.id:
                return True
            if self._alive(conn, row[0]):
                return False
            conn.execute("UPDATE runs SET owner = ? WHERE id = ?", (self.id, run_id))
            return True

    def start(self, run_id: str) -> bool:
        """Queued → running, only if still queued and ours: the one place a job is claimed to run."""
        conn = self.store._conn()
        with self.store._write(conn):
            cur = conn.execute(
                "UPDATE runs SET state = ?, started = ? WHERE id = ? AND state = ? AND owner = ?",
                (RunState.RUNNING, time.time(), run_id, RunState.QUEUED, self.id),
            )
            return cur.rowcount == 1

    def cancel_queued(self, run_id: str) -> bool:
        """Queued → cancelled, only if nobody started it meanwhile (whichever server owns it)."""
        conn = self.store._conn()
        with self.store._write(conn):
            cur = conn.execute(
                "UPDATE runs SET state = ?, cancel_requested = 1, ended = ? WHERE id = ? AND state = ?",
                (RunState.CANCELLED, time.time(), run_id, RunState.QUEUED),
            )
            return cur.rowcount == 1

    def owned_by_other(self, run: Run) -> bool:
        """True if another server that is alive owns this run."""
        if run.get("owner") in (None, self.id):
            return False
        return self._alive(self.store._conn(), run["owner"])
