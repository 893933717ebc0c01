"""Owners of jobs in a shared store: claimed once, taken over only from a server that is gone."""

import sqlite3
import threading
import time

from jupyterlab_dlcoach.core.store import RunStore
from jupyterlab_dlcoach.server.ownership import Ownership


def queued(store, owner=None):
    return store.create_run(kind="job", name="j", spec={}, state="queued", owner=owner)["id"]


def test_a_live_owners_job_is_left_alone_and_started_once(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    a, b = Ownership(store, "/root"), Ownership(store, "/root")
    a.beat(force=True)
    b.beat(force=True)
    job = queued(store, a.id)
    assert b.orphans() == []
    assert not b.adopt(job)
    assert not b.start(job)
    assert a.start(job)
    assert not a.start(job)  # never started twice
    assert store.get_run(job)["state"] == "running"
    assert not a.cancel_queued(job)  # started meanwhile: a cancel must stop the trainer instead


def test_a_gone_owners_jobs_are_adopted(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    a, b = Ownership(store, "/root", timeout_s=5), Ownership(store, "/root")
    a.beat(force=True)
    stale, legacy = queued(store, a.id), queued(store, None)
    store._conn().execute("UPDATE owners SET heartbeat = ? WHERE id = ?", (time.time() - 60, a.id))
    assert {r["id"] for r in b.orphans()} == {stale, legacy}
    assert b.adopt(stale)
    assert b.start(stale)
    c = Ownership(store, "/root")
    c.beat(force=True)
    left = queued(store, c.id)
    c.leave()  # a server that stops cleanly: its jobs are free at once
    assert b.adopt(left)
    assert store.get_run(left)["owner"] == b.id


def test_many_servers_racing_for_one_orphan_claim_it_once(tmp_path):
    path = tmp_path / "runs.sqlite"
    job = queued(RunStore(path))
    wins, barrier = [], threading.Barrier(8)

    def server():
        me = Ownership(RunStore(path), "/root")
        me.beat(force=True)
        barrier.wait()
        if me.adopt(job) and me.start(job):
            wins.append(me.id)

    threads = [threading.Thread(target=server) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert RunStore(path).get_run(job)["owner"] == wins[0]


def test_a_store_from_before_owners_keeps_working(tmp_path):
    path = tmp_path / "runs.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version VALUES (1);
        CREATE TABLE runs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
            spec TEXT, state TEXT NOT NULL, created REAL NOT NULL, started REAL, ended REAL, device TEXT,
            progress TEXT, error TEXT, result TEXT, pid INTEGER, pid_started REAL, exit_code INTEGER,
            signal TEXT, cancel_requested INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL,
            seq INTEGER NOT NULL, type TEXT NOT NULL, time REAL NOT NULL, payload TEXT NOT NULL,
            UNIQUE (run_id, seq));
        INSERT INTO runs (id, kind, name, state, created)
            VALUES ('0123456789ab', 'job', 'old', 'queued', 1.0);
        """
    )
    old.close()
    store = RunStore(path)
    run = store.get_run("0123456789ab")
    assert run["name"] == "old"
    assert run["owner"] is None
    assert [tuple(r) for r in store._conn().execute("SELECT version FROM schema_version")] == [(2,)]
    me = Ownership(store, "/root")
    me.beat(force=True)
    assert [r["id"] for r in me.orphans()] == ["0123456789ab"]
